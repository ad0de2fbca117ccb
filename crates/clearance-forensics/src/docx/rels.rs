//! OOXML relationship parts (`word/_rels/document.xml.rels`): what an `r:id` points at.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::xml::{attr, local};

/// One relationship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rel {
    pub id: String,
    pub target: String,
    pub external: bool,
}

/// The relationships of a `.rels` part.
pub(super) fn parse(xml: &[u8]) -> Vec<Rel> {
    let text = String::from_utf8_lossy(xml);
    let mut reader = Reader::from_str(&text);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if local(e.name().as_ref()) == b"Relationship" =>
            {
                if let (Some(id), Some(target)) = (attr(&e, b"Id"), attr(&e, b"Target")) {
                    let external =
                        attr(&e, b"TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("External"));
                    out.push(Rel {
                        id,
                        target,
                        external,
                    });
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

/// The package part a relationship of a part in `word/` points at: `media/a.png` →
/// `word/media/a.png`, `/word/media/a.png` → `word/media/a.png`, `../x` resolved.
pub(super) fn resolve(base_dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        base_dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_resolves() {
        let xml = br#"<Relationships xmlns="x"><Relationship Id="rId4" Type="t" Target="media/image1.png"/>
<Relationship Id="rId9" Type="t" Target="file:///C:\T\a.dotm" TargetMode="External"/></Relationships>"#;
        let r = parse(xml);
        assert_eq!(r.len(), 2);
        assert!(!r[0].external && r[1].external);
        assert_eq!(resolve("word", "media/image1.png"), "word/media/image1.png");
        assert_eq!(resolve("word", "/word/media/x.png"), "word/media/x.png");
        assert_eq!(
            resolve("word", "../customXml/item1.xml"),
            "customXml/item1.xml"
        );
    }
}
