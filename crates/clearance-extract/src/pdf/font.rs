//! Fonts as the interpreter needs them: code bytes → (Unicode text, advance width).
//!
//! A font is loaded once per document and its code → text results are kept (a table for
//! simple fonts, a bounded memo for CMap lookups), so showing a glyph costs no allocation.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object};

use super::cmap::{Predefined, ToUnicode};
use super::encoding::{glyph_name_to_text, BaseEncoding};
use super::streams;

/// Most explicit CID widths kept per font.
const MAX_WIDTH_ENTRIES: usize = 100_000;

/// Most CMap lookups remembered per font.
const MAX_MEMO: usize = 1 << 16;

/// A code's text and whether it is trusted (see [`Code::trusted`]).
type CodeText = (Option<Rc<str>>, bool);

/// One decoded character code.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Code {
    /// Its Unicode text, or `None` when the font gives no way to know it.
    pub text: Option<Rc<str>>,
    /// The text came from a source that names the char (ToUnicode, a standard encoding or
    /// a known glyph name, a predefined CMap), not from a guess about the font program.
    pub trusted: bool,
    /// Advance in text space units per unit of font size (em fraction).
    pub width: f64,
    /// Single-byte code 32: word spacing applies.
    pub is_space: bool,
}

#[derive(Debug)]
enum Kind {
    Simple {
        /// Text per code 0..=255 and whether it is trusted.
        codes: Vec<CodeText>,
        /// Width per code in em, `None` when not given.
        widths: Vec<Option<f64>>,
        missing: f64,
    },
    Composite {
        charset: Predefined,
        /// Code space from an embedded CMap stream, when the encoding is one.
        embedded: Option<ToUnicode>,
        widths: HashMap<u32, f64>,
        ranges: Vec<(u32, u32, f64)>,
        default_width: f64,
        /// CID → glyph id (`None`: identity) and glyph id → char from the embedded TrueType
        /// font, for Identity fonts without ToUnicode.
        cid_to_gid: Option<Vec<u8>>,
        glyph_chars: HashMap<u16, char>,
    },
}

/// A font of a page's resources.
#[derive(Debug)]
pub(crate) struct Font {
    kind: Kind,
    to_unicode: Option<ToUnicode>,
    /// Vertical writing mode (`-V` CMaps, WMode 1).
    pub vertical: bool,
    /// Glyph height relative to the font size (differs from 1 only for Type3 fonts).
    pub height_scale: f64,
    /// CMap lookups already made: (code length, code) → (text, trusted).
    memo: RefCell<HashMap<(u8, u32), CodeText>>,
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).map(|(_, o)| o).unwrap_or(o)
}

fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().map(|o| deref(doc, o))
}

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

impl Font {
    /// Reads a font dictionary. Never fails: what cannot be read is left unknown, so the text
    /// comes out as U+FFFD and the page is flagged rather than silently dropped.
    pub(crate) fn load(doc: &Document, dict: &Dictionary, cap: u64) -> Font {
        let to_unicode = get(doc, dict, b"ToUnicode")
            .and_then(|o| o.as_stream().ok())
            .and_then(|s| streams::decoded(s, cap).ok())
            .map(|d| ToUnicode::parse(&d))
            .filter(|m| !m.is_empty());
        let subtype = get(doc, dict, b"Subtype")
            .and_then(|o| o.as_name().ok())
            .unwrap_or_default();
        if subtype == b"Type0" {
            return Font::composite(doc, dict, to_unicode, cap);
        }
        let font_matrix: Vec<f64> = get(doc, dict, b"FontMatrix")
            .and_then(|o| o.as_array().ok())
            .map(|a| a.iter().filter_map(number).collect())
            .unwrap_or_default();
        let (width_scale, height_scale) = match (subtype, font_matrix.as_slice()) {
            (b"Type3", [a, _, _, d, ..]) if a.is_finite() && d.is_finite() => {
                (*a, (d / 0.001).abs())
            }
            _ => (0.001, 1.0),
        };
        let descriptor = get(doc, dict, b"FontDescriptor").and_then(|o| o.as_dict().ok());
        let flags = descriptor
            .and_then(|d| get(doc, d, b"Flags"))
            .and_then(number)
            .unwrap_or(0.0) as i64;
        let base_font = get(doc, dict, b"BaseFont")
            .and_then(|o| o.as_name().ok())
            .unwrap_or_default();
        let symbolic = flags & 4 != 0 && flags & 32 == 0
            || base_font.ends_with(b"Symbol")
            || base_font.ends_with(b"Dingbats");
        let default_base = if symbolic {
            BaseEncoding::Builtin
        } else if subtype == b"TrueType" {
            BaseEncoding::WinAnsi
        } else {
            BaseEncoding::Standard
        };
        let mut codes: Vec<CodeText> = Vec::with_capacity(256);
        let encoding = get(doc, dict, b"Encoding");
        let named = match encoding {
            Some(Object::Name(n)) => BaseEncoding::from_name(n),
            Some(Object::Dictionary(d)) => get(doc, d, b"BaseEncoding")
                .and_then(|o| o.as_name().ok())
                .and_then(BaseEncoding::from_name),
            _ => None,
        };
        let base = named.unwrap_or(default_base);
        // The base encoding names the chars when the file names it, or when no font program
        // is embedded (a standard font read through its standard encoding). An embedded
        // program without a named encoding brings its own, which only pdf-extract reads.
        let embedded_program = descriptor.is_some_and(|d| {
            [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
                .iter()
                .any(|k| d.has(k))
        });
        let base_trusted = subtype != b"Type3"
            && !symbolic
            && base != BaseEncoding::Builtin
            && (named.is_some() || !embedded_program);
        for code in 0..=255u8 {
            let text = base.decode(code).map(|c| Rc::from(c.to_string()));
            let trusted = base_trusted && text.is_some();
            codes.push((text, trusted));
        }
        if let Some(Object::Dictionary(d)) = encoding {
            if let Some(Object::Array(diffs)) = get(doc, d, b"Differences") {
                let mut code: usize = 0;
                for item in diffs {
                    match deref(doc, item) {
                        Object::Integer(i) => code = usize::try_from(*i).unwrap_or(usize::MAX),
                        Object::Name(name) => {
                            if let Some(slot) = codes.get_mut(code) {
                                let known = glyph_name_to_text(&String::from_utf8_lossy(name));
                                // Type3 glyph names are private drawing names (/square, /a1);
                                // their codes are usually the text itself, as poppler assumes.
                                // Elsewhere an unknown name stays visibly unknown.
                                *slot = match known {
                                    Some(t) => (Some(Rc::from(t)), subtype != b"Type3"),
                                    None if subtype == b"Type3" => (slot.0.take(), false),
                                    None => (Some(Rc::from("\u{FFFD}")), false),
                                };
                            }
                            code = code.saturating_add(1);
                        }
                        _ => {}
                    }
                }
            }
        }
        let first = get(doc, dict, b"FirstChar").and_then(number).unwrap_or(0.0);
        let mut widths = vec![None; 256];
        if let Some(Object::Array(ws)) = get(doc, dict, b"Widths") {
            for (k, w) in ws.iter().enumerate() {
                let idx = first + k as f64;
                if !(0.0..256.0).contains(&idx) {
                    continue;
                }
                if let (Some(slot), Some(w)) = (widths.get_mut(idx as usize), number(deref(doc, w)))
                {
                    *slot = Some(w * width_scale);
                }
            }
        }
        let missing = descriptor
            .and_then(|d| get(doc, d, b"MissingWidth"))
            .and_then(number)
            .filter(|w| *w > 0.0)
            .map_or(0.5, |w| w * width_scale);
        Font {
            kind: Kind::Simple {
                codes,
                widths,
                missing,
            },
            to_unicode,
            vertical: false,
            height_scale,
            memo: RefCell::default(),
        }
    }

    fn composite(
        doc: &Document,
        dict: &Dictionary,
        to_unicode: Option<ToUnicode>,
        cap: u64,
    ) -> Font {
        let (charset, vertical, embedded) = match get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) => {
                let (c, v) =
                    Predefined::from_name(n).unwrap_or((Predefined::Identity, n.ends_with(b"-V")));
                (c, v, None)
            }
            Some(Object::Stream(s)) => {
                let vertical = get(doc, &s.dict, b"WMode").and_then(number) == Some(1.0);
                let parent = get(doc, &s.dict, b"UseCMap")
                    .and_then(|o| o.as_name().ok())
                    .and_then(Predefined::from_name);
                let map = streams::decoded(s, cap).ok().map(|d| ToUnicode::parse(&d));
                match parent {
                    Some((c, v)) => (c, v || vertical, map),
                    None => (Predefined::Identity, vertical, map),
                }
            }
            _ => (Predefined::Identity, false, None),
        };
        let descendant = get(doc, dict, b"DescendantFonts")
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|o| deref(doc, o).as_dict().ok());
        let default_width = descendant
            .and_then(|d| get(doc, d, b"DW"))
            .and_then(number)
            .unwrap_or(1000.0)
            / 1000.0;
        let mut widths = HashMap::new();
        let mut ranges = Vec::new();
        if let Some(Object::Array(w)) = descendant.and_then(|d| get(doc, d, b"W")) {
            let mut i = 0;
            while let Some(first) = w.get(i).map(|o| deref(doc, o)).and_then(number) {
                let first = first.max(0.0) as u32;
                match w.get(i + 1).map(|o| deref(doc, o)) {
                    Some(Object::Array(list)) => {
                        for (k, v) in list.iter().enumerate() {
                            if widths.len() >= MAX_WIDTH_ENTRIES {
                                break;
                            }
                            if let Some(v) = number(deref(doc, v)) {
                                widths.insert(first.saturating_add(k as u32), v / 1000.0);
                            }
                        }
                        i += 2;
                    }
                    Some(o) => {
                        let last = number(o).unwrap_or(0.0).max(0.0) as u32;
                        let width = w
                            .get(i + 2)
                            .map(|o| deref(doc, o))
                            .and_then(number)
                            .unwrap_or(1000.0);
                        if ranges.len() < MAX_WIDTH_ENTRIES {
                            ranges.push((first, last, width / 1000.0));
                        }
                        i += 3;
                    }
                    None => break,
                }
            }
        }
        let mut cid_to_gid = None;
        let mut glyph_chars = HashMap::new();
        if charset == Predefined::Identity && to_unicode.is_none() {
            if let Some(desc) = descendant {
                if let Some(Object::Stream(s)) = get(doc, desc, b"CIDToGIDMap") {
                    cid_to_gid = streams::decoded(s, 1 << 20).ok();
                }
                let file = get(doc, desc, b"FontDescriptor")
                    .and_then(|o| o.as_dict().ok())
                    .and_then(|d| get(doc, d, b"FontFile2"))
                    .and_then(|o| o.as_stream().ok())
                    .and_then(|s| streams::decoded(s, cap).ok());
                if let Some(file) = file {
                    glyph_chars = super::truetype::glyph_to_unicode(&file);
                }
            }
        }
        Font {
            kind: Kind::Composite {
                charset,
                embedded,
                widths,
                ranges,
                default_width,
                cid_to_gid,
                glyph_chars,
            },
            to_unicode,
            vertical,
            height_scale: 1.0,
            memo: RefCell::default(),
        }
    }

    /// Splits a shown string into codes with their text and widths.
    #[cfg(test)]
    pub(crate) fn decode(&self, bytes: &[u8]) -> Vec<Code> {
        let mut out = Vec::new();
        self.decode_into(bytes, &mut out);
        out
    }

    /// Like `decode`, appending to `out` (cleared first) so the caller reuses one buffer.
    pub(crate) fn decode_into(&self, bytes: &[u8], out: &mut Vec<Code>) {
        out.clear();
        match &self.kind {
            Kind::Simple {
                codes,
                widths,
                missing,
            } => {
                let mut i = 0;
                while i < bytes.len() {
                    let rest = bytes.get(i..).unwrap_or_default();
                    // A ToUnicode map may declare 2-byte codes even for simple fonts; more
                    // often it declares a 2-byte code space around 1-byte entries, so a
                    // longer code is taken only when the map has it.
                    let (len, mapped) = match &self.to_unicode {
                        Some(m) => {
                            let len = m.code_len(rest, 1).clamp(1, 4);
                            let long = (len > 1)
                                .then(|| rest.get(..len))
                                .flatten()
                                .and_then(|b| self.memo_lookup(m, len, code_value(b)));
                            match long {
                                Some(t) => (len, Some(t)),
                                None => (
                                    1,
                                    self.memo_lookup(
                                        m,
                                        1,
                                        code_value(rest.get(..1).unwrap_or(rest)),
                                    ),
                                ),
                            }
                        }
                        None => (1, None),
                    };
                    let code_bytes = rest.get(..len).unwrap_or(rest);
                    let byte = *code_bytes.last().unwrap_or(&0);
                    let (text, trusted) = match mapped {
                        Some(t) => (Some(t), true),
                        None => codes.get(usize::from(byte)).cloned().unwrap_or_default(),
                    };
                    let width = widths
                        .get(usize::from(byte))
                        .copied()
                        .flatten()
                        .unwrap_or(*missing);
                    out.push(Code {
                        text,
                        trusted,
                        width,
                        is_space: len == 1 && byte == 32,
                    });
                    i += code_bytes.len().max(1);
                }
            }
            Kind::Composite {
                charset,
                embedded,
                widths,
                ranges,
                default_width,
                cid_to_gid,
                glyph_chars,
            } => {
                let mut i = 0;
                while i < bytes.len() {
                    let rest = bytes.get(i..).unwrap_or_default();
                    let len = match (embedded, &self.to_unicode) {
                        (Some(m), _) if *charset == Predefined::Identity => m.code_len(rest, 2),
                        (_, Some(m)) if *charset == Predefined::Identity => m.code_len(rest, 2),
                        _ => charset.code_len(rest),
                    }
                    .clamp(1, 4);
                    let code_bytes = rest.get(..len).unwrap_or(rest);
                    let code = code_value(code_bytes);
                    let (text, trusted) =
                        self.composite_text(*charset, code_bytes, code, cid_to_gid, glyph_chars);
                    let width = if *charset == Predefined::Identity {
                        widths
                            .get(&code)
                            .copied()
                            .or_else(|| {
                                ranges
                                    .iter()
                                    .find(|(lo, hi, _)| code >= *lo && code <= *hi)
                                    .map(|r| r.2)
                            })
                            .unwrap_or(*default_width)
                    } else if code_bytes.len() == 1 {
                        // Predefined CMaps map single bytes to proportional Latin glyphs; the
                        // CID is unknown without Adobe's tables, so take half an em.
                        0.5
                    } else {
                        *default_width
                    };
                    out.push(Code {
                        text,
                        trusted,
                        width,
                        is_space: len == 1 && code == 32,
                    });
                    i += code_bytes.len().max(1);
                }
            }
        }
    }

    /// A ToUnicode lookup, remembered.
    fn memo_lookup(&self, map: &ToUnicode, len: usize, code: u32) -> Option<Rc<str>> {
        let key = (u8::try_from(len).unwrap_or(u8::MAX), code);
        if let Some((t, _)) = self.memo.borrow().get(&key) {
            return t.clone();
        }
        let t: Option<Rc<str>> = map.lookup(len, code).map(Rc::from);
        self.remember(key, (t.clone(), t.is_some()));
        t
    }

    fn remember(&self, key: (u8, u32), value: CodeText) {
        let mut memo = self.memo.borrow_mut();
        if memo.len() < MAX_MEMO {
            memo.insert(key, value);
        }
    }

    /// Text of a composite font's code: ToUnicode, the predefined CMap's charset, or the
    /// embedded TrueType program's cmap (a guess: not trusted).
    fn composite_text(
        &self,
        charset: Predefined,
        code_bytes: &[u8],
        code: u32,
        cid_to_gid: &Option<Vec<u8>>,
        glyph_chars: &HashMap<u16, char>,
    ) -> CodeText {
        let key = (u8::try_from(code_bytes.len()).unwrap_or(u8::MAX), code);
        if let Some(hit) = self.memo.borrow().get(&key) {
            return hit.clone();
        }
        let named = self
            .to_unicode
            .as_ref()
            .and_then(|m| m.lookup(code_bytes.len(), code))
            .or_else(|| charset.decode(code_bytes));
        let value = match named {
            Some(t) => (Some(Rc::from(t)), true),
            None => {
                let guess = (|| {
                    let gid = match cid_to_gid {
                        Some(map) => {
                            let at = usize::try_from(code).ok()?.checked_mul(2)?;
                            u16::from_be_bytes([*map.get(at)?, *map.get(at + 1)?])
                        }
                        None => u16::try_from(code).ok()?,
                    };
                    glyph_chars.get(&gid).map(|c| Rc::from(c.to_string()))
                })();
                (guess, false)
            }
        };
        self.remember(key, value.clone());
        value
    }
}

fn code_value(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| acc << 8 | u32::from(b))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;
    use lopdf::dictionary;

    #[test]
    fn simple_font_with_differences_and_widths() {
        let doc = Document::with_version("1.5");
        let dict = dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "FirstChar" => 65, "Widths" => vec![Object::Integer(667), Object::Integer(600)],
            "Encoding" => dictionary! {
                "BaseEncoding" => "WinAnsiEncoding",
                "Differences" => vec![Object::Integer(66), Object::Name(b"uni673A".to_vec()), Object::Name(b"g7".to_vec())],
            },
        };
        let font = Font::load(&doc, &dict, 1 << 20);
        let codes = font.decode(b"AB C\x93");
        let texts: Vec<_> = codes
            .iter()
            .map(|c| c.text.as_deref().unwrap_or_default().to_string())
            .collect();
        assert_eq!(texts, ["A", "机", " ", "\u{FFFD}", "“"]);
        let trusted: Vec<bool> = codes.iter().map(|c| c.trusted).collect();
        assert_eq!(
            trusted,
            [true, true, true, false, true],
            "g7 is not a known name"
        );
        assert!((codes[0].width - 0.667).abs() < 1e-9);
        assert!(
            (codes[2].width - 0.5).abs() < 1e-9,
            "a missing width is half an em"
        );
        assert!(codes[2].is_space && !codes[0].is_space);
    }

    #[test]
    fn simple_font_keeps_one_byte_codes_under_a_two_byte_code_space() {
        let doc = Document::with_version("1.5");
        let cmap = b"begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange \
            3 beginbfchar <6E> <006E> <B0> <00B0> <6EB0> <0041> endbfchar endcmap";
        let to_unicode = lopdf::Stream::new(dictionary! {}, cmap.to_vec());
        let dict = dictionary! {
            "Subtype" => "TrueType", "BaseFont" => "ABCDEF+ArialMT",
            "Encoding" => "WinAnsiEncoding", "ToUnicode" => Object::Stream(to_unicode),
        };
        let font = Font::load(&doc, &dict, 1 << 20);
        let text = |b: &[u8]| -> String {
            font.decode(b)
                .iter()
                .filter_map(|c| c.text.as_deref())
                .collect()
        };
        assert_eq!(text(b"\x6E\xB0"), "A", "a 2-byte code the map has");
        assert_eq!(text(b"\xB0\x6E"), "\u{B0}n", "1-byte codes the map has");
        assert!(font.decode(b"nn").iter().all(|c| c.trusted));
    }

    #[test]
    fn only_named_encodings_are_trusted() {
        let doc = Document::with_version("1.5");
        let embedded = dictionary! { "FontFile3" => Object::Reference((9, 0)), "Flags" => 32 };
        let cases = [
            // (font dictionary, trusted)
            (
                dictionary! { "Subtype" => "Type1", "BaseFont" => "Helvetica" },
                true,
            ),
            (
                dictionary! { "Subtype" => "Type1", "BaseFont" => "ABCDEF+Minion",
                "FontDescriptor" => Object::Dictionary(embedded.clone()) },
                false,
            ),
            (
                dictionary! { "Subtype" => "Type1", "BaseFont" => "ABCDEF+Minion",
                "Encoding" => "WinAnsiEncoding",
                "FontDescriptor" => Object::Dictionary(embedded) },
                true,
            ),
            (
                dictionary! { "Subtype" => "Type1", "BaseFont" => "Symbol" },
                false,
            ),
            (
                dictionary! { "Subtype" => "Type3", "Encoding" => "WinAnsiEncoding" },
                false,
            ),
        ];
        for (dict, want) in cases {
            let font = Font::load(&doc, &dict, 1 << 20);
            let got = font.decode(b"Ab").iter().all(|c| c.trusted);
            assert_eq!(got, want, "{dict:?}");
        }
    }

    #[test]
    fn type0_with_predefined_cmap() {
        let doc = Document::with_version("1.5");
        let dict = dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light",
            "Encoding" => "GBK-EUC-V",
            "DescendantFonts" => vec![Object::Dictionary(dictionary! { "Subtype" => "CIDFontType0", "DW" => 1000 })],
        };
        let font = Font::load(&doc, &dict, 1 << 20);
        assert!(font.vertical);
        let codes = font.decode(&[0xBB, 0xFA, b'5', 0xC3, 0xDC]);
        let text: String = codes.iter().filter_map(|c| c.text.as_deref()).collect();
        assert_eq!(text, "机5密");
        assert!(
            codes.iter().all(|c| c.trusted),
            "a predefined CMap names its chars"
        );
        assert_eq!(
            codes.iter().map(|c| c.width).collect::<Vec<_>>(),
            [1.0, 0.5, 1.0]
        );
    }

    #[test]
    fn identity_font_uses_w_array() {
        let doc = Document::with_version("1.5");
        let dict = dictionary! {
            "Subtype" => "Type0", "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Dictionary(dictionary! {
                "DW" => 900,
                "W" => vec![Object::Integer(3), Object::Array(vec![Object::Integer(250), Object::Integer(300)]),
                            Object::Integer(10), Object::Integer(20), Object::Integer(700)],
            })],
        };
        let font = Font::load(&doc, &dict, 1 << 20);
        let codes = font.decode(&[0, 3, 0, 4, 0, 15, 0, 99]);
        assert_eq!(
            codes.iter().map(|c| c.width).collect::<Vec<_>>(),
            [0.25, 0.3, 0.7, 0.9]
        );
        assert!(
            codes.iter().all(|c| c.text.is_none() && !c.trusted),
            "no ToUnicode: text is unknown, not guessed"
        );
    }
}
