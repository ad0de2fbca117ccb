//! Colour spaces and colours as the paint log needs them: enough to tell dark from light and
//! one colour from another, not colour management. ICC profiles are read as their device
//! equivalent (by component count), Separation and DeviceN tints as darkness.

use lopdf::{Dictionary, Document, Object};

use super::super::interp::{deref, num};

/// Largest Indexed lookup table read (256 entries × 4 components).
const MAX_LOOKUP: usize = 1024;

/// An sRGB-ish colour, components in 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb {
    /// Red.
    pub r: f32,
    /// Green.
    pub g: f32,
    /// Blue.
    pub b: f32,
}

impl Rgb {
    /// Black, the initial colour of every device colour space.
    pub const BLACK: Rgb = Rgb {
        r: 0.0,
        g: 0.0,
        b: 0.0,
    };
    /// White, the colour of an unpainted page.
    pub const WHITE: Rgb = Rgb {
        r: 1.0,
        g: 1.0,
        b: 1.0,
    };

    fn grey(v: f32) -> Rgb {
        Rgb { r: v, g: v, b: v }.clamped()
    }

    fn clamped(self) -> Rgb {
        let c = |v: f32| {
            if v.is_finite() {
                v.clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        Rgb {
            r: c(self.r),
            g: c(self.g),
            b: c(self.b),
        }
    }

    fn cmyk(c: f32, m: f32, y: f32, k: f32) -> Rgb {
        Rgb {
            r: (1.0 - c) * (1.0 - k),
            g: (1.0 - m) * (1.0 - k),
            b: (1.0 - y) * (1.0 - k),
        }
        .clamped()
    }

    /// Relative luminance (Rec. 601 weights): 0 is black, 1 is white.
    pub fn luminance(&self) -> f32 {
        0.299 * self.r + 0.587 * self.g + 0.114 * self.b
    }

    /// Largest per-component difference: 0 for the same colour.
    pub fn distance(&self, o: &Rgb) -> f32 {
        (self.r - o.r)
            .abs()
            .max((self.g - o.g).abs())
            .max((self.b - o.b).abs())
    }
}

/// A colour space reduced to how its operands turn into a colour.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Space {
    Gray,
    Rgb,
    Cmyk,
    /// CIE L*a*b*: L (0–100) read as grey.
    Lab,
    /// Base space, highest index, lookup bytes.
    Indexed(Box<Space>, usize, Vec<u8>),
    /// Separation or DeviceN with this many tints: darkness grows with the tint.
    Tint(usize),
    /// Colours come from a pattern or shading: unknown.
    Pattern,
}

impl Space {
    /// Components a colour of this space takes.
    pub fn components(&self) -> usize {
        match self {
            Space::Gray | Space::Indexed(..) | Space::Pattern => 1,
            Space::Rgb | Space::Lab => 3,
            Space::Cmyk => 4,
            Space::Tint(n) => *n,
        }
    }

    /// The colour a space starts with when selected by `cs`/`CS`.
    pub fn initial(&self) -> Option<Rgb> {
        match self {
            Space::Cmyk => Some(Rgb::BLACK),
            Space::Lab => Some(Rgb::BLACK),
            Space::Tint(_) => Some(Rgb::BLACK),
            Space::Indexed(..) => self.colour(&[0.0]),
            Space::Pattern => None,
            Space::Gray | Space::Rgb => Some(Rgb::BLACK),
        }
    }

    /// The colour of operands `v` (already numbers), or `None` when unknown.
    pub fn colour(&self, v: &[f32]) -> Option<Rgb> {
        match (self, v) {
            (Space::Gray, [g, ..]) => Some(Rgb::grey(*g)),
            (Space::Rgb, [r, g, b, ..]) => Some(
                Rgb {
                    r: *r,
                    g: *g,
                    b: *b,
                }
                .clamped(),
            ),
            (Space::Cmyk, [c, m, y, k, ..]) => Some(Rgb::cmyk(*c, *m, *y, *k)),
            (Space::Lab, [l, ..]) => Some(Rgb::grey(l / 100.0)),
            (Space::Tint(_), tints) if !tints.is_empty() => {
                let t = tints.iter().fold(0.0f32, |a, t| a.max(*t));
                Some(Rgb::grey(1.0 - t))
            }
            (Space::Indexed(base, hival, lookup), [i, ..]) => {
                let n = base.components();
                let idx = (i.max(0.0) as usize).min(*hival);
                let comps: Vec<f32> = lookup
                    .get(idx * n..idx * n + n)?
                    .iter()
                    .map(|b| f32::from(*b) / 255.0)
                    .collect();
                let comps = if matches!(**base, Space::Lab) {
                    comps.iter().map(|c| c * 100.0).collect()
                } else {
                    comps
                };
                base.colour(&comps)
            }
            _ => None,
        }
    }
}

/// The colour space named by a `cs`/`CS` operand, resolved through the resources.
pub(crate) fn space_named(doc: &Document, resources: Option<&Dictionary>, name: &[u8]) -> Space {
    match name {
        b"DeviceGray" | b"G" | b"CalGray" => return Space::Gray,
        b"DeviceRGB" | b"RGB" | b"CalRGB" => return Space::Rgb,
        b"DeviceCMYK" | b"CMYK" => return Space::Cmyk,
        b"Pattern" => return Space::Pattern,
        _ => {}
    }
    let found = resources
        .and_then(|r| r.get(b"ColorSpace").ok())
        .and_then(|o| deref(doc, o).1.as_dict().ok())
        .and_then(|d| d.get(name).ok());
    match found {
        Some(o) => space_of(doc, o, 0),
        None => Space::Pattern,
    }
}

/// A colour space object (name or array), depth-limited for nested bases.
pub(crate) fn space_of(doc: &Document, o: &Object, depth: usize) -> Space {
    let o = deref(doc, o).1;
    if depth > 4 {
        return Space::Pattern;
    }
    match o {
        Object::Name(n) => space_named(doc, None, n),
        Object::Array(a) => {
            let family = a.first().and_then(|f| deref(doc, f).1.as_name().ok());
            match family.unwrap_or_default() {
                b"DeviceGray" | b"CalGray" | b"G" => Space::Gray,
                b"DeviceRGB" | b"CalRGB" | b"RGB" => Space::Rgb,
                b"DeviceCMYK" | b"CMYK" => Space::Cmyk,
                b"Lab" => Space::Lab,
                b"ICCBased" => {
                    let n = a
                        .get(1)
                        .and_then(|s| deref(doc, s).1.as_stream().ok())
                        .and_then(|s| s.dict.get(b"N").ok())
                        .and_then(num);
                    match n.map(|n| n as i64) {
                        Some(1) => Space::Gray,
                        Some(4) => Space::Cmyk,
                        _ => Space::Rgb,
                    }
                }
                b"Indexed" | b"I" => indexed(doc, a, depth),
                b"Separation" => Space::Tint(1),
                b"DeviceN" => {
                    let n = a
                        .get(1)
                        .and_then(|o| deref(doc, o).1.as_array().ok())
                        .map_or(1, Vec::len);
                    Space::Tint(n.clamp(1, 32))
                }
                _ => Space::Pattern,
            }
        }
        _ => Space::Pattern,
    }
}

fn indexed(doc: &Document, a: &[Object], depth: usize) -> Space {
    let base = a.get(1).map_or(Space::Rgb, |b| space_of(doc, b, depth + 1));
    let hival = a
        .get(2)
        .and_then(num)
        .map_or(0, |h| h.clamp(0.0, 255.0) as usize);
    let lookup = match a.get(3).map(|o| deref(doc, o).1) {
        Some(Object::String(s, _)) => s.iter().take(MAX_LOOKUP).copied().collect(),
        Some(Object::Stream(s)) => super::super::streams::decoded(s, MAX_LOOKUP as u64)
            .map(|mut d| {
                d.truncate(MAX_LOOKUP);
                d
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    if matches!(base, Space::Indexed(..) | Space::Pattern) {
        return Space::Pattern;
    }
    Space::Indexed(Box::new(base), hival, lookup)
}

/// The numbers among `sc`/`scn` operands (a trailing pattern name is dropped).
pub(crate) fn operand_numbers(operands: &[Object]) -> Vec<f32> {
    operands
        .iter()
        .filter_map(num)
        .filter(|v| v.is_finite())
        .map(|v| v as f32)
        .take(32)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    #[test]
    fn device_colours_map_to_rgb() {
        let near = |a: Option<Rgb>, l: f32| a.is_some_and(|c| (c.luminance() - l).abs() < 0.01);
        assert!(near(Space::Gray.colour(&[0.2]), 0.2));
        assert!(near(Space::Rgb.colour(&[1.0, 1.0, 1.0]), 1.0));
        assert!(near(Space::Cmyk.colour(&[0.0, 0.0, 0.0, 1.0]), 0.0));
        assert!(near(Space::Cmyk.colour(&[0.0, 0.0, 0.0, 0.0]), 1.0));
        assert!(
            near(Space::Tint(1).colour(&[1.0]), 0.0),
            "full tint is dark"
        );
        assert_eq!(Space::Pattern.colour(&[0.5]), None, "patterns are unknown");
    }

    #[test]
    fn indexed_colours_read_the_lookup_table() {
        let s = Space::Indexed(Box::new(Space::Rgb), 1, vec![0, 0, 0, 255, 255, 255]);
        assert_eq!(s.colour(&[1.0]), Some(Rgb::WHITE));
        assert_eq!(s.colour(&[0.0]), Some(Rgb::BLACK));
        assert_eq!(s.colour(&[9.0]), Some(Rgb::WHITE), "index clamps to hival");
        let short = Space::Indexed(Box::new(Space::Rgb), 3, vec![0, 0, 0]);
        assert_eq!(short.colour(&[2.0]), None, "short table gives unknown");
    }

    #[test]
    fn out_of_range_components_are_clamped() {
        let c = Space::Rgb.colour(&[2.0, -1.0, f32::NAN]).unwrap();
        assert_eq!(
            c,
            Rgb {
                r: 1.0,
                g: 0.0,
                b: 0.0
            }
        );
    }
}
