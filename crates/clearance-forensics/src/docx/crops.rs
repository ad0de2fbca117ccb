//! Pictures cropped in Word. Cropping only hides part of the picture on the page: the full
//! original stays in word/media, and anyone can un-crop it or unzip the file.

use clearance_model::{Severity, Source};
use quick_xml::events::Event;
use quick_xml::Reader;

use super::{read_part, rels};
use crate::package::Package;
use crate::report::{hidden, Out};
use crate::xml::{attr, local};

/// A cropped picture: the relationship id of its image and the crop of each side, in
/// thousandths of a percent as `a:srcRect` stores them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Crop {
    rid: String,
    ltrb: [i64; 4],
}

fn crops(xml: &[u8]) -> Vec<Crop> {
    let text = String::from_utf8_lossy(xml);
    let mut reader = Reader::from_str(&text);
    let mut out = Vec::new();
    let mut current: Option<(Option<String>, [i64; 4])> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match local(e.name().as_ref()) {
                b"blipFill" => current = Some((None, [0; 4])),
                b"blip" => {
                    if let Some(c) = current.as_mut() {
                        c.0 = attr(&e, b"embed");
                    }
                }
                b"srcRect" => {
                    if let Some(c) = current.as_mut() {
                        for (i, k) in [b"l", b"t", b"r", b"b"].iter().enumerate() {
                            c.1[i] = attr(&e, *k).and_then(|v| v.parse().ok()).unwrap_or(0);
                        }
                    }
                }
                _ => {}
            },
            Ok(Event::End(e)) if local(e.name().as_ref()) == b"blipFill" => {
                if let Some((Some(rid), ltrb)) = current.take() {
                    if ltrb.iter().any(|&v| v > 0) {
                        out.push(Crop { rid, ltrb });
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

fn describe(ltrb: [i64; 4]) -> String {
    ["left", "top", "right", "bottom"]
        .iter()
        .zip(ltrb)
        .filter(|(_, v)| *v > 0)
        .map(|(side, v)| format!("{side} {}%", (v as f64 / 1000.0 * 10.0).round() / 10.0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds a finding for each cropped picture whose full original is still embedded.
pub(super) fn check(pkg: &mut Package, out: &mut Out) {
    let Some(xml) = read_part(pkg, "word/document.xml", out) else {
        return;
    };
    let found = crops(&xml);
    if found.is_empty() {
        return;
    }
    let rel_list = read_part(pkg, "word/_rels/document.xml.rels", out)
        .map(|x| rels::parse(&x))
        .unwrap_or_default();
    let mut seen = Vec::new();
    for c in found {
        let Some(rel) = rel_list.iter().find(|r| r.id == c.rid && !r.external) else {
            continue;
        };
        let target = rels::resolve("word", &rel.target);
        let Some(stored) = pkg.find(&target).map(str::to_string) else {
            continue;
        };
        if seen.contains(&(stored.clone(), c.ltrb)) {
            continue;
        }
        seen.push((stored.clone(), c.ltrb));
        let sides = describe(c.ltrb);
        let text = format!("{stored} (cropped {sides})");
        let why = format!("Picture {stored} is cropped in Word ({sides}) but the full original is still embedded: the cropped-away part can be restored");
        let mut f = hidden(
            "docx-cropped-picture",
            Severity::Medium,
            &text,
            Source::Hidden,
            why,
        );
        f.part = Some(stored);
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_crops_and_ignores_uncropped_and_padding() {
        let xml = br#"<w:document><pic:blipFill><a:blip r:embed="rId5"/><a:srcRect l="25000" r="10500"/></pic:blipFill>
<pic:blipFill><a:blip r:embed="rId6"/><a:srcRect/></pic:blipFill>
<pic:blipFill><a:blip r:embed="rId7"/><a:srcRect t="-5000"/></pic:blipFill></w:document>"#;
        assert_eq!(
            crops(xml),
            vec![Crop {
                rid: "rId5".into(),
                ltrb: [25000, 0, 10500, 0]
            }]
        );
        assert_eq!(describe([25000, 0, 10500, 0]), "left 25%, right 10.5%");
    }
}
