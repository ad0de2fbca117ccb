//! Files embedded in the PDF (the `/EmbeddedFiles` name tree and file-attachment
//! annotations): each is reported and scanned through the engine.

use clearance_model::{Severity, Source};
use lopdf::{Document, Object};

use super::objects::{dict, get, get_dict, get_text, name_tree, resolve, stream_bytes};
use crate::report::{hidden, Out};
use crate::{embedded, Context};

/// Reports and scans the file a file specification points at; returns the file's name when
/// it was reported.
pub(super) fn report_filespec(
    pdf: &Document,
    fs: &Object,
    page: Option<u32>,
    ctx: &Context,
    out: &mut Out,
) -> Option<String> {
    let spec = dict(pdf, fs)?;
    let name = get_text(pdf, spec, b"UF")
        .or_else(|| get_text(pdf, spec, b"F"))
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "unnamed file".into());
    let ef = get_dict(pdf, spec, b"EF")?;
    let Some(Object::Stream(stream)) = get(pdf, ef, b"F")
        .or_else(|| get(pdf, ef, b"UF"))
        .and_then(|o| resolve(pdf, o))
    else {
        return None;
    };
    let bytes = match stream_bytes(stream, ctx.limits.max_inflated_bytes) {
        Ok(b) => b,
        Err(e) => {
            out.warn(format!("embedded file \"{name}\" could not be read: {e}"));
            return None;
        }
    };
    let scanned = embedded::scan(ctx, &name, &bytes);
    let tail = if scanned.is_some() {
        "its content was scanned too"
    } else {
        "it was not scanned: too deeply nested"
    };
    let where_ = page
        .map(|p| format!(" (attached on page {p})"))
        .unwrap_or_default();
    let desc = get_text(pdf, spec, b"Desc")
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    let desc = desc
        .map(|d| format!(", described as \"{d}\""))
        .unwrap_or_default();
    let why = format!(
        "Embedded file \"{name}\"{where_}{desc} ({} bytes) travels inside the PDF: {tail}",
        bytes.len()
    );
    let mut f = hidden(
        "pdf-embedded-file",
        Severity::Medium,
        &name,
        Source::Annotation,
        why,
    );
    f.page = page;
    f.part = Some(format!("embedded file {name}"));
    out.push(f);
    out.findings.extend(scanned.unwrap_or_default());
    Some(name)
}

/// Reports and scans every file of the document-level `/EmbeddedFiles` name tree.
pub(super) fn check(pdf: &Document, ctx: &Context, out: &mut Out) {
    let Ok(catalog) = pdf.catalog() else { return };
    let Some(names) = get_dict(pdf, catalog, b"Names") else {
        return;
    };
    let Some(tree) = get_dict(pdf, names, b"EmbeddedFiles") else {
        return;
    };
    for (_, fs) in name_tree(pdf, tree) {
        let _ = report_filespec(pdf, fs, None, ctx, out);
    }
}
