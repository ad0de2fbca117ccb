//! `coordinates`: positions written in text, each given a normalised latitude/longitude.
//!
//! Forms: decimal pairs with at least four decimals (about 11 m), degrees-minutes-seconds with
//! hemisphere letters, Chinese 北纬/东经 with 度分秒, and MGRS grid references. Temperatures
//! (`25°C`), angles, version numbers and race times have no hemisphere or no pair and stay out.

use clearance_model::{Category, GeoPoint, Severity};

use crate::mgrs::Mgrs;
use crate::pattern::{Candidate, PatternSpec, Trigger, Verdict, REACH};

const C: Category = Category::Coordinates;
const M: Severity = Severity::Medium;

/// The rules.
pub static SPECS: &[PatternSpec] = &[
    PatternSpec {
        id: "decimal-coordinates",
        category: C,
        severity: M,
        regex: r"([NS] ?)?(-?[0-9]{1,2}\.[0-9]{4,})(?: ?°)?(?: ?([NS]))?(?: ?[,;/] ?| )([EW] ?)?(-?[0-9]{1,3}\.[0-9]{4,})(?: ?°)?(?: ?([EW]))?",
        trigger: Trigger::Digits(decimal_fraction),
        group: 0,
        reach: (32, 40),
        explanation: "Decimal coordinates",
        validate: Some(decimal),
        ocr_only: false,
    },
    PatternSpec {
        id: "dms-coordinates",
        category: C,
        severity: M,
        regex: r#"([NS] ?)?([0-9]{1,2}) ?° ?([0-9]{1,2}(?:\.[0-9]+)?) ?['′’] ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?(?:"|″|′′|''|”))?(?: ?([NS]))?[ ,;/]*([EW] ?)?([0-9]{1,3}) ?° ?([0-9]{1,2}(?:\.[0-9]+)?) ?['′’] ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?(?:"|″|′′|''|”))?(?: ?([EW]))?"#,
        trigger: Trigger::Literals(&["°"]),
        group: 0,
        reach: REACH,
        explanation: "Degrees-minutes-seconds coordinates",
        validate: Some(dms),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-coordinates",
        category: C,
        severity: M,
        regex: r#"(北纬|南纬) ?([0-9]{1,2}(?:\.[0-9]+)?) ?(?:度|°) ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?(?:分|'|′))? ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?(?:秒|"|″|′′))?[ ,、;]*(东经|西经) ?([0-9]{1,3}(?:\.[0-9]+)?) ?(?:度|°) ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?(?:分|'|′))? ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?(?:秒|"|″|′′))?"#,
        trigger: Trigger::Literals(&["北纬", "南纬"]),
        group: 0,
        reach: REACH,
        explanation: "Chinese coordinates (北纬/东经)",
        validate: Some(cn_latlon),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-coordinates-lon-first",
        category: C,
        severity: M,
        regex: r#"(东经|西经) ?([0-9]{1,3}(?:\.[0-9]+)?) ?(?:度|°) ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?(?:分|'|′))? ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?(?:秒|"|″|′′))?[ ,、;]*(北纬|南纬) ?([0-9]{1,2}(?:\.[0-9]+)?) ?(?:度|°) ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?(?:分|'|′))? ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?(?:秒|"|″|′′))?"#,
        trigger: Trigger::Literals(&["东经", "西经"]),
        group: 0,
        reach: REACH,
        explanation: "Chinese coordinates (东经/北纬)",
        validate: Some(cn_lonlat),
        ocr_only: false,
    },
    PatternSpec {
        id: "mgrs",
        category: C,
        severity: M,
        regex: r"\b([1-9]|[1-5][0-9]|60) ?([C-HJ-NP-X]) ?([A-HJ-NP-Z])([A-HJ-NP-V]) ?(?:([0-9]{1,5}) ([0-9]{1,5})|([0-9]{2,10}))\b",
        trigger: Trigger::Digits(after_grid_letters),
        group: 0,
        reach: REACH,
        explanation: "MGRS grid reference",
        validate: Some(mgrs),
        ocr_only: false,
    },
];

/// `.1234`: a run of 4+ digits right after a decimal point that follows a digit.
fn decimal_fraction(b: &[u8], s: usize, e: usize) -> bool {
    e - s >= 4
        && s >= 2
        && b.get(s - 1) == Some(&b'.')
        && b.get(s - 2).is_some_and(u8::is_ascii_digit)
}

/// A digit run right after two capital letters (`UJ 23371`, `UJ23371`).
fn after_grid_letters(b: &[u8], s: usize, _e: usize) -> bool {
    let mut i = s;
    if i > 0 && b.get(i - 1) == Some(&b' ') {
        i -= 1;
    }
    i >= 2
        && b.get(i - 1).is_some_and(u8::is_ascii_uppercase)
        && b.get(i - 2).is_some_and(u8::is_ascii_uppercase)
}

fn position_verdict(what: &str, lat: f64, lon: f64) -> Option<Verdict> {
    let p = GeoPoint::new(lat, lon)?;
    Some(Verdict {
        explanation: Some(format!("{what} giving position {:.5}, {:.5}", p.lat, p.lon)),
        position: Some(p),
        span: None,
    })
}

/// Applies a hemisphere letter (or sign) to a magnitude; `None` when letters contradict.
fn signed(value: f64, prefix: Option<&str>, suffix: Option<&str>, negative: char) -> Option<f64> {
    let letter = match (prefix.map(str::trim), suffix) {
        (Some(p), Some(s)) if p != s => return None,
        (Some(p), _) => p.chars().next(),
        (None, Some(s)) => s.chars().next(),
        (None, None) => None,
    };
    match letter {
        Some(l) if l == negative => (value >= 0.0).then_some(-value),
        Some(_) => (value >= 0.0).then_some(value),
        None => Some(value),
    }
}

fn decimal(c: &Candidate<'_, '_>) -> Option<Verdict> {
    // Not the tail of a longer number or a version string (`v31.2304`, `1.2.3456`).
    if c.before()
        .is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '_')
    {
        return None;
    }
    let tail = c.text_after(2).as_bytes();
    if tail.first().is_some_and(u8::is_ascii_alphanumeric)
        || (tail.first() == Some(&b'.') && tail.get(1).is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    let lat: f64 = c.group(2)?.parse().ok()?;
    let lon: f64 = c.group(5)?.parse().ok()?;
    let lat = signed(lat, c.group(1), c.group(3), 'S')?;
    let lon = signed(lon, c.group(4), c.group(6), 'W')?;
    if lat.abs() > 90.0 || lon.abs() > 180.0 {
        return None;
    }
    position_verdict("Decimal coordinates", lat, lon)
}

fn degrees(d: &str, m: Option<&str>, s: Option<&str>) -> Option<f64> {
    let d: f64 = d.parse().ok()?;
    let m: f64 = m.map_or(Some(0.0), |m| m.parse().ok())?;
    let s: f64 = s.map_or(Some(0.0), |s| s.parse().ok())?;
    (m < 60.0 && s < 60.0).then_some(d + m / 60.0 + s / 3600.0)
}

fn dms(c: &Candidate<'_, '_>) -> Option<Verdict> {
    if c.before().is_some_and(|ch| ch.is_ascii_alphanumeric()) {
        return None;
    }
    // Both halves need a hemisphere letter: `40°30'12"N 89°30'00"E`, `N40°30' E89°27'`.
    let lat_h = c.group(1).or(c.group(5))?;
    let lon_h = c.group(6).or(c.group(10))?;
    let lat = signed(
        degrees(c.group(2)?, c.group(3), c.group(4))?,
        Some(lat_h),
        None,
        'S',
    )?;
    let lon = signed(
        degrees(c.group(7)?, c.group(8), c.group(9))?,
        Some(lon_h),
        None,
        'W',
    )?;
    if lat.abs() > 90.0 || lon.abs() > 180.0 {
        return None;
    }
    position_verdict("Degrees-minutes-seconds coordinates", lat, lon)
}

fn cn_latlon(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let lat = degrees(c.group(2)?, c.group(3), c.group(4))?;
    let lon = degrees(c.group(6)?, c.group(7), c.group(8))?;
    let lat = if c.group(1)? == "南纬" { -lat } else { lat };
    let lon = if c.group(5)? == "西经" { -lon } else { lon };
    if lat.abs() > 90.0 || lon.abs() > 180.0 {
        return None;
    }
    position_verdict("Chinese coordinates (北纬/东经)", lat, lon)
}

fn cn_lonlat(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let lon = degrees(c.group(2)?, c.group(3), c.group(4))?;
    let lat = degrees(c.group(6)?, c.group(7), c.group(8))?;
    let lon = if c.group(1)? == "西经" { -lon } else { lon };
    let lat = if c.group(5)? == "南纬" { -lat } else { lat };
    if lat.abs() > 90.0 || lon.abs() > 180.0 {
        return None;
    }
    position_verdict("Chinese coordinates (东经/北纬)", lat, lon)
}

fn mgrs(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let (east, north) = match (c.group(5), c.group(6), c.group(7)) {
        (Some(e), Some(n), _) => (e, n),
        (_, _, Some(run)) if run.len() % 2 == 0 => run.split_at(run.len() / 2),
        _ => return None,
    };
    if east.len() < 2 {
        return None;
    }
    let ch = |i: usize| c.group(i).and_then(|s| s.chars().next());
    let m = Mgrs::parse(c.group(1)?, ch(2)?, ch(3)?, ch(4)?, east, north)?;
    let p = m.to_geo()?;
    position_verdict("MGRS grid reference", p.lat, p.lon)
}

#[cfg(test)]
mod tests {
    use crate::normalize::Prepared;
    use crate::pattern::{run_on, ENGINE};

    fn positions(text: &str) -> Vec<(String, f64, f64)> {
        let prep = Prepared::new(text);
        let mut hits = Vec::new();
        ENGINE.run_table(1, &prep, &mut hits);
        hits.iter()
            .filter_map(|h| {
                h.position
                    .map(|p| (text[h.start..h.end].to_string(), p.lat, p.lon))
            })
            .collect()
    }

    #[test]
    fn flags_positions_with_normalised_lat_lon() {
        let table: &[(&str, &str, f64, f64)] = &[
            (
                "site at 40.5120, 89.4510 today",
                "40.5120, 89.4510",
                40.512,
                89.451,
            ),
            (
                "at -33.8568, 151.2153.",
                "-33.8568, 151.2153",
                -33.8568,
                151.2153,
            ),
            (
                "39.9042 N, 116.4074 E",
                "39.9042 N, 116.4074 E",
                39.9042,
                116.4074,
            ),
            (
                "pos 40°30'12\"N 89°30'00\"E end",
                "40°30'12\"N 89°30'00\"E",
                40.50333,
                89.5,
            ),
            ("N40°30′ E89°27′", "N40°30′ E89°27′", 40.5, 89.45),
            (
                "S33°51′24″ E151°12′55″",
                "S33°51′24″ E151°12′55″",
                -33.85667,
                151.21528,
            ),
            (
                "位于北纬40度30分 东经89度27分附近",
                "北纬40度30分 东经89度27分",
                40.5,
                89.45,
            ),
            (
                "东经116°23′，北纬39°54′",
                "东经116°23′，北纬39°54′",
                39.9,
                116.38333,
            ),
            (
                "grid 18S UJ 23371 06519 here",
                "18S UJ 23371 06519",
                38.8898,
                -77.03654,
            ),
            (
                "grid 18SUJ2337106519.",
                "18SUJ2337106519",
                38.8898,
                -77.03654,
            ),
        ];
        for (text, want, lat, lon) in table {
            let got = positions(text);
            assert!(
                got.iter().any(|(t, la, lo)| t == want
                    && (la - lat).abs() < 1e-3
                    && (lo - lon).abs() < 1e-3),
                "{text:?}: expected {want:?} at {lat},{lon}; got {got:?}"
            );
        }
    }

    #[test]
    fn leaves_other_numbers_alone() {
        for text in [
            "It was 25°C outside.",
            "Hold it at a 45° angle.",
            "Upgrade to v31.2304 now",
            "Revenue of 121.47 million",
            "She ran 5′30″ per km",
            "pi is 3.14159 and e is 2",
            "range 95.12345, 200.12345",
            "version 1.2.3456",
            "18S UJ 2337 065",
        ] {
            assert_eq!(run_on(1, text), vec![], "{text:?} must not be flagged");
        }
    }
}
