//! pdf-extract as the second text source, for the pages our interpreter cannot read through
//! trusted means: its font handling (embedded CFF/Type1 encodings, core-font metrics) is the
//! most complete available, but it panics on many real files and has no limits of its own,
//! so every call is vetted first and run under `catch_unwind`.

use std::cell::Cell;
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use lopdf::{Dictionary, Document, Object, ObjectId};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::interp::{content_cap, page_resources};
use super::layout::{glyphs_for, Glyph};
use super::streams;
use crate::Limits;

/// Most XObjects and fonts vetted per page before giving up on pdf-extract for it.
const MAX_VETTED: usize = 10_000;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}
static HOOK: Once = Once::new();

/// Runs `f`, turning a panic into `Err(message)`. The panic hook stays silent for panics on
/// this thread while `f` runs; other threads' panics are reported as before.
pub(crate) fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string())
    })
}

/// Collects glyphs from pdf-extract's callbacks.
#[derive(Default)]
struct Collector {
    glyphs: Vec<Glyph>,
    budget: usize,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _: u32,
        _: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        if self.glyphs.len() < self.budget {
            let m = [trm.m11, trm.m12, trm.m21, trm.m22, trm.m31, trm.m32];
            glyphs_for(&m, width, font_size, ch, false, &mut self.glyphs);
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Whole-document pass into one collector, for timing comparisons only.
#[cfg(test)]
pub(crate) fn whole_document_glyph_count(doc: &Document) -> usize {
    let mut dev = Collector {
        glyphs: Vec::new(),
        budget: usize::MAX,
    };
    let _ = quietly(|| pdf_extract::output_doc(doc, &mut dev));
    dev.glyphs.len()
}

/// Glyphs of page `number` from pdf-extract, or why there are none.
pub(crate) fn page_glyphs(
    doc: &Document,
    number: u32,
    budget: usize,
) -> Result<Vec<Glyph>, String> {
    let mut dev = Collector {
        glyphs: Vec::new(),
        budget,
    };
    match quietly(|| pdf_extract::output_doc_page(doc, &mut dev, number)) {
        Ok(Ok(())) => Ok(dev.glyphs),
        Ok(Err(e)) => Err(format!("pdf-extract error: {e}")),
        Err(panic) => Err(format!("pdf-extract panicked: {panic}")),
    }
}

/// Whether pdf-extract may be given this page: it recurses through form XObjects without a
/// depth limit or cycle check (stack overflow, uncatchable), decodes every stream it meets
/// without a cap (including images, which it then parses as content) and needs a media box.
/// `Err` says why not.
pub(crate) fn vet_page(doc: &Document, page: &Dictionary, limits: &Limits) -> Result<(), String> {
    let cap = content_cap(limits);
    if inherited(doc, page, b"MediaBox").is_none() {
        return Err("no media box".into());
    }
    let mut total = 0u64;
    let contents = page.get(b"Contents").ok().map(|o| deref(doc, o));
    let parts: Vec<&Object> = match contents {
        Some(Object::Array(a)) => a.iter().collect(),
        Some(o) => vec![o],
        None => Vec::new(),
    };
    for part in parts {
        let stream = deref(doc, part)
            .as_stream()
            .map_err(|_| "content is not a stream")?;
        total += streams::decoded_len(stream, cap).map_err(|e| e.to_string())?;
    }
    if total > cap {
        return Err("content streams too large".into());
    }
    // Walk the resource graph iteratively: (resources, depth, chain of forms above).
    let mut stack: Vec<(&Dictionary, usize, Vec<ObjectId>)> = Vec::new();
    if let Some(r) = page_resources(doc, page) {
        stack.push((r, 0, Vec::new()));
    }
    let mut seen_fonts: HashSet<ObjectId> = HashSet::new();
    let mut vetted = 0usize;
    while let Some((resources, depth, chain)) = stack.pop() {
        if let Some(fonts) = resources
            .get(b"Font")
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
        {
            for (_, f) in fonts.iter() {
                vetted += 1;
                if vetted > MAX_VETTED {
                    return Err("too many resources".into());
                }
                if let Ok(id) = f.as_reference() {
                    if !seen_fonts.insert(id) {
                        continue;
                    }
                }
                if let Ok(font) = deref(doc, f).as_dict() {
                    vet_font(doc, font, cap)?;
                }
            }
        }
        let Some(xobjects) = resources
            .get(b"XObject")
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
        else {
            continue;
        };
        for (_, x) in xobjects.iter() {
            vetted += 1;
            if vetted > MAX_VETTED {
                return Err("too many resources".into());
            }
            let id = x.as_reference().ok();
            let Ok(stream) = deref(doc, x).as_stream() else {
                return Err("XObject is not a stream".into());
            };
            streams::decoded_len(stream, cap).map_err(|e| format!("XObject: {e}"))?;
            let is_form = stream
                .dict
                .get(b"Subtype")
                .and_then(Object::as_name)
                .is_ok_and(|n| n == b"Form");
            if !is_form {
                // pdf-extract parses image data as content; only small ones are harmless.
                if stream.content.len() > 16 << 20 {
                    return Err("large image XObject".into());
                }
                continue;
            }
            if let Some(id) = id {
                if chain.contains(&id) {
                    return Err("form XObject cycle".into());
                }
            }
            if depth + 1 > limits.max_depth.min(32) {
                return Err("form XObjects nested too deeply".into());
            }
            let mut next = chain.clone();
            next.extend(id);
            let inner = stream
                .dict
                .get(b"Resources")
                .ok()
                .map(|o| deref(doc, o))
                .and_then(|o| o.as_dict().ok());
            // A form without its own resources uses its parent's: the same dictionary again,
            // which is how a self-drawing form without /Resources makes pdf-extract recurse.
            stack.push((inner.unwrap_or(resources), depth + 1, next));
        }
    }
    Ok(())
}

fn vet_font(doc: &Document, font: &Dictionary, cap: u64) -> Result<(), String> {
    let mut dicts = vec![font];
    if let Some(Object::Array(d)) = font.get(b"DescendantFonts").ok().map(|o| deref(doc, o)) {
        dicts.extend(
            d.iter()
                .take(4)
                .filter_map(|o| deref(doc, o).as_dict().ok()),
        );
    }
    for dict in dicts {
        for key in [&b"ToUnicode"[..], b"Encoding"] {
            if let Some(Ok(s)) = dict.get(key).ok().map(|o| deref(doc, o).as_stream()) {
                streams::decoded_len(s, cap).map_err(|e| format!("font: {e}"))?;
            }
        }
        if let Some(desc) = dict
            .get(b"FontDescriptor")
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
        {
            for key in [&b"FontFile"[..], b"FontFile2", b"FontFile3"] {
                if let Some(Ok(s)) = desc.get(key).ok().map(|o| deref(doc, o).as_stream()) {
                    streams::decoded_len(s, cap).map_err(|e| format!("font file: {e}"))?;
                }
            }
        }
    }
    Ok(())
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).map(|(_, o)| o).unwrap_or(o)
}

/// A page attribute that may be inherited from the page tree (MediaBox, Resources, Rotate).
pub(crate) fn inherited<'a>(
    doc: &'a Document,
    page: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(v) = node.get(key) {
            return Some(deref(doc, v));
        }
        node = deref(doc, node.get(b"Parent").ok()?).as_dict().ok()?;
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    #[test]
    fn quietly_turns_panics_into_errors() {
        assert_eq!(quietly(|| 7), Ok(7));
        let r: Result<(), String> = quietly(|| panic!("unsupported encoding GBK-EUC-H"));
        assert_eq!(r, Err("unsupported encoding GBK-EUC-H".to_string()));
        let r: Result<(), String> = quietly(|| panic!("{}", String::from("owned")));
        assert_eq!(r, Err("owned".to_string()));
    }
}
