//! XMP packets flattened into `(property, value)` entries, keeping enough structure to group
//! the events of `xmpMM:History` and to tell `dc:description` from a nested resource.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::xml::{attrs, push_ref, qname};

/// One property value of an XMP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmpEntry {
    /// Qualified property name as written: `dc:description`, `stEvt:action`.
    pub name: String,
    /// The value, trimmed.
    pub value: String,
    /// Enclosing properties, outermost first (`xmpMM:History` for history events).
    pub within: Vec<String>,
    /// Number of the enclosing `rdf:li`, unique within the packet; groups a struct's fields.
    pub item: Option<usize>,
}

/// Most entries kept from one packet.
const MAX_ENTRIES: usize = 10_000;

struct Frame {
    name: String,
    item: Option<usize>,
    text: String,
}

fn is_syntax(name: &str) -> bool {
    name.starts_with("rdf:") || name.starts_with("x:") || name == "rdf" || name.starts_with("xmlns")
}

fn keep_attr(name: &str) -> bool {
    !(is_syntax(name) || name.starts_with("xml:"))
}

/// The entries of the packet in `bytes` (the packet may be surrounded by other data, as in a
/// JPEG APP1 segment). Damaged XML ends the walk; what was read before is kept.
pub(crate) fn parse(bytes: &[u8]) -> Vec<XmpEntry> {
    let start = find(bytes, b"<x:xmpmeta")
        .or_else(|| find(bytes, b"<rdf:RDF"))
        .unwrap_or(0);
    let Some(body) = bytes.get(start..) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(body);
    let mut reader = Reader::from_str(&text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut out = Vec::new();
    let mut items = 0usize;
    let outer = |stack: &[Frame]| -> (Vec<String>, Option<usize>) {
        let within = stack
            .iter()
            .filter(|f| !is_syntax(&f.name))
            .map(|f| f.name.clone())
            .collect();
        (within, stack.iter().rev().find_map(|f| f.item))
    };
    loop {
        if out.len() >= MAX_ENTRIES {
            break;
        }
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = qname(&e);
                let item = (name == "rdf:li").then(|| {
                    items += 1;
                    items
                });
                let mut frame = Frame {
                    name,
                    item,
                    text: String::new(),
                };
                let (mut within, up) = outer(&stack);
                if !is_syntax(&frame.name) {
                    within.push(frame.name.clone());
                }
                let item = frame.item.or(up);
                for (k, v) in attrs(&e) {
                    if keep_attr(&k) && !v.trim().is_empty() {
                        out.push(XmpEntry {
                            name: k,
                            value: v.trim().to_string(),
                            within: within.clone(),
                            item,
                        });
                    }
                }
                frame.text.clear();
                stack.push(frame);
            }
            Ok(Event::Empty(e)) => {
                let name = qname(&e);
                let (mut within, mut item) = outer(&stack);
                if name == "rdf:li" {
                    items += 1;
                    item = Some(items);
                }
                if !is_syntax(&name) {
                    within.push(name);
                }
                for (k, v) in attrs(&e) {
                    if keep_attr(&k) && !v.trim().is_empty() {
                        out.push(XmpEntry {
                            name: k,
                            value: v.trim().to_string(),
                            within: within.clone(),
                            item,
                        });
                    }
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(top) = stack.last_mut() {
                    push_ref(&mut top.text, &r);
                }
            }
            Ok(Event::End(_)) => {
                let Some(frame) = stack.pop() else { break };
                let value = frame.text.trim();
                if value.is_empty() {
                    continue;
                }
                let (mut within, up) = outer(&stack);
                let name = if is_syntax(&frame.name) {
                    match within.pop() {
                        Some(n) => n,
                        None => continue,
                    }
                } else {
                    frame.name.clone()
                };
                out.push(XmpEntry {
                    name,
                    value: value.to_string(),
                    within,
                    item: frame.item.or(up),
                });
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

/// First position of `needle` in `hay`.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A GPS coordinate as XMP writes it (`40,30.12N`, `40,30,7.2N`, or decimal), in degrees.
pub(crate) fn parse_gps(s: &str) -> Option<f64> {
    let s = s.trim();
    let (body, sign) = match s.chars().last()? {
        'N' | 'E' | 'n' | 'e' => (&s[..s.len() - 1], 1.0),
        'S' | 'W' | 's' | 'w' => (&s[..s.len() - 1], -1.0),
        _ => (s, 1.0),
    };
    let parts: Vec<f64> = body
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    let deg = match parts.as_slice() {
        [d] => *d,
        [d, m] => d + m / 60.0,
        [d, m, sec] => d + m / 60.0 + sec / 3600.0,
        _ => return None,
    };
    deg.is_finite().then_some(sign * deg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACKET: &str = r#"<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
   xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="40,30.6N">
  <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Site &amp; hangar</rdf:li></rdf:Alt></dc:description>
  <xmpMM:History><rdf:Seq>
   <rdf:li stEvt:action="saved" stEvt:softwareAgent="Photoshop"/>
   <rdf:li rdf:parseType="Resource"><stEvt:action>cropped</stEvt:action></rdf:li>
  </rdf:Seq></xmpMM:History>
 </rdf:Description></rdf:RDF></x:xmpmeta>"#;

    #[test]
    fn flattens_properties_with_structure() {
        let e = parse(PACKET.as_bytes());
        let desc = e
            .iter()
            .find(|x| x.name == "dc:description")
            .map(|x| x.value.as_str());
        assert_eq!(desc, Some("Site & hangar"));
        let lat = e
            .iter()
            .find(|x| x.name == "exif:GPSLatitude")
            .map(|x| x.value.as_str());
        assert_eq!(lat, Some("40,30.6N"));
        let hist: Vec<_> = e
            .iter()
            .filter(|x| x.within.iter().any(|w| w == "xmpMM:History"))
            .collect();
        assert_eq!(hist.len(), 3);
        assert_ne!(hist[0].item, hist[2].item, "two events are two items");
        assert_eq!(hist[0].item, hist[1].item);
    }

    #[test]
    fn gps_forms() {
        let cases = [
            ("40,30.6N", Some(40.51)),
            ("89,27,0W", Some(-89.45)),
            ("12.5", Some(12.5)),
            ("x", None),
        ];
        for (s, want) in cases {
            let got = parse_gps(s);
            match (got, want) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{s}: {g}"),
                (g, w) => assert_eq!(g, w, "{s}"),
            }
        }
    }
}
