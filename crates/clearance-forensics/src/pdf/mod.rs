//! PDF forensics on lopdf's object model: annotations (unapplied redactions, dark boxes drawn
//! as annotations, comments), form values, bookmarks, JavaScript, embedded files, JPEG images
//! on the pages, earlier revisions and metadata. Redactions drawn into the page content (text
//! under filled paths and images) and invisible text are checked by `paint`, on the page's
//! paint log from the extract crate's graphics-state interpreter.

mod annotations;
mod attachments;
mod forms;
mod images;
mod javascript;
mod metadata;
mod objects;
mod outline;
mod paint;
mod revisions;

use clearance_model::ExtractedDocument;

use crate::report::Out;
use crate::Context;

/// Runs every PDF check.
pub(crate) fn analyze(bytes: &[u8], doc: &ExtractedDocument, ctx: &Context, out: &mut Out) {
    revisions::check(bytes, doc, ctx, out);
    let pdf = match clearance_extract::pdf::load_document(bytes) {
        Ok(d) => d,
        Err(e) => {
            out.warn(format!(
                "PDF objects could not be read for forensic checks: {e}"
            ));
            return;
        }
    };
    let pages = pdf.get_pages();
    let annots = annotations::all(&pdf, &pages);
    annotations::check(&pdf, &annots, doc, ctx, out);
    forms::check(&pdf, &pages, doc, out);
    outline::check(&pdf, doc, out);
    javascript::check(&pdf, &pages, &annots, out);
    attachments::check(&pdf, ctx, out);
    images::check(&pdf, &pages, doc, ctx, out);
    metadata::check(&pdf, out);
    paint::check(&pdf, bytes, &pages, doc, ctx, out);
}
