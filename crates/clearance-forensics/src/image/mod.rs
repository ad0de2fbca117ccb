//! Image forensics, for standalone images and images inside documents: thumbnails that differ
//! from the picture, bytes after the end of the image, and captions in metadata.

mod captions;
mod container;
mod thumbnail;
mod trailing;

use clearance_extract::Limits;
use clearance_model::ExtractedDocument;

use crate::report::Out;

/// The part name of standalone images, as extraction names it.
const STANDALONE: &str = "image";

/// `what` prefixed with the embedded image's part (`word/media/image1.png EXIF thumbnail`);
/// just `what` for a standalone image, as extraction labels metadata.
pub(crate) fn label(part: &str, what: &str) -> String {
    if part == STANDALONE {
        what.to_string()
    } else {
        format!("{part} {what}")
    }
}

/// An explanation led by the embedded image's part, or capitalised for a standalone image.
pub(crate) fn lead(part: &str, rest: String) -> String {
    if part == STANDALONE {
        let mut chars = rest.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    } else {
        format!("{part}: {rest}")
    }
}

/// Checks a standalone image file.
pub(crate) fn analyze_standalone(
    bytes: &[u8],
    doc: &ExtractedDocument,
    limits: &Limits,
    out: &mut Out,
) {
    analyze_part(bytes, STANDALONE, doc, limits, out);
}

/// Checks one image, named `part` in findings (`image`, `word/media/image1.jpeg`).
pub(crate) fn analyze_part(
    bytes: &[u8],
    part: &str,
    doc: &ExtractedDocument,
    limits: &Limits,
    out: &mut Out,
) {
    let Some(kind) = container::kind(bytes) else {
        return;
    };
    let layout = container::layout(bytes, kind);
    trailing::check(bytes, kind, &layout, part, out);
    captions::check(bytes, &layout, part, doc, out);
    if kind == container::Kind::Jpeg {
        thumbnail::check(bytes, part, limits, out);
    }
}
