//! Document-level detectors: GPS positions in image metadata (`gps-metadata`) and metadata
//! fields that name people, organisations or a camera body (`document-metadata`).
//!
//! Software names (PDF Producer, the PDF Info `Creator` tool, XMP CreatorTool, Application,
//! Software) say nothing about who wrote a document and are never flagged.

use clearance_model::{
    Category, ExtractedDocument, Finding, Format, GeoPoint, MetaField, Severity, Source,
};

use crate::{Detector, Hit, Prepared};

/// Where a metadata field lives: image metadata (EXIF, PNG text, images inside a container)
/// or document metadata.
pub fn meta_source(doc_format: Format, part: &str) -> Source {
    let p = part.to_ascii_lowercase();
    if doc_format == Format::Image
        || [
            "exif", "png", "media/", "image", "jpeg", "jpg", "tiff", "webp", "iptc",
        ]
        .iter()
        .any(|k| p.contains(k))
    {
        Source::ImageMetadata
    } else {
        Source::Metadata
    }
}

/// The field's local name, lower-cased, with namespaces of camera/PDF schemas stripped;
/// `dc:creator` keeps its prefix because bare `Creator` (PDF Info) is a tool name.
fn local_key(key: &str) -> String {
    let k = key.trim().to_ascii_lowercase();
    match k.split_once(':') {
        Some(("dc", _)) => k,
        Some((ns, local))
            if [
                "exif",
                "tiff",
                "aux",
                "exifex",
                "pdf",
                "photoshop",
                "xmp",
                "cp",
                "xmpdm",
                "png",
            ]
            .contains(&ns) =>
        {
            local.to_string()
        }
        _ => k,
    }
}

/// What a flagged key says, or `None` for keys that are not about people or devices.
pub fn describe_key(key: &str) -> Option<&'static str> {
    Some(match local_key(key).as_str() {
        "author" | "xpauthor" | "authors" => "author",
        "dc:creator" => "creator",
        "dc:contributor" => "contributor",
        "dc:publisher" | "publisher" => "publisher",
        "lastmodifiedby" => "last modified by",
        "company" => "company",
        "manager" => "manager",
        "artist" => "artist",
        "ownername" | "cameraownername" => "camera owner",
        "bodyserialnumber" | "serialnumber" | "internalserialnumber" | "lensserialnumber" => {
            "serial number"
        }
        "make" => "camera make",
        "model" => "camera model",
        "copyright" | "dc:rights" => "copyright holder",
        "byline" | "credit" => "credit",
        _ => return None,
    })
}

/// Flags metadata fields that name people, organisations or a camera.
pub struct MetadataDetector;

impl Detector for MetadataDetector {
    fn id(&self) -> &'static str {
        "document-metadata"
    }

    fn detect(&self, _input: &Prepared<'_>, _out: &mut Vec<Hit>) {}

    fn detect_document(&self, doc: &ExtractedDocument, out: &mut Vec<Finding>) {
        for f in &doc.metadata {
            if let Some(f) = metadata_finding(doc.format, f) {
                out.push(f);
            }
        }
    }
}

fn metadata_finding(format: Format, m: &MetaField) -> Option<Finding> {
    let what = describe_key(&m.key)?;
    let value = m.value.trim();
    if value.is_empty() {
        return None;
    }
    let mut f = Finding::new(
        Category::DocumentMetadata,
        "document-metadata",
        Severity::Low,
        value,
        meta_source(format, &m.part),
        format!(
            "{} field {} names {} {what}: \"{value}\"",
            m.part,
            m.key,
            article(what)
        ),
    );
    f.part = Some(m.part.clone());
    f.page = m.page;
    f.context = format!("{}: {}", m.key, value).replace(['\n', '\r', '\t'], " ");
    Some(f)
}

/// Flags each GPS position read from image metadata.
pub struct GpsDetector;

impl Detector for GpsDetector {
    fn id(&self) -> &'static str {
        "gps-metadata"
    }

    fn detect(&self, _input: &Prepared<'_>, _out: &mut Vec<Hit>) {}

    fn detect_document(&self, doc: &ExtractedDocument, out: &mut Vec<Finding>) {
        for g in &doc.gps {
            // 0,0 is what an empty or zeroed GPS directory decodes to, not a position.
            let Some(p) = GeoPoint::new(g.lat, g.lon).filter(|p| p.lat != 0.0 || p.lon != 0.0)
            else {
                continue;
            };
            let text = format!("{:.6}, {:.6}", p.lat, p.lon);
            let mut f = Finding::new(
                Category::GpsMetadata,
                "gps-metadata",
                Severity::Medium,
                text.clone(),
                Source::ImageMetadata,
                format!("GPS position {text} in image metadata ({})", g.part),
            );
            f.part = Some(g.part.clone());
            f.page = g.page;
            f.context = format!("{}: GPS {text}", g.part);
            f.position = Some(p);
            out.push(f);
        }
    }
}

/// "a" or "an" before a noun phrase, by its first letter (enough for the field names here).
fn article(noun: &str) -> &'static str {
    match noun.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_model::GpsPoint;

    fn field(part: &str, key: &str, value: &str) -> MetaField {
        MetaField {
            part: part.into(),
            key: key.into(),
            value: value.into(),
            page: None,
        }
    }

    #[test]
    fn flags_people_and_devices_but_not_software() {
        let mut doc = ExtractedDocument::new(Format::Docx);
        doc.metadata = vec![
            field("PDF Info", "Author", "Alice Chen"),
            field("XMP", "dc:creator", "Bob Li"),
            field("docProps/core.xml", "dc:creator", "Carol"),
            field("docProps/core.xml", "cp:lastModifiedBy", "Dave"),
            field("docProps/app.xml", "Company", "Acme Defence Ltd"),
            field("docProps/app.xml", "Manager", "Eve"),
            field("word/media/image1.jpeg EXIF", "Artist", "Frank"),
            field("word/media/image1.jpeg EXIF", "BodySerialNumber", "0123456"),
            field("word/media/image1.jpeg EXIF", "Make", "Canon"),
            field("word/media/image1.jpeg EXIF", "Model", "EOS 5D"),
            field("PNG", "Author", "Grace"),
            // never flagged:
            field("PDF Info", "Producer", "LibreOffice 7.5"),
            field("PDF Info", "Creator", "Writer"),
            field("XMP", "xmp:CreatorTool", "Word"),
            field("docProps/app.xml", "Application", "Microsoft Office Word"),
            field("EXIF", "Software", "GIMP"),
            field("docProps/core.xml", "dc:title", "Report"),
            field("PDF Info", "Author", "   "),
        ];
        let mut out = Vec::new();
        MetadataDetector.detect_document(&doc, &mut out);
        let got: Vec<(&str, Source)> = out.iter().map(|f| (f.text.as_str(), f.source)).collect();
        assert_eq!(
            got,
            vec![
                ("Alice Chen", Source::Metadata),
                ("Bob Li", Source::Metadata),
                ("Carol", Source::Metadata),
                ("Dave", Source::Metadata),
                ("Acme Defence Ltd", Source::Metadata),
                ("Eve", Source::Metadata),
                ("Frank", Source::ImageMetadata),
                ("0123456", Source::ImageMetadata),
                ("Canon", Source::ImageMetadata),
                ("EOS 5D", Source::ImageMetadata),
                ("Grace", Source::ImageMetadata),
            ]
        );
        assert!(out
            .iter()
            .all(|f| f.category == Category::DocumentMetadata && f.severity == Severity::Low));
    }

    #[test]
    fn flags_gps_points_but_not_an_empty_directory() {
        let mut doc = ExtractedDocument::new(Format::Image);
        doc.gps = vec![
            GpsPoint {
                lat: 40.512,
                lon: 89.451,
                part: "EXIF".into(),
                page: None,
            },
            GpsPoint {
                lat: 0.0,
                lon: 0.0,
                part: "EXIF".into(),
                page: None,
            },
            GpsPoint {
                lat: f64::NAN,
                lon: 1.0,
                part: "EXIF".into(),
                page: None,
            },
        ];
        let mut out = Vec::new();
        GpsDetector.detect_document(&doc, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].text, "40.512000, 89.451000");
        assert_eq!(out[0].source, Source::ImageMetadata);
        assert_eq!(out[0].part.as_deref(), Some("EXIF"));
        assert!(out[0].position.is_some());
    }
}
