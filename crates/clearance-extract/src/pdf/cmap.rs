//! Character maps: ToUnicode CMaps embedded in fonts, and the predefined CJK CMaps of
//! composite fonts, which are decoded straight to Unicode through their legacy charsets.

use std::collections::HashMap;

/// Most entries kept from one ToUnicode CMap; a real one has at most ~65k.
const MAX_ENTRIES: usize = 200_000;

/// A parsed ToUnicode CMap.
#[derive(Debug, Default, Clone)]
pub(crate) struct ToUnicode {
    /// Code space ranges as (byte length, low, high).
    codespace: Vec<(u8, u32, u32)>,
    single: HashMap<(u8, u32), String>,
    /// (byte length, low, high, first destination as UTF-16 units) – the last unit increments.
    ranges: Vec<(u8, u32, u32, Vec<u16>)>,
}

impl ToUnicode {
    /// Parses the text of a CMap stream. Unknown operators and junk are skipped.
    pub(crate) fn parse(data: &[u8]) -> ToUnicode {
        let tokens = tokenize(data);
        let mut map = ToUnicode::default();
        let mut i = 0;
        let mut entries = 0usize;
        while let Some(tok) = tokens.get(i) {
            i += 1;
            let Token::Keyword(kw) = tok else { continue };
            match kw.as_slice() {
                b"begincodespacerange" => {
                    while let (Some(Token::Hex(lo)), Some(Token::Hex(hi))) =
                        (tokens.get(i), tokens.get(i + 1))
                    {
                        if let (Some(l), Some(h)) = (code_value(lo), code_value(hi)) {
                            map.codespace.push((lo.len() as u8, l, h));
                        }
                        i += 2;
                    }
                }
                b"beginbfchar" => {
                    while let (Some(Token::Hex(src)), Some(dst)) =
                        (tokens.get(i), tokens.get(i + 1))
                    {
                        let text = match dst {
                            Token::Hex(d) => utf16_text(d),
                            Token::Name(n) => {
                                super::encoding::glyph_name_to_text(&String::from_utf8_lossy(n))
                            }
                            _ => break,
                        };
                        if let (Some(code), Some(text)) = (code_value(src), text) {
                            if entries < MAX_ENTRIES {
                                map.single.insert((src.len() as u8, code), text);
                                entries += 1;
                            }
                        }
                        i += 2;
                    }
                }
                b"beginbfrange" => {
                    while let (Some(Token::Hex(lo)), Some(Token::Hex(hi))) =
                        (tokens.get(i), tokens.get(i + 1))
                    {
                        let (Some(l), Some(h)) = (code_value(lo), code_value(hi)) else {
                            break;
                        };
                        let len = lo.len() as u8;
                        match tokens.get(i + 2) {
                            Some(Token::Hex(dst)) => {
                                if h >= l && entries < MAX_ENTRIES {
                                    map.ranges.push((len, l, h, be_units(dst)));
                                    entries += 1;
                                }
                                i += 3;
                            }
                            Some(Token::ArrayStart) => {
                                i += 3;
                                let mut code = l;
                                while let Some(Token::Hex(dst)) = tokens.get(i) {
                                    if code <= h && entries < MAX_ENTRIES {
                                        if let Some(text) = utf16_text(dst) {
                                            map.single.insert((len, code), text);
                                            entries += 1;
                                        }
                                    }
                                    code = code.saturating_add(1);
                                    i += 1;
                                }
                                if matches!(tokens.get(i), Some(Token::ArrayEnd)) {
                                    i += 1;
                                }
                            }
                            _ => break,
                        }
                    }
                }
                _ => {}
            }
        }
        map
    }

    /// True when nothing was mapped.
    pub(crate) fn is_empty(&self) -> bool {
        self.single.is_empty() && self.ranges.is_empty()
    }

    /// The byte length of the code starting at `bytes`, from the code space ranges, or
    /// `default_len` when the CMap declares none that matches.
    pub(crate) fn code_len(&self, bytes: &[u8], default_len: usize) -> usize {
        for &(len, lo, hi) in &self.codespace {
            let len = usize::from(len);
            if let Some(code) = bytes.get(..len).and_then(code_value) {
                if code >= lo && code <= hi && range_bytes_match(bytes, len, lo, hi) {
                    return len;
                }
            }
        }
        default_len
    }

    /// The text of a code of `len` bytes.
    pub(crate) fn lookup(&self, len: usize, code: u32) -> Option<String> {
        let len8 = u8::try_from(len).ok()?;
        if let Some(t) = self.single.get(&(len8, code)) {
            return Some(t.clone());
        }
        // Producers disagree on code lengths in bfrange; accept a match of any length.
        let hit = self
            .ranges
            .iter()
            .find(|(l, lo, hi, _)| *l == len8 && code >= *lo && code <= *hi)
            .or_else(|| {
                self.ranges
                    .iter()
                    .find(|(_, lo, hi, _)| code >= *lo && code <= *hi)
            })?;
        let (_, lo, _, dst) = hit;
        let mut units = dst.clone();
        let last = units.last_mut()?;
        let offset = u16::try_from(code - lo).ok()?;
        *last = last.wrapping_add(offset);
        Some(String::from_utf16_lossy(&units))
    }
}

/// Each byte of a multi-byte code must lie within the range's byte bounds (PDF 9.7.6.2).
fn range_bytes_match(bytes: &[u8], len: usize, lo: u32, hi: u32) -> bool {
    (0..len).all(|k| {
        let shift = 8 * (len - 1 - k);
        let b = u32::from(*bytes.get(k).unwrap_or(&0));
        b >= (lo >> shift) & 0xFF && b <= (hi >> shift) & 0xFF
    })
}

fn code_value(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some(bytes.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)))
}

fn be_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
        .collect()
}

fn utf16_text(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    Some(String::from_utf16_lossy(&be_units(bytes)))
}

#[derive(Debug, PartialEq)]
enum Token {
    Hex(Vec<u8>),
    Name(Vec<u8>),
    Keyword(Vec<u8>),
    ArrayStart,
    ArrayEnd,
    Other,
}

/// A PostScript-ish tokenizer, just enough for CMaps; strings and dictionaries become `Other`.
fn tokenize(data: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = data.get(i) {
        match b {
            b'%' => {
                while data.get(i).is_some_and(|&c| c != b'\n' && c != b'\r') {
                    i += 1;
                }
            }
            b'<' if data.get(i + 1) == Some(&b'<') => {
                out.push(Token::Other);
                i += 2;
            }
            b'>' if data.get(i + 1) == Some(&b'>') => {
                out.push(Token::Other);
                i += 2;
            }
            b'<' => {
                let start = i + 1;
                let end = data
                    .get(start..)
                    .and_then(|r| r.iter().position(|&c| c == b'>'))
                    .map_or(data.len(), |p| start + p);
                let digits: Vec<u8> = data
                    .get(start..end)
                    .unwrap_or_default()
                    .iter()
                    .copied()
                    .filter(u8::is_ascii_hexdigit)
                    .collect();
                let mut bytes: Vec<u8> = digits
                    .chunks(2)
                    .map(|c| {
                        let hi = hex_val(c[0]);
                        let lo = c.get(1).map_or(0, |&d| hex_val(d));
                        hi << 4 | lo
                    })
                    .collect();
                bytes.shrink_to_fit();
                out.push(Token::Hex(bytes));
                i = end + 1;
            }
            b'[' => {
                out.push(Token::ArrayStart);
                i += 1;
            }
            b']' => {
                out.push(Token::ArrayEnd);
                i += 1;
            }
            b'(' => {
                let mut depth = 0usize;
                while let Some(&c) = data.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                out.push(Token::Other);
            }
            b'/' => {
                let start = i + 1;
                i = start;
                while data.get(i).is_some_and(|&c| is_regular(c)) {
                    i += 1;
                }
                out.push(Token::Name(data.get(start..i).unwrap_or_default().to_vec()));
            }
            c if c.is_ascii_whitespace() || c == 0 => i += 1,
            _ => {
                let start = i;
                while data.get(i).is_some_and(|&c| is_regular(c)) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                    out.push(Token::Other);
                } else {
                    out.push(Token::Keyword(
                        data.get(start..i).unwrap_or_default().to_vec(),
                    ));
                }
            }
        }
    }
    out
}

fn is_regular(c: u8) -> bool {
    !(c.is_ascii_whitespace() || c == 0 || b"()<>[]{}/%".contains(&c))
}

fn hex_val(c: u8) -> u8 {
    (c as char).to_digit(16).map_or(0, |d| d as u8)
}

/// The legacy charset behind a predefined CMap: its codes are decoded straight to Unicode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Predefined {
    /// `Identity-H/V`: 2-byte codes that are CIDs; text needs a ToUnicode map.
    Identity,
    /// UCS-2 / UTF-16BE codes (UniGB-UCS2, UniJIS-UTF16, ...).
    Utf16,
    /// GBK / GB 2312 / GB 18030.
    Gbk,
    /// Shift_JIS (Microsoft code page 932).
    ShiftJis,
    /// Big5.
    Big5,
    /// EUC-KR / Unified Hangul Code.
    EucKr,
}

impl Predefined {
    /// The charset and writing direction (`true` = vertical) of a predefined CMap name.
    pub(crate) fn from_name(name: &[u8]) -> Option<(Predefined, bool)> {
        let s = std::str::from_utf8(name).ok()?;
        let (stem, vertical) = if let Some(stem) = s.strip_suffix("-V") {
            (stem, true)
        } else {
            (s.strip_suffix("-H")?, false)
        };
        let kind = match stem {
            "Identity" => Predefined::Identity,
            "UniGB-UCS2" | "UniGB-UTF16" | "UniJIS-UCS2" | "UniJIS-UCS2-HW" | "UniJIS-UTF16"
            | "UniCNS-UCS2" | "UniCNS-UTF16" | "UniKS-UCS2" | "UniKS-UTF16" => Predefined::Utf16,
            "GBK-EUC" | "GBKp-EUC" | "GB-EUC" | "GBK2K" | "GBpc-EUC" => Predefined::Gbk,
            "90ms-RKSJ" | "90msp-RKSJ" | "83pv-RKSJ" | "90pv-RKSJ" | "Add-RKSJ" | "Ext-RKSJ" => {
                Predefined::ShiftJis
            }
            "B5pc" | "ETen-B5" | "HKscs-B5" | "ETenms-B5" => Predefined::Big5,
            "KSC-EUC" | "KSCms-UHC" | "KSCpc-EUC" | "KSCms-UHC-HW" => Predefined::EucKr,
            _ => return None,
        };
        Some((kind, vertical))
    }

    /// The byte length of the code starting at `bytes`.
    pub(crate) fn code_len(self, bytes: &[u8]) -> usize {
        let b0 = bytes.first().copied().unwrap_or(0);
        let b1 = bytes.get(1).copied().unwrap_or(0);
        let len = match self {
            Predefined::Identity => 2,
            Predefined::Utf16 => {
                let unit = u16::from_be_bytes([b0, b1]);
                if (0xD800..0xDC00).contains(&unit) {
                    4
                } else {
                    2
                }
            }
            Predefined::Gbk => match (b0, b1) {
                (0x81..=0xFE, 0x30..=0x39) => 4,
                (0x81..=0xFE, _) => 2,
                _ => 1,
            },
            Predefined::ShiftJis => match b0 {
                0x81..=0x9F | 0xE0..=0xFC => 2,
                _ => 1,
            },
            Predefined::Big5 | Predefined::EucKr => match b0 {
                0x81..=0xFE => 2,
                _ => 1,
            },
        };
        len.min(bytes.len().max(1))
    }

    /// The Unicode text of one code, or `None` when the charset does not define it.
    pub(crate) fn decode(self, code: &[u8]) -> Option<String> {
        let enc = match self {
            Predefined::Identity => return None,
            Predefined::Utf16 => encoding_rs::UTF_16BE,
            Predefined::Gbk => encoding_rs::GB18030,
            Predefined::ShiftJis => encoding_rs::SHIFT_JIS,
            Predefined::Big5 => encoding_rs::BIG5,
            Predefined::EucKr => encoding_rs::EUC_KR,
        };
        let (text, had_errors) = enc.decode_without_bom_handling(code);
        (!had_errors && !text.is_empty()).then(|| text.into_owned())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    const CMAP: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar
<0003> <0020>
<0024> <673A>
<0025> <D83DDE00>
endbfchar
2 beginbfrange
<0030> <0032> <0041>
<0040> <0041> [<5BC6> <0066006C>]
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn tounicode_bfchar_and_bfrange() {
        let m = ToUnicode::parse(CMAP);
        let table: &[(u32, Option<&str>)] = &[
            (0x03, Some(" ")),
            (0x24, Some("机")),
            (0x25, Some("😀")),
            (0x30, Some("A")),
            (0x32, Some("C")),
            (0x33, None),
            (0x40, Some("密")),
            (0x41, Some("fl")),
            (0x42, None),
        ];
        for (code, want) in table {
            assert_eq!(m.lookup(2, *code).as_deref(), *want, "code {code:#x}");
        }
        assert_eq!(m.code_len(&[0x00, 0x24], 1), 2);
    }

    #[test]
    fn codespace_decides_mixed_lengths() {
        let m = ToUnicode::parse(
            b"2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange
             1 beginbfchar <41> <0041> <8140> <3000> endbfchar",
        );
        assert_eq!(m.code_len(&[0x41, 0x81], 2), 1);
        assert_eq!(m.code_len(&[0x81, 0x40], 1), 2);
        assert_eq!(m.lookup(1, 0x41).as_deref(), Some("A"));
        assert_eq!(m.lookup(2, 0x8140).as_deref(), Some("\u{3000}"));
    }

    #[test]
    fn garbage_cmaps_do_not_panic() {
        for junk in [
            &b"beginbfrange <01> endbfrange"[..],
            b"<<<<",
            b"begincodespacerange <",
            b"beginbfchar <00> (x)",
            b"",
        ] {
            let m = ToUnicode::parse(junk);
            let _ = m.lookup(1, 0);
        }
        let m = ToUnicode::parse(b"1 beginbfrange <0000> <FFFFFFFF> <0041> endbfrange");
        assert_eq!(m.lookup(2, 1).as_deref(), Some("B"));
        assert_eq!(m.lookup(4, 0x1_0000), None, "offsets past u16 are refused");
    }

    #[test]
    fn predefined_cmaps_decode_to_unicode() {
        let table: &[(&[u8], &[u8], &str, bool)] = &[
            (b"UniGB-UCS2-H", &[0x67, 0x3A, 0x5B, 0xC6], "机密", false),
            (b"UniGB-UTF16-V", &[0xD8, 0x3D, 0xDE, 0x00], "😀", true),
            (
                b"GBK-EUC-H",
                &[0xBB, 0xFA, 0xC3, 0xDC, b'5'],
                "机密5",
                false,
            ),
            (b"GBK2K-H", &[0x81, 0x30, 0x81, 0x30], "\u{80}", false),
            (b"90ms-RKSJ-H", &[0x8B, 0x40, 0xB1], "機ｱ", false),
            (b"90msp-RKSJ-V", &[0x82, 0xA0], "あ", true),
            (b"ETen-B5-H", &[0xBE, 0xF7], "機", false),
            (b"KSCms-UHC-H", &[0xB1, 0xE2], "기", false),
        ];
        for (name, bytes, want, vertical) in table {
            let (kind, v) = Predefined::from_name(name).unwrap();
            assert_eq!(v, *vertical);
            let mut out = String::new();
            let mut i = 0;
            while i < bytes.len() {
                let len = kind.code_len(&bytes[i..]);
                out.push_str(&kind.decode(&bytes[i..i + len]).unwrap());
                i += len;
            }
            assert_eq!(out, *want, "{}", String::from_utf8_lossy(name));
        }
        assert_eq!(
            Predefined::from_name(b"Identity-H"),
            Some((Predefined::Identity, false))
        );
        assert_eq!(Predefined::from_name(b"WinAnsiEncoding"), None);
        assert_eq!(Predefined::from_name(b"Foo-H"), None);
    }
}
