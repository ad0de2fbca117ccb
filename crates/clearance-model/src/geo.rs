//! Geographic positions and distances.

use serde::{Deserialize, Serialize};

/// A position in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude, north positive, -90..=90.
    pub lat: f64,
    /// Longitude, east positive, -180..=180.
    pub lon: f64,
}

impl GeoPoint {
    /// A point, or `None` when it is not a valid position on Earth.
    pub fn new(lat: f64, lon: f64) -> Option<GeoPoint> {
        (lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0)
            .then_some(GeoPoint { lat, lon })
    }
}

/// Great-circle distance in metres (haversine on a sphere of the mean Earth radius); accurate
/// to about 0.5 %, which is ample for geofences of hundreds of metres and more.
pub fn haversine_m(a: GeoPoint, b: GeoPoint) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = (b.lat - a.lat).to_radians();
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let (Some(a), Some(b)) = (GeoPoint::new(40.0, 89.0), GeoPoint::new(41.0, 89.0)) else {
            panic!("valid points");
        };
        let d = haversine_m(a, b);
        assert!((d - 111_195.0).abs() < 200.0, "got {d}");
    }

    #[test]
    fn rejects_impossible_positions() {
        assert!(GeoPoint::new(91.0, 0.0).is_none());
        assert!(GeoPoint::new(0.0, f64::NAN).is_none());
    }
}
