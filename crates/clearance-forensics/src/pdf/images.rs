//! JPEG images placed on PDF pages: the same checks as standalone images (EXIF thumbnail,
//! bytes after the end, captions). A photo cropped in a layout program is often embedded
//! whole, with the camera's thumbnail still inside.

use std::collections::{BTreeMap, HashSet};

use clearance_model::ExtractedDocument;
use lopdf::{Document, Object, ObjectId};

use super::objects::{get, get_dict, get_name, resolve, MAX_ITEMS};
use crate::report::Out;
use crate::Context;

/// Most images examined in one document.
const MAX_IMAGES: usize = 500;

/// Checks every DCT (JPEG) image XObject of every page, each image once.
pub(super) fn check(
    pdf: &Document,
    pages: &BTreeMap<u32, ObjectId>,
    doc: &ExtractedDocument,
    ctx: &Context,
    out: &mut Out,
) {
    let mut seen: HashSet<ObjectId> = HashSet::new();
    for (&n, &pid) in pages {
        let Ok(page) = pdf.get_dictionary(pid) else {
            continue;
        };
        let Some(xobjects) =
            get_dict(pdf, page, b"Resources").and_then(|r| get_dict(pdf, r, b"XObject"))
        else {
            continue;
        };
        for (name, value) in xobjects.iter().take(MAX_ITEMS) {
            if seen.len() >= MAX_IMAGES {
                return;
            }
            if let Ok(id) = value.as_reference() {
                if !seen.insert(id) {
                    continue;
                }
            }
            let Some(Object::Stream(s)) = resolve(pdf, value) else {
                continue;
            };
            if get_name(pdf, &s.dict, b"Subtype") != Some(b"Image") {
                continue;
            }
            let dct = match get(pdf, &s.dict, b"Filter") {
                Some(Object::Name(f)) => f == b"DCTDecode",
                Some(Object::Array(a)) => {
                    a.len() == 1 && a.first().and_then(|f| f.as_name().ok()) == Some(b"DCTDecode")
                }
                _ => false,
            };
            if !dct {
                continue;
            }
            let part = format!("page {n} /{}", String::from_utf8_lossy(name));
            let mut local = Out::default();
            crate::image::analyze_part(&s.content, &part, doc, ctx.limits, &mut local);
            for mut f in local.findings {
                f.page = Some(n);
                out.push(f);
            }
            out.warnings.extend(local.warnings);
        }
    }
}
