//! XMP packets: every property of every `rdf:Description` (as attribute or element, lists
//! joined with `; `), keyed by its qualified name as written (`dc:creator`,
//! `exif:GPSLatitude`), plus the GPS position in XMP's `DDD,MM,SSk` / `DDD,MM.mmk` form.
//!
//! Entity references other than the five predefined ones and character references are
//! dropped, never expanded, so a DTD in a packet costs nothing.

use clearance_model::{ExtractedDocument, GeoPoint, GpsPoint};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::push_field;

/// Deepest element nesting read in a packet; real packets stay under 10.
const MAX_DEPTH: usize = 64;

/// Reads one packet into `doc` under `part` (e.g. `XMP`, `word/media/image1.jpeg XMP`).
pub(super) fn read(packet: &[u8], part: &str, page: Option<u32>, doc: &mut ExtractedDocument) {
    let fields = match properties(packet) {
        Ok(fields) => fields,
        Err(e) => {
            doc.warnings
                .push(format!("{part}: packet unreadable ({e})"));
            return;
        }
    };
    let mut lat = None;
    let mut lon = None;
    for (key, value) in fields {
        match key.as_str() {
            "exif:GPSLatitude" => lat = parse_coordinate(&value, 'N', 'S'),
            "exif:GPSLongitude" => lon = parse_coordinate(&value, 'E', 'W'),
            _ => {}
        }
        push_field(doc, part, &key, value, page);
    }
    if let Some(point) = lat.zip(lon).and_then(|(lat, lon)| GeoPoint::new(lat, lon)) {
        doc.gps.push(GpsPoint {
            lat: point.lat,
            lon: point.lon,
            part: part.to_string(),
            page,
        });
    }
}

/// A property being collected: its key, the depth of its element, its text so far.
struct Open {
    key: String,
    depth: usize,
    value: String,
    separate: bool,
}

impl Open {
    /// Text pieces of one element (split by entity references) are joined as they are;
    /// text after an element boundary starts a new list item. Indentation between elements
    /// is dropped.
    fn push_text(&mut self, text: &str) {
        if self.separate {
            if text.trim().is_empty() {
                return;
            }
            if !self.value.trim().is_empty() {
                let kept = self.value.trim_end().len();
                self.value.truncate(kept);
                self.value.push_str("; ");
            }
            self.separate = false;
        }
        if self.value.len() < 64 * 1024 {
            self.value.push_str(text);
        }
    }
}

/// `(qualified name, value)` of every property, in document order.
fn properties(packet: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut reader = Reader::from_reader(packet);
    let mut buf = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut open: Option<Open> = None;
    let mut out = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} elements"));
                }
                let name = e.name().0.to_string();
                if let Some(o) = open.as_mut() {
                    o.separate = true;
                } else if stack.last().is_some_and(|p| is_description(p)) {
                    open = Some(Open {
                        key: name.clone(),
                        depth: stack.len(),
                        value: String::new(),
                        separate: true,
                    });
                }
                if is_description(&name) {
                    out.extend(attribute_properties(&e));
                }
                stack.push(name);
            }
            Event::Empty(e) => {
                let name = e.name().0;
                if is_description(name) {
                    out.extend(attribute_properties(&e));
                }
                if let Some(o) = open.as_mut() {
                    o.separate = true;
                }
            }
            Event::Text(t) => {
                if let Some(o) = open.as_mut() {
                    o.push_text(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(o) = open.as_mut() {
                    o.push_text(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(o) = open.as_mut() {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        _ => resolve_predefined_entity(&r).map(str::to_string),
                    };
                    if let Some(text) = resolved {
                        o.push_text(&text);
                    }
                }
            }
            Event::End(_) => {
                stack.pop();
                if open.as_ref().is_some_and(|o| o.depth == stack.len()) {
                    if let Some(o) = open.take() {
                        out.push((o.key, o.value));
                    }
                } else if let Some(o) = open.as_mut() {
                    o.separate = true;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

fn is_description(qname: &str) -> bool {
    qname == "rdf:Description" || qname.ends_with(":Description") || qname == "Description"
}

/// Properties written as attributes of `rdf:Description` (`exif:GPSLatitude="40,30.72N"`).
fn attribute_properties(e: &BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .filter(|a| {
            let key = a.key.0;
            !(key.starts_with("xmlns") || key.starts_with("rdf:") || key.starts_with("xml:"))
        })
        .map(|a| {
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string());
            (a.key.0.to_string(), value)
        })
        .collect()
}

/// XMP GPSCoordinate: `DDD,MM,SSk` or `DDD,MM.mmk`, where k is the hemisphere letter.
fn parse_coordinate(value: &str, positive: char, negative: char) -> Option<f64> {
    let value = value.trim();
    let hemisphere = value.chars().last()?.to_ascii_uppercase();
    let sign = if hemisphere == positive {
        1.0
    } else if hemisphere == negative {
        -1.0
    } else {
        return None;
    };
    let numbers = value.get(..value.len() - 1)?;
    let parts: Vec<f64> = numbers
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let decimal: f64 = parts
        .iter()
        .zip([1.0, 60.0, 3600.0])
        .map(|(v, scale)| v / scale)
        .sum();
    decimal.is_finite().then_some(sign * decimal)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use clearance_model::Format;

    const PACKET: &str = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"
   exif:GPSLatitude="40,30.72N" exif:GPSLongitude="89,27.06E" photoshop:Credit="A &amp; B">
  <dc:creator><rdf:Seq><rdf:li>Wang Fang</rdf:li><rdf:li>Li Na</rdf:li></rdf:Seq></dc:creator>
  <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Test &amp; range</rdf:li></rdf:Alt></dc:description>
 </rdf:Description></rdf:RDF></x:xmpmeta>"#;

    #[test]
    fn reads_attribute_and_element_properties_and_gps() {
        let mut doc = ExtractedDocument::new(Format::Image);
        read(PACKET.as_bytes(), "XMP", None, &mut doc);
        let get = |k: &str| {
            doc.metadata
                .iter()
                .find(|m| m.key == k)
                .map(|m| m.value.as_str())
        };
        assert_eq!(
            get("dc:creator"),
            Some("Wang Fang; Li Na"),
            "list items are joined"
        );
        assert_eq!(
            get("dc:description"),
            Some("Test & range"),
            "entities inside text are kept"
        );
        assert_eq!(get("photoshop:Credit"), Some("A & B"));
        assert_eq!(doc.gps.len(), 1);
        assert!((doc.gps[0].lat - 40.512).abs() < 1e-9);
        assert!((doc.gps[0].lon - 89.451).abs() < 1e-9);
        assert_eq!(doc.gps[0].part, "XMP");
    }

    #[test]
    fn parses_coordinates_and_refuses_near_misses() {
        let cases: [(&str, Option<f64>); 7] = [
            ("40,30.72N", Some(40.512)),
            ("40,30,43.2N", Some(40.512)),
            ("0,7.476W", Some(-0.1246)),
            ("51,30.042S", Some(-51.5007)),
            ("40,30.72", None),
            ("40,30.72X", None),
            ("a,bN", None),
        ];
        for (input, expected) in cases {
            let got =
                parse_coordinate(input, 'N', 'S').or_else(|| parse_coordinate(input, 'E', 'W'));
            match (got, expected) {
                (Some(g), Some(e)) => assert!((g - e).abs() < 1e-9, "{input}: {g} != {e}"),
                (g, e) => assert_eq!(g, e, "{input}"),
            }
        }
    }

    #[test]
    fn never_expands_entities() {
        let bomb = r#"<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<x:xmpmeta><rdf:RDF><rdf:Description><dc:title>&b;&b;</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let mut doc = ExtractedDocument::new(Format::Image);
        read(bomb.as_bytes(), "XMP", None, &mut doc);
        assert!(
            doc.metadata.is_empty(),
            "unknown entities are dropped: {:?}",
            doc.metadata
        );
    }

    #[test]
    fn reports_damage_as_a_warning() {
        let mut doc = ExtractedDocument::new(Format::Image);
        read(b"<x:xmpmeta><rdf:RDF></x:wrong>", "XMP", None, &mut doc);
        read(&[b'<', 0xFF, 0xFE, b'>'], "XMP", None, &mut doc);
        assert_eq!(doc.warnings.len(), 2, "{:?}", doc.warnings);
    }
}
