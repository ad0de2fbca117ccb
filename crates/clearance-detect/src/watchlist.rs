//! The agency's watchlist: its own terms and restricted sites, from a TOML file.
//!
//! ```toml
//! [[term]]
//! text = "Project Nightjar"      # literal; case-insensitive; matched after normalisation
//! category = "watchlist-term"    # optional, this is the default
//! severity = "high"              # optional, this is the default
//! [[site]]
//! name = "Huangyang Test Range"
//! aliases = ["黄羊试验场"]
//! lat = 40.512                   # optional geofence: centre and radius
//! lon = 89.451
//! radius_m = 25000
//! ```
//!
//! All terms, site names and aliases go into ONE Aho-Corasick automaton (leftmost-longest,
//! ASCII case-insensitive, on the normalised text) built at load time, so 10,000 terms cost
//! one pass over the text, not one per term. Cheap filters in front of it skip the positions
//! where no term can start: inside Latin words (passed eight bytes at a time), chars that no
//! term starts with (one bit per code point), then hashed prefixes; the automaton confirms
//! the rest with short anchored walks.
//! The file holds data only. A malformed file is an error naming the line and the field.

use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, Input, MatchKind, StartKind};
use clearance_model::{haversine_m, Category, GeoPoint, Severity};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::{Spanned, Value};

use crate::normalize::{normalize, Prepared};
use crate::{Detector, Hit};

/// Why a watchlist could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// The file could not be read.
    #[error("cannot read rules file {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// TOML syntax error.
    #[error("{origin} line {line}: {message}")]
    Syntax {
        /// File name.
        origin: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A field has a bad value.
    #[error("{origin} line {line}: field `{field}`: {message}")]
    Field {
        /// File name.
        origin: String,
        /// 1-based line.
        line: usize,
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A required field is missing.
    #[error("{origin} line {line}: [[{table}]] is missing field `{field}`")]
    Missing {
        /// File name.
        origin: String,
        /// 1-based line of the table.
        line: usize,
        /// `term` or `site`.
        table: &'static str,
        /// The missing field.
        field: &'static str,
    },
    /// The matcher could not be built (far beyond any real watchlist's size).
    #[error("{origin}: cannot build the term matcher: {message}")]
    Matcher {
        /// File name.
        origin: String,
        /// The cause.
        message: String,
    },
}

/// An agency term.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The literal as written.
    pub text: String,
    /// Category of its findings (default `watchlist-term`).
    pub category: Category,
    /// Severity of its findings (default high).
    pub severity: Severity,
}

/// A restricted site.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Its name.
    pub name: String,
    /// Other names, any script.
    pub aliases: Vec<String>,
    /// Geofence centre, if given.
    pub centre: Option<GeoPoint>,
    /// Geofence radius in metres.
    pub radius_m: f64,
    /// Severity of its findings (default high).
    pub severity: Severity,
}

/// What one automaton pattern stands for.
#[derive(Debug, Clone, Copy)]
enum Entry {
    Term(usize),
    Site { site: usize, alias: Option<usize> },
}

/// Parsed watchlist with its compiled matcher.
#[derive(Debug, Clone)]
pub struct Watchlist {
    terms: Vec<Term>,
    sites: Vec<Site>,
    sha256: String,
    matcher: Option<AhoCorasick>,
    /// Per pattern: what it is, and whether its ends need a word boundary (Latin letters).
    entries: Vec<(Entry, bool, bool)>,
    filter: StartFilter,
}

/// A Bloom-style bit set of term prefixes (4 bytes for terms that start with ASCII, 6 bytes,
/// i.e. two CJK chars, otherwise; whole terms when shorter). A text position whose prefix is
/// not in the set cannot start a term, so the automaton runs only where the set says "maybe".
#[derive(Debug, Clone, Default)]
struct StartFilter {
    long: Vec<u64>,
    short: Vec<u64>,
    /// Which lengths (1..=5 bytes) short terms have.
    short_lens: [bool; 6],
    any_short: bool,
    /// First chars of the terms (code points below U+10000; ASCII letters in both cases):
    /// a position starting with any other char is skipped before any hashing. One bit per
    /// code point, 8 KB.
    first: Vec<u64>,
}

/// The code point of the one- to three-byte UTF-8 char at `p`, or `None` for a four-byte
/// char (not in the first-char set: always "maybe"), a continuation byte or the end.
fn bmp_at(t: &[u8], p: usize) -> Option<u32> {
    let b0 = u32::from(*t.get(p)?);
    let cont = |i: usize| t.get(p + i).map(|&b| u32::from(b & 0x3F));
    match b0 {
        0..=0x7F => Some(b0),
        0xC0..=0xDF => Some(((b0 & 0x1F) << 6) | cont(1)?),
        0xE0..=0xEF => Some(((b0 & 0x0F) << 12) | (cont(1)? << 6) | cont(2)?),
        _ => None,
    }
}

const FILTER_BITS: u32 = 18;

/// Hash of `n` (at most 7) bytes packed little-endian into `word`: one multiplication.
/// The two bit positions are the top two 18-bit slices of the product. Two probes per key
/// give ~0.5 % false positives at 10,000 terms in 32 KB per set, small enough to stay in the
/// cache next to the other detectors' tables (128 KB sets measured no faster), and the
/// first-char set in front of them passes only a fraction of positions anyway.
fn hash_word(word: u64, n: usize) -> (usize, usize) {
    let h = (word | ((n as u64) << 56)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mask = (1u64 << FILTER_BITS) - 1;
    (
        (h >> (64 - FILTER_BITS)) as usize,
        ((h >> (64 - 2 * FILTER_BITS)) & mask) as usize,
    )
}

/// Hash of the first `n` (at most 7) bytes of `t` from `p`, or `None` past the end.
fn hash_at(t: &[u8], p: usize, n: usize) -> Option<(usize, usize)> {
    let mask = (1u64 << (8 * n.min(7))) - 1;
    let word = match t.get(p..p + 8) {
        Some(chunk) => {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            u64::from_le_bytes(w) & mask
        }
        None => {
            let src = t.get(p..p + n)?;
            let mut w = [0u8; 8];
            w.get_mut(..src.len())?.copy_from_slice(src);
            u64::from_le_bytes(w) & mask
        }
    };
    Some(hash_word(ascii_lower8(word), n.min(7)))
}

/// ASCII-lower-cases the eight bytes of `w` at once (so the text needs no lower-cased copy).
fn ascii_lower8(w: u64) -> u64 {
    let low7 = w & !HIGH;
    let above_z = low7 + ONES * (0x7F - u64::from(b'Z'));
    let from_a = low7 + ONES * (0x80 - u64::from(b'A'));
    let upper = from_a & !above_z & !w & HIGH;
    w | (upper >> 2)
}

fn key_len(first: u8) -> usize {
    if first < 0x80 {
        4
    } else {
        6
    }
}

impl StartFilter {
    fn new(patterns: &[String]) -> StartFilter {
        let words = 1usize << (FILTER_BITS - 6);
        let mut f = StartFilter {
            long: vec![0; words],
            short: vec![0; words],
            short_lens: [false; 6],
            any_short: false,
            first: vec![0; 1 << 10],
        };
        for p in patterns {
            let b = p.as_bytes();
            let Some(&first) = b.first() else { continue };
            if let Some(cp) = bmp_at(b, 0) {
                let upper = char::from_u32(cp).map_or(cp, |c| c.to_ascii_uppercase() as u32);
                for cp in [cp, upper] {
                    if let Some(w) = f.first.get_mut((cp >> 6) as usize) {
                        *w |= 1 << (cp & 63);
                    }
                }
            }
            let k = key_len(first);
            let (set, n) = if b.len() >= k {
                (&mut f.long, k)
            } else {
                if let Some(slot) = f.short_lens.get_mut(b.len()) {
                    *slot = true;
                }
                (&mut f.short, b.len())
            };
            if let Some((h1, h2)) = hash_at(b, 0, n) {
                for h in [h1, h2] {
                    if let Some(w) = set.get_mut(h >> 6) {
                        *w |= 1 << (h & 63);
                    }
                }
            }
        }
        f.any_short = f.short_lens.iter().any(|&x| x);
        f
    }

    fn test(set: &[u64], t: &[u8], p: usize, n: usize) -> bool {
        let bit = |h: usize| set.get(h >> 6).is_some_and(|w| w & (1 << (h & 63)) != 0);
        // `&`, not `&&`: both probes are cheap, a branch between them is not.
        hash_at(t, p, n).is_some_and(|(h1, h2)| bit(h1) & bit(h2))
    }

    /// Does some term start with the char `cp` (below U+10000)? A char outside the set can
    /// start no term; four-byte chars are not in the set and always go on to the hashes.
    fn starts(&self, cp: u32) -> bool {
        self.first
            .get((cp >> 6) as usize)
            .is_some_and(|w| w & (1 << (cp & 63)) != 0)
    }

    /// The first position at or after `p` that is not a three-byte char (CJK) no term starts
    /// with: Chinese text is passed over in a tight loop, char by char, with no hashing.
    fn skip_bmp3(&self, t: &[u8], mut p: usize) -> usize {
        while let Some(&[b0, b1, b2]) = t.get(p..p + 3) {
            if !(0xE0..=0xEF).contains(&b0) || b1 & 0xC0 != 0x80 || b2 & 0xC0 != 0x80 {
                break;
            }
            let cp =
                (u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
            if self.starts(cp) {
                break;
            }
            p += 3;
        }
        p
    }

    /// May a term start at byte `p` of `t`, whose first char passed [`StartFilter::starts`]
    /// (or is not covered by it)? Tests the hashed prefix sets.
    fn maybe_after_first(&self, t: &[u8], p: usize) -> bool {
        let Some(&first) = t.get(p) else { return false };
        let k = key_len(first);
        if Self::test(&self.long, t, p, k) {
            return true;
        }
        self.any_short
            && self
                .short_lens
                .iter()
                .enumerate()
                .take(k)
                .any(|(len, &has)| has && Self::test(&self.short, t, p, len))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    term: Vec<Spanned<RawTerm>>,
    #[serde(default)]
    site: Vec<Spanned<RawSite>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    text: Option<Spanned<Value>>,
    category: Option<Spanned<Value>>,
    severity: Option<Spanned<Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    name: Option<Spanned<Value>>,
    aliases: Option<Spanned<Value>>,
    lat: Option<Spanned<Value>>,
    lon: Option<Spanned<Value>>,
    radius_m: Option<Spanned<Value>>,
    severity: Option<Spanned<Value>>,
}

/// 1-based line of byte offset `at`.
fn line_of(text: &str, at: usize) -> usize {
    text.get(..at.min(text.len()))
        .map_or(1, |h| h.bytes().filter(|&b| b == b'\n').count() + 1)
}

struct Ctx<'a> {
    text: &'a str,
    origin: &'a str,
}

impl Ctx<'_> {
    fn field(&self, v: &Spanned<Value>, field: &str, message: impl Into<String>) -> RulesError {
        RulesError::Field {
            origin: self.origin.to_string(),
            line: line_of(self.text, v.span().start),
            field: field.to_string(),
            message: message.into(),
        }
    }

    fn string(&self, v: &Spanned<Value>, field: &str) -> Result<String, RulesError> {
        match v.get_ref() {
            Value::String(s) => Ok(s.clone()),
            _ => Err(self.field(v, field, "expected a string")),
        }
    }

    fn number(&self, v: &Spanned<Value>, field: &str) -> Result<f64, RulesError> {
        match v.get_ref() {
            Value::Float(f) if f.is_finite() => Ok(*f),
            Value::Integer(i) => Ok(*i as f64),
            _ => Err(self.field(v, field, "expected a number")),
        }
    }

    fn severity(&self, v: Option<&Spanned<Value>>) -> Result<Severity, RulesError> {
        let Some(v) = v else {
            return Ok(Severity::High);
        };
        let s = self.string(v, "severity")?;
        Severity::parse(&s).ok_or_else(|| {
            self.field(
                v,
                "severity",
                format!("unknown severity `{s}` (expected low, medium or high)"),
            )
        })
    }

    fn missing(&self, at: usize, table: &'static str, field: &'static str) -> RulesError {
        RulesError::Missing {
            origin: self.origin.to_string(),
            line: line_of(self.text, at),
            table,
            field,
        }
    }
}

impl Watchlist {
    /// Parses a watchlist. `origin` (the file name) prefixes every error message.
    ///
    /// # Errors
    /// Syntax errors, unknown fields or categories, missing or empty `text`/`name`, values of
    /// the wrong type, latitude/longitude out of range, a geofence without a radius.
    pub fn from_toml(text: &str, origin: &str) -> Result<Watchlist, RulesError> {
        let ctx = Ctx { text, origin };
        let raw: RawFile = toml::from_str(text).map_err(|e| syntax_error(text, origin, &e))?;
        let mut terms = Vec::with_capacity(raw.term.len());
        for t in &raw.term {
            let at = t.span().start;
            let t = t.get_ref();
            let v = t
                .text
                .as_ref()
                .ok_or_else(|| ctx.missing(at, "term", "text"))?;
            let s = ctx.string(v, "text")?;
            if normalize(&s).trim().is_empty() {
                return Err(ctx.field(v, "text", "must not be empty"));
            }
            let category = match &t.category {
                None => Category::WatchlistTerm,
                Some(c) => {
                    let name = ctx.string(c, "category")?;
                    Category::parse(&name).ok_or_else(|| {
                        let all: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                        ctx.field(
                            c,
                            "category",
                            format!(
                                "unknown category `{name}` (expected one of {})",
                                all.join(", ")
                            ),
                        )
                    })?
                }
            };
            let severity = ctx.severity(t.severity.as_ref())?;
            terms.push(Term {
                text: s,
                category,
                severity,
            });
        }
        let mut sites = Vec::with_capacity(raw.site.len());
        for s in &raw.site {
            let at = s.span().start;
            let s = s.get_ref();
            let v = s
                .name
                .as_ref()
                .ok_or_else(|| ctx.missing(at, "site", "name"))?;
            let name = ctx.string(v, "name")?;
            if normalize(&name).trim().is_empty() {
                return Err(ctx.field(v, "name", "must not be empty"));
            }
            let mut aliases = Vec::new();
            if let Some(a) = &s.aliases {
                let Value::Array(items) = a.get_ref() else {
                    return Err(ctx.field(a, "aliases", "expected an array of strings"));
                };
                for item in items {
                    match item {
                        Value::String(x) if !normalize(x).trim().is_empty() => {
                            aliases.push(x.clone())
                        }
                        _ => {
                            return Err(ctx.field(
                                a,
                                "aliases",
                                "expected an array of non-empty strings",
                            ))
                        }
                    }
                }
            }
            let lat = s
                .lat
                .as_ref()
                .map(|v| ctx.number(v, "lat").map(|n| (n, v)))
                .transpose()?;
            let lon = s
                .lon
                .as_ref()
                .map(|v| ctx.number(v, "lon").map(|n| (n, v)))
                .transpose()?;
            let radius = s
                .radius_m
                .as_ref()
                .map(|v| ctx.number(v, "radius_m").map(|n| (n, v)))
                .transpose()?;
            let (centre, radius_m) = match (lat, lon, radius) {
                (None, None, None) => (None, 0.0),
                (Some((la, lv)), Some((lo, ov)), Some((r, rv))) => {
                    if la.abs() > 90.0 {
                        return Err(ctx.field(lv, "lat", "latitude must be between -90 and 90"));
                    }
                    if lo.abs() > 180.0 {
                        return Err(ctx.field(ov, "lon", "longitude must be between -180 and 180"));
                    }
                    if r <= 0.0 {
                        return Err(ctx.field(rv, "radius_m", "radius must be greater than 0"));
                    }
                    (GeoPoint::new(la, lo), r)
                }
                (None, _, _) => return Err(ctx.missing(at, "site", "lat")),
                (_, None, _) => return Err(ctx.missing(at, "site", "lon")),
                (_, _, None) => return Err(ctx.missing(at, "site", "radius_m")),
            };
            let severity = ctx.severity(s.severity.as_ref())?;
            sites.push(Site {
                name,
                aliases,
                centre,
                radius_m,
                severity,
            });
        }
        let sha256 = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut w = Watchlist {
            terms,
            sites,
            sha256,
            matcher: None,
            entries: Vec::new(),
            filter: StartFilter::default(),
        };
        w.build_matcher(origin)?;
        Ok(w)
    }

    /// Reads and parses a watchlist file.
    ///
    /// # Errors
    /// The file cannot be read or is malformed (see [`Watchlist::from_toml`]).
    pub fn load(path: &Path) -> Result<Watchlist, RulesError> {
        let bytes = std::fs::read(path).map_err(|source| RulesError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let origin = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let text = String::from_utf8(bytes).map_err(|e| RulesError::Syntax {
            origin: origin.clone(),
            line: line_of(
                &String::from_utf8_lossy(e.as_bytes()),
                e.utf8_error().valid_up_to(),
            ),
            message: "the file is not valid UTF-8".to_string(),
        })?;
        Watchlist::from_toml(&text, &origin)
    }

    /// SHA-256 of the source text, lower-case hex (the ledger records which list was used).
    pub fn sha256(&self) -> String {
        self.sha256.clone()
    }

    /// The terms.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The sites.
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    /// Sites whose geofence holds `p`, with the distance from the centre in metres.
    pub fn geofences_holding(&self, p: GeoPoint) -> Vec<(&Site, f64)> {
        self.sites
            .iter()
            .filter_map(|s| {
                let d = haversine_m(s.centre?, p);
                (d <= s.radius_m).then_some((s, d))
            })
            .collect()
    }

    fn build_matcher(&mut self, origin: &str) -> Result<(), RulesError> {
        let mut patterns: Vec<String> = Vec::new();
        let mut entries = Vec::new();
        let mut add = |text: &str, e: Entry| {
            let n = normalize(text).trim().to_ascii_lowercase();
            let left = n.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
            let right = n
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            patterns.push(n);
            entries.push((e, left, right));
        };
        for (i, t) in self.terms.iter().enumerate() {
            add(&t.text, Entry::Term(i));
        }
        for (i, s) in self.sites.iter().enumerate() {
            add(
                &s.name,
                Entry::Site {
                    site: i,
                    alias: None,
                },
            );
            for (k, a) in s.aliases.iter().enumerate() {
                add(
                    a,
                    Entry::Site {
                        site: i,
                        alias: Some(k),
                    },
                );
            }
        }
        if patterns.is_empty() {
            return Ok(());
        }
        self.filter = StartFilter::new(&patterns);
        // Anchored, leftmost-longest, ASCII case-insensitive: the filter proposes the
        // few positions where a term may start and the automaton confirms the longest term
        // there. A compact NFA suits these short anchored walks (1-2 MB for 10,000 terms,
        // where a DFA takes 50 MB and cache misses on every byte of an unanchored scan).
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .start_kind(StartKind::Anchored)
            .build(&patterns)
            .map_err(|e| RulesError::Matcher {
                origin: origin.to_string(),
                message: e.to_string(),
            })?;
        self.matcher = Some(ac);
        self.entries = entries;
        Ok(())
    }
}

fn syntax_error(text: &str, origin: &str, e: &toml::de::Error) -> RulesError {
    let at = e.span().map_or(0, |s| s.start);
    let line = line_of(text, at);
    let message = e.message().trim().to_string();
    // Name the field: from serde's message (`unknown field `x``) or the key on that line.
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("unknown field"))
        .map(str::to_string)
        .or_else(|| {
            let l = text.lines().nth(line.saturating_sub(1))?;
            let (k, _) = l.split_once('=')?;
            let k = k.trim();
            (!k.is_empty() && !k.starts_with('[')).then(|| k.to_string())
        });
    match field {
        Some(field) => RulesError::Field {
            origin: origin.to_string(),
            line,
            field,
            message,
        },
        None => RulesError::Syntax {
            origin: origin.to_string(),
            line,
            message,
        },
    }
}

/// The detector that matches the watchlist's terms and site names.
#[derive(Clone)]
pub struct WatchlistDetector {
    list: Watchlist,
}

impl WatchlistDetector {
    /// Wraps a parsed watchlist.
    pub fn new(list: Watchlist) -> WatchlistDetector {
        WatchlistDetector { list }
    }

    /// The list.
    pub fn list(&self) -> &Watchlist {
        &self.list
    }
}

impl Detector for WatchlistDetector {
    fn id(&self) -> &'static str {
        "watchlist"
    }

    fn detect(&self, input: &Prepared<'_>, out: &mut Vec<Hit>) {
        let Some(ac) = &self.list.matcher else { return };
        let text = input.text();
        let bytes = text.as_bytes();
        let filter = &self.list.filter;
        let mut p = 0;
        while let Some(&b) = bytes.get(p) {
            // Where the next possible start lies if no term starts at `p`. Terms start on
            // char boundaries, and a term that starts with a Latin letter or digit only at a
            // word start: a word is passed over in one step, never byte by byte. Chars that
            // no term starts with are passed at once, without hashing.
            let next = match b {
                b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => {
                    // A single space after the word goes with it: no term starts with
                    // whitespace (terms are trimmed).
                    let mut end = word_end(bytes, p);
                    if bytes.get(end) == Some(&b' ') {
                        end += 1;
                    }
                    let inside = p > 0 && bytes.get(p - 1).is_some_and(u8::is_ascii_alphanumeric);
                    if inside || !filter.starts(u32::from(b)) {
                        p = end;
                        continue;
                    }
                    end
                }
                0..=0x7F => {
                    if !filter.starts(u32::from(b)) {
                        p += 1;
                        continue;
                    }
                    p + 1
                }
                0xE0..=0xEF => {
                    // Past the three-byte chars no term starts with; a three-byte char
                    // there is one a term starts with, anything else is dispatched again.
                    p = filter.skip_bmp3(bytes, p);
                    match bytes.get(p) {
                        Some(&x) if x & 0xF0 == 0xE0 => p + 3,
                        _ => continue,
                    }
                }
                0xC0..=0xDF => {
                    if bmp_at(bytes, p).is_some_and(|cp| !filter.starts(cp)) {
                        p += 2;
                        continue;
                    }
                    p + 2
                }
                0xF0.. => p + 4,
                // a continuation byte: never a start
                _ => {
                    p += 1;
                    continue;
                }
            };
            if !filter.maybe_after_first(bytes, p) {
                p = next;
                continue;
            }
            let m = ac.find(Input::new(text).span(p..text.len()).anchored(Anchored::Yes));
            let hit = m.and_then(|m| {
                let &info = self.list.entries.get(m.pattern().as_usize())?;
                let hit = self.hit_for(input, text, m.start(), m.end(), info)?;
                Some((hit, m.end()))
            });
            match hit {
                Some((hit, end)) => {
                    out.push(hit);
                    p = end.max(p + 1);
                }
                None => p = next,
            }
        }
    }
}

/// End of the run of ASCII letters and digits that starts at `p`, eight bytes at a time.
fn word_end(bytes: &[u8], mut p: usize) -> usize {
    while let Some(chunk) = bytes.get(p..p + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let other = !alnum8(u64::from_le_bytes(w)) & HIGH;
        if other != 0 {
            return p + (other.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    while bytes.get(p).is_some_and(u8::is_ascii_alphanumeric) {
        p += 1;
    }
    p
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each of eight bytes (a little-endian word) set where the byte is an ASCII
/// letter or digit.
fn alnum8(w: u64) -> u64 {
    let low7 = w & !HIGH;
    // Bytes in `lo..=hi`, for 7-bit values (the sums never carry into the next byte).
    let within = |x: u64, lo: u8, hi: u8| {
        (x + ONES * (0x80 - u64::from(lo))) & !(x + ONES * (0x7F - u64::from(hi)))
    };
    // `| 0x20` folds upper-case letters onto lower-case ones and nothing else onto them.
    let letters = within(low7 | (ONES * 0x20), b'a', b'z');
    let digits = within(low7, b'0', b'9');
    (letters | digits) & !w & HIGH
}

impl WatchlistDetector {
    /// The hit for a term match at `ms..me` of the normalised `text`, unless a
    /// Latin term lacks its word boundaries.
    fn hit_for(
        &self,
        input: &Prepared<'_>,
        text: &str,
        ms: usize,
        me: usize,
        (entry, left, right): (Entry, bool, bool),
    ) -> Option<Hit> {
        let before = text.get(..ms).and_then(|h| h.chars().next_back());
        let after = text.get(me..).and_then(|t| t.chars().next());
        // Latin terms need word boundaries; CJK terms match inside running Chinese text.
        if left && before.is_some_and(|c| c.is_ascii_alphanumeric())
            || right && after.is_some_and(|c| c.is_ascii_alphanumeric())
        {
            return None;
        }
        let (start, end) = input.to_original(ms, me);
        let hit = match entry {
            Entry::Term(i) => {
                let t = self.list.terms.get(i)?;
                Hit {
                    category: t.category,
                    rule: "watchlist-term",
                    severity: t.severity,
                    start,
                    end,
                    explanation: format!("Watchlist term \"{}\"", t.text),
                    position: None,
                }
            }
            Entry::Site { site, alias } => {
                let s = self.list.sites.get(site)?;
                let explanation = match alias.and_then(|k| s.aliases.get(k)) {
                    Some(a) => format!("Watchlist site \"{}\" (alias \"{a}\")", s.name),
                    None => format!("Watchlist site \"{}\"", s.name),
                };
                Hit {
                    category: Category::RestrictedSite,
                    rule: "restricted-site-name",
                    severity: s.severity,
                    start,
                    end,
                    explanation,
                    position: None,
                }
            }
        };
        Some(hit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../../fixtures/rules.toml");

    fn err(text: &str) -> String {
        match Watchlist::from_toml(text, "rules.toml") {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn lower_cases_eight_bytes_at_once() {
        let w = u64::from_le_bytes(*b"AZaz@[`{");
        assert_eq!(ascii_lower8(w).to_le_bytes(), *b"azaz@[`{");
        let w = u64::from_le_bytes([0xC3, 0x89, b'Q', 0xE6, 0x9C, 0xBA, b'0', b'M']);
        assert_eq!(
            ascii_lower8(w).to_le_bytes(),
            [0xC3, 0x89, b'q', 0xE6, 0x9C, 0xBA, b'0', b'm']
        );
    }

    #[test]
    fn finds_word_ends_eight_bytes_at_once() {
        for b in 0..=255u8 {
            let w = u64::from_le_bytes([b, b'a', b, b'Z', b, b'5', b, 0xE6]);
            let want = |x: u8| {
                if x.is_ascii_alphanumeric() {
                    0x80u8
                } else {
                    0
                }
            };
            let expect =
                u64::from_le_bytes([want(b), 0x80, want(b), 0x80, want(b), 0x80, want(b), 0]);
            assert_eq!(alnum8(w), expect, "byte {b:#x}");
        }
        let t = b"Nightjar7 x Projectnightjarsixteen, ab\xe6\x9c\xba";
        for p in 0..t.len() {
            let mut e = p;
            while t.get(e).is_some_and(u8::is_ascii_alphanumeric) {
                e += 1;
            }
            assert_eq!(word_end(t, p), e, "from {p}");
        }
    }

    /// The scan without any filter: an anchored search at every char boundary that is not
    /// inside a Latin word.
    fn unfiltered(d: &WatchlistDetector, input: &Prepared<'_>) -> Vec<Hit> {
        let ac = d.list.matcher.as_ref().unwrap();
        let text = input.text();
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut p = 0;
        while p < bytes.len() {
            let inside =
                bytes[p].is_ascii_alphanumeric() && p > 0 && bytes[p - 1].is_ascii_alphanumeric();
            if !text.is_char_boundary(p) || inside {
                p += 1;
                continue;
            }
            let m = ac.find(Input::new(text).span(p..text.len()).anchored(Anchored::Yes));
            let hit = m.and_then(|m| {
                let info = d.list.entries[m.pattern().as_usize()];
                Some((d.hit_for(input, text, m.start(), m.end(), info)?, m.end()))
            });
            match hit {
                Some((h, e)) => {
                    out.push(h);
                    p = e;
                }
                None => p += 1,
            }
        }
        out
    }

    #[test]
    fn the_start_filter_skips_only_positions_where_no_term_starts() {
        let rules = [
            "Project Nightjar",
            "nightjar",
            "7th Fleet",
            "#x1",
            "ab",
            "é",
            "Жар",
            "鹰",
            "夜鹰工程",
            "黄羊",
            "𠀀山",
            "x-ray",
            "机密项目",
            "jar",
        ]
        .iter()
        .map(|t| format!("[[term]]\ntext = \"{t}\"\n"))
        .collect::<String>();
        let d = WatchlistDetector::new(Watchlist::from_toml(&rules, "t.toml").unwrap());
        let tokens = [
            "Project", "Nightjar", "night", "jar", "NIGHTJAR", " ", " ", "\n", "-", ".", "7th",
            "Fleet", "#x1", "AB", "ab", "abc", "é", "É", "жар", "Жар", "鹰", "夜", "夜鹰", "工程",
            "黄羊", "黄", "𠀀", "山", "x", "ray", "机密", "项目", "2024", "，",
        ];
        let mut found = 0;
        for text in crate::random_text::random_texts(&tokens, 0x2545_F491_4F6C_DD1Du64, 3000, 24) {
            let prep = Prepared::new(&text);
            let mut got = Vec::new();
            d.detect(&prep, &mut got);
            assert_eq!(got, unfiltered(&d, &prep), "{text:?}");
            found += got.len();
        }
        assert!(found > 2000, "the texts hold terms: {found}");
    }

    #[test]
    fn parses_the_sample_watchlist() {
        let w = Watchlist::from_toml(SAMPLE, "rules.toml").unwrap();
        assert_eq!(w.terms().len(), 3);
        assert_eq!(w.terms()[2].severity, Severity::Medium);
        assert_eq!(w.sites()[0].aliases, vec!["黄羊试验场", "Huangyang Range"]);
        assert_eq!(w.sites()[0].radius_m, 25000.0);
        assert_eq!(w.sha256().len(), 64);
        let inside = GeoPoint::new(40.6, 89.5).unwrap();
        assert_eq!(w.geofences_holding(inside).len(), 1);
        let outside = GeoPoint::new(41.5, 89.5).unwrap();
        assert!(w.geofences_holding(outside).is_empty());
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let table = [
            (
                "[[term]]\ntext = \"a\"\n\n[[site]]\nname = \"x\"\nlat = 1.0\nradius_m = \"far\"\nlon = 2.0\n",
                "rules.toml line 7: field `radius_m`: expected a number",
            ),
            ("[[term]]\ntext = \"a\"\ncategory = \"secrets\"\n", "rules.toml line 3: field `category`: unknown category `secrets`"),
            ("[[term]]\nseverity = \"high\"\n", "rules.toml line 1: [[term]] is missing field `text`"),
            ("[[term]]\ntext = \"  \"\n", "rules.toml line 2: field `text`: must not be empty"),
            ("[[term]]\ntext = 5\n", "rules.toml line 2: field `text`: expected a string"),
            ("[[site]]\nname = \"x\"\nlat = 95.0\nlon = 1\nradius_m = 5\n", "rules.toml line 3: field `lat`: latitude must be"),
            ("[[site]]\nname = \"x\"\nlat = 5.0\nlon = 1\n", "rules.toml line 1: [[site]] is missing field `radius_m`"),
            ("[[term]]\ntext = \"a\"\ncolour = \"red\"\n", "rules.toml line 3: field `colour`: unknown field"),
            ("[[term]]\ntext = \"a\n", "rules.toml line 2"),
            ("[[term]]\ntext = \"a\"\nseverity = \"urgent\"\n", "rules.toml line 3: field `severity`: unknown severity"),
        ];
        for (text, want) in table {
            let got = err(text);
            assert!(
                got.starts_with(want),
                "{text:?}: got {got:?}, want it to start with {want:?}"
            );
        }
    }

    fn hits(w: Watchlist, text: &str) -> Vec<(String, &'static str)> {
        let d = WatchlistDetector::new(w);
        let prep = Prepared::new(text);
        let mut out = Vec::new();
        d.detect(&prep, &mut out);
        out.iter()
            .map(|h| (text[h.start..h.end].to_string(), h.rule))
            .collect()
    }

    #[test]
    fn matches_terms_after_normalisation_and_across_lines() {
        let w = || Watchlist::from_toml(SAMPLE, "rules.toml").unwrap();
        let table: &[(&str, &str, &str)] = &[
            (
                "about PROJECT NIGHTJAR today",
                "PROJECT NIGHTJAR",
                "watchlist-term",
            ),
            (
                "about Project\nNightjar today",
                "Project\nNightjar",
                "watchlist-term",
            ),
            (
                "about Project Night-\njar today",
                "Project Night-\njar",
                "watchlist-term",
            ),
            ("关于夜鹰工程的报告", "夜鹰工程", "watchlist-term"),
            ("关于夜鹰\n工程的报告", "夜鹰\n工程", "watchlist-term"),
            ("关于夜鷹工程的報告", "夜鷹工程", "watchlist-term"),
            ("位于黄羊试验场以北", "黄羊试验场", "restricted-site-name"),
            (
                "near the Huangyang Test Range.",
                "Huangyang Test Range",
                "restricted-site-name",
            ),
            (
                "Ｆａｌｃｏｎ　Ｒｉｄｇｅ",
                "Ｆａｌｃｏｎ　Ｒｉｄｇｅ",
                "watchlist-term",
            ),
        ];
        for (text, want, rule) in table {
            let got = hits(w(), text);
            assert!(
                got.contains(&(want.to_string(), *rule)),
                "{text:?}: got {got:?}"
            );
        }
        // The start filter has no false negatives: short terms, terms starting with
        // punctuation, digits or CJK, at the start, middle and end of the text.
        let rules = "[[term]]\ntext = \"鹰\"\n[[term]]\ntext = \"ab\"\n[[term]]\ntext = \"#x1\"\n\
                     [[term]]\ntext = \"7th Fleet\"\n[[term]]\ntext = \"é\"\n[[term]]\ntext = \"黄羊\"\n";
        let got = hits(
            Watchlist::from_toml(rules, "t.toml").unwrap(),
            "鹰 AB x#x1 the 7th fleet é 黄羊鹰",
        );
        let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            vec!["鹰", "AB", "#x1", "7th fleet", "é", "黄羊", "鹰"]
        );
        assert!(
            hits(w(), "Project Nightjars and FalconRidge").is_empty(),
            "Latin terms need word boundaries"
        );
    }
}
