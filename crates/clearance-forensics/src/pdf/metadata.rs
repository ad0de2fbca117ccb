//! PDF metadata the content detectors do not cover: Microsoft sensitivity labels (Info and
//! XMP), the XMP editing history (`xmpMM:History`) and file paths of placed or derived files
//! (`stRef:filePath`), which name users, servers and shares.

use std::collections::BTreeMap;

use clearance_model::{Category, Severity, Source};
use lopdf::{Document, Object};

use super::objects::{get, stream_bytes, text};
use crate::labels;
use crate::report::{finding, quote, Out};
use crate::xmp::{self, XmpEntry};

/// Most bytes of an XMP stream read.
const MAX_XMP: u64 = 16 << 20;

fn info_labels(pdf: &Document, out: &mut Out) {
    let Some(info) = pdf
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| super::objects::dict(pdf, o))
    else {
        return;
    };
    let props: Vec<(String, String)> = info
        .iter()
        .filter_map(|(k, v)| {
            let key = String::from_utf8_lossy(k).into_owned();
            let value = super::objects::resolve(pdf, v).and_then(text)?;
            Some((key, value))
        })
        .collect();
    out.findings.extend(labels::findings(
        "PDF Info",
        props.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    ));
}

fn xmp_entries(pdf: &Document, out: &mut Out) -> Vec<XmpEntry> {
    let Ok(catalog) = pdf.catalog() else {
        return Vec::new();
    };
    let Some(Object::Stream(s)) = get(pdf, catalog, b"Metadata") else {
        return Vec::new();
    };
    match stream_bytes(s, MAX_XMP) {
        Ok(b) => xmp::parse(&b),
        Err(e) => {
            out.warn(format!("XMP metadata could not be read: {e}"));
            Vec::new()
        }
    }
}

fn history(entries: &[XmpEntry], out: &mut Out) {
    let mut events: BTreeMap<usize, BTreeMap<&str, &str>> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| e.within.iter().any(|w| w == "xmpMM:History"))
    {
        let field = e.name.rsplit(':').next().unwrap_or(&e.name);
        events
            .entry(e.item.unwrap_or(0))
            .or_default()
            .insert(field, e.value.as_str());
    }
    if events.is_empty() {
        return;
    }
    let lines: Vec<String> = events
        .values()
        .map(|ev| {
            let mut s = ev.get("action").copied().unwrap_or("event").to_string();
            if let Some(w) = ev.get("when") {
                s.push_str(&format!(" {}", w.get(..10).unwrap_or(w)));
            }
            if let Some(a) = ev.get("softwareAgent") {
                s.push_str(&format!(" with {a}"));
            }
            if let Some(p) = ev.get("parameters") {
                s.push_str(&format!(" ({p})"));
            }
            s
        })
        .collect();
    let n = lines.len();
    let text = lines.join("; ");
    let why = format!(
        "XMP editing history records {n} event(s) of how and when the file was made: {}",
        quote(&text)
    );
    let mut f = finding(
        Category::DocumentMetadata,
        "xmp-history",
        Severity::Low,
        &text,
        Source::Metadata,
        why,
    );
    f.part = Some("XMP xmpMM:History".into());
    out.push(f);
}

fn file_paths(entries: &[XmpEntry], out: &mut Out) {
    let mut seen = Vec::new();
    for e in entries.iter().filter(|e| e.name == "stRef:filePath") {
        let v = e.value.trim();
        if v.is_empty() || seen.contains(&v) {
            continue;
        }
        seen.push(v);
        let why = format!(
            "XMP records the path of a source file, which can name a user, server or share: {}",
            quote(v)
        );
        let mut f = finding(
            Category::DocumentMetadata,
            "xmp-file-path",
            Severity::Low,
            v,
            Source::Metadata,
            why,
        );
        f.part = Some(format!(
            "XMP {}",
            e.within.last().map_or("stRef", String::as_str)
        ));
        out.push(f);
    }
}

/// Adds the metadata findings.
pub(super) fn check(pdf: &Document, out: &mut Out) {
    info_labels(pdf, out);
    let entries = xmp_entries(pdf, out);
    out.findings.extend(labels::findings(
        "XMP",
        entries.iter().map(|e| (e.name.as_str(), e.value.as_str())),
    ));
    history(&entries, out);
    file_paths(&entries, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Stream};

    const XMP: &str = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
 xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#" xmlns:stRef="http://ns.adobe.com/xap/1.0/sType/ResourceRef#">
<pdfx:MSIP_Label_77aa_Name>Secret</pdfx:MSIP_Label_77aa_Name>
<xmpMM:History><rdf:Seq>
 <rdf:li stEvt:action="created" stEvt:when="2024-05-01T09:00:00Z" stEvt:softwareAgent="Word"/>
 <rdf:li stEvt:action="saved" stEvt:when="2024-05-02T10:00:00Z" stEvt:softwareAgent="Acrobat"/>
</rdf:Seq></xmpMM:History>
<xmpMM:DerivedFrom stRef:filePath="\\fileserver\projects\nightjar\draft.indd"/>
</rdf:Description></rdf:RDF></x:xmpmeta>"#;

    fn pdf() -> Document {
        let mut doc = Document::with_version("1.7");
        let pages = doc.add_object(
            dictionary! { "Type" => "Pages", "Kids" => Vec::<Object>::new(), "Count" => 0 },
        );
        let xmp = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            XMP.as_bytes().to_vec(),
        ));
        let catalog = doc
            .add_object(dictionary! { "Type" => "Catalog", "Pages" => pages, "Metadata" => xmp });
        let info = doc.add_object(dictionary! {
            "Author" => Object::string_literal("J. Smith"),
            "MSIP_Label_0a1b_Name" => Object::string_literal("Internal Only"),
            "MSIP_Label_0a1b_SetDate" => Object::string_literal("2024-05-01"),
        });
        doc.trailer.set("Root", catalog);
        doc.trailer.set("Info", info);
        doc
    }

    #[test]
    fn labels_history_and_paths() {
        let mut out = Out::default();
        check(&pdf(), &mut out);
        let got: Vec<(&str, &str)> = out
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("sensitivity-label", "Internal Only"),
                ("sensitivity-label", "Secret"),
                (
                    "xmp-history",
                    "created 2024-05-01 with Word; saved 2024-05-02 with Acrobat"
                ),
                (
                    "xmp-file-path",
                    "\\\\fileserver\\projects\\nightjar\\draft.indd"
                ),
            ]
        );
        assert!(out
            .findings
            .iter()
            .all(|f| f.category == Category::DocumentMetadata));
        assert_eq!(out.findings[0].part.as_deref(), Some("PDF Info"));
    }
}
