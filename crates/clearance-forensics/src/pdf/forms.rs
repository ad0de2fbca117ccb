//! Form field values (`/AcroForm /Fields`, with `/Kids` hierarchies): what was typed into a
//! form stays in the file, also in fields that are hidden or have no visible widget.

use std::collections::{BTreeMap, HashSet};

use clearance_model::{ExtractedDocument, Severity, Source};
use lopdf::{Document, Object, ObjectId};

use super::objects::{
    dict, get, get_dict, get_name, get_ref, get_text, rect, resolve, text, MAX_ITEMS,
    MAX_TREE_DEPTH,
};
use crate::report::{hidden, place, quote, Out};

/// Annotation flag bit 2: hidden.
const FLAG_HIDDEN: i64 = 1 << 1;

fn value_text(pdf: &Document, v: &Object) -> Option<String> {
    match resolve(pdf, v)? {
        Object::String(..) => resolve(pdf, v).and_then(text),
        Object::Array(a) => {
            let parts: Vec<String> = a
                .iter()
                .filter_map(|x| match resolve(pdf, x)? {
                    s @ Object::String(..) => text(s),
                    _ => None,
                })
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        _ => None,
    }
}

/// Reports every field with a text value.
pub(super) fn check(
    pdf: &Document,
    pages: &BTreeMap<u32, ObjectId>,
    doc: &ExtractedDocument,
    out: &mut Out,
) {
    let Ok(catalog) = pdf.catalog() else { return };
    let Some(form) = get_dict(pdf, catalog, b"AcroForm") else {
        return;
    };
    let Some(Object::Array(fields)) = get(pdf, form, b"Fields") else {
        return;
    };
    let page_of: BTreeMap<ObjectId, u32> = pages.iter().map(|(&n, &id)| (id, n)).collect();
    let mut seen = HashSet::new();
    let mut stack: Vec<(&Object, String, usize)> = fields
        .iter()
        .take(MAX_ITEMS)
        .map(|f| (f, String::new(), 0))
        .collect();
    stack.reverse();
    let mut visited = 0usize;
    while let Some((o, parent, depth)) = stack.pop() {
        visited += 1;
        if visited > MAX_ITEMS {
            break;
        }
        if let Ok(id) = o.as_reference() {
            if !seen.insert(id) {
                continue;
            }
        }
        let Some(d) = dict(pdf, o) else { continue };
        let own = get_text(pdf, d, b"T")
            .map(|t| t.trim().to_string())
            .unwrap_or_default();
        let name = match (parent.is_empty(), own.is_empty()) {
            (true, _) => own.clone(),
            (false, true) => parent.clone(),
            (false, false) => format!("{parent}.{own}"),
        };
        if get_name(pdf, d, b"FT") != Some(b"Sig") {
            if let Some(v) = d.get(b"V").ok().and_then(|v| value_text(pdf, v)) {
                let v = v.trim();
                let letters = v.chars().filter(|c| c.is_alphabetic()).count();
                let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
                // Checkbox states, zeros and small numbers carry nothing to act on.
                if letters >= 2 || digits >= 5 {
                    let page = get_ref(d, b"P").and_then(|p| page_of.get(&p).copied());
                    let flags = match get(pdf, d, b"F") {
                        Some(Object::Integer(i)) => *i,
                        _ => 0,
                    };
                    let hidden_field = flags & FLAG_HIDDEN != 0;
                    let label = if name.is_empty() {
                        "A form field".to_string()
                    } else {
                        format!("Form field \"{name}\"")
                    };
                    let on = page.map(|p| format!(" on page {p}")).unwrap_or_default();
                    let state = if hidden_field { " (hidden)" } else { "" };
                    let why = format!(
                        "{label}{on}{state} holds a value that is stored in the file: {}",
                        quote(v)
                    );
                    let severity = if hidden_field {
                        Severity::Medium
                    } else {
                        Severity::Low
                    };
                    let mut f = hidden("pdf-form-value", severity, v, Source::Annotation, why);
                    f.page = page;
                    f.bbox = d.get(b"Rect").ok().and_then(|r| rect(pdf, r));
                    // Where extraction also surfaced the value as text, point at it.
                    place(&mut f, doc, v, |s| {
                        s.source == Source::Annotation && (page.is_none() || s.page == page)
                    });
                    f.part = Some(if name.is_empty() {
                        "form field".into()
                    } else {
                        format!("form field {name}")
                    });
                    out.push(f);
                }
            }
        }
        if depth < MAX_TREE_DEPTH {
            if let Some(Object::Array(kids)) = get(pdf, d, b"Kids") {
                for k in kids.iter().take(MAX_ITEMS).rev() {
                    stack.push((k, name.clone(), depth + 1));
                }
            }
        }
    }
}
