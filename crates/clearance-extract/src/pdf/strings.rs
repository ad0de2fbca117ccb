//! PDF text strings (Info values, annotation text): UTF-16BE or UTF-8 with a byte-order mark,
//! otherwise PDFDocEncoding.

/// Decodes a PDF text string.
pub(crate) fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        // Not allowed by the spec, but written by some producers.
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| pdf_doc_char(b)).collect()
}

/// PDFDocEncoding: Latin-1 except for the 0x18–0x1F and 0x80–0x9F blocks and 0xAD.
fn pdf_doc_char(b: u8) -> char {
    const LOW: [char; 8] = ['˘', 'ˇ', 'ˆ', '˙', '˝', '˛', '˚', '˜'];
    const HIGH: [char; 32] = [
        '•', '†', '‡', '…', '—', '–', 'ƒ', '⁄', '‹', '›', '−', '‰', '„', '“', '”', '‘', '’', '‚',
        '™', 'ﬁ', 'ﬂ', 'Ł', 'Œ', 'Š', 'Ÿ', 'Ž', 'ı', 'ł', 'œ', 'š', 'ž', '\u{FFFD}',
    ];
    match b {
        0x18..=0x1F => LOW
            .get(usize::from(b - 0x18))
            .copied()
            .unwrap_or('\u{FFFD}'),
        0x80..=0x9F => HIGH
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or('\u{FFFD}'),
        0xA0 => '€',
        0xAD => '\u{FFFD}',
        _ => char::from(b),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    #[test]
    fn decodes_each_string_form() {
        let table: &[(&[u8], &str)] = &[
            (b"J. Smith", "J. Smith"),
            (&[0xFE, 0xFF, 0x67, 0x3A, 0x5B, 0xC6], "机密"),
            (&[0xFE, 0xFF, 0xD8, 0x3D, 0xDE, 0x00], "😀"),
            (&[0xEF, 0xBB, 0xBF, 0xE6, 0x9C, 0xBA], "机"),
            (&[0x8D, b'q', 0x8E], "“q”"),
            (&[0x93], "ﬁ"),
            (&[0xE9], "é"),
            (&[0xA0], "€"),
            (&[0xFE, 0xFF, 0x00], "\u{0}"),
        ];
        for (bytes, want) in table {
            assert_eq!(decode_text_string(bytes), *want, "{bytes:?}");
        }
    }

    #[test]
    fn odd_length_utf16_is_not_a_panic() {
        assert_eq!(
            decode_text_string(&[0xFE, 0xFF, 0x00, 0x41, 0x00]),
            "A\u{0}"
        );
    }
}
