//! DOCX forensics: review residue (comments, tracked changes, hidden text), text made
//! invisible by formatting, data parts that Word never shows (document variables, custom XML,
//! custom properties), embedded objects, cropped pictures and the pictures themselves.

mod crops;
mod embeddings;
mod formatting;
mod parts;
mod rels;
mod segments;

use clearance_model::ExtractedDocument;

use crate::package::Package;
use crate::report::Out;
use crate::Context;

/// Runs every DOCX check.
pub(crate) fn analyze(bytes: &[u8], doc: &ExtractedDocument, ctx: &Context, out: &mut Out) {
    segments::check(doc, out);
    let mut pkg = match Package::open(bytes, ctx.limits) {
        Ok(p) => p,
        Err(e) => {
            out.warn(format!(
                "DOCX parts could not be examined for hidden content: {e}"
            ));
            return;
        }
    };
    formatting::check(&mut pkg, doc, out);
    parts::check(&mut pkg, out);
    crops::check(&mut pkg, out);
    embeddings::check(&mut pkg, ctx, out);
    let media: Vec<String> = pkg
        .names()
        .iter()
        .filter(|n| n.starts_with("word/media/"))
        .cloned()
        .collect();
    for name in media {
        match pkg.read(&name) {
            Ok(Some(b)) => crate::image::analyze_part(&b, &name, doc, ctx.limits, out),
            Ok(None) => {}
            Err(e) => out.warn(format!("{name} could not be examined: {e}")),
        }
    }
}

/// Reads a part for a check, turning a failure into a warning.
pub(super) fn read_part(pkg: &mut Package, name: &str, out: &mut Out) -> Option<Vec<u8>> {
    match pkg.read(name) {
        Ok(b) => b,
        Err(e) => {
            out.warn(format!("{name} could not be examined: {e}"));
            None
        }
    }
}
