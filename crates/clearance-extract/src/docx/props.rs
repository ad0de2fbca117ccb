//! Package metadata: docProps (core, app, custom), document variables in settings.xml,
//! external relationship targets, and customXml data items.
//!
//! These parts name people, organisations, templates on internal servers and sensitivity
//! labels (`MSIP_Label_*`), so every field is kept as written; deciding what is sensitive is
//! detection's job.

use quick_xml::events::Event;

use super::xml;

/// Most fields read from one part.
const MAX_FIELDS_PER_PART: usize = 1000;
/// Most characters kept of one value.
const MAX_VALUE_CHARS: usize = 4096;

/// `(key, value)` of each child of the root element: `dc:creator`, `Company`, or (for
/// custom.xml, where `key_attr` is `name`) the property's name. The value is all text inside
/// the child, pieces joined with `; `.
pub(super) fn root_children(
    xml: &[u8],
    key_attr: Option<&str>,
) -> (Vec<(String, String)>, Option<String>) {
    let mut reader = xml::reader(xml);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut open: Option<(String, String)> = None;
    let mut boundary = true;
    let mut out = Vec::new();
    let error = loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                boundary = true;
                depth += 1;
                if depth > 64 {
                    break Some("nested deeper than 64 levels".to_string());
                }
                if depth == 2 {
                    let key = key_attr
                        .and_then(|a| xml::attr(&e, a))
                        .unwrap_or_else(|| e.name().0.to_string());
                    open = Some((key, String::new()));
                }
            }
            Ok(Event::Empty(_)) => boundary = true,
            Ok(Event::Text(t)) => append(&mut open, &t.xml10_content(), &mut boundary),
            Ok(Event::CData(t)) => append(&mut open, &t.xml10_content(), &mut boundary),
            Ok(Event::GeneralRef(r)) => {
                if let Some(text) = xml::resolve_ref(&r) {
                    append(&mut open, &text, &mut boundary);
                }
            }
            Ok(Event::End(_)) => {
                boundary = true;
                if depth == 2 {
                    if let Some((key, value)) = open.take() {
                        push(&mut out, key, value);
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Ok(Event::Eof) => break None,
            Ok(_) => {}
            Err(e) => break Some(e.to_string()),
        }
        buf.clear();
    };
    (out, error)
}

/// `(name, value)` of every `w:docVar` in settings.xml.
pub(super) fn doc_vars(xml: &[u8]) -> (Vec<(String, String)>, Option<String>) {
    elements_with_attrs(xml, "docVar", "name", "val")
}

/// `(relationship type, target)` of every relationship with `TargetMode="External"`:
/// hyperlinks, attached templates on file servers, linked images and OLE sources.
pub(super) fn external_targets(xml: &[u8]) -> (Vec<(String, String)>, Option<String>) {
    let mut reader = xml::reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let error = loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                if e.local_name().as_ref() == "Relationship"
                    && xml::attr(&e, "TargetMode")
                        .is_some_and(|m| m.eq_ignore_ascii_case("External"))
                {
                    let kind = xml::attr(&e, "Type").unwrap_or_default();
                    let kind = kind.rsplit('/').next().unwrap_or_default().to_string();
                    if let Some(target) = xml::attr(&e, "Target") {
                        push(&mut out, kind, target);
                    }
                }
            }
            Ok(Event::Eof) => break None,
            Ok(_) => {}
            Err(e) => break Some(e.to_string()),
        }
        buf.clear();
    };
    (out, error)
}

/// `(type, target)` of every relationship, for finding the parts a document uses.
pub(super) fn relationships(xml: &[u8]) -> Vec<(String, String)> {
    let mut reader = xml::reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    while let Ok(event) = reader.read_event_into(&mut buf) {
        match event {
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref() == "Relationship"
                    && !xml::attr(&e, "TargetMode")
                        .is_some_and(|m| m.eq_ignore_ascii_case("External")) =>
            {
                let kind = xml::attr(&e, "Type").unwrap_or_default();
                let kind = kind.rsplit('/').next().unwrap_or_default().to_string();
                if let Some(target) = xml::attr(&e, "Target") {
                    out.push((kind, target));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if out.len() >= 10 * MAX_FIELDS_PER_PART {
            break;
        }
        buf.clear();
    }
    out
}

/// `(element name, text)` of every element that directly holds text: the shape of
/// customXml data items, whose schema is whatever the producer chose.
pub(super) fn leaf_texts(xml: &[u8]) -> (Vec<(String, String)>, Option<String>) {
    let mut reader = xml::reader(xml);
    let mut buf = Vec::new();
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    let error = loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                if stack.len() >= 64 {
                    break Some("nested deeper than 64 levels".to_string());
                }
                stack.push((e.name().0.to_string(), String::new()));
            }
            Ok(Event::Text(t)) => {
                if let Some((_, text)) = stack.last_mut() {
                    if text.len() < MAX_VALUE_CHARS * 4 {
                        text.push_str(&t.xml10_content());
                    }
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let (Some((_, text)), Some(resolved)) = (stack.last_mut(), xml::resolve_ref(&r))
                {
                    text.push_str(&resolved);
                }
            }
            Ok(Event::End(_)) => {
                if let Some((name, text)) = stack.pop() {
                    push(&mut out, name, text);
                }
            }
            Ok(Event::Eof) => break None,
            Ok(_) => {}
            Err(e) => break Some(e.to_string()),
        }
        buf.clear();
    };
    (out, error)
}

/// `(attr key_attr, attr value_attr)` of every element with local name `local`.
fn elements_with_attrs(
    xml: &[u8],
    local: &str,
    key_attr: &str,
    value_attr: &str,
) -> (Vec<(String, String)>, Option<String>) {
    let mut reader = xml::reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let error = loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                if e.local_name().as_ref() == local {
                    if let Some(key) = xml::attr(&e, key_attr) {
                        push(&mut out, key, xml::attr(&e, value_attr).unwrap_or_default());
                    }
                }
            }
            Ok(Event::Eof) => break None,
            Ok(_) => {}
            Err(e) => break Some(e.to_string()),
        }
        buf.clear();
    };
    (out, error)
}

/// Appends text to the open property. Pieces split only by entity references are joined as
/// they are; text after an element boundary (`boundary`) starts a new `; `-separated item,
/// and indentation between elements is dropped.
fn append(open: &mut Option<(String, String)>, text: &str, boundary: &mut bool) {
    let Some((_, value)) = open.as_mut() else {
        return;
    };
    if value.len() > MAX_VALUE_CHARS * 4 {
        return;
    }
    if *boundary {
        if text.trim().is_empty() {
            return;
        }
        if !value.trim().is_empty() {
            let kept = value.trim_end().len();
            value.truncate(kept);
            value.push_str("; ");
        }
        *boundary = false;
    }
    value.push_str(text);
}

fn push(out: &mut Vec<(String, String)>, key: String, value: String) {
    let value = value.trim();
    if value.is_empty() || out.len() >= MAX_FIELDS_PER_PART {
        return;
    }
    let value = match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", value.get(..cut).unwrap_or_default()),
        None => value.to_string(),
    };
    out.push((key, value));
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn reads_core_properties_by_qualified_name() {
        let core = r#"<?xml version="1.0"?><cp:coreProperties xmlns:cp="c" xmlns:dc="d">
<dc:creator>Zhang Wei</dc:creator><cp:lastModifiedBy>Li Na</cp:lastModifiedBy>
<dc:title>A &amp; B</dc:title><cp:keywords/></cp:coreProperties>"#;
        let (fields, error) = root_children(core.as_bytes(), None);
        assert_eq!(error, None);
        assert_eq!(
            fields,
            vec![
                ("dc:creator".to_string(), "Zhang Wei".to_string()),
                ("cp:lastModifiedBy".to_string(), "Li Na".to_string()),
                ("dc:title".to_string(), "A & B".to_string()),
            ]
        );
    }

    #[test]
    fn reads_custom_properties_by_name() {
        let custom = r#"<Properties xmlns:vt="v"><property fmtid="{x}" pid="2" name="MSIP_Label_0a1b_Enabled"><vt:lpwstr>true</vt:lpwstr></property></Properties>"#;
        let (fields, _) = root_children(custom.as_bytes(), Some("name"));
        assert_eq!(
            fields,
            vec![("MSIP_Label_0a1b_Enabled".to_string(), "true".to_string())]
        );
    }

    #[test]
    fn reads_doc_vars_and_external_targets() {
        let settings = r#"<w:settings xmlns:w="w"><w:docVars><w:docVar w:name="Case" w:val="NJ-7"/></w:docVars></w:settings>"#;
        assert_eq!(
            doc_vars(settings.as_bytes()).0,
            vec![("Case".to_string(), "NJ-7".to_string())]
        );
        let rels = r#"<Relationships><Relationship Id="r1" Type="http://x/attachedTemplate" Target="file://srv/t.dotm" TargetMode="External"/><Relationship Id="r2" Type="http://x/styles" Target="styles.xml"/></Relationships>"#;
        assert_eq!(
            external_targets(rels.as_bytes()).0,
            vec![(
                "attachedTemplate".to_string(),
                "file://srv/t.dotm".to_string()
            )]
        );
        assert_eq!(
            relationships(rels.as_bytes()),
            vec![("styles".to_string(), "styles.xml".to_string())]
        );
    }

    #[test]
    fn reads_leaf_texts_and_reports_damage() {
        let item = r#"<root><a>one</a><b><c>two</c></b></root>"#;
        assert_eq!(
            leaf_texts(item.as_bytes()).0,
            vec![
                ("a".to_string(), "one".to_string()),
                ("c".to_string(), "two".to_string())
            ]
        );
        assert!(leaf_texts(b"<a><b></a>").1.is_some());
    }
}
