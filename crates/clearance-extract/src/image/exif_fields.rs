//! EXIF fields that identify people, devices, places and times, read with kamadak-exif in
//! lenient mode so a damaged IFD still yields the fields around it.
//!
//! GPS policy: a position is reported when latitude and longitude are both present and
//! finite. `0,0` is kept only when both reference letters (`N`/`S`, `E`/`W`) are present too;
//! `0,0` without references is the placeholder some cameras write before a fix, and an empty
//! GPS IFD gives nothing at all.

use std::io::Cursor;

use clearance_model::{ExtractedDocument, GeoPoint, GpsPoint};
use exif::{Context, Exif, Field, In, Reader, Tag, Value};

use super::push_field;

/// Fields reported, with the key used in [`clearance_model::MetaField`].
const FIELDS: &[(Tag, &str)] = &[
    (Tag::Make, "Make"),
    (Tag::Model, "Model"),
    (Tag::BodySerialNumber, "BodySerialNumber"),
    (Tag(Context::Tiff, 0xC62F), "CameraSerialNumber"),
    (Tag::LensMake, "LensMake"),
    (Tag::LensModel, "LensModel"),
    (Tag::LensSerialNumber, "LensSerialNumber"),
    (Tag::CameraOwnerName, "CameraOwnerName"),
    (Tag::Artist, "Artist"),
    (Tag::Copyright, "Copyright"),
    (Tag::Software, "Software"),
    (Tag(Context::Tiff, 0x013C), "HostComputer"),
    (Tag::DateTimeOriginal, "DateTimeOriginal"),
    (Tag::DateTime, "DateTime"),
    (Tag::ImageDescription, "ImageDescription"),
    (Tag::UserComment, "UserComment"),
    (Tag::ImageUniqueID, "ImageUniqueID"),
    (Tag(Context::Tiff, 0x9C9B), "XPTitle"),
    (Tag(Context::Tiff, 0x9C9C), "XPComment"),
    (Tag(Context::Tiff, 0x9C9D), "XPAuthor"),
    (Tag(Context::Tiff, 0x9C9E), "XPKeywords"),
    (Tag(Context::Tiff, 0x9C9F), "XPSubject"),
    (Tag::GPSLatitude, "GPSLatitude"),
    (Tag::GPSLatitudeRef, "GPSLatitudeRef"),
    (Tag::GPSLongitude, "GPSLongitude"),
    (Tag::GPSLongitudeRef, "GPSLongitudeRef"),
    (Tag::GPSAltitude, "GPSAltitude"),
    (Tag::GPSDateStamp, "GPSDateStamp"),
    // GeoTIFF georeferencing: the image is a map or an aerial photo of a known place.
    (Tag(Context::Tiff, 0x8482), "GeoTIFF ModelTiepoint"),
    (Tag(Context::Tiff, 0x830E), "GeoTIFF ModelPixelScale"),
    (Tag(Context::Tiff, 0x85D8), "GeoTIFF ModelTransform"),
    (Tag(Context::Tiff, 0x87B1), "GeoTIFF GeoAsciiParams"),
];

/// Reads EXIF from any container kamadak-exif knows into `doc`, with fields and GPS under
/// `part` (e.g. `EXIF`, `word/media/image1.jpeg EXIF`).
pub(super) fn read(bytes: &[u8], part: &str, page: Option<u32>, doc: &mut ExtractedDocument) {
    let mut reader = Reader::new();
    reader.continue_on_error(true);
    let mut damaged: Vec<String> = Vec::new();
    let exif = match reader
        .read_from_container(&mut Cursor::new(bytes))
        .or_else(|e| {
            e.distill_partial_result(|errors| {
                // Pillow and piexif write a non-zero "next IFD" pointer after the Exif and GPS
                // sub-IFDs; their fields are read all the same, so that is not damage.
                damaged = errors
                    .iter()
                    .map(ToString::to_string)
                    .filter(|e| e != "Unexpected next IFD")
                    .collect();
            })
        }) {
        Ok(exif) => exif,
        Err(exif::Error::NotFound(_)) => return,
        Err(e) => {
            doc.warnings.push(format!("{part}: unreadable ({e})"));
            return;
        }
    };
    if let Some(first) = damaged.first() {
        doc.warnings.push(format!(
            "{part}: {} damaged field(s) skipped (first: {first})",
            damaged.len()
        ));
    }
    for field in exif.fields() {
        let Some((_, key)) = FIELDS.iter().find(|(tag, _)| *tag == field.tag) else {
            continue;
        };
        if let Some(value) = field_text(field, &exif) {
            push_field(doc, part, key, value, page);
        }
    }
    if let Some(point) = gps_position(&exif) {
        doc.gps.push(GpsPoint {
            lat: point.lat,
            lon: point.lon,
            part: part.to_string(),
            page,
        });
    }
}

/// Width and height from a TIFF's IFD0, for TIFF variants the image decoder refuses
/// (palette GeoTIFFs, unusual colour types).
pub(super) fn tiff_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut reader = Reader::new();
    reader.continue_on_error(true);
    let exif = reader
        .read_from_container(&mut Cursor::new(bytes))
        .or_else(|e| e.distill_partial_result(|_| {}))
        .ok()?;
    let width = exif
        .get_field(Tag::ImageWidth, In::PRIMARY)?
        .value
        .get_uint(0)?;
    let height = exif
        .get_field(Tag::ImageLength, In::PRIMARY)?
        .value
        .get_uint(0)?;
    Some((width, height))
}

/// The field as text a reviewer reads: ASCII as written, UserComment without its charset
/// prefix, Windows XP tags from UTF-16, everything else as kamadak-exif displays it.
fn field_text(field: &Field, exif: &Exif) -> Option<String> {
    let text = match &field.value {
        Value::Ascii(parts) => parts
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
        Value::Undefined(bytes, _) if field.tag == Tag::UserComment => user_comment(bytes),
        Value::Byte(bytes) if field.tag.1 >= 0x9C9B && field.tag.1 <= 0x9C9F => utf16le(bytes),
        _ => field.display_value().with_unit(exif).to_string(),
    };
    let text = text
        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
        .to_string();
    (!text.is_empty()).then_some(text)
}

/// UserComment starts with an 8-byte charset id (`ASCII`, `UNICODE`, `JIS`, or zeros).
fn user_comment(bytes: &[u8]) -> String {
    let (id, body) = bytes.split_at(bytes.len().min(8));
    if id.starts_with(b"UNICODE") {
        // Written in the byte order of the TIFF header; most writers use little-endian, and
        // a big-endian guess that decodes to mostly ASCII wins.
        let le = utf16le(body);
        let be: String = char::decode_utf16(
            body.chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]])),
        )
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
        let ascii = |s: &str| s.chars().filter(char::is_ascii).count();
        if ascii(&be) > ascii(&le) {
            be
        } else {
            le
        }
    } else {
        String::from_utf8_lossy(body).into_owned()
    }
}

fn utf16le(bytes: &[u8]) -> String {
    char::decode_utf16(
        bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]])),
    )
    .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
    .collect::<String>()
    .trim_end_matches('\0')
    .to_string()
}

/// The decimal position from GPSLatitude/Longitude and their references (see the module
/// docs for the `0,0` policy).
fn gps_position(exif: &Exif) -> Option<GeoPoint> {
    let lat = dms(exif.get_field(Tag::GPSLatitude, In::PRIMARY)?)?;
    let lon = dms(exif.get_field(Tag::GPSLongitude, In::PRIMARY)?)?;
    let lat_ref = reference(exif.get_field(Tag::GPSLatitudeRef, In::PRIMARY));
    let lon_ref = reference(exif.get_field(Tag::GPSLongitudeRef, In::PRIMARY));
    if lat == 0.0 && lon == 0.0 && (lat_ref.is_none() || lon_ref.is_none()) {
        return None;
    }
    let lat = if lat_ref == Some('S') { -lat } else { lat };
    let lon = if lon_ref == Some('W') { -lon } else { lon };
    GeoPoint::new(lat, lon)
}

/// Degrees, minutes, seconds as rationals; missing parts count as zero.
fn dms(field: &Field) -> Option<f64> {
    let Value::Rational(parts) = &field.value else {
        return None;
    };
    if parts.is_empty() || parts.iter().any(|r| r.denom == 0) {
        return None;
    }
    let value: f64 = parts
        .iter()
        .take(3)
        .zip([1.0, 60.0, 3600.0])
        .map(|(r, scale)| r.to_f64() / scale)
        .sum();
    value.is_finite().then_some(value)
}

fn reference(field: Option<&Field>) -> Option<char> {
    let Value::Ascii(parts) = &field?.value else {
        return None;
    };
    let first = parts.first()?.first()?;
    Some(char::from(*first).to_ascii_uppercase())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn user_comment_drops_its_charset_prefix() {
        assert_eq!(user_comment(b"ASCII\0\0\0hello"), "hello");
        let mut unicode = b"UNICODE\0".to_vec();
        unicode.extend("机密".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(user_comment(&unicode), "机密");
        assert_eq!(user_comment(b"abc"), "", "shorter than the prefix");
    }

    #[test]
    fn dms_refuses_zero_denominators() {
        let field = |parts: Vec<exif::Rational>| Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(parts),
        };
        let r = |num, denom| exif::Rational { num, denom };
        let lat = dms(&field(vec![r(40, 1), r(30, 1), r(4320, 100)])).unwrap_or_default();
        assert!((lat - 40.512).abs() < 1e-9, "got {lat}");
        assert_eq!(dms(&field(vec![r(40, 1), r(30, 0), r(0, 1)])), None);
        assert_eq!(dms(&field(vec![])), None);
    }
}
