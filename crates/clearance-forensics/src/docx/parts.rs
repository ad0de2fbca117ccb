//! Parts Word keeps but never shows: document variables (word/settings.xml), custom XML data
//! (customXml/item*.xml), custom properties (docProps/custom.xml, including sensitivity
//! labels) and the attached template's path (docProps/app.xml, settings relationships).

use clearance_model::{Category, Severity, Source};
use quick_xml::events::Event;
use quick_xml::Reader;

use super::{read_part, rels};
use crate::labels;
use crate::package::Package;
use crate::report::{finding, hidden, quote, Out};
use crate::xml::{attr, local, push_ref};

/// Custom properties that SharePoint and add-ins write with machine values only.
const NOISE_PROPERTIES: &[&str] = &[
    "ContentTypeId",
    "MediaServiceImageTags",
    "_dlc_DocIdItemGuid",
    "TaxCatchAll",
    "Order",
    "xd_Signature",
    "xd_ProgID",
    "ComplianceAssetId",
    "TemplateUrl",
    "TriggerFlowInfo",
    "_ExtendedDescription",
    "GrammarlyDocumentId",
];

/// True for identifiers, hashes, numbers, booleans and encoded blobs: machine values a
/// reviewer cannot act on.
fn machine_value(v: &str) -> bool {
    let v = v.trim();
    let lower = v.to_ascii_lowercase();
    if v.is_empty()
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off"
        )
        || v.parse::<f64>().is_ok()
    {
        return true;
    }
    let hexish = v
        .chars()
        .all(|c| c.is_ascii_hexdigit() || matches!(c, '-' | '{' | '}' | 'x' | 'X'));
    let blob = v.len() > 32
        && !v.contains(char::is_whitespace)
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='));
    hexish || blob
}

fn letters(v: &str) -> usize {
    v.chars().filter(|c| c.is_alphabetic()).count()
}

/// `(name, value)` of each `w:docVar`.
fn doc_vars(xml: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(xml);
    let mut reader = Reader::from_str(&text);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if local(e.name().as_ref()) == b"docVar" => {
                if let (Some(n), Some(v)) = (attr(&e, b"name"), attr(&e, b"val")) {
                    out.push((n, v));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

/// The `r:id` of `w:attachedTemplate`.
fn attached_template(xml: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(xml);
    let mut reader = Reader::from_str(&text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if local(e.name().as_ref()) == b"attachedTemplate" =>
            {
                return attr(&e, b"id");
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Text of every element named `want` (local name), or all text when `want` is empty.
fn texts(xml: &[u8], want: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(xml);
    let mut reader = Reader::from_str(&text);
    let mut out = Vec::new();
    let mut inside = want.is_empty();
    let mut buf = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if !want.is_empty() && local(e.name().as_ref()) == want => {
                inside = true;
                buf.clear();
            }
            Ok(Event::End(e)) => {
                if !want.is_empty() && local(e.name().as_ref()) == want {
                    inside = false;
                    out.push(buf.trim().to_string());
                } else if want.is_empty() && !buf.trim().is_empty() {
                    out.push(buf.trim().to_string());
                    buf.clear();
                }
            }
            Ok(Event::Text(t)) if inside => buf.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) if inside => buf.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(g)) if inside => push_ref(&mut buf, &g),
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

/// `(name, value)` of each custom property.
fn custom_properties(xml: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(xml);
    let mut reader = Reader::from_str(&text);
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    let mut depth_in_prop = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if local(e.name().as_ref()) == b"property" {
                    current = attr(&e, b"name").map(|n| (n, String::new()));
                    depth_in_prop = 0;
                } else if current.is_some() {
                    depth_in_prop += 1;
                }
            }
            Ok(Event::Text(t)) => {
                if let Some((_, v)) = current.as_mut().filter(|_| depth_in_prop > 0) {
                    v.push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(g)) => {
                if let Some((_, v)) = current.as_mut().filter(|_| depth_in_prop > 0) {
                    push_ref(v, &g);
                }
            }
            Ok(Event::End(e)) => {
                if local(e.name().as_ref()) == b"property" {
                    if let Some(p) = current.take() {
                        out.push(p);
                    }
                } else {
                    depth_in_prop = depth_in_prop.saturating_sub(1);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

fn is_guid(t: &str) -> bool {
    let t = t.trim_matches(|c| c == '{' || c == '}');
    t.len() == 36 && t.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

fn check_doc_vars(pkg: &mut Package, out: &mut Out) {
    let Some(xml) = read_part(pkg, "word/settings.xml", out) else {
        return;
    };
    for (name, value) in doc_vars(&xml) {
        if name.starts_with("__Grammarly") || machine_value(&value) || letters(&value) < 2 {
            continue;
        }
        let why = format!("Document variable \"{name}\" in word/settings.xml holds text that Word never shows: {}", quote(&value));
        let mut f = hidden(
            "docx-document-variable",
            Severity::Medium,
            &value,
            Source::Hidden,
            why,
        );
        f.part = Some("word/settings.xml".into());
        out.push(f);
    }
}

fn check_custom_xml(pkg: &mut Package, out: &mut Out) {
    let items: Vec<String> = pkg
        .names()
        .iter()
        .filter(|n| {
            let l = n.to_ascii_lowercase();
            l.starts_with("customxml/item")
                && l.ends_with(".xml")
                && !l.contains("props")
                && !l.contains("_rels")
        })
        .cloned()
        .collect();
    for name in items {
        let Some(xml) = read_part(pkg, &name, out) else {
            continue;
        };
        let words: Vec<String> = texts(&xml, b"")
            .into_iter()
            .filter(|t| !is_guid(t) && !machine_value(t))
            .collect();
        let joined = words.join(" ");
        if letters(&joined) < 3 {
            continue;
        }
        let why = format!(
            "Custom XML part {name} carries data that is not shown in the document: {}",
            quote(&joined)
        );
        let mut f = hidden(
            "docx-custom-xml",
            Severity::Medium,
            &joined,
            Source::Hidden,
            why,
        );
        f.part = Some(name);
        out.push(f);
    }
}

fn check_custom_properties(pkg: &mut Package, out: &mut Out) {
    let part = "docProps/custom.xml";
    let Some(xml) = read_part(pkg, part, out) else {
        return;
    };
    let props = custom_properties(&xml);
    out.findings.extend(labels::findings(
        part,
        props.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    ));
    for (name, value) in &props {
        if labels::is_label_key(name)
            || NOISE_PROPERTIES.contains(&name.as_str())
            || machine_value(value)
            || letters(value) < 2
        {
            continue;
        }
        let why = format!(
            "Custom property \"{name}\" in {part} travels with the file: {}",
            quote(value)
        );
        let mut f = hidden(
            "docx-custom-property",
            Severity::Low,
            value,
            Source::Metadata,
            why,
        );
        f.part = Some(part.into());
        out.push(f);
    }
}

fn looks_like_path(v: &str) -> bool {
    v.contains('\\') || v.contains('/')
}

fn check_template(pkg: &mut Package, out: &mut Out) {
    let mut found: Vec<(String, &str)> = Vec::new();
    if let Some(xml) = read_part(pkg, "docProps/app.xml", out) {
        for t in texts(&xml, b"Template") {
            if looks_like_path(&t) {
                found.push((t, "docProps/app.xml"));
            }
        }
    }
    let rid = read_part(pkg, "word/settings.xml", out).and_then(|x| attached_template(&x));
    if let Some(rid) = rid {
        if let Some(xml) = read_part(pkg, "word/_rels/settings.xml.rels", out) {
            for r in rels::parse(&xml).into_iter().filter(|r| r.id == rid) {
                if looks_like_path(&r.target) && !found.iter().any(|(t, _)| *t == r.target) {
                    found.push((r.target, "word/_rels/settings.xml.rels"));
                }
            }
        }
    }
    for (path, part) in found {
        let why = format!("The attached template's path in {part} can name the author's account, server or share: {}", quote(&path));
        let mut f = finding(
            Category::DocumentMetadata,
            "docx-template-path",
            Severity::Low,
            &path,
            Source::Metadata,
            why,
        );
        f.part = Some(part.into());
        out.push(f);
    }
}

/// Adds findings for document variables, custom XML, custom properties and template paths.
pub(super) fn check(pkg: &mut Package, out: &mut Out) {
    check_doc_vars(pkg, out);
    check_custom_xml(pkg, out);
    check_custom_properties(pkg, out);
    check_template(pkg, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_doc_vars_and_custom_properties() {
        let settings = br#"<w:settings xmlns:w="w"><w:docVars><w:docVar w:name="Code" w:val="Falcon &amp; Ridge"/></w:docVars></w:settings>"#;
        assert_eq!(
            doc_vars(settings),
            vec![("Code".to_string(), "Falcon & Ridge".to_string())]
        );
        let custom = br#"<Properties><property fmtid="x" pid="2" name="Project"><vt:lpwstr>Nightjar</vt:lpwstr></property>
<property name="Flag"><vt:bool>true</vt:bool></property></Properties>"#;
        assert_eq!(
            custom_properties(custom),
            vec![
                ("Project".to_string(), "Nightjar".to_string()),
                ("Flag".to_string(), "true".to_string())
            ]
        );
    }

    #[test]
    fn machine_values_are_not_reported() {
        for (v, want) in [
            ("true", true),
            ("0x0101000D5E2B", true),
            ("{3A8F1B2C-0000-4000-8000-000000000001}", true),
            (
                "H4sIAAAAAAAEAKtWckksSVSyUjIyMDI2NDA0NzMyNLEwNjRV0lEKTi0u",
                true,
            ),
            ("42", true),
            ("Falcon Ridge test site", false),
        ] {
            assert_eq!(machine_value(v), want, "{v}");
        }
    }
}
