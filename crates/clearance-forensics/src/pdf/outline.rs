//! Bookmark (outline) titles that say something the pages do not. Most titles repeat a
//! heading, so a title is reported only when its letters appear nowhere in the page text,
//! and only when the page text was extracted well enough to tell.

use std::collections::HashSet;

use clearance_model::{ExtractedDocument, Severity, Source};
use lopdf::{Dictionary, Document};

use super::objects::{get_dict, get_ref, get_text, MAX_ITEMS, MAX_TREE_DEPTH};
use crate::report::{hidden, quote, Out};

/// Page text below this many letters is too little to judge titles against.
const MIN_PAGE_LETTERS: usize = 200;

/// Lower-case letters and digits only: titles and headings differ in numbering and spacing.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c as u32, 0x3400..=0x9FFF | 0xF900..=0xFAFF))
}

/// Every outline title, in reading order, cycle- and depth-limited.
fn titles(pdf: &Document, outlines: &Dictionary) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(Option<lopdf::ObjectId>, usize)> = vec![(get_ref(outlines, b"First"), 0)];
    while let Some((next, depth)) = stack.pop() {
        let mut cur = next;
        while let Some(id) = cur {
            if out.len() >= MAX_ITEMS || !seen.insert(id) {
                break;
            }
            let Ok(item) = pdf.get_dictionary(id) else {
                break;
            };
            if let Some(t) = get_text(pdf, item, b"Title") {
                out.push(t);
            }
            if depth < MAX_TREE_DEPTH {
                if let Some(child) = get_ref(item, b"First") {
                    stack.push((Some(child), depth + 1));
                }
            }
            cur = get_ref(item, b"Next");
        }
    }
    out
}

/// Reports titles whose text is on no page.
pub(super) fn check(pdf: &Document, doc: &ExtractedDocument, out: &mut Out) {
    let Ok(catalog) = pdf.catalog() else { return };
    let Some(outlines) = get_dict(pdf, catalog, b"Outlines") else {
        return;
    };
    let pages: String = doc
        .segments
        .iter()
        .filter(|s| s.page.is_some())
        .map(|s| squash(&s.text))
        .collect();
    let page_has_cjk = doc.segments.iter().any(|s| has_cjk(&s.text));
    let unreadable = doc
        .warnings
        .iter()
        .any(|w| w.contains("could not be extracted"));
    if pages.chars().count() < MIN_PAGE_LETTERS || unreadable {
        return;
    }
    let mut reported = HashSet::new();
    for title in titles(pdf, outlines) {
        let key = squash(&title);
        if key.chars().filter(|c| c.is_alphabetic()).count() < 3
            || (has_cjk(&title) && !page_has_cjk)
        {
            continue;
        }
        if pages.contains(&key) || !reported.insert(key) {
            continue;
        }
        let why = format!(
            "Bookmark title does not appear on any page but is stored in the file: {}",
            quote(&title)
        );
        let mut f = hidden(
            "pdf-bookmark-title",
            Severity::Low,
            &title,
            Source::Annotation,
            why,
        );
        f.part = Some("outline (bookmarks)".into());
        out.push(f);
    }
}
