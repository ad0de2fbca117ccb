//! Checks that need the page's paint order: text painted over by a later opaque box or image
//! (failed redactions) and text nobody can see (invisible render mode, white on white, tiny,
//! off the page).
//!
//! Design decision: only paint order decides whether a box hides text. A box painted before
//! the text is a background (table shading, header bars), a box painted after it is a cover;
//! this removes the white-box and shading false positives of tools that only compare
//! positions. Words are recovered from the extracted page text (so findings carry spans the
//! content detectors' findings share); the paint log's own decoded chars are the fallback.
//! The logs are the ones extraction made in its single pass over each page
//! ([`Context::pdf_paint`]); a page without one is interpreted here.

mod cover;
mod glyphs;
mod invisible;
#[cfg(test)]
mod testlog;

use std::collections::BTreeMap;

use clearance_extract::pdf::paint::page_paint;
use clearance_model::ExtractedDocument;
use lopdf::{Document, ObjectId};

use crate::report::Out;
use crate::Context;

/// Runs the paint-order checks on every page (up to the page limit), on the logs extraction
/// kept where the context has them.
pub(super) fn check(
    pdf: &Document,
    bytes: &[u8],
    pages: &BTreeMap<u32, ObjectId>,
    doc: &ExtractedDocument,
    ctx: &Context,
    out: &mut Out,
) {
    // Off-page text that another page shows (one sheet cut into several pages by their
    // media boxes) is not hidden: it is checked against every page's visible text at the end.
    let mut offpage = Vec::new();
    let mut visible = String::new();
    for &page in pages.keys().take(ctx.limits.max_pages) {
        let fresh;
        let log = match ctx.pdf_paint.and_then(|kept| kept.get(&page)) {
            Some(kept) => kept,
            None => {
                fresh = page_paint(pdf, bytes, page, ctx.limits);
                &fresh
            }
        };
        match log {
            Ok(log) => {
                let glyphs = glyphs::flatten(log);
                cover::check(log, &glyphs, doc, out);
                let mut found = Out::default();
                invisible::check(log, &glyphs, doc, &mut found);
                for f in found.findings {
                    if f.rule == invisible::OFFPAGE_RULE {
                        offpage.push(f);
                    } else {
                        out.push(f);
                    }
                }
                found.warnings.into_iter().for_each(|w| out.warn(w));
                if visible.len() < MAX_VISIBLE_TEXT {
                    for g in &glyphs {
                        let c = g.ch;
                        // Cheapest test first: most glyphs are ASCII letters and digits.
                        let ascii = c.is_ascii_alphanumeric();
                        if !(ascii || (!c.is_ascii() && c.is_alphanumeric()))
                            || !g.painted()
                            || g.bbox.intersect(&log.crop_box).is_none()
                        {
                            continue;
                        }
                        if ascii {
                            visible.push(c.to_ascii_lowercase());
                        } else {
                            visible.extend(c.to_lowercase());
                        }
                    }
                    visible.push('\n');
                }
                if !log.problems.is_empty() {
                    out.warn(format!(
                        "page {page}: paint order only partly checked for hidden text ({})",
                        log.problems.join("; ")
                    ));
                }
            }
            Err(e) => out.warn(format!(
                "page {page}: paint order could not be checked for hidden text: {e}"
            )),
        }
    }
    let mut per_page: BTreeMap<u32, usize> = BTreeMap::new();
    for f in offpage {
        let key: String = f
            .text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if !key.is_empty() && visible.contains(&key) {
            continue;
        }
        let n = per_page.entry(f.page.unwrap_or(0)).or_default();
        *n += 1;
        if *n <= invisible::MAX_RUNS {
            out.push(f);
        }
    }
    for (page, n) in per_page {
        if n > invisible::MAX_RUNS {
            out.warn(format!(
                "page {page}: {} more lines of {} not listed",
                n - invisible::MAX_RUNS,
                invisible::OFFPAGE_RULE
            ));
        }
    }
}

/// Most chars of visible text kept for the off-page comparison.
const MAX_VISIBLE_TEXT: usize = 4 << 20;
