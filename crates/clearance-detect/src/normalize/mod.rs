//! Text normalisation with a map back to the original bytes.
//!
//! Every detector matches on one normalised form of a segment so that variants of the same
//! mark match the same rule: NFKC (full-width `ＳＥＣＲＥＴ` and `：` become ASCII), Traditional
//! to Simplified Chinese, non-ASCII letters lower-cased (ASCII case is kept because markings
//! such as `SECRET//NOFORN` are told from prose by their case; matchers that ignore case do so
//! themselves), letter-spaced CJK collapsed (`机　密` -> `机密`), line wraps joined (`TOP\nSECRET`
//! -> `TOP SECRET`, `Night-\njar` -> `Nightjar`, `夜鹰\n工程` -> `夜鹰工程`) and every other run
//! of whitespace reduced to one space (a blank line, i.e. a paragraph break, stays `\n`).
//!
//! The normalised text is built once per segment together with a sparse offset map (an
//! anchor wherever the two texts stop advancing in lockstep), so ASCII runs are copied in bulk
//! and a match in the normalised text maps back to an original span that starts and ends on
//! char boundaries.

mod t2s;
mod t2s_table;

use std::cell::OnceCell;

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

pub use t2s::to_simplified;

use clearance_model::Source;

use crate::bmp_set::pass_three_byte;
use crate::pattern::TriggerScan;

/// A segment's text prepared for matching: original, normalised, and the map between them.
pub struct Prepared<'a> {
    original: &'a str,
    norm: String,
    /// Sparse offset map: `(normalised offset, original offset)` pairs, sorted. Between two
    /// anchors both texts advance byte for byte (ASCII, CJK converted char for char), so a
    /// normalised offset maps to `orig + (i - norm)` of the anchor at or before it.
    anchors: Vec<(u32, u32)>,
    /// Trigger positions of the built-in pattern rules, computed on first use and shared by
    /// every built-in pattern detector.
    scan: OnceCell<TriggerScan>,
    /// Where the text came from: some rules apply to OCR output only.
    source: Source,
}

/// ASCII whitespace as `char::is_whitespace` sees it.
fn ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

impl<'a> Prepared<'a> {
    /// Normalises `original`, text of a document's body.
    pub fn new(original: &'a str) -> Prepared<'a> {
        Prepared::with_source(original, Source::Body)
    }

    /// Normalises `original`, text from `source`.
    pub fn with_source(original: &'a str, source: Source) -> Prepared<'a> {
        let mut b = Builder {
            out: String::with_capacity(original.len()),
            anchors: Vec::new(),
            pending: None,
        };
        let bytes = original.as_bytes();
        let stable = t2s::stable_bits();
        let mut i = 0;
        while let Some(&c) = bytes.get(i) {
            if c < 0x80 {
                if ascii_space(c) {
                    b.space(c == b'\n', i);
                    i += 1;
                    continue;
                }
                // A run of ASCII words separated by single spaces is already normal: copy it.
                let s = i;
                let word = |x: u8| x < 0x80 && !ascii_space(x);
                // Eight bytes at a time while they are printable ASCII with single spaces,
                // one byte at a time where they are not (line ends, punctuation runs).
                loop {
                    while let Some(chunk) = bytes.get(i..i + 8) {
                        let mut w = [0u8; 8];
                        w.copy_from_slice(chunk);
                        if !plain8(u64::from_le_bytes(w)) {
                            break;
                        }
                        i += 8;
                    }
                    match bytes.get(i) {
                        Some(&x)
                            if word(x)
                                || (x == b' '
                                    && i > s
                                    && bytes.get(i + 1).is_some_and(|&y| word(y))) =>
                        {
                            i += 1;
                        }
                        _ => break,
                    }
                }
                if let Some(run) = original.get(s..i) {
                    b.push_str(run, s);
                }
                continue;
            }
            // Three-byte chars that normalise to themselves (Han ideographs that are not
            // Traditional forms, CJK punctuation): runs of them are copied in bulk.
            if c & 0xF0 == 0xE0 {
                let s = i;
                i = pass_three_byte(bytes, i, stable, true);
                if i > s {
                    if let Some(run) = original.get(s..i) {
                        b.push_str(run, s);
                    }
                    continue;
                }
            }
            let Some(ch) = original.get(i..).and_then(|t| t.chars().next()) else {
                break;
            };
            convert(ch, |d| b.feed(d, i));
            i += ch.len_utf8();
        }
        Prepared {
            original,
            norm: b.out,
            anchors: b.anchors,
            scan: OnceCell::new(),
            source,
        }
    }

    /// Where the text came from.
    pub fn source(&self) -> Source {
        self.source
    }

    /// The original text.
    pub fn original(&self) -> &'a str {
        self.original
    }

    /// The normalised text that detectors match on.
    pub fn text(&self) -> &str {
        &self.norm
    }

    /// Original offset of the char starting at normalised offset `i`.
    fn map(&self, i: usize) -> usize {
        let olen = self.original.len();
        if i >= self.norm.len() {
            return olen;
        }
        let k = self.anchors.partition_point(|&(n, _)| n as usize <= i);
        let Some(&(n, o)) = k.checked_sub(1).and_then(|k| self.anchors.get(k)) else {
            return 0;
        };
        (o as usize + (i - n as usize)).min(olen)
    }

    /// Maps a normalised byte range to the original byte range it came from. Offsets past
    /// the end are clamped; the result always lies on char boundaries of the original text.
    pub fn to_original(&self, start: usize, end: usize) -> (usize, usize) {
        let floor_orig = |mut o: usize| {
            while o > 0 && !self.original.is_char_boundary(o) {
                o -= 1;
            }
            o
        };
        let s = floor_orig(self.map(crate::pattern::floor_char(&self.norm, start)));
        if end <= start {
            return (s, s);
        }
        let last = floor_orig(self.map(crate::pattern::floor_char(&self.norm, end - 1)));
        let last_len = self
            .original
            .get(last..)
            .and_then(|t| t.chars().next())
            .map_or(0, char::len_utf8);
        (s, (last + last_len).max(s))
    }

    /// The original text of a normalised range.
    pub fn original_of(&self, start: usize, end: usize) -> &'a str {
        let (s, e) = self.to_original(start, end);
        self.original.get(s..e).unwrap_or("")
    }

    /// The cached trigger scan, computed by `f` on first use.
    pub(crate) fn scan(&self, f: impl FnOnce(&str) -> TriggerScan) -> &TriggerScan {
        self.scan.get_or_init(|| f(&self.norm))
    }
}

/// True when eight bytes (little-endian word) are printable ASCII or single spaces, with no
/// space last: such a chunk normalises to itself.
fn plain8(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    if w & HIGH != 0 || w.wrapping_sub(ONES * 0x20) & !w & HIGH != 0 {
        return false; // non-ASCII or a control char (\n, \t, \r...)
    }
    let x = w ^ (ONES * 0x20);
    let spaces = !(((x & LOW7) + LOW7) | x) & HIGH;
    spaces & (spaces >> 8) == 0 && spaces & (1 << 63) == 0
}

/// Normalises a short string (a watchlist term) exactly as segment text is normalised.
pub fn normalize(text: &str) -> String {
    Prepared::new(text).norm
}

/// True for chars between which a space is not a word separator: Han ideographs, CJK
/// punctuation and the star of Chinese classification marks.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3001..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0x20000..=0x3FFFF | 0x2605 | 0x2606)
}

/// Feeds the normalised form of one non-ASCII char to `emit` (zero, one or more chars).
fn convert(c: char, mut emit: impl FnMut(char)) {
    let u = c as u32;
    match u {
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => emit(to_simplified(c)),
        // Full-width ASCII: NFKC would give the same, this is the fast path.
        0xFF01..=0xFF5E => emit(char::from_u32(u - 0xFEE0).unwrap_or(c)),
        0x3000 => emit(' '),
        // CJK punctuation (、。《》「」【】...) is NFKC-stable.
        0x3001..=0x3035 => emit(c),
        // Zero-width and soft-hyphen chars split words without showing; drop them.
        0x00AD | 0x200B..=0x200D | 0x2060 | 0xFEFF => {}
        _ => {
            if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
                lower(c, &mut emit);
            } else {
                for d in std::iter::once(c).nfkc() {
                    let d = if is_cjk(d) { to_simplified(d) } else { d };
                    lower(d, &mut emit);
                }
            }
        }
    }
}

/// Lower-cases non-ASCII letters (ASCII case is kept, see the module docs).
fn lower(c: char, emit: &mut impl FnMut(char)) {
    if c.is_ascii() || !c.is_uppercase() {
        emit(c);
    } else {
        c.to_lowercase().for_each(emit);
    }
}

struct Builder {
    out: String,
    anchors: Vec<(u32, u32)>,
    /// A whitespace run not yet written: original offset of its first char, and how many
    /// line feeds it holds.
    pending: Option<(usize, u32)>,
}

fn to_u32(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

impl Builder {
    /// Adds an anchor unless `o` is where the current run of lockstep bytes already puts it.
    fn anchor(&mut self, o: usize) {
        let n = self.out.len();
        let expected = self
            .anchors
            .last()
            .map(|&(an, ao)| ao as usize + (n - an as usize));
        if expected != Some(o) {
            self.anchors.push((to_u32(n), to_u32(o)));
        }
    }

    fn push(&mut self, c: char, o: usize) {
        self.anchor(o);
        self.out.push(c);
    }

    fn push_str(&mut self, s: &str, o: usize) {
        if let (Some((ws, newlines)), Some(first)) = (self.pending.take(), s.chars().next()) {
            self.resolve_space(ws, newlines, first);
        }
        self.anchor(o);
        self.out.push_str(s);
    }

    fn space(&mut self, newline: bool, o: usize) {
        let p = self.pending.get_or_insert((o, 0));
        if newline {
            p.1 += 1;
        }
    }

    fn feed(&mut self, c: char, o: usize) {
        if c.is_whitespace() {
            self.space(c == '\n' || c == '\u{2028}' || c == '\u{2029}', o);
            return;
        }
        if let Some((ws, newlines)) = self.pending.take() {
            self.resolve_space(ws, newlines, c);
        }
        self.push(c, o);
    }

    /// Decides what a whitespace run before `next` becomes.
    fn resolve_space(&mut self, ws: usize, newlines: u32, next: char) {
        let mut tail = self.out.chars().rev();
        let Some(prev) = tail.next() else {
            return; // leading whitespace
        };
        if newlines >= 2 {
            self.push('\n', ws);
        } else if is_cjk(prev) && is_cjk(next) {
            // letter-spaced CJK or a line wrap inside Chinese text
        } else if newlines == 1 && prev == '-' && tail.next().is_some_and(char::is_alphanumeric) {
            if next.is_alphabetic() {
                // a word hyphenated at the line end: drop the hyphen and join
                self.out.pop();
                // the anchor list still maps correctly: later text adds its own anchor
            } else if !next.is_alphanumeric() {
                self.push(' ', ws);
            }
            // `DDG-\n1000` keeps its hyphen and loses the line break
        } else {
            self.push(' ', ws);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Prepared::new(s).text().to_string()
    }

    #[test]
    fn normalises_variants_to_one_form() {
        let table = [
            ("ＴＯＰ　ＳＥＣＲＥＴ", "TOP SECRET"),
            ("TOP\nSECRET//NOFORN", "TOP SECRET//NOFORN"),
            ("Project Night-\njar", "Project Nightjar"),
            ("well-known", "well-known"),
            ("DDG-\n1000", "DDG-1000"),
            ("夜鹰\n工程", "夜鹰工程"),
            ("机　密", "机密"),
            ("机 密 ★ 5年", "机密★ 5年"),
            ("機密", "机密"),
            ("密级：机密", "密级:机密"),
            ("（机密）", "(机密)"),
            ("a  \t b", "a b"),
            ("para one\n\npara two", "para one\npara two"),
            ("  lead", "lead"),
            ("ÉCOLE", "éCOLE"),
            ("ΣΟΦΊΑ", "σοφία"),
            ("Night\u{00AD}jar", "Nightjar"),
            ("①", "1"),
        ];
        for (input, want) in table {
            assert_eq!(norm(input), want, "normalising {input:?}");
        }
    }

    #[test]
    fn maps_normalised_spans_back_to_original_text() {
        let p = Prepared::new("x ＴＯＰ\nSECRET y");
        let t = p.text();
        let s = t.find("TOP SECRET").unwrap();
        assert_eq!(p.original_of(s, s + "TOP SECRET".len()), "ＴＯＰ\nSECRET");

        let p = Prepared::new("项目：夜鷹\n工程。");
        let t = p.text();
        let s = t.find("夜鹰工程").unwrap();
        assert_eq!(p.original_of(s, s + "夜鹰工程".len()), "夜鷹\n工程");

        let p = Prepared::new("Night-\njar");
        assert_eq!(p.text(), "Nightjar");
        assert_eq!(p.original_of(0, 8), "Night-\njar");
    }

    #[test]
    fn plain_chunks_are_exactly_those_that_need_no_change() {
        let w = |s: &[u8; 8]| plain8(u64::from_le_bytes(*s));
        assert!(w(b"abc def."));
        assert!(w(b" bc defg"));
        assert!(!w(b"abc  efg"), "double space");
        assert!(!w(b"abcdefg "), "space last");
        assert!(!w(b"abc\ndefg"[..8].try_into().unwrap()));
        assert!(!w(b"abc\tdefg"[..8].try_into().unwrap()));
        assert!(!w(&[b'a', b'b', 0xE6, 0x9C, 0xBA, b'c', b'd', b'e']));
        let long = "The quick brown fox jumps over the lazy dog, twice; and  then\nstops.";
        assert_eq!(
            norm(long),
            "The quick brown fox jumps over the lazy dog, twice; and then stops."
        );
    }

    #[test]
    fn chars_copied_in_bulk_are_those_that_convert_to_themselves() {
        // The bulk copy of three-byte chars must give what the char-by-char path gives.
        let stable = t2s::stable_bits();
        let mut copied = 0;
        for cp in 0x800u32..0x10000 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            if stable[(cp >> 6) as usize] & (1 << (cp & 63)) == 0 {
                continue;
            }
            copied += 1;
            let mut out = Vec::new();
            convert(c, |d| out.push(d));
            assert_eq!(out, vec![c], "U+{cp:04X}");
            assert!(!c.is_whitespace(), "U+{cp:04X}");
        }
        assert!(copied > 20_000, "{copied}");
        for (input, want) in [
            ("機密文件。", "机密文件。"),
            ("「绝密」、秘密", "「绝密」、秘密"),
        ] {
            assert_eq!(norm(input), want);
        }
    }

    #[test]
    fn out_of_range_offsets_clamp() {
        let p = Prepared::new("abc");
        assert_eq!(p.to_original(5, 9), (3, 3));
        assert_eq!(p.to_original(2, 1), (2, 2));
    }
}
