//! Document metadata (Info dictionary, XMP) and the images a page draws.

use std::collections::HashSet;

use clearance_model::{ExtractedDocument, GpsPoint, ImageInfo, MetaField, Segment, Source};
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::interp::page_resources;
use super::streams;
use super::strings::decode_text_string;
use crate::Limits;

/// Most images listed per page.
const MAX_IMAGES_PER_PAGE: usize = 1000;

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).map(|(_, o)| o).unwrap_or(o)
}

/// The trailer's /Info entries as `PDF Info` fields.
pub(crate) fn info_fields(doc: &Document, out: &mut ExtractedDocument) {
    let Some(info) = doc
        .trailer
        .get(b"Info")
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
    else {
        return;
    };
    for (key, value) in info.iter() {
        let value = match deref(doc, value) {
            Object::String(s, _) => decode_text_string(s),
            Object::Name(n) => String::from_utf8_lossy(n).into_owned(),
            Object::Integer(i) => i.to_string(),
            Object::Real(r) => r.to_string(),
            Object::Boolean(b) => b.to_string(),
            _ => continue,
        };
        let value = value.trim_end_matches('\0').to_string();
        if value.is_empty() {
            continue;
        }
        out.metadata.push(MetaField {
            part: "PDF Info".into(),
            key: String::from_utf8_lossy(key).into_owned(),
            value,
            page: None,
        });
    }
}

/// XMP properties that are read as simple values.
const XMP_SIMPLE: &[&str] = &[
    "dc:creator",
    "dc:title",
    "dc:description",
    "dc:subject",
    "dc:rights",
    "xmp:CreatorTool",
    "xmp:CreateDate",
    "xmp:ModifyDate",
    "xmp:MetadataDate",
    "pdf:Producer",
    "pdf:Keywords",
    "pdf:Author",
    "xmpMM:DocumentID",
    "xmpMM:InstanceID",
    "photoshop:AuthorsPosition",
];

/// The catalog's XMP packet: selected properties, edit history and GPS.
pub(crate) fn xmp_fields(doc: &Document, limits: &Limits, out: &mut ExtractedDocument) {
    let Ok(catalog) = doc.catalog() else { return };
    let Some(Ok(stream)) = catalog
        .get(b"Metadata")
        .ok()
        .map(|o| deref(doc, o).as_stream())
    else {
        return;
    };
    let data = match streams::decoded(stream, limits.max_inflated_bytes) {
        Ok(d) => d,
        Err(e) => {
            out.warnings
                .push(format!("XMP metadata could not be read ({e})"));
            return;
        }
    };
    read_xmp(&String::from_utf8_lossy(&data), "XMP", None, out);
}

/// Reads XMP text into fields; shared by PDF and, through `part`, anything else with XMP.
pub(crate) fn read_xmp(xmp: &str, part: &str, page: Option<u32>, out: &mut ExtractedDocument) {
    let mut push = |key: &str, value: String| {
        let value = value.trim().to_string();
        if !value.is_empty() {
            out.metadata.push(MetaField {
                part: part.into(),
                key: key.into(),
                value,
                page,
            });
        }
    };
    for key in XMP_SIMPLE {
        for value in xmp_values(xmp, key) {
            push(key, value);
        }
    }
    if let Some(history) = element_body(xmp, "xmpMM:History") {
        for item in split_elements(history, "rdf:li") {
            let fields: Vec<String> = [
                "stEvt:action",
                "stEvt:when",
                "stEvt:softwareAgent",
                "stEvt:changed",
                "stEvt:instanceID",
            ]
            .iter()
            .filter_map(|k| {
                xmp_values(item, k)
                    .into_iter()
                    .next()
                    .map(|v| format!("{}={}", &k[6..], v.trim()))
            })
            .collect();
            if !fields.is_empty() {
                push("xmpMM:History", fields.join("; "));
            }
        }
    }
    let lat = xmp_values(xmp, "exif:GPSLatitude").into_iter().next();
    let lon = xmp_values(xmp, "exif:GPSLongitude").into_iter().next();
    if let (Some(lat), Some(lon)) = (lat, lon) {
        push("exif:GPSLatitude", lat.clone());
        push("exif:GPSLongitude", lon.clone());
        if let (Some(lat), Some(lon)) = (xmp_coordinate(&lat), xmp_coordinate(&lon)) {
            out.gps.push(GpsPoint {
                lat,
                lon,
                part: part.into(),
                page,
            });
        }
    }
}

/// Values of property `key`: as an attribute (`key="v"`), or as an element whose body is text
/// or a list of `rdf:li` items.
fn xmp_values(xmp: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for quote in ['"', '\''] {
        let pat = format!("{key}={quote}");
        let mut rest = xmp;
        while let Some(at) = rest.find(&pat) {
            let preceded_ok = rest[..at].chars().last().is_none_or(char::is_whitespace);
            let after = &rest[at + pat.len()..];
            if let Some(end) = after.find(quote) {
                if preceded_ok {
                    out.push(unescape(&after[..end]));
                }
                rest = &after[end..];
            } else {
                break;
            }
        }
    }
    let mut rest = xmp;
    while let Some((body, tail)) = element_body_rest(rest, key) {
        let items = split_elements(body, "rdf:li");
        if items.is_empty() {
            out.push(unescape(&strip_tags(body)));
        } else {
            out.extend(items.iter().map(|i| unescape(&strip_tags(i))));
        }
        rest = tail;
    }
    out
}

fn element_body<'a>(xmp: &'a str, name: &str) -> Option<&'a str> {
    element_body_rest(xmp, name).map(|(b, _)| b)
}

/// The body of the first `<name ...>...</name>` and the text after it.
fn element_body_rest<'a>(xmp: &'a str, name: &str) -> Option<(&'a str, &'a str)> {
    let open = format!("<{name}");
    let mut from = 0;
    loop {
        let at = from + xmp.get(from..)?.find(&open)?;
        let after = xmp.get(at + open.len()..)?;
        let next = after.chars().next()?;
        if next == '>' || next.is_whitespace() {
            let gt = after.find('>')?;
            if after[..gt].ends_with('/') {
                from = at + open.len();
                continue;
            }
            let body_start = &after[gt + 1..];
            let close = format!("</{name}>");
            let end = body_start.find(&close)?;
            return Some((&body_start[..end], &body_start[end + close.len()..]));
        }
        from = at + open.len();
    }
}

fn split_elements<'a>(body: &'a str, name: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some((item, tail)) = element_body_rest(rest, name) {
        out.push(item);
        rest = tail;
    }
    // Self-closing items carry their fields as attributes.
    let open = format!("<{name} ");
    let mut rest = body;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at..];
        match after.find('>') {
            Some(gt) if after[..gt].ends_with('/') => {
                out.push(&after[..gt]);
                rest = &after[gt..];
            }
            Some(gt) => rest = &after[gt..],
            None => break,
        }
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(semi) = after.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &after[1..];
            continue;
        };
        let entity = &after[1..semi];
        let ch = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An XMP GPS coordinate: `DDD,MM.mmk` or `DDD,MM,SSk` with k in N/S/E/W (XMP spec, EXIF
/// schema), or a plain signed decimal.
pub(crate) fn xmp_coordinate(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(v) = s.parse::<f64>() {
        return Some(v);
    }
    let hemi = s.chars().last()?.to_ascii_uppercase();
    let sign = match hemi {
        'N' | 'E' => 1.0,
        'S' | 'W' => -1.0,
        _ => return None,
    };
    let body = &s[..s.len() - 1];
    let parts: Vec<f64> = body
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    let value = match parts.as_slice() {
        [d, m] => d + m / 60.0,
        [d, m, sec] => d + m / 60.0 + sec / 3600.0,
        _ => return None,
    };
    (value.is_finite() && value <= 180.0).then_some(sign * value)
}

/// Records the images page `number` draws (its own XObjects and those of its forms, bounded
/// by `max_depth`), with EXIF/XMP of embedded JPEGs.
pub(crate) fn page_images(
    doc: &Document,
    page: &Dictionary,
    number: u32,
    limits: &Limits,
    out: &mut ExtractedDocument,
) {
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<(&Dictionary, usize)> = page_resources(doc, page)
        .map(|r| vec![(r, 0)])
        .unwrap_or_default();
    let mut listed = 0usize;
    let mut visits = 0usize;
    while let Some((resources, depth)) = stack.pop() {
        let Some(xobjects) = resources
            .get(b"XObject")
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
        else {
            continue;
        };
        for (name, x) in xobjects.iter() {
            visits += 1;
            if visits > 10 * MAX_IMAGES_PER_PAGE {
                return;
            }
            if let Ok(id) = x.as_reference() {
                if !seen.insert(id) {
                    continue;
                }
            }
            let Ok(stream) = deref(doc, x).as_stream() else {
                continue;
            };
            match stream.dict.get(b"Subtype").and_then(Object::as_name) {
                Ok(b"Image") => {
                    if listed >= MAX_IMAGES_PER_PAGE {
                        continue;
                    }
                    listed += 1;
                    let part = format!("page {number} /{}", String::from_utf8_lossy(name));
                    record_image(doc, stream, part, number, out);
                }
                Ok(b"Form") if depth < limits.max_depth => {
                    if let Some(r) = stream
                        .dict
                        .get(b"Resources")
                        .ok()
                        .map(|o| deref(doc, o))
                        .and_then(|o| o.as_dict().ok())
                    {
                        stack.push((r, depth + 1));
                    }
                }
                _ => {}
            }
        }
    }
}

/// Most annotation comments kept per page.
const MAX_COMMENTS_PER_PAGE: usize = 1000;

/// Annotation comments of a page (sticky notes, highlights with notes, free text): the
/// /Contents text a viewer shows in a popup, as comment segments without positions.
pub(crate) fn page_comments(
    doc: &Document,
    page: &Dictionary,
    number: u32,
    out: &mut ExtractedDocument,
) {
    let Some(Object::Array(annots)) = page.get(b"Annots").ok().map(|o| deref(doc, o)) else {
        return;
    };
    for annot in annots.iter().take(MAX_COMMENTS_PER_PAGE) {
        let Ok(annot) = deref(doc, annot).as_dict() else {
            continue;
        };
        let subtype = annot
            .get(b"Subtype")
            .and_then(Object::as_name)
            .unwrap_or_default();
        if matches!(subtype, b"Widget" | b"Popup" | b"Link") {
            continue;
        }
        let Some(Object::String(text, _)) = annot.get(b"Contents").ok().map(|o| deref(doc, o))
        else {
            continue;
        };
        let text = decode_text_string(text);
        if text.trim().is_empty() {
            continue;
        }
        let kind = String::from_utf8_lossy(subtype).into_owned();
        let author = match annot.get(b"T").ok().map(|o| deref(doc, o)) {
            Some(Object::String(t, _)) => Some(decode_text_string(t)),
            _ => None,
        };
        let label = match author {
            Some(a) if !a.trim().is_empty() => format!("{kind} annotation by {a}"),
            _ => format!("{kind} annotation"),
        };
        out.segments.push(
            Segment::new(Source::Comment, text)
                .with_page(number)
                .with_part(format!("page {number} /Annots"))
                .with_label(label),
        );
    }
}

fn record_image(
    doc: &Document,
    stream: &lopdf::Stream,
    part: String,
    page: u32,
    out: &mut ExtractedDocument,
) {
    let dim = |key: &[u8]| {
        stream
            .dict
            .get(key)
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_i64().ok())
            .and_then(|v| u32::try_from(v).ok())
    };
    let filters = streams::filters(stream);
    let last = filters.last().map(Vec::as_slice);
    let kind = match last {
        Some(b"DCTDecode" | b"DCT") => "jpeg",
        Some(b"JPXDecode") => "jpeg2000",
        Some(b"JBIG2Decode") => "jbig2",
        Some(b"CCITTFaxDecode" | b"CCF") => "ccitt",
        _ => "raw",
    };
    out.images.push(ImageInfo {
        part: part.clone(),
        page: Some(page),
        width: dim(b"Width"),
        height: dim(b"Height"),
        kind: Some(kind.into()),
    });
    // Only a JPEG stored as-is can be handed over; a JPEG behind another filter is rare.
    if filters.len() == 1 && kind == "jpeg" && stream.content.starts_with(&[0xFF, 0xD8]) {
        embedded_jpeg_metadata(&stream.content, &part, page, out);
    }
}

/// EXIF/XMP of a JPEG embedded in the PDF, read by the image module.
fn embedded_jpeg_metadata(jpeg: &[u8], part: &str, page: u32, out: &mut ExtractedDocument) {
    crate::image::read_metadata(jpeg, part, Some(page), out);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    const XMP: &str = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>
<rdf:Description rdf:about="" xmp:CreatorTool="Writer &amp; Co" pdf:Producer='Skia/PDF'
  exif:GPSLatitude="40,30.7404N" exif:GPSLongitude="89,27.06W">
<dc:creator><rdf:Seq><rdf:li>J. Smith</rdf:li><rdf:li>R. Jones</rdf:li></rdf:Seq></dc:creator>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">机密 报告</rdf:li></rdf:Alt></dc:title>
<xmpMM:History><rdf:Seq>
 <rdf:li stEvt:action="created" stEvt:when="2024-01-02T03:04:05Z" stEvt:softwareAgent="Acrobat"/>
 <rdf:li rdf:parseType="Resource"><stEvt:action>saved</stEvt:action><stEvt:when>2024-02-03</stEvt:when></rdf:li>
</rdf:Seq></xmpMM:History>
</rdf:Description></rdf:RDF></x:xmpmeta>"#;

    #[test]
    fn xmp_properties_history_and_gps() {
        let mut doc = ExtractedDocument::new(clearance_model::Format::Pdf);
        read_xmp(XMP, "XMP", None, &mut doc);
        let get = |k: &str| {
            doc.metadata
                .iter()
                .filter(|m| m.key == k)
                .map(|m| m.value.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("dc:creator"), ["J. Smith", "R. Jones"]);
        assert_eq!(get("dc:title"), ["机密 报告"]);
        assert_eq!(get("xmp:CreatorTool"), ["Writer & Co"]);
        assert_eq!(get("pdf:Producer"), ["Skia/PDF"]);
        assert_eq!(
            get("xmpMM:History"),
            [
                "action=saved; when=2024-02-03",
                "action=created; when=2024-01-02T03:04:05Z; softwareAgent=Acrobat"
            ]
        );
        assert_eq!(doc.gps.len(), 1);
        assert!((doc.gps[0].lat - 40.51234).abs() < 1e-4);
        assert!((doc.gps[0].lon + 89.451).abs() < 1e-4);
    }

    #[test]
    fn xmp_coordinates() {
        let table: &[(&str, Option<f64>)] = &[
            ("40,30.5N", Some(40.508_333)),
            ("33,52,12S", Some(-33.87)),
            ("-12.5", Some(-12.5)),
            ("40,30.5X", None),
            ("abc", None),
            ("", None),
            ("400,0N", None),
        ];
        for (s, want) in table {
            let got = xmp_coordinate(s);
            match (got, want) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-4, "{s}: {g}"),
                _ => assert_eq!(got, *want, "{s}"),
            }
        }
    }

    #[test]
    fn unescape_entities() {
        assert_eq!(
            unescape("a &amp; b &#x673A;&#23494; &bogus; &"),
            "a & b 机密 &bogus; &"
        );
    }
}
