//! The layout of JPEG and PNG files: where each segment or chunk sits and where the image
//! ends, so trailing bytes and metadata segments can be found without decoding pixels.

/// Image container kinds this module understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Jpeg,
    Png,
}

/// The container kind from the magic bytes.
pub(crate) fn kind(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Some(Kind::Png)
    } else {
        None
    }
}

pub(crate) const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// One JPEG marker segment (APPn, COM, DQT, ...), without its marker and length bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JpegSegment<'a> {
    pub marker: u8,
    pub data: &'a [u8],
}

/// One PNG chunk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PngChunk<'a> {
    pub kind: [u8; 4],
    pub data: &'a [u8],
}

/// Segments or chunks, and the offset one past the end of the image (after JPEG EOI or the
/// PNG IEND chunk); `end` is `None` when the image is truncated before its end marker.
#[derive(Debug, Default)]
pub(crate) struct Layout<'a> {
    pub jpeg: Vec<JpegSegment<'a>>,
    pub png: Vec<PngChunk<'a>>,
    pub end: Option<usize>,
}

/// Most segments or chunks walked; real files have a few dozen.
const MAX_PARTS: usize = 100_000;

fn be16(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at + 2)?;
    Some(usize::from(s[0]) << 8 | usize::from(s[1]))
}

fn be32(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

/// Walks a JPEG from SOI to EOI, skipping entropy-coded data after each SOS.
pub(crate) fn jpeg(bytes: &[u8]) -> Layout<'_> {
    let mut out = Layout::default();
    let mut pos = 2;
    while out.jpeg.len() < MAX_PARTS {
        // Markers may be preceded by any number of 0xFF fill bytes.
        if bytes.get(pos) != Some(&0xFF) {
            return out;
        }
        while bytes.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos + 1) else {
            return out;
        };
        match marker {
            0xD9 => {
                out.end = Some(pos + 2);
                return out;
            }
            0x01 | 0xD0..=0xD7 => {
                pos += 2;
                continue;
            }
            _ => {}
        }
        let Some(len) = be16(bytes, pos + 2).filter(|&l| l >= 2) else {
            return out;
        };
        let Some(data) = bytes.get(pos + 4..pos + 2 + len) else {
            return out;
        };
        out.jpeg.push(JpegSegment { marker, data });
        pos += 2 + len;
        if marker == 0xDA {
            // Entropy-coded data: the next marker is an 0xFF not followed by 0x00 or RSTn.
            loop {
                let Some(rel) = bytes
                    .get(pos..)
                    .and_then(|r| r.iter().position(|&b| b == 0xFF))
                else {
                    return out;
                };
                pos += rel;
                match bytes.get(pos + 1) {
                    None => return out,
                    Some(0x00) | Some(0xD0..=0xD7) | Some(0xFF) => pos += 1,
                    Some(_) => break,
                }
            }
        }
    }
    out
}

/// Walks PNG chunks from the signature to IEND.
pub(crate) fn png(bytes: &[u8]) -> Layout<'_> {
    let mut out = Layout::default();
    let mut pos = PNG_SIGNATURE.len();
    while out.png.len() < MAX_PARTS {
        let Some(len) = be32(bytes, pos) else {
            return out;
        };
        let Some(kind) = bytes.get(pos + 4..pos + 8) else {
            return out;
        };
        let kind = [kind[0], kind[1], kind[2], kind[3]];
        let Some(data) = bytes.get(pos + 8..pos.saturating_add(8).saturating_add(len)) else {
            return out;
        };
        let next = pos + 12 + len;
        if next > bytes.len() {
            return out;
        }
        out.png.push(PngChunk { kind, data });
        if &kind == b"IEND" {
            out.end = Some(next);
            return out;
        }
        pos = next;
    }
    out
}

/// The layout of `bytes` as `kind`.
pub(crate) fn layout(bytes: &[u8], kind: Kind) -> Layout<'_> {
    match kind {
        Kind::Jpeg => jpeg(bytes),
        Kind::Png => png(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_end_found_after_entropy_data() {
        // SOI, COM "hi", SOS (len 2 + 1 byte), data with stuffed FF00 and RST, EOI, trailer.
        let mut j = vec![
            0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x04, b'h', b'i', 0xFF, 0xDA, 0x00, 0x03, 0x01,
        ];
        j.extend_from_slice(&[
            0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9, b'X', b'Y',
        ]);
        let l = jpeg(&j);
        assert_eq!(l.end, Some(j.len() - 2));
        assert_eq!(l.jpeg[0].marker, 0xFE);
        assert_eq!(l.jpeg[0].data, b"hi");
        assert_eq!(jpeg(&j[..12]).end, None, "truncated file has no end");
    }

    #[test]
    fn png_end_is_after_iend_crc() {
        let mut p = PNG_SIGNATURE.to_vec();
        p.extend_from_slice(&[0, 0, 0, 1]);
        p.extend_from_slice(b"tEXtA\0\0\0\0");
        p.extend_from_slice(&[0, 0, 0, 0]);
        p.extend_from_slice(b"IEND\xAE\x42\x60\x82");
        let end = p.len();
        p.extend_from_slice(b"junk");
        let l = png(&p);
        assert_eq!(l.end, Some(end));
        assert_eq!(l.png.len(), 2);
        assert_eq!(png(&p[..20]).end, None);
    }
}
