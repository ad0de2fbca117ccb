//! Which styles hide text: `w:vanish` set in a paragraph or character style (directly or
//! through `w:basedOn`), or in the document defaults. Text hidden this way is as invisible as
//! text with a direct `w:vanish`, and is the easier way to hide it unnoticed.

use std::collections::HashMap;

use quick_xml::events::Event;

use super::xml::{self, Ns};

/// Longest `w:basedOn` chain followed; longer chains (or cycles) count as not hidden.
const MAX_CHAIN: usize = 32;

#[derive(Debug, Default, Clone)]
struct StyleDef {
    based_on: Option<String>,
    vanish: Option<bool>,
}

/// The styles of one document, reduced to what hides text.
#[derive(Debug, Default)]
pub(super) struct Styles {
    styles: HashMap<String, StyleDef>,
    default_hidden: bool,
}

impl Styles {
    /// Reads `word/styles.xml`. A damaged part gives the styles read so far.
    pub fn parse(xml: &[u8]) -> (Styles, Option<String>) {
        let mut out = Styles::default();
        let mut reader = xml::reader(xml);
        let mut buf = Vec::new();
        // Local names of open W elements, enough to tell `style/rPr/vanish` from others.
        let mut path: Vec<String> = Vec::new();
        let mut current: Option<(String, StyleDef)> = None;
        let error = loop {
            let (ns, event) = match reader.read_resolved_event_into(&mut buf) {
                Ok((ns, event)) => (Ns::of(&ns), event),
                Err(e) => break Some(e.to_string()),
            };
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let local = e.local_name().as_ref().to_string();
                    if ns == Ns::W {
                        let parent = path.last().map(String::as_str);
                        let grand = path.len().checked_sub(2).and_then(|i| path.get(i));
                        match (local.as_str(), parent) {
                            ("style", _) => {
                                if let Some(id) = xml::attr(e, "styleId") {
                                    current = Some((id, StyleDef::default()));
                                }
                            }
                            ("basedOn", Some("style")) => {
                                if let Some((_, def)) = current.as_mut() {
                                    def.based_on = xml::attr(e, "val");
                                }
                            }
                            ("vanish" | "specVanish", Some("rPr")) => {
                                let on = xml::is_on(xml::attr(e, "val").as_deref());
                                match grand.map(String::as_str) {
                                    Some("style") => {
                                        if let Some((_, def)) = current.as_mut() {
                                            def.vanish = Some(on);
                                        }
                                    }
                                    Some("rPrDefault") => out.default_hidden = on,
                                    _ => {}
                                }
                            }
                            _ => {}
                        }
                    }
                    if matches!(event, Event::Start(_)) {
                        if path.len() >= 64 {
                            break Some("styles nested deeper than 64 levels".to_string());
                        }
                        path.push(if ns == Ns::W { local } else { String::new() });
                    } else if local == "style" && ns == Ns::W {
                        if let Some((id, def)) = current.take() {
                            out.styles.insert(id, def);
                        }
                    }
                }
                Event::End(_) => {
                    let closed = path.pop();
                    if closed.as_deref() == Some("style") {
                        out.styles.extend(current.take());
                    }
                }
                Event::Eof => break None,
                _ => {}
            }
            buf.clear();
        };
        (out, error)
    }

    /// Whether the style `id` hides its text (following `w:basedOn`), or `None` when it
    /// says nothing about visibility.
    pub fn hides(&self, id: &str) -> Option<bool> {
        let mut current = self.styles.get(id)?;
        for _ in 0..MAX_CHAIN {
            if let Some(v) = current.vanish {
                return Some(v);
            }
            current = self.styles.get(current.based_on.as_deref()?)?;
        }
        None
    }

    /// Whether the document defaults hide all text.
    pub fn default_hidden(&self) -> bool {
        self.default_hidden
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    const STYLES: &str = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="en-US"/></w:rPr></w:rPrDefault></w:docDefaults>
<w:style w:type="character" w:styleId="Secret"><w:rPr><w:vanish/></w:rPr></w:style>
<w:style w:type="character" w:styleId="MoreSecret"><w:basedOn w:val="Secret"/></w:style>
<w:style w:type="character" w:styleId="Shown"><w:basedOn w:val="Secret"/><w:rPr><w:vanish w:val="0"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Normal"><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="LoopA"><w:basedOn w:val="LoopB"/></w:style>
<w:style w:type="paragraph" w:styleId="LoopB"><w:basedOn w:val="LoopA"/></w:style>
</w:styles>"#;

    #[test]
    fn follows_based_on_chains() {
        let (styles, error) = Styles::parse(STYLES.as_bytes());
        assert_eq!(error, None);
        assert_eq!(styles.hides("Secret"), Some(true));
        assert_eq!(
            styles.hides("MoreSecret"),
            Some(true),
            "inherited through basedOn"
        );
        assert_eq!(
            styles.hides("Shown"),
            Some(false),
            "an explicit val=0 wins over the base"
        );
        assert_eq!(styles.hides("Normal"), None);
        assert_eq!(styles.hides("LoopA"), None, "a basedOn cycle ends");
        assert_eq!(styles.hides("Missing"), None);
        assert!(!styles.default_hidden());
    }
}
