//! Single-byte font encodings and glyph names, for simple fonts without a ToUnicode map.

/// The base encoding of a simple font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BaseEncoding {
    Standard,
    WinAnsi,
    MacRoman,
    /// Symbol and other fonts with a built-in encoding: codes map to themselves.
    Builtin,
}

impl BaseEncoding {
    pub(crate) fn from_name(name: &[u8]) -> Option<Self> {
        match name {
            b"WinAnsiEncoding" => Some(BaseEncoding::WinAnsi),
            b"MacRomanEncoding" | b"MacExpertEncoding" => Some(BaseEncoding::MacRoman),
            b"StandardEncoding" => Some(BaseEncoding::Standard),
            _ => None,
        }
    }

    /// The Unicode text of `code`, or `None` when the encoding leaves it undefined.
    pub(crate) fn decode(self, code: u8) -> Option<char> {
        match self {
            BaseEncoding::WinAnsi => single_byte(encoding_rs::WINDOWS_1252, code),
            BaseEncoding::MacRoman => single_byte(encoding_rs::MACINTOSH, code),
            BaseEncoding::Standard => standard(code),
            BaseEncoding::Builtin => match code {
                0x20..=0x7E | 0xA0..=0xFF => Some(char::from(code)),
                _ => None,
            },
        }
    }
}

fn single_byte(enc: &'static encoding_rs::Encoding, code: u8) -> Option<char> {
    if code < 0x20 {
        return None;
    }
    let byte = [code];
    let (s, _) = enc.decode_without_bom_handling(&byte);
    let c = s.chars().next();
    c.filter(|c| !c.is_control())
}

/// Adobe StandardEncoding: ASCII with curly quotes, and its own upper half.
fn standard(code: u8) -> Option<char> {
    const UPPER: &[(u8, char)] = &[
        (0xA1, '¡'),
        (0xA2, '¢'),
        (0xA3, '£'),
        (0xA4, '⁄'),
        (0xA5, '¥'),
        (0xA6, 'ƒ'),
        (0xA7, '§'),
        (0xA8, '¤'),
        (0xA9, '\''),
        (0xAA, '“'),
        (0xAB, '«'),
        (0xAC, '‹'),
        (0xAD, '›'),
        (0xAE, 'ﬁ'),
        (0xAF, 'ﬂ'),
        (0xB1, '–'),
        (0xB2, '†'),
        (0xB3, '‡'),
        (0xB4, '·'),
        (0xB6, '¶'),
        (0xB7, '•'),
        (0xB8, '‚'),
        (0xB9, '„'),
        (0xBA, '”'),
        (0xBB, '»'),
        (0xBC, '…'),
        (0xBD, '‰'),
        (0xBF, '¿'),
        (0xC1, '`'),
        (0xC2, '´'),
        (0xC3, 'ˆ'),
        (0xC4, '˜'),
        (0xC5, '¯'),
        (0xC6, '˘'),
        (0xC7, '˙'),
        (0xC8, '¨'),
        (0xCA, '˚'),
        (0xCB, '¸'),
        (0xCD, '˝'),
        (0xCE, '˛'),
        (0xCF, 'ˇ'),
        (0xD0, '—'),
        (0xE1, 'Æ'),
        (0xE3, 'ª'),
        (0xE8, 'Ł'),
        (0xE9, 'Ø'),
        (0xEA, 'Œ'),
        (0xEB, 'º'),
        (0xF1, 'æ'),
        (0xF5, 'ı'),
        (0xF8, 'ł'),
        (0xF9, 'ø'),
        (0xFA, 'œ'),
        (0xFB, 'ß'),
    ];
    match code {
        0x27 => Some('’'),
        0x60 => Some('‘'),
        0x20..=0x7E => Some(char::from(code)),
        _ => UPPER.iter().find(|(c, _)| *c == code).map(|(_, ch)| *ch),
    }
}

/// Glyph names that are not single letters, from the Adobe Glyph List (the common subset).
const NAMES: &[(&str, &str)] = &[
    ("space", " "),
    ("exclam", "!"),
    ("quotedbl", "\""),
    ("numbersign", "#"),
    ("dollar", "$"),
    ("percent", "%"),
    ("ampersand", "&"),
    ("quotesingle", "'"),
    ("quoteright", "’"),
    ("parenleft", "("),
    ("parenright", ")"),
    ("asterisk", "*"),
    ("plus", "+"),
    ("comma", ","),
    ("hyphen", "-"),
    ("period", "."),
    ("slash", "/"),
    ("zero", "0"),
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("colon", ":"),
    ("semicolon", ";"),
    ("less", "<"),
    ("equal", "="),
    ("greater", ">"),
    ("question", "?"),
    ("at", "@"),
    ("bracketleft", "["),
    ("backslash", "\\"),
    ("bracketright", "]"),
    ("asciicircum", "^"),
    ("underscore", "_"),
    ("grave", "`"),
    ("quoteleft", "‘"),
    ("braceleft", "{"),
    ("bar", "|"),
    ("braceright", "}"),
    ("asciitilde", "~"),
    ("quotedblleft", "“"),
    ("quotedblright", "”"),
    ("quotesinglbase", "‚"),
    ("quotedblbase", "„"),
    ("endash", "–"),
    ("emdash", "—"),
    ("bullet", "•"),
    ("ellipsis", "…"),
    ("fi", "fi"),
    ("fl", "fl"),
    ("ff", "ff"),
    ("ffi", "ffi"),
    ("ffl", "ffl"),
    ("dagger", "†"),
    ("daggerdbl", "‡"),
    ("trademark", "™"),
    ("copyright", "©"),
    ("registered", "®"),
    ("degree", "°"),
    ("section", "§"),
    ("paragraph", "¶"),
    ("periodcentered", "·"),
    ("minus", "−"),
    ("multiply", "×"),
    ("divide", "÷"),
    ("plusminus", "±"),
    ("nbspace", "\u{a0}"),
    ("sfthyphen", "\u{ad}"),
    ("exclamdown", "¡"),
    ("questiondown", "¿"),
    ("cent", "¢"),
    ("sterling", "£"),
    ("yen", "¥"),
    ("Euro", "€"),
    ("euro", "€"),
    ("currency", "¤"),
    ("guillemotleft", "«"),
    ("guillemotright", "»"),
    ("guilsinglleft", "‹"),
    ("guilsinglright", "›"),
    ("perthousand", "‰"),
    ("florin", "ƒ"),
    ("fraction", "⁄"),
    ("onehalf", "½"),
    ("onequarter", "¼"),
    ("threequarters", "¾"),
    ("mu", "µ"),
    ("germandbls", "ß"),
    ("AE", "Æ"),
    ("ae", "æ"),
    ("OE", "Œ"),
    ("oe", "œ"),
    ("Oslash", "Ø"),
    ("oslash", "ø"),
    ("Lslash", "Ł"),
    ("lslash", "ł"),
    ("dotlessi", "ı"),
    ("Eth", "Ð"),
    ("eth", "ð"),
    ("Thorn", "Þ"),
    ("thorn", "þ"),
    ("ordfeminine", "ª"),
    ("ordmasculine", "º"),
    ("logicalnot", "¬"),
    ("brokenbar", "¦"),
    ("dieresis", "¨"),
    ("macron", "¯"),
    ("acute", "´"),
    ("cedilla", "¸"),
    ("circumflex", "ˆ"),
    ("tilde", "˜"),
    ("caron", "ˇ"),
    ("breve", "˘"),
    ("dotaccent", "˙"),
    ("ring", "˚"),
    ("ogonek", "˛"),
    ("hungarumlaut", "˝"),
    ("onesuperior", "¹"),
    ("twosuperior", "²"),
    ("threesuperior", "³"),
    ("arrowright", "→"),
    ("arrowleft", "←"),
    ("arrowup", "↑"),
    ("arrowdown", "↓"),
    ("infinity", "∞"),
    ("notequal", "≠"),
    ("lessequal", "≤"),
    ("greaterequal", "≥"),
    ("approxequal", "≈"),
    ("summation", "∑"),
    ("product", "∏"),
    ("radical", "√"),
    ("integral", "∫"),
    ("partialdiff", "∂"),
    ("Delta", "∆"),
    ("Omega", "Ω"),
    ("pi", "π"),
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("lambda", "λ"),
    ("sigma", "σ"),
    ("theta", "θ"),
    ("lozenge", "◊"),
    ("checkmark", "✓"),
    ("square", "□"),
    ("filledbox", "■"),
    ("circle", "○"),
];

const ACCENTS: &[(&str, char)] = &[
    ("grave", '\u{300}'),
    ("acute", '\u{301}'),
    ("circumflex", '\u{302}'),
    ("tilde", '\u{303}'),
    ("dieresis", '\u{308}'),
    ("ring", '\u{30A}'),
    ("cedilla", '\u{327}'),
    ("caron", '\u{30C}'),
    ("macron", '\u{304}'),
    ("breve", '\u{306}'),
    ("ogonek", '\u{328}'),
    ("dotaccent", '\u{307}'),
    ("hungarumlaut", '\u{30B}'),
];

/// The Unicode text a glyph name stands for: `uniXXXX[XXXX…]`, `uXXXX[XX]`, ligatures with
/// `_`, suffixes after `.` dropped (`a.sc`), AGL names and letter + accent names (`eacute`).
pub(crate) fn glyph_name_to_text(name: &str) -> Option<String> {
    let base = name.split('.').next().unwrap_or(name);
    if base.is_empty() {
        return None;
    }
    if base.contains('_') {
        let parts: Option<String> = base.split('_').map(glyph_name_to_text).collect();
        return parts;
    }
    if let Some(hex) = base.strip_prefix("uni") {
        if hex.len() >= 4 && hex.len() % 4 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            let units: Vec<u16> = hex
                .as_bytes()
                .chunks(4)
                .filter_map(|c| std::str::from_utf8(c).ok())
                .filter_map(|c| u16::from_str_radix(c, 16).ok())
                .collect();
            return Some(String::from_utf16_lossy(&units));
        }
    }
    if let Some(hex) = base.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .map(String::from);
        }
    }
    let mut chars = base.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_ascii_alphabetic() {
            return Some(c.to_string());
        }
    }
    if let Some((_, text)) = NAMES.iter().find(|(n, _)| *n == base) {
        return Some((*text).to_string());
    }
    let mut chars = base.chars();
    let letter = chars.next().filter(char::is_ascii_alphabetic)?;
    let rest = chars.as_str();
    let (_, mark) = ACCENTS.iter().find(|(n, _)| *n == rest)?;
    compose(letter, *mark).map(String::from)
}

/// Precomposed letter + accent, found by decoding Latin-1/Latin Extended-A candidates; only
/// the common Western letters are needed for fonts without ToUnicode.
fn compose(letter: char, mark: char) -> Option<char> {
    const TABLE: &[(char, char, char)] = &[
        ('a', '\u{300}', 'à'),
        ('a', '\u{301}', 'á'),
        ('a', '\u{302}', 'â'),
        ('a', '\u{303}', 'ã'),
        ('a', '\u{308}', 'ä'),
        ('a', '\u{30A}', 'å'),
        ('c', '\u{327}', 'ç'),
        ('e', '\u{300}', 'è'),
        ('e', '\u{301}', 'é'),
        ('e', '\u{302}', 'ê'),
        ('e', '\u{308}', 'ë'),
        ('i', '\u{300}', 'ì'),
        ('i', '\u{301}', 'í'),
        ('i', '\u{302}', 'î'),
        ('i', '\u{308}', 'ï'),
        ('n', '\u{303}', 'ñ'),
        ('o', '\u{300}', 'ò'),
        ('o', '\u{301}', 'ó'),
        ('o', '\u{302}', 'ô'),
        ('o', '\u{303}', 'õ'),
        ('o', '\u{308}', 'ö'),
        ('u', '\u{300}', 'ù'),
        ('u', '\u{301}', 'ú'),
        ('u', '\u{302}', 'û'),
        ('u', '\u{308}', 'ü'),
        ('y', '\u{301}', 'ý'),
        ('y', '\u{308}', 'ÿ'),
        ('s', '\u{30C}', 'š'),
        ('z', '\u{30C}', 'ž'),
        ('c', '\u{30C}', 'č'),
        ('r', '\u{30C}', 'ř'),
        ('e', '\u{30C}', 'ě'),
        ('c', '\u{301}', 'ć'),
        ('n', '\u{301}', 'ń'),
        ('s', '\u{301}', 'ś'),
        ('z', '\u{301}', 'ź'),
        ('z', '\u{307}', 'ż'),
        ('a', '\u{328}', 'ą'),
        ('e', '\u{328}', 'ę'),
        ('o', '\u{30B}', 'ő'),
        ('u', '\u{30B}', 'ű'),
        ('g', '\u{306}', 'ğ'),
        ('s', '\u{327}', 'ş'),
        ('u', '\u{30A}', 'ů'),
    ];
    let lower = letter.to_ascii_lowercase();
    let (_, _, c) = TABLE.iter().find(|(l, m, _)| *l == lower && *m == mark)?;
    if letter.is_ascii_uppercase() {
        c.to_uppercase().next()
    } else {
        Some(*c)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    #[test]
    fn glyph_names() {
        let table: &[(&str, Option<&str>)] = &[
            ("A", Some("A")),
            ("uni5B9A", Some("定")),
            ("uni00410042", Some("AB")),
            ("u1F600", Some("😀")),
            ("eacute", Some("é")),
            ("Eacute", Some("É")),
            ("f_i", Some("fi")),
            ("a.sc", Some("a")),
            ("quoteright", Some("’")),
            ("seven", Some("7")),
            ("g123", None),
            ("uniZZZZ", None),
            ("", None),
        ];
        for (name, want) in table {
            assert_eq!(glyph_name_to_text(name).as_deref(), *want, "{name}");
        }
    }

    #[test]
    fn base_encodings_differ_where_they_should() {
        assert_eq!(BaseEncoding::WinAnsi.decode(0x93), Some('“'));
        assert_eq!(BaseEncoding::MacRoman.decode(0x8E), Some('é'));
        assert_eq!(BaseEncoding::Standard.decode(0x27), Some('’'));
        assert_eq!(BaseEncoding::Standard.decode(0xE1), Some('Æ'));
        assert_eq!(BaseEncoding::WinAnsi.decode(0x41), Some('A'));
        assert_eq!(BaseEncoding::WinAnsi.decode(0x05), None);
    }
}
