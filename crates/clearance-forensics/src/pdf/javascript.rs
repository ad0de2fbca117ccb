//! JavaScript in a PDF: document-level scripts, the open action, and actions of pages,
//! annotations and form fields. Scripts run when the file is opened or used, and their text
//! can carry more than the page does. Acrobat's own form plumbing (`AFNumber_Format(...)`
//! one-liners and the ADBE/XFA version-check boilerplate) is not worth a reviewer's time and
//! is left out; everything else is reported as one finding per document.

use std::collections::{BTreeMap, HashSet};

use clearance_model::{Severity, Source};
use lopdf::{Document, Object, ObjectId};

use super::annotations::Annot;
use super::objects::{
    dict, get, get_dict, get_name, name_tree, resolve, stream_bytes, text, MAX_ITEMS,
};
use crate::report::{hidden, quote, Out};

/// Most bytes of one script read.
const MAX_SCRIPT: u64 = 1 << 20;

/// One script and where it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Script {
    place: &'static str,
    page: Option<u32>,
    code: String,
}

fn script_text(pdf: &Document, js: &Object) -> Option<String> {
    match resolve(pdf, js)? {
        Object::Stream(s) => stream_bytes(s, MAX_SCRIPT)
            .ok()
            .map(|b| super::objects::decode_text(&b)),
        o => text(o),
    }
}

/// True for scripts Acrobat writes into every form: calls of its `AF*` helpers only, and the
/// ADBE/XFA viewer-version checks.
fn boilerplate(code: &str) -> bool {
    let c = code.trim();
    let adbe = [
        "if (typeof(this.ADBE)",
        "if (typeof(ADBE.",
        "if (typeof(xfa_installed)",
    ]
    .iter()
    .any(|p| c.starts_with(p));
    let af_only = c
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .all(|s| s.starts_with("AF") && s.ends_with(')'));
    c.is_empty() || adbe || af_only
}

/// Collects every JavaScript action reachable from `action` (an action, a `/Next` chain, an
/// array, or an additional-actions dictionary).
fn collect(
    pdf: &Document,
    action: &Object,
    place: &'static str,
    page: Option<u32>,
    into: &mut Vec<Script>,
) {
    let mut stack = vec![action];
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut steps = 0usize;
    while let Some(o) = stack.pop() {
        steps += 1;
        if steps > MAX_ITEMS || into.len() >= MAX_ITEMS {
            break;
        }
        if let Ok(id) = o.as_reference() {
            if !seen.insert(id) {
                continue;
            }
        }
        let Some(d) = dict(pdf, o) else {
            if let Some(Object::Array(a)) = resolve(pdf, o) {
                stack.extend(a.iter().take(MAX_ITEMS));
            }
            continue;
        };
        if get_name(pdf, d, b"S") == Some(b"JavaScript") {
            if let Some(code) = d.get(b"JS").ok().and_then(|js| script_text(pdf, js)) {
                into.push(Script { place, page, code });
            }
        } else if d.get(b"S").is_err() {
            // An additional-actions dictionary: every value is an action.
            stack.extend(d.iter().take(64).map(|(_, v)| v));
        }
        if let Ok(next) = d.get(b"Next") {
            stack.push(next);
        }
    }
}

/// Reports the document's JavaScript as one finding.
pub(super) fn check(
    pdf: &Document,
    pages: &BTreeMap<u32, ObjectId>,
    annots: &[Annot],
    out: &mut Out,
) {
    let mut scripts = Vec::new();
    if let Ok(catalog) = pdf.catalog() {
        if let Some(tree) =
            get_dict(pdf, catalog, b"Names").and_then(|n| get_dict(pdf, n, b"JavaScript"))
        {
            for (_, action) in name_tree(pdf, tree) {
                collect(pdf, action, "document scripts", None, &mut scripts);
            }
        }
        if let Ok(open) = catalog.get(b"OpenAction") {
            collect(pdf, open, "open action", None, &mut scripts);
        }
        if let Ok(aa) = catalog.get(b"AA") {
            collect(pdf, aa, "document actions", None, &mut scripts);
        }
    }
    for (&n, &id) in pages {
        if let Some(aa) = pdf.get_dictionary(id).ok().and_then(|p| get(pdf, p, b"AA")) {
            collect(pdf, aa, "page actions", Some(n), &mut scripts);
        }
    }
    for a in annots {
        for key in [b"A".as_slice(), b"AA".as_slice()] {
            if let Ok(action) = a.dict.get(key) {
                collect(
                    pdf,
                    action,
                    "form fields and annotations",
                    Some(a.page),
                    &mut scripts,
                );
            }
        }
    }
    scripts.retain(|s| !boilerplate(&s.code));
    let Some(first) = scripts.first() else { return };
    let mut places: Vec<&str> = Vec::new();
    for s in &scripts {
        if !places.contains(&s.place) {
            places.push(s.place);
        }
    }
    let n = scripts.len();
    let why = format!(
        "{n} JavaScript action(s) ({}) run when the file is opened or used, and their code is in the file; first: {}",
        places.join(", "),
        quote(&first.code)
    );
    let mut f = hidden(
        "pdf-javascript",
        Severity::Medium,
        &first.code,
        Source::Annotation,
        why,
    );
    let first_page = first.page;
    if scripts
        .iter()
        .all(|s| s.page.is_some() && s.page == first_page)
    {
        f.page = first_page;
    }
    f.part = Some("JavaScript".into());
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acrobat_plumbing_is_boilerplate() {
        let cases = [
            ("AFNumber_Format(2,2,0,0,\"\",false )", true),
            ("AFNumber_Keystroke(2, 0, 0, 0, \"\", false); AFNumber_Format(2, 0, 0, 0, \"\", false);", true),
            ("if (typeof(this.ADBE) == \"undefined\") this.ADBE = new Object();", true),
            ("this.print(true);", false),
            ("app.alert('Nightjar review copy');", false),
            ("AFSimple_Calculate(\"SUM\", x); app.launchURL(\"http://x\")", false),
        ];
        for (code, want) in cases {
            assert_eq!(boilerplate(code), want, "{code}");
        }
    }
}
