//! Small helpers shared by the DOCX part readers: namespace classes, attribute lookup by
//! local name, and entity handling that never expands anything beyond the predefined five.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

/// The namespaces the readers care about. Transitional and Strict OOXML spell them
/// differently; both map to the same class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    /// WordprocessingML (`w:`).
    W,
    /// Markup compatibility (`mc:`), for `mc:Fallback`.
    Mc,
    /// Office Math (`m:`).
    Math,
    /// Word drawing placement (`wp:`), for `wp:docPr` alt text.
    Wp,
    /// Anything else.
    Other,
}

impl Ns {
    /// The class of a resolved element namespace.
    pub fn of(resolved: &ResolveResult<'_>) -> Ns {
        let ResolveResult::Bound(ns) = resolved else {
            return Ns::Other;
        };
        match ns.as_ref() {
            "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
            | "http://purl.oclc.org/ooxml/wordprocessingml/main" => Ns::W,
            "http://schemas.openxmlformats.org/markup-compatibility/2006" => Ns::Mc,
            "http://schemas.openxmlformats.org/officeDocument/2006/math"
            | "http://purl.oclc.org/ooxml/officeDocument/math" => Ns::Math,
            "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
            | "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing" => Ns::Wp,
            _ => Ns::Other,
        }
    }
}

/// A namespace-aware reader over a whole part, with the default (strict) end-name checks.
pub(super) fn reader(xml: &[u8]) -> NsReader<&[u8]> {
    NsReader::from_reader(xml)
}

/// The value of the attribute with this local name (any prefix), unescaped; the raw value
/// when it holds an entity that is not predefined.
pub(super) fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string())
        })
}

/// What an on/off property's `w:val` means: absent, `1`, `true`, `on` are on.
pub(super) fn is_on(val: Option<&str>) -> bool {
    !matches!(val, Some("0" | "false" | "off" | "none"))
}

/// The text of a character reference or one of the five predefined entities; `None` for
/// any other entity, which is dropped rather than expanded.
pub(super) fn resolve_ref(r: &BytesRef<'_>) -> Option<String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c.to_string()),
        Ok(None) => resolve_predefined_entity(r).map(str::to_string),
        Err(_) => None,
    }
}

/// Resolves a relationship target against the folder of the part that owns the rels file,
/// e.g. `header1.xml` from `word/document.xml` is `word/header1.xml`.
pub(super) fn resolve_target(base_dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if let Some(absolute) = target.strip_prefix('/') {
        return normalise(absolute.split('/').collect());
    } else {
        base_dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    parts.extend(target.split('/'));
    normalise(parts)
}

fn normalise(parts: Vec<&str>) -> String {
    let mut out: Vec<&str> = Vec::new();
    for p in parts {
        match p {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.join("/")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn resolves_relationship_targets() {
        assert_eq!(resolve_target("word", "header1.xml"), "word/header1.xml");
        assert_eq!(
            resolve_target("word", "/word/footer2.xml"),
            "word/footer2.xml"
        );
        assert_eq!(
            resolve_target("word", "../customXml/item1.xml"),
            "customXml/item1.xml"
        );
        assert_eq!(resolve_target("", "word/document.xml"), "word/document.xml");
    }

    #[test]
    fn on_off_values() {
        assert!(is_on(None));
        assert!(is_on(Some("true")) && is_on(Some("1")));
        assert!(!is_on(Some("0")) && !is_on(Some("false")) && !is_on(Some("off")));
    }
}
