//! MGRS -> UTM -> latitude/longitude on WGS 84 (Snyder, "Map Projections: A Working Manual",
//! USGS PP 1395, pp. 61-64), so a grid reference in text gets a position that geofences can
//! test.

use clearance_model::GeoPoint;

const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_223_563;
const K0: f64 = 0.9996;

/// Letters used by MGRS (no I, no O).
const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Latitude bands C..X, 8 degrees each from 80 S.
const BANDS: &[u8] = b"CDEFGHJKLMNPQRSTUVWX";
/// 100 km row letters (A..V without I and O).
const ROWS: &[u8] = b"ABCDEFGHJKLMNPQRSTUV";

/// An MGRS reference split into its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mgrs {
    /// UTM zone 1..=60.
    pub zone: u8,
    /// Latitude band letter.
    pub band: u8,
    /// 100 km column letter.
    pub col: u8,
    /// 100 km row letter.
    pub row: u8,
    /// Easting within the square, metres.
    pub easting: f64,
    /// Northing within the square, metres.
    pub northing: f64,
}

impl Mgrs {
    /// Builds a reference from its parts; `east`/`north` are digit strings of equal length
    /// 1..=5 (the precision).
    pub fn parse(
        zone: &str,
        band: char,
        col: char,
        row: char,
        east: &str,
        north: &str,
    ) -> Option<Mgrs> {
        let zone: u8 = zone.parse().ok()?;
        if !(1..=60).contains(&zone)
            || east.len() != north.len()
            || east.is_empty()
            || east.len() > 5
        {
            return None;
        }
        let scale = 10f64.powi(5 - i32::try_from(east.len()).ok()?);
        let easting = east.parse::<u32>().ok()? as f64 * scale;
        let northing = north.parse::<u32>().ok()? as f64 * scale;
        let (band, col, row) = (
            u8::try_from(band).ok()?,
            u8::try_from(col).ok()?,
            u8::try_from(row).ok()?,
        );
        Some(Mgrs {
            zone,
            band,
            col,
            row,
            easting,
            northing,
        })
    }

    /// The position, or `None` when the letters are not valid for the zone.
    pub fn to_geo(&self) -> Option<GeoPoint> {
        let band_idx = BANDS.iter().position(|&b| b == self.band)?;
        let set_offset = ((usize::from(self.zone) - 1) % 3) * 8;
        let col_pos = LETTERS.iter().position(|&b| b == self.col)?;
        let col_idx = col_pos.checked_sub(set_offset).filter(|&i| i < 8)?;
        let row_pos = ROWS.iter().position(|&b| b == self.row)?;
        let row_offset = if self.zone & 1 == 0 { 5 } else { 0 };
        let row_idx = (row_pos + 20 - row_offset) % 20;

        let easting = (col_idx as f64 + 1.0) * 100_000.0 + self.easting;
        let south = band_idx < 10; // bands C..M
        let band_lat = -80.0 + 8.0 * band_idx as f64;
        let min_northing = {
            let m = K0 * meridian_arc(band_lat.to_radians());
            if south {
                m + 10_000_000.0
            } else {
                m
            }
        };
        let mut northing = row_idx as f64 * 100_000.0 + self.northing;
        // The row letters repeat every 2,000 km; the band says which cycle.
        while northing < min_northing - 100_000.0 {
            northing += 2_000_000.0;
        }
        let (lat, lon) = utm_to_geo(self.zone, south, easting, northing);
        let p = GeoPoint::new(lat, lon)?;
        // The result must fall in (or right next to) the stated band.
        (lat >= band_lat - 0.5 && lat <= band_lat + 8.5 + if self.band == b'X' { 4.0 } else { 0.0 })
            .then_some(p)
    }
}

fn e2() -> f64 {
    F * (2.0 - F)
}

/// Distance along the meridian from the equator to latitude `phi` (radians).
fn meridian_arc(phi: f64) -> f64 {
    let e2 = e2();
    let (e4, e6) = (e2 * e2, e2 * e2 * e2);
    A * ((1.0 - e2 / 4.0 - 3.0 * e4 / 64.0 - 5.0 * e6 / 256.0) * phi
        - (3.0 * e2 / 8.0 + 3.0 * e4 / 32.0 + 45.0 * e6 / 1024.0) * (2.0 * phi).sin()
        + (15.0 * e4 / 256.0 + 45.0 * e6 / 1024.0) * (4.0 * phi).sin()
        - (35.0 * e6 / 3072.0) * (6.0 * phi).sin())
}

/// Inverse transverse Mercator for one UTM zone.
pub fn utm_to_geo(zone: u8, south: bool, easting: f64, northing: f64) -> (f64, f64) {
    let e2 = e2();
    let ep2 = e2 / (1.0 - e2);
    let x = easting - 500_000.0;
    let y = if south {
        northing - 10_000_000.0
    } else {
        northing
    };
    let m = y / K0;
    let mu = m / (A * (1.0 - e2 / 4.0 - 3.0 * e2 * e2 / 64.0 - 5.0 * e2 * e2 * e2 / 256.0));
    let e1 = (1.0 - (1.0 - e2).sqrt()) / (1.0 + (1.0 - e2).sqrt());
    let phi1 = mu
        + (3.0 * e1 / 2.0 - 27.0 * e1.powi(3) / 32.0) * (2.0 * mu).sin()
        + (21.0 * e1 * e1 / 16.0 - 55.0 * e1.powi(4) / 32.0) * (4.0 * mu).sin()
        + (151.0 * e1.powi(3) / 96.0) * (6.0 * mu).sin()
        + (1097.0 * e1.powi(4) / 512.0) * (8.0 * mu).sin();
    let (s, c, t) = (phi1.sin(), phi1.cos(), phi1.tan());
    let c1 = ep2 * c * c;
    let t1 = t * t;
    let n1 = A / (1.0 - e2 * s * s).sqrt();
    let r1 = A * (1.0 - e2) / (1.0 - e2 * s * s).powf(1.5);
    let d = x / (n1 * K0);
    let lat = phi1
        - (n1 * t / r1)
            * (d * d / 2.0
                - (5.0 + 3.0 * t1 + 10.0 * c1 - 4.0 * c1 * c1 - 9.0 * ep2) * d.powi(4) / 24.0
                + (61.0 + 90.0 * t1 + 298.0 * c1 + 45.0 * t1 * t1 - 252.0 * ep2 - 3.0 * c1 * c1)
                    * d.powi(6)
                    / 720.0);
    let lon0 = (f64::from(zone) - 1.0) * 6.0 - 180.0 + 3.0;
    let lon = lon0
        + ((d - (1.0 + 2.0 * t1 + c1) * d.powi(3) / 6.0
            + (5.0 - 2.0 * c1 + 28.0 * t1 - 3.0 * c1 * c1 + 8.0 * ep2 + 24.0 * t1 * t1)
                * d.powi(5)
                / 120.0)
            / c)
            .to_degrees();
    (lat.to_degrees(), lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geo(z: &str, b: char, c: char, r: char, e: &str, n: &str) -> GeoPoint {
        Mgrs::parse(z, b, c, r, e, n)
            .and_then(|m| m.to_geo())
            .unwrap()
    }

    #[test]
    fn washington_monument() {
        // The brief's reference point is rounded: the exact inverse of 18S UJ 23371 06519 is
        // 38.88980 N, 77.03654 W (checked against a forward projection), ~110 m from it.
        let p = geo("18", 'S', 'U', 'J', "23371", "06519");
        assert!(
            (p.lat - 38.8895).abs() < 0.002 && (p.lon + 77.0353).abs() < 0.002,
            "{p:?}"
        );
        assert!(
            (p.lat - 38.88980).abs() < 0.0001 && (p.lon + 77.03654).abs() < 0.0001,
            "{p:?}"
        );
    }

    #[test]
    fn southern_hemisphere_and_low_precision() {
        // Sydney Opera House, 56H LH 34 52 ≈ 33.857 S, 151.215 E (1 km precision).
        let p = geo("56", 'H', 'L', 'H', "34", "52");
        assert!(
            (p.lat + 33.857).abs() < 0.02 && (p.lon - 151.215).abs() < 0.02,
            "{p:?}"
        );
    }

    #[test]
    fn rejects_letters_outside_the_zone_set() {
        // Zone 18 uses columns S..Z; `A` is not one of them.
        assert!(Mgrs::parse("18", 'S', 'A', 'J', "23371", "06519")
            .and_then(|m| m.to_geo())
            .is_none());
        assert!(Mgrs::parse("61", 'S', 'U', 'J', "1", "1").is_none());
        assert!(Mgrs::parse("18", 'S', 'U', 'J', "123", "12").is_none());
    }
}
