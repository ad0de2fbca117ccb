//! Bytes after the end of an image (JPEG EOI, PNG IEND). Viewers ignore them, so an editor
//! that overwrote a file in place without truncating it (the aCropalypse bug of Pixel Markup
//! and the Windows Snipping Tool) leaves the tail of the original, uncropped image there.

use std::io::Cursor;

use clearance_model::{Severity, Source};

use super::container::{Kind, Layout, PNG_SIGNATURE};
use crate::report::{hidden, Out};
use crate::xmp::find;

/// Trailing bytes up to this many are ignored (padding some encoders add).
const TOLERANCE: usize = 16;

/// What the trailing bytes look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trailer {
    /// A whole second image starts at this offset of the trailer.
    SecondImage {
        at: usize,
        kind: &'static str,
        size: Option<(u32, u32)>,
    },
    /// Leftovers of an earlier image stream (IDAT/IEND chunks, a JPEG end marker).
    Remnant,
    /// A second JPEG declared by the file's own Multi-Picture (MPF) index: a camera preview.
    MpfPreview,
    /// Anything else.
    Data,
}

fn padding_only(tail: &[u8]) -> bool {
    tail.iter()
        .all(|&b| matches!(b, 0x00 | 0xFF | b' ' | b'\n' | b'\r' | b'\t'))
}

/// Classifies the bytes after the end of an image of `kind`; `None` when there are none
/// worth reporting.
pub(crate) fn classify(kind: Kind, layout: &Layout, tail: &[u8]) -> Option<Trailer> {
    if tail.len() <= TOLERANCE || padding_only(tail) {
        return None;
    }
    let png = find(tail, PNG_SIGNATURE).map(|at| (at, "PNG"));
    let jpeg = find(tail, &[0xFF, 0xD8, 0xFF]).map(|at| (at, "JPEG"));
    let first = match (png, jpeg) {
        (Some(p), Some(j)) => Some(if p.0 <= j.0 { p } else { j }),
        (p, j) => p.or(j),
    };
    let has_mpf = layout
        .jpeg
        .iter()
        .any(|s| s.marker == 0xE2 && s.data.starts_with(b"MPF\0"));
    if let Some((at, k)) = first {
        if kind == Kind::Jpeg
            && k == "JPEG"
            && has_mpf
            && padding_only(tail.get(..at).unwrap_or(&[]))
        {
            return Some(Trailer::MpfPreview);
        }
        let size = tail.get(at..).and_then(|t| {
            image::ImageReader::new(Cursor::new(t))
                .with_guessed_format()
                .ok()?
                .into_dimensions()
                .ok()
        });
        return Some(Trailer::SecondImage { at, kind: k, size });
    }
    let remnant = match kind {
        Kind::Png => find(tail, b"IDAT").is_some() || find(tail, b"IEND").is_some(),
        Kind::Jpeg => {
            let trimmed = tail
                .iter()
                .rposition(|&b| b != 0x00)
                .map_or(&tail[..0], |i| &tail[..=i]);
            trimmed.ends_with(&[0xFF, 0xD9])
        }
    };
    Some(if remnant {
        Trailer::Remnant
    } else {
        Trailer::Data
    })
}

/// Adds a finding for trailing bytes in `bytes` (an image of `kind` laid out as `layout`).
pub(crate) fn check(bytes: &[u8], kind: Kind, layout: &Layout, part: &str, out: &mut Out) {
    let Some(end) = layout.end else { return };
    let Some(tail) = bytes.get(end..) else { return };
    let Some(trailer) = classify(kind, layout, tail) else {
        return;
    };
    let fmt = if kind == Kind::Png { "PNG" } else { "JPEG" };
    let n = tail.len();
    let (rule, severity, text, why) = match trailer {
        Trailer::SecondImage { kind: k, size, .. } => {
            let dims = size.map(|(w, h)| format!(" {w}×{h}")).unwrap_or_default();
            (
                "image-trailing-image",
                Severity::High,
                format!("second{dims} {k} image after the end of the {fmt}"),
                super::lead(part, format!(
                    "{n} bytes after the end of the {fmt} hold a second{dims} {k} image (aCropalypse pattern): the uncropped original may be recoverable"
                )),
            )
        }
        Trailer::Remnant => (
            "image-trailing-image",
            Severity::High,
            format!("remains of an earlier {fmt} image stream after the end of the image"),
            super::lead(part, format!(
                "{n} bytes after the end of the {fmt} are the remains of an earlier image stream (aCropalypse pattern): parts of the original may be recoverable"
            )),
        ),
        Trailer::MpfPreview => (
            "image-mpf-preview",
            Severity::Low,
            "second JPEG (MPF preview) after the end of the image".to_string(),
            super::lead(part, format!(
                "a {n}-byte preview image (MPF) follows the main JPEG; if the photo was edited, the preview may still show the original"
            )),
        ),
        Trailer::Data => (
            "image-trailing-data",
            Severity::Medium,
            format!("{n} bytes after the end of the {fmt}"),
            super::lead(part, format!("{n} bytes of unknown data follow the end of the {fmt}; viewers do not show them")),
        ),
    };
    let mut f = hidden(rule, severity, &text, Source::ImageMetadata, why);
    f.part = Some(part.to_string());
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout<'static> {
        Layout::default()
    }

    #[test]
    fn classifies_trailers() {
        let mut second = b"\0\0".to_vec();
        second.extend_from_slice(PNG_SIGNATURE);
        second.extend_from_slice(&[0u8; 20]);
        let cases: [(Kind, Vec<u8>, Option<Trailer>); 6] = [
            (Kind::Png, Vec::new(), None),
            (Kind::Png, vec![0u8; 4096], None),
            (Kind::Png, b"short".to_vec(), None),
            (
                Kind::Png,
                second.clone(),
                Some(Trailer::SecondImage {
                    at: 2,
                    kind: "PNG",
                    size: None,
                }),
            ),
            (
                Kind::Png,
                [b"0123456789abcdefIDATxxxx".as_slice(), b"IEND"].concat(),
                Some(Trailer::Remnant),
            ),
            (
                Kind::Jpeg,
                b"some random appended text here".to_vec(),
                Some(Trailer::Data),
            ),
        ];
        for (kind, tail, want) in cases {
            assert_eq!(
                classify(kind, &layout(), &tail),
                want,
                "tail {:?}",
                String::from_utf8_lossy(&tail)
            );
        }
    }

    #[test]
    fn declared_mpf_preview_is_low_key() {
        let mpf = Layout {
            jpeg: vec![super::super::container::JpegSegment {
                marker: 0xE2,
                data: b"MPF\0II*\0",
            }],
            ..Layout::default()
        };
        let tail = [[0xFF, 0xD8, 0xFF, 0xE0].as_slice(), &[7u8; 40]].concat();
        assert_eq!(classify(Kind::Jpeg, &mpf, &tail), Some(Trailer::MpfPreview));
        let plain = classify(Kind::Jpeg, &layout(), &tail);
        assert!(
            matches!(plain, Some(Trailer::SecondImage { kind: "JPEG", .. })),
            "{plain:?}"
        );
    }
}
