//! Free text carried in image metadata: XMP and IPTC captions, PNG text chunks, JPEG comments
//! and EXIF descriptions. Captions often say what the picture shows, and where; none of it is
//! visible in the picture. Also XMP GPS, which EXIF readers miss.

use std::io::{Cursor, Read};

use clearance_model::{Category, ExtractedDocument, GeoPoint, Severity, Source};

use super::container::Layout;
use crate::report::{finding, hidden, quote, Out};
use crate::xmp::{self, XmpEntry};

/// A free-text value and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caption {
    /// `XMP dc:description`, `IPTC caption`, `PNG tEXt Comment`, `EXIF ImageDescription`.
    pub field: String,
    pub text: String,
}

/// PNG text keywords that hold free text (others are software names, dates, authors).
const PNG_KEYS: &[&str] = &["Title", "Description", "Comment", "Disclaimer", "Warning"];
/// XMP properties that hold free text.
const XMP_KEYS: &[&str] = &[
    "dc:description",
    "dc:title",
    "photoshop:Headline",
    "exif:UserComment",
    "photoshop:Instructions",
];
/// Placeholder descriptions cameras write; not worth a reviewer's time.
const BOILERPLATE: &[&str] = &[
    "olympus digital camera",
    "sony dsc",
    "default",
    "image",
    "picture",
    "untitled",
    "digital camera",
    "samsung",
    "exif_jpeg_picture",
    "minolta digital camera",
    "kodak digital still camera",
    "lg electronics",
    "screenshot",
];

/// Most bytes a compressed PNG text chunk may inflate to.
const MAX_TEXT_CHUNK: u64 = 1 << 20;

fn meaningful(text: &str) -> bool {
    let t = text.trim().trim_matches('\0').trim();
    let camera_path = t.to_ascii_uppercase().starts_with("DCIM");
    t.chars().filter(|c| c.is_alphanumeric()).count() >= 3
        && !camera_path
        && !BOILERPLATE.contains(&t.to_lowercase().as_str())
}

fn inflate(data: &[u8]) -> Option<String> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .take(MAX_TEXT_CHUNK)
        .read_to_end(&mut out)
        .ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}

/// `(keyword, text)` of a tEXt, zTXt or iTXt chunk.
fn png_text(kind: &[u8; 4], data: &[u8]) -> Option<(String, String)> {
    let nul = data.iter().position(|&b| b == 0)?;
    let key = latin1(data.get(..nul)?);
    let rest = data.get(nul + 1..)?;
    let text = match kind {
        b"tEXt" => latin1(rest),
        b"zTXt" => inflate(rest.get(1..)?)?,
        b"iTXt" => {
            let (compressed, rest) = (*rest.first()?, rest.get(2..)?);
            let lang_end = rest.iter().position(|&b| b == 0)?;
            let rest = rest.get(lang_end + 1..)?;
            let tk_end = rest.iter().position(|&b| b == 0)?;
            let body = rest.get(tk_end + 1..)?;
            if compressed == 1 {
                inflate(body)?
            } else {
                String::from_utf8_lossy(body).into_owned()
            }
        }
        _ => return None,
    };
    Some((key, text))
}

/// IPTC-NAA datasets in a Photoshop APP13 segment: `(dataset number in record 2, value)`.
fn iptc(app13: &[u8]) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let Some(mut rest) = app13.strip_prefix(b"Photoshop 3.0\0") else {
        return out;
    };
    while let Some(r) = rest.strip_prefix(b"8BIM") {
        let Some(id) = r.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
            break;
        };
        let Some(&nlen) = r.get(2) else { break };
        let name_total = (1 + usize::from(nlen) + 1) & !1;
        let at = 2 + name_total;
        let Some(size) = r
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        else {
            break;
        };
        let Some(data) = r.get(at + 4..(at + 4).saturating_add(size)) else {
            break;
        };
        if id == 0x0404 {
            let mut p = 0;
            while let (Some(&0x1C), Some(&rec), Some(&ds)) =
                (data.get(p), data.get(p + 1), data.get(p + 2))
            {
                let Some(len) = data
                    .get(p + 3..p + 5)
                    .map(|b| usize::from(b[0]) << 8 | usize::from(b[1]))
                else {
                    break;
                };
                let Some(v) = data.get(p + 5..p + 5 + len) else {
                    break;
                };
                if rec == 2 {
                    out.push((ds, String::from_utf8_lossy(v).into_owned()));
                }
                p += 5 + len;
            }
        }
        let next = at + 4 + size + (size & 1);
        let Some(r2) = r.get(next..) else { break };
        rest = r2;
    }
    out
}

fn iptc_name(ds: u8) -> Option<&'static str> {
    match ds {
        5 => Some("IPTC object name"),
        40 => Some("IPTC special instructions"),
        105 => Some("IPTC headline"),
        120 => Some("IPTC caption"),
        _ => None,
    }
}

/// Text of an EXIF field: ASCII, or UserComment with its 8-byte charset prefix, or the
/// UTF-16LE Windows XP* tags.
fn exif_text(field: &exif::Field) -> Option<String> {
    match &field.value {
        exif::Value::Ascii(v) => Some(v.iter().map(|s| latin1(s)).collect::<Vec<_>>().join(" ")),
        exif::Value::Undefined(b, _) => {
            let (code, body) = (b.get(..8)?, b.get(8..)?);
            if code.starts_with(b"UNICODE") {
                let units: Vec<u16> = body
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                Some(String::from_utf16_lossy(&units))
            } else {
                Some(String::from_utf8_lossy(body).into_owned())
            }
        }
        exif::Value::Byte(b) => {
            let units: Vec<u16> = b
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => None,
    }
}

fn exif_captions(bytes: &[u8]) -> Vec<Caption> {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let exif = match reader.read_from_container(&mut Cursor::new(bytes)) {
        Ok(e) => e,
        Err(e) => match e.distill_partial_result(|_| {}) {
            Ok(e) => e,
            Err(_) => return Vec::new(),
        },
    };
    let tags = [
        (exif::Tag::ImageDescription, "EXIF ImageDescription"),
        (exif::Tag::UserComment, "EXIF UserComment"),
        (exif::Tag(exif::Context::Tiff, 0x9C9B), "EXIF XPTitle"),
        (exif::Tag(exif::Context::Tiff, 0x9C9C), "EXIF XPComment"),
        (exif::Tag(exif::Context::Tiff, 0x9C9F), "EXIF XPSubject"),
    ];
    tags.iter()
        .filter_map(|(tag, name)| {
            let f = exif.get_field(*tag, exif::In::PRIMARY)?;
            let text = exif_text(f)?;
            Some(Caption {
                field: (*name).to_string(),
                text: text
                    .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                    .to_string(),
            })
        })
        .collect()
}

/// Every XMP packet in the container.
fn xmp_packets<'a>(layout: &'a Layout<'a>) -> Vec<std::borrow::Cow<'a, [u8]>> {
    let mut out: Vec<std::borrow::Cow<[u8]>> = Vec::new();
    for s in &layout.jpeg {
        if s.marker == 0xE1 {
            if let Some(p) = s.data.strip_prefix(b"http://ns.adobe.com/xap/1.0/\0") {
                out.push(p.into());
            }
        }
    }
    for c in &layout.png {
        if &c.kind == b"iTXt" || &c.kind == b"tEXt" || &c.kind == b"zTXt" {
            if let Some((key, text)) = png_text(&c.kind, c.data) {
                if key == "XML:com.adobe.xmp" {
                    out.push(text.into_bytes().into());
                }
            }
        }
    }
    out
}

/// Free-text captions of the image laid out as `layout` (and `bytes` for EXIF).
pub(crate) fn captions(bytes: &[u8], layout: &Layout, entries: &[XmpEntry]) -> Vec<Caption> {
    let mut out = Vec::new();
    for e in entries {
        if XMP_KEYS.contains(&e.name.as_str()) && e.within.len() <= 1 {
            out.push(Caption {
                field: format!("XMP {}", e.name),
                text: e.value.clone(),
            });
        }
    }
    for s in &layout.jpeg {
        match s.marker {
            0xFE => out.push(Caption {
                field: "JPEG comment".into(),
                text: String::from_utf8_lossy(s.data).into_owned(),
            }),
            0xED => {
                for (ds, v) in iptc(s.data) {
                    if let Some(name) = iptc_name(ds) {
                        out.push(Caption {
                            field: name.into(),
                            text: v,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    for c in &layout.png {
        if let Some((key, text)) = png_text(&c.kind, c.data) {
            if PNG_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
                let kind = String::from_utf8_lossy(&c.kind).into_owned();
                out.push(Caption {
                    field: format!("PNG {kind} {key}"),
                    text,
                });
            }
        }
    }
    out.extend(exif_captions(bytes));
    let mut seen: Vec<String> = Vec::new();
    out.retain(|c| {
        let key = c.text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !meaningful(&key) || seen.contains(&key) {
            return false;
        }
        seen.push(key);
        true
    });
    out
}

/// GPS latitude and longitude from XMP, when both are present and valid.
pub(crate) fn xmp_gps(entries: &[XmpEntry]) -> Option<GeoPoint> {
    let get = |name: &str| {
        entries
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| xmp::parse_gps(&e.value))
    };
    GeoPoint::new(get("exif:GPSLatitude")?, get("exif:GPSLongitude")?)
}

/// Adds caption findings, and a GPS finding for XMP GPS that extraction did not report.
pub(crate) fn check(
    bytes: &[u8],
    layout: &Layout,
    part: &str,
    doc: &ExtractedDocument,
    out: &mut Out,
) {
    let entries: Vec<XmpEntry> = xmp_packets(layout)
        .iter()
        .flat_map(|p| xmp::parse(p))
        .collect();
    for c in captions(bytes, layout, &entries) {
        let why = super::lead(
            part,
            format!(
                "{} holds text that is not visible in the picture: {}",
                c.field,
                quote(&c.text)
            ),
        );
        let mut f = hidden(
            "image-caption",
            Severity::Medium,
            &c.text,
            Source::ImageMetadata,
            why,
        );
        f.part = Some(super::label(part, &c.field));
        out.push(f);
    }
    if let Some(p) = xmp_gps(&entries) {
        let known = doc
            .gps
            .iter()
            .any(|g| (g.lat - p.lat).abs() < 1e-3 && (g.lon - p.lon).abs() < 1e-3);
        if !known {
            let text = format!("{:.5}, {:.5}", p.lat, p.lon);
            let why = super::lead(
                part,
                format!("XMP metadata records where the picture was taken ({text})"),
            );
            let mut f = finding(
                Category::GpsMetadata,
                "xmp-gps",
                Severity::High,
                &text,
                Source::ImageMetadata,
                why,
            );
            f.part = Some(super::label(part, "XMP"));
            f.position = Some(p);
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_text_chunks() {
        let z = {
            use std::io::Write;
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = e.write_all("机密 hangar".as_bytes());
            e.finish().unwrap_or_default()
        };
        let mut itxt = b"Description\0\x01\0zh\0\0".to_vec();
        itxt.extend_from_slice(&z);
        assert_eq!(
            png_text(b"iTXt", &itxt),
            Some(("Description".into(), "机密 hangar".into()))
        );
        assert_eq!(
            png_text(b"tEXt", b"Comment\0hello"),
            Some(("Comment".into(), "hello".into()))
        );
        assert_eq!(png_text(b"tEXt", b"no-nul"), None);
    }

    #[test]
    fn iptc_caption_is_read() {
        let mut rec = vec![0x1C, 2, 120, 0, 5];
        rec.extend_from_slice(b"Hello");
        let mut app13 = b"Photoshop 3.0\08BIM\x04\x04\0\0".to_vec();
        app13.extend_from_slice(&(rec.len() as u32).to_be_bytes());
        app13.extend_from_slice(&rec);
        assert_eq!(iptc(&app13), vec![(120, "Hello".to_string())]);
    }

    #[test]
    fn xmp_gps_is_reported_only_when_extraction_missed_it() {
        let xmp = br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="r"><rdf:Description exif:GPSLatitude="40,30.72N" exif:GPSLongitude="89,27.06E" xmlns:exif="e"/></rdf:RDF></x:xmpmeta>"#;
        let app1 = [b"http://ns.adobe.com/xap/1.0/\0".as_slice(), xmp.as_slice()].concat();
        let layout = Layout {
            jpeg: vec![super::super::container::JpegSegment {
                marker: 0xE1,
                data: &app1,
            }],
            ..Layout::default()
        };
        let mut doc = ExtractedDocument::new(clearance_model::Format::Image);
        let mut out = Out::default();
        check(b"", &layout, "image", &doc, &mut out);
        let got: Vec<_> = out
            .findings
            .iter()
            .map(|f| (f.category, f.rule.as_str(), f.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(Category::GpsMetadata, "xmp-gps", "40.51200, 89.45100")]
        );
        doc.gps.push(clearance_model::GpsPoint {
            lat: 40.512,
            lon: 89.451,
            part: "XMP".into(),
            page: None,
        });
        let mut out = Out::default();
        check(b"", &layout, "image", &doc, &mut out);
        assert!(
            out.findings.is_empty(),
            "the detectors already report GPS that extraction found"
        );
    }

    #[test]
    fn boilerplate_is_not_a_caption() {
        for (t, want) in [
            ("OLYMPUS DIGITAL CAMERA", false),
            ("   ", false),
            ("ab", false),
            ("DCIM\\100GOPRO\\GOPR0482.JPG", false),
            ("Test range east gate", true),
        ] {
            assert_eq!(meaningful(t), want, "{t}");
        }
    }
}
