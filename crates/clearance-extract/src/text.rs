//! Plain-text extraction: UTF-8 (with or without BOM), UTF-16 with BOM, and GB18030/GBK.
//!
//! Design decision: the encoding is decided from the bytes alone, strictest first: a BOM wins,
//! then valid UTF-8, then GB18030 only when it decodes without a single error. Chinese
//! government text is commonly saved as GBK, which GB18030 decodes exactly; guessing any wider
//! set of legacy encodings would turn binary files into plausible garbage.

use clearance_model::{ExtractedDocument, Format, MetaField, Segment, Source};
use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

use crate::{ExtractError, Limits};

/// How much of a file [`looks_like_text`] inspects.
const SNIFF_BYTES: usize = 64 * 1024;

/// The share of control characters (other than tab, newline, carriage return and form feed)
/// above which a decodable file is still treated as binary.
const MAX_CONTROL_PER_MILLE: usize = 10;

/// True when the first 64 KiB of `bytes` decode as text in a supported encoding and hold no
/// NUL and hardly any other control characters. Cheap enough to run on every unknown file.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return false;
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let truncated = head.len() < bytes.len();
    match detect(head, truncated) {
        Some((encoding, bom_len)) => {
            decode_strict(encoding, head.get(bom_len..).unwrap_or_default(), truncated)
                .is_some_and(|text| is_textual(&text))
        }
        None => false,
    }
}

/// Extracts a plain-text file as one body segment.
///
/// The detected encoding is recorded as metadata (`part: "text"`, `key: "encoding"`). Text
/// beyond [`Limits::max_text_chars`] is dropped with a warning.
///
/// # Errors
/// [`ExtractError::Corrupt`] when the bytes are not text in a supported encoding (binary data,
/// NUL bytes, control characters).
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<ExtractedDocument, ExtractError> {
    if !looks_like_text(bytes) {
        return Err(ExtractError::corrupt(
            "text",
            "not text in a supported encoding (UTF-8, UTF-16 with BOM, GB18030)",
        ));
    }
    let mut doc = ExtractedDocument::new(Format::Text);
    let (encoding, bom_len) = detect(bytes, false)
        .or_else(|| detect(&bytes[..bytes.len().min(SNIFF_BYTES)], true))
        .unwrap_or((UTF_8, 0));
    let body = bytes.get(bom_len..).unwrap_or_default();
    let (decoded, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        doc.warnings.push(format!(
            "text: some bytes are not valid {}; they were replaced with U+FFFD",
            encoding.name()
        ));
    }
    let mut text = normalise_newlines(&decoded);
    if let Some((cut, _)) = text.char_indices().nth(limits.max_text_chars) {
        text.truncate(cut);
        doc.warnings.push(format!(
            "text: only the first {} characters were read; the rest was not checked",
            limits.max_text_chars
        ));
    }
    doc.metadata.push(MetaField {
        part: "text".to_string(),
        key: "encoding".to_string(),
        value: encoding_label(encoding, bom_len > 0),
        page: None,
    });
    if !text.is_empty() {
        doc.segments.push(Segment::new(Source::Body, text));
    }
    Ok(doc)
}

/// The encoding of `bytes` and the length of its BOM. `truncated` says that `bytes` is a
/// prefix of the file, so a multi-byte character cut at the end is not an error.
fn detect(bytes: &[u8], truncated: bool) -> Option<(&'static Encoding, usize)> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return Some((encoding, bom_len));
    }
    if bytes.contains(&0) {
        return None;
    }
    if decode_strict(UTF_8, bytes, truncated).is_some() {
        return Some((UTF_8, 0));
    }
    decode_strict(GB18030, bytes, truncated).map(|_| (GB18030, 0))
}

/// Decodes without replacement: `None` at the first malformed sequence.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8], truncated: bool) -> Option<String> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length_without_replacement(bytes.len())?;
    let mut out = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, !truncated);
    match result {
        DecoderResult::InputEmpty if read == bytes.len() => Some(out),
        _ => None,
    }
}

/// No NUL, and control characters other than layout ones are rare.
fn is_textual(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for ch in text.chars() {
        total += 1;
        if ch == '\0' {
            return false;
        }
        if ch.is_control() && !matches!(ch, '\t' | '\n' | '\r' | '\x0c') {
            control += 1;
        }
    }
    total > 0 && control * 1000 <= total * MAX_CONTROL_PER_MILLE
}

/// `\r\n` and lone `\r` become `\n`, so that line-based context reads the same for every
/// platform's files.
fn normalise_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn encoding_label(encoding: &'static Encoding, bom: bool) -> String {
    let name = if encoding == UTF_16LE {
        "UTF-16LE"
    } else if encoding == UTF_16BE {
        "UTF-16BE"
    } else if encoding == GB18030 {
        "GB18030"
    } else {
        "UTF-8"
    };
    if bom && encoding == UTF_8 {
        "UTF-8 with BOM".to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn fixture(name: &str) -> Option<Vec<u8>> {
        let path = format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).ok()
    }

    fn body(doc: &ExtractedDocument) -> String {
        doc.segments
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn encoding_of(doc: &ExtractedDocument) -> Option<&str> {
        doc.metadata
            .iter()
            .find(|m| m.key == "encoding")
            .map(|m| m.value.as_str())
    }

    #[test]
    fn detects_each_supported_encoding() {
        let text = "密级：机密 (S//NF) Falcon Ridge";
        let (gbk, _, bad) = GB18030.encode(text);
        assert!(!bad);
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let bom8: Vec<u8> = [0xEF, 0xBB, 0xBF]
            .iter()
            .copied()
            .chain(text.bytes())
            .collect();
        let cases: [(&[u8], &str); 5] = [
            (text.as_bytes(), "UTF-8"),
            (&bom8, "UTF-8 with BOM"),
            (&utf16le, "UTF-16LE"),
            (&utf16be, "UTF-16BE"),
            (&gbk, "GB18030"),
        ];
        for (bytes, expected) in cases {
            let doc = extract(bytes, &Limits::default()).unwrap();
            assert_eq!(encoding_of(&doc), Some(expected));
            assert_eq!(body(&doc), text, "{expected} must decode to the same text");
        }
    }

    #[test]
    fn rejects_binary_and_accepts_near_misses() {
        assert!(!looks_like_text(b""), "empty is not text");
        assert!(!looks_like_text(b"abc\0def"), "a NUL makes it binary");
        assert!(
            !looks_like_text(&[0x01, 0x02, 0x03, b'a', 0x04, 0x05]),
            "control characters"
        );
        assert!(
            !looks_like_text(&[0x80, 0xFF, 0x00, 0x81]),
            "neither UTF-8 nor GB18030"
        );
        assert!(
            looks_like_text(b"line one\r\n\tline two\x0c"),
            "layout controls are text"
        );
        assert!(looks_like_text("密级".as_bytes()));
        assert!(matches!(
            extract(b"\x00\x01\x02", &Limits::default()),
            Err(ExtractError::Corrupt { .. })
        ));
    }

    #[test]
    fn a_multibyte_char_cut_by_the_sniff_window_is_still_text() {
        let mut bytes = vec![b'a'; SNIFF_BYTES - 1];
        bytes.extend("机密".as_bytes());
        assert!(
            looks_like_text(&bytes),
            "the window ends inside a UTF-8 sequence"
        );
        let doc = extract(&bytes, &Limits::default()).unwrap();
        assert_eq!(encoding_of(&doc), Some("UTF-8"));
    }

    #[test]
    fn truncates_at_the_char_limit_with_a_warning() {
        let limits = Limits {
            max_text_chars: 3,
            ..Limits::default()
        };
        let doc = extract("机密文件".as_bytes(), &limits).unwrap();
        assert_eq!(body(&doc), "机密文");
        assert_eq!(doc.warnings.len(), 1);
    }

    #[test]
    fn normalises_line_endings() {
        let doc = extract(b"a\r\nb\rc\n", &Limits::default()).unwrap();
        assert_eq!(body(&doc), "a\nb\nc\n");
    }

    #[test]
    fn reads_the_gbk_fixture() {
        let Some(bytes) = fixture("notice-gbk.txt") else {
            eprintln!("skipped: fixtures/notice-gbk.txt not generated");
            return;
        };
        let doc = extract(&bytes, &Limits::default()).unwrap();
        assert_eq!(encoding_of(&doc), Some("GB18030"));
        assert_eq!(
            crate::sniff(&bytes),
            Some(Format::Text),
            "GBK without a BOM is sniffed as text"
        );
        let text = body(&doc);
        for planted in [
            "密级：机密",
            "北纬40度30分 东经89度27分",
            "联系电话 13812345678",
        ] {
            assert!(text.contains(planted), "missing {planted:?}");
        }
    }

    #[test]
    fn reads_the_utf16_fixture() {
        let Some(bytes) = fixture("notice-utf16.txt") else {
            eprintln!("skipped: fixtures/notice-utf16.txt not generated");
            return;
        };
        let doc = extract(&bytes, &Limits::default()).unwrap();
        assert_eq!(encoding_of(&doc), Some("UTF-16LE"));
        assert!(body(&doc).contains("(S//NF) Falcon Ridge"));
        assert_eq!(crate::sniff(&bytes), Some(Format::Text));
    }
}
