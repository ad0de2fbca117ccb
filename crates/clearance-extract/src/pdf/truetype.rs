//! The `cmap` table of an embedded TrueType font, inverted to glyph id → Unicode. Used for
//! `Identity-H` fonts that come without a ToUnicode map: the code is the CID, the CID is the
//! glyph id (CIDToGIDMap), and the font's own cmap says which char each glyph draws.

use std::collections::HashMap;

/// Most glyph mappings kept from one font.
const MAX_MAPPINGS: usize = 200_000;

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(at)?,
        *d.get(at + 1)?,
        *d.get(at + 2)?,
        *d.get(at + 3)?,
    ]))
}

/// Glyph id → char from the font's Unicode cmap subtable (format 12 preferred, then 4).
pub(crate) fn glyph_to_unicode(font: &[u8]) -> HashMap<u16, char> {
    let mut out = HashMap::new();
    let Some(cmap) = table(font, b"cmap") else {
        return out;
    };
    let n = u16_at(cmap, 2).unwrap_or(0);
    let mut best: Option<(u8, usize)> = None;
    for k in 0..usize::from(n) {
        let rec = 4 + 8 * k;
        let (Some(platform), Some(encoding), Some(offset)) = (
            u16_at(cmap, rec),
            u16_at(cmap, rec + 2),
            u32_at(cmap, rec + 4),
        ) else {
            break;
        };
        let Ok(offset) = usize::try_from(offset) else {
            continue;
        };
        let format = u16_at(cmap, offset).unwrap_or(0);
        let rank = match (platform, encoding, format) {
            (3, 10, 12) | (0, 4, 12) | (0, 6, 12) => 3,
            (3, 1, 4) | (0, 3, 4) => 2,
            (0, _, 4) => 1,
            _ => continue,
        };
        if best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, offset));
        }
    }
    let Some((_, offset)) = best else { return out };
    let Some(sub) = cmap.get(offset..) else {
        return out;
    };
    let mut add = |c: u32, gid: u32| {
        if out.len() >= MAX_MAPPINGS {
            return;
        }
        if let (Some(ch), Ok(gid)) = (char::from_u32(c), u16::try_from(gid)) {
            if gid != 0 && !matches!(c, 0xE000..=0xF8FF) {
                out.entry(gid).or_insert(ch);
            }
        }
    };
    match u16_at(sub, 0) {
        Some(12) => {
            let groups = u32_at(sub, 12).unwrap_or(0).min(100_000);
            for g in 0..groups as usize {
                let at = 16 + 12 * g;
                let (Some(start), Some(end), Some(gid)) =
                    (u32_at(sub, at), u32_at(sub, at + 4), u32_at(sub, at + 8))
                else {
                    break;
                };
                for c in start..=end.min(start.saturating_add(MAX_MAPPINGS as u32)) {
                    add(c, gid.saturating_add(c - start));
                }
            }
        }
        Some(4) => {
            let seg_count = usize::from(u16_at(sub, 6).unwrap_or(0) / 2);
            let ends = 14;
            let starts = ends + 2 * seg_count + 2;
            let deltas = starts + 2 * seg_count;
            let range_offsets = deltas + 2 * seg_count;
            for s in 0..seg_count {
                let (Some(end), Some(start), Some(delta), Some(ro)) = (
                    u16_at(sub, ends + 2 * s),
                    u16_at(sub, starts + 2 * s),
                    u16_at(sub, deltas + 2 * s),
                    u16_at(sub, range_offsets + 2 * s),
                ) else {
                    break;
                };
                for c in start..=end {
                    if c == 0xFFFF {
                        break;
                    }
                    let gid = if ro == 0 {
                        c.wrapping_add(delta)
                    } else {
                        let at =
                            range_offsets + 2 * s + usize::from(ro) + 2 * usize::from(c - start);
                        match u16_at(sub, at) {
                            Some(0) | None => continue,
                            Some(g) => g.wrapping_add(delta),
                        }
                    };
                    add(u32::from(c), u32::from(gid));
                }
            }
        }
        _ => {}
    }
    out
}

fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let n = usize::from(u16_at(font, 4)?);
    for k in 0..n {
        let rec = 12 + 16 * k;
        if font.get(rec..rec + 4)? == tag {
            let offset = usize::try_from(u32_at(font, rec + 8)?).ok()?;
            let len = usize::try_from(u32_at(font, rec + 12)?).ok()?;
            return font.get(offset..offset.checked_add(len)?.min(font.len()));
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    /// A minimal sfnt with one format-4 cmap: 'A'..'C' → glyphs 10..12, '机' → glyph 40.
    fn font() -> Vec<u8> {
        let mut sub = Vec::new();
        let segs: [(u16, u16, i16); 3] = [
            (0x41, 0x43, 10 - 0x41),
            (0x673A, 0x673A, 40 - 0x673A),
            (0xFFFF, 0xFFFF, 1),
        ];
        sub.extend_from_slice(&4u16.to_be_bytes());
        sub.extend_from_slice(&0u16.to_be_bytes()); // length, unused here
        sub.extend_from_slice(&0u16.to_be_bytes());
        sub.extend_from_slice(&(2 * segs.len() as u16).to_be_bytes());
        sub.extend_from_slice(&[0; 6]);
        segs.iter()
            .for_each(|s| sub.extend_from_slice(&s.1.to_be_bytes()));
        sub.extend_from_slice(&[0, 0]);
        segs.iter()
            .for_each(|s| sub.extend_from_slice(&s.0.to_be_bytes()));
        segs.iter()
            .for_each(|s| sub.extend_from_slice(&s.2.to_be_bytes()));
        segs.iter().for_each(|_| sub.extend_from_slice(&[0, 0]));
        let mut cmap = vec![0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12];
        cmap.extend(sub);
        let mut f = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        f.extend_from_slice(b"cmap");
        f.extend_from_slice(&[0; 4]);
        f.extend_from_slice(&28u32.to_be_bytes());
        f.extend_from_slice(&(cmap.len() as u32).to_be_bytes());
        f.extend(cmap);
        f
    }

    #[test]
    fn format4_is_inverted() {
        let map = glyph_to_unicode(&font());
        assert_eq!(map.get(&10), Some(&'A'));
        assert_eq!(map.get(&12), Some(&'C'));
        assert_eq!(map.get(&40), Some(&'机'));
        assert_eq!(map.get(&0), None);
        assert_eq!(map.len(), 4);
    }

    #[test]
    fn truncated_fonts_give_what_they_can() {
        let f = font();
        for cut in 0..f.len() {
            let _ = glyph_to_unicode(&f[..cut]);
        }
        assert!(glyph_to_unicode(b"junk").is_empty());
    }
}
