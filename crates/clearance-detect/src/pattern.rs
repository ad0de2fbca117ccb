//! Pattern rules as data, and the engine that runs them.
//!
//! A rule is a [`PatternSpec`]: a regex, the literals (or digit runs) that any match must
//! contain, and an optional validation hook (checksums, ranges, context words) that can also
//! explain the match. Running thirty regexes over every byte of a document would cost more
//! than everything else together, so the engine first finds the triggers (one pass over the
//! text for every literal of every rule, overlapping occurrences included, and the digit
//! runs: `literals.rs`) and runs each regex only on small windows around its own triggers.
//! Look-around at window edges (`\b`) still sees the surrounding text, because windows are
//! searched as spans of the whole text.

use std::sync::LazyLock;

use clearance_model::{Category, GeoPoint, Severity, Source};
use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::Input;

use crate::literals::{Found, LiteralSet};
use crate::normalize::Prepared;
use crate::{Detector, Hit};

/// What must occur in the text near a match before the regex is run at all.
#[derive(Clone, Copy)]
pub enum Trigger {
    /// Any of these literals, case-sensitive (spell out the case variants a rule accepts).
    Literals(&'static [&'static str]),
    /// A run of ASCII digits accepted by the predicate, given the whole text and the run's
    /// byte range. Lets `.1234` (a decimal fraction) or an 18-digit run be told apart cheaply.
    Digits(DigitTest),
}

/// A predicate on a digit run: the whole text's bytes and the run's byte range.
pub type DigitTest = fn(&[u8], usize, usize) -> bool;

/// What a validation hook says about a match it accepts.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Verdict {
    /// Replaces the rule's fixed explanation.
    pub explanation: Option<String>,
    /// A position the match names (coordinates).
    pub position: Option<GeoPoint>,
    /// A narrower or wider span in the normalised text than the regex match.
    pub span: Option<(usize, usize)>,
}

impl Verdict {
    /// Accepted, with the rule's fixed explanation.
    pub fn accept() -> Option<Verdict> {
        Some(Verdict::default())
    }

    /// Accepted, with this explanation.
    pub fn explain(text: impl Into<String>) -> Option<Verdict> {
        Some(Verdict {
            explanation: Some(text.into()),
            ..Verdict::default()
        })
    }
}

/// One regex match offered to a validation hook.
pub struct Candidate<'a, 'p> {
    /// The prepared segment.
    pub prep: &'a Prepared<'p>,
    caps: &'a Captures,
    /// Start of the match in the normalised text.
    pub start: usize,
    /// End of the match in the normalised text.
    pub end: usize,
}

impl<'a, 'p> Candidate<'a, 'p> {
    /// The normalised text of the whole segment.
    pub fn text(&self) -> &'a str {
        self.prep.text()
    }

    /// The normalised text of the match.
    pub fn matched(&self) -> &'a str {
        self.text().get(self.start..self.end).unwrap_or("")
    }

    /// The normalised text of capture group `i`, if it took part in the match.
    pub fn group(&self, i: usize) -> Option<&'a str> {
        let sp = self.caps.get_group(i)?;
        self.text().get(sp.start..sp.end)
    }

    /// The byte range of capture group `i`.
    pub fn group_span(&self, i: usize) -> Option<(usize, usize)> {
        self.caps.get_group(i).map(|s| (s.start, s.end))
    }

    /// The char just before the match in the normalised text.
    pub fn before(&self) -> Option<char> {
        self.text().get(..self.start)?.chars().next_back()
    }

    /// The char just after the match in the normalised text.
    pub fn after(&self) -> Option<char> {
        self.text().get(self.end..)?.chars().next()
    }

    /// Up to `n` bytes of normalised text before the match (cut back to a char boundary).
    pub fn text_before(&self, n: usize) -> &'a str {
        let t = self.text();
        let s = floor_char(t, self.start.saturating_sub(n));
        t.get(s..self.start).unwrap_or("")
    }

    /// Up to `n` bytes of normalised text after the match.
    pub fn text_after(&self, n: usize) -> &'a str {
        let t = self.text();
        let e = ceil_char(t, self.end.saturating_add(n).min(t.len()));
        t.get(self.end..e).unwrap_or("")
    }

    /// Where the segment's text came from (OCR, body, header...).
    pub fn source(&self) -> Source {
        self.prep.source()
    }

    /// The original text of the match.
    pub fn original(&self) -> &'p str {
        self.prep.original_of(self.start, self.end)
    }

    /// True when only whitespace stands between the previous line break (or the start of the
    /// segment) and the match in the original text: a portion mark's or banner's position.
    /// Only the last [`LINE_LIMIT`] bytes are looked at, so a hostile one-line document with
    /// thousands of candidates stays linear.
    pub fn at_line_start(&self) -> bool {
        let (s, _) = self.prep.to_original(self.start, self.end);
        let orig = self.prep.original();
        let from = floor_char(orig, s.saturating_sub(LINE_LIMIT));
        let head = orig.get(from..s).unwrap_or("");
        match head.rfind('\n') {
            Some(nl) => head
                .get(nl + 1..)
                .unwrap_or("")
                .chars()
                .all(char::is_whitespace),
            None => from == 0 && head.chars().all(char::is_whitespace),
        }
    }

    /// The whole original line holding the match, trimmed; `None` when the line is longer
    /// than [`LINE_LIMIT`] bytes either side of the match (no banner is, and the bound keeps
    /// hostile input linear).
    pub fn original_line(&self) -> Option<&'p str> {
        let (s, e) = self.prep.to_original(self.start, self.end);
        let orig = self.prep.original();
        let from = floor_char(orig, s.saturating_sub(LINE_LIMIT));
        let to = ceil_char(orig, e.saturating_add(LINE_LIMIT));
        let ls = match orig.get(from..s)?.rfind('\n') {
            Some(i) => from + i + 1,
            None if from == 0 => 0,
            None => return None,
        };
        let le = match orig.get(e..to)?.find('\n') {
            Some(i) => e + i,
            None if to == orig.len() => to,
            None => return None,
        };
        Some(orig.get(ls..le)?.trim())
    }
}

/// A rule: data plus an optional validation hook.
pub struct PatternSpec {
    /// Stable kebab-case rule id, recorded in the ledger.
    pub id: &'static str,
    /// Category of its findings.
    pub category: Category,
    /// Severity of its findings.
    pub severity: Severity,
    /// The regex, matched on normalised text. `\b` means an ASCII word boundary.
    pub regex: &'static str,
    /// When to run the regex.
    pub trigger: Trigger,
    /// Capture group that gives the span of the finding (0 = the whole match).
    pub group: usize,
    /// How far before and after its trigger a match may reach, in bytes.
    pub reach: (usize, usize),
    /// Why a match is flagged, when the hook gives no explanation of its own.
    pub explanation: &'static str,
    /// Checksums, ranges and context rules; `None` rejects the match.
    pub validate: Option<fn(&Candidate<'_, '_>) -> Option<Verdict>>,
    /// Runs only on text recognised by OCR (a rule for OCR's misreadings).
    pub ocr_only: bool,
}

/// How far validators look for the start or end of a line, in bytes.
pub const LINE_LIMIT: usize = 256;

/// How far (bytes of normalised text) a match may reach before and after its trigger.
pub const REACH: (usize, usize) = (48, 96);

/// Byte ranges in the normalised text to search, per rule, sorted and merged.
pub struct TriggerScan {
    windows: Vec<Vec<(usize, usize)>>,
}

/// Every built-in rule table compiled into one trigger automaton and one regex per rule.
pub struct Engine {
    specs: Vec<&'static PatternSpec>,
    /// Index of the first rule of each table in `specs`.
    table_starts: Vec<usize>,
    regexes: Vec<Option<Regex>>,
    /// Every trigger literal, searched with overlaps, and the digit runs.
    triggers: LiteralSet,
    /// For each trigger literal, the rules it wakes.
    trigger_rules: Vec<Vec<usize>>,
    digit_rules: Vec<(usize, DigitTest)>,
}

impl Engine {
    /// Compiles the tables. A regex that fails to compile disables its rule (and is caught
    /// by the test that compiles every built-in rule), it never panics.
    pub fn new(tables: &[&'static [PatternSpec]]) -> Engine {
        let mut specs = Vec::new();
        let mut table_starts = Vec::new();
        for t in tables {
            table_starts.push(specs.len());
            specs.extend(t.iter());
        }
        let regexes = specs.iter().map(|s| compile(s.regex).ok()).collect();
        let mut literals: Vec<String> = Vec::new();
        let mut trigger_rules: Vec<Vec<usize>> = Vec::new();
        let mut digit_rules = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            match s.trigger {
                Trigger::Literals(lits) => {
                    for l in lits {
                        let l = l.to_string();
                        match literals.iter().position(|x| *x == l) {
                            Some(k) => {
                                if let Some(v) = trigger_rules.get_mut(k) {
                                    v.push(i);
                                }
                            }
                            None => {
                                literals.push(l);
                                trigger_rules.push(vec![i]);
                            }
                        }
                    }
                }
                Trigger::Digits(f) => digit_rules.push((i, f)),
            }
        }
        // A literal that contains another wakes that one's rules too, with the longer
        // literal's window (the scan reports both; this keeps the wider window).
        let mut union = trigger_rules.clone();
        for (i, outer) in literals.iter().enumerate() {
            for (k, inner) in literals.iter().enumerate() {
                if i != k && outer.contains(inner.as_str()) {
                    let extra = trigger_rules.get(k).cloned().unwrap_or_default();
                    if let Some(u) = union.get_mut(i) {
                        u.extend(extra);
                        u.sort_unstable();
                        u.dedup();
                    }
                }
            }
        }
        let trigger_rules = union;
        // Case-sensitive (most rules are, and the others list their case variants) and
        // overlapping: `绝密级` holds both `绝密` and `密级`.
        let triggers = LiteralSet::new(&literals, !digit_rules.is_empty());
        Engine {
            specs,
            table_starts,
            regexes,
            triggers,
            trigger_rules,
            digit_rules,
        }
    }

    /// The rules of table `t`, as global indices.
    fn table_range(&self, t: usize) -> std::ops::Range<usize> {
        let s = self
            .table_starts
            .get(t)
            .copied()
            .unwrap_or(self.specs.len());
        let e = self
            .table_starts
            .get(t + 1)
            .copied()
            .unwrap_or(self.specs.len());
        s..e
    }

    /// Finds every trigger in `text` and the windows each rule must search.
    pub fn scan(&self, text: &str) -> TriggerScan {
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.specs.len()];
        let specs = &self.specs;
        let mut add = |rule: usize, s: usize, e: usize| {
            if let (Some(w), Some(spec)) = (windows.get_mut(rule), specs.get(rule)) {
                let (back, ahead) = spec.reach;
                let ws = floor_char(text, s.saturating_sub(back));
                let we = ceil_char(text, e.saturating_add(ahead).min(text.len()));
                match w.last_mut() {
                    Some(last) if ws <= last.1 => last.1 = last.1.max(we),
                    _ => w.push((ws, we)),
                }
            }
        };
        let bytes = text.as_bytes();
        self.triggers.scan(text, |f| match f {
            Found::Literal { id, start, end } => {
                if let Some(rules) = self.trigger_rules.get(id) {
                    for &r in rules {
                        add(r, start, end);
                    }
                }
            }
            Found::Digits { start, end } => {
                for &(r, f) in &self.digit_rules {
                    if f(bytes, start, end) {
                        add(r, start, end);
                    }
                }
            }
        });
        // Literal hits arrive in text order per rule, but overlapping literals of one rule
        // can arrive slightly out of order: sort and merge once more.
        for w in &mut windows {
            if w.len() > 1 {
                w.sort_unstable();
                let mut merged: Vec<(usize, usize)> = Vec::with_capacity(w.len());
                for &(s, e) in w.iter() {
                    match merged.last_mut() {
                        Some(last) if s <= last.1 => last.1 = last.1.max(e),
                        _ => merged.push((s, e)),
                    }
                }
                *w = merged;
            }
        }
        TriggerScan { windows }
    }

    /// Number of trigger literal matches in `text` (benchmark breakdown).
    pub fn literal_hits(&self, text: &str) -> usize {
        let mut n = 0;
        self.triggers.scan(text, |f| {
            if let Found::Literal { .. } = f {
                n += 1;
            }
        });
        n
    }

    /// Windows per rule id for `text`.
    pub fn window_counts(&self, text: &str) -> Vec<(&'static str, usize)> {
        let scan = self.scan(text);
        self.specs
            .iter()
            .zip(&scan.windows)
            .map(|(s, w)| (s.id, w.len()))
            .collect()
    }

    /// Runs the rules of table `t` on a prepared segment.
    pub fn run_table(&'static self, t: usize, prep: &Prepared<'_>, out: &mut Vec<Hit>) {
        let scan = prep.scan(|text| self.scan(text));
        let text = prep.text();
        for r in self.table_range(t) {
            let (Some(spec), Some(Some(re)), Some(wins)) =
                (self.specs.get(r), self.regexes.get(r), scan.windows.get(r))
            else {
                continue;
            };
            if wins.is_empty() || (spec.ocr_only && prep.source() != Source::Ocr) {
                continue;
            }
            let mut caps = re.create_captures();
            for &(ws, we) in wins {
                let mut at = ws;
                while at < we {
                    re.search_captures(&Input::new(text).span(at..we), &mut caps);
                    let Some(m) = caps.get_match() else { break };
                    let (ms, me) = (m.start(), m.end());
                    at = if me > ms { me } else { ceil_char(text, ms + 1) };
                    let cand = Candidate {
                        prep,
                        caps: &caps,
                        start: ms,
                        end: me,
                    };
                    let verdict = match spec.validate {
                        Some(f) => f(&cand),
                        None => Verdict::accept(),
                    };
                    let Some(v) = verdict else { continue };
                    let (s, e) = v
                        .span
                        .or_else(|| cand.group_span(spec.group))
                        .unwrap_or((ms, me));
                    // A validator that ends the match early (at the line's end) leaves the
                    // rest for the next match: `Classified By: X` / `Derived From: Y`.
                    if v.span.is_some() && e > ms && e < me {
                        at = ceil_char(text, e);
                    }
                    let (os, oe) = prep.to_original(s, e);
                    out.push(Hit {
                        category: spec.category,
                        rule: spec.id,
                        severity: spec.severity,
                        start: os,
                        end: oe,
                        explanation: v
                            .explanation
                            .unwrap_or_else(|| spec.explanation.to_string()),
                        position: v.position,
                    });
                }
            }
        }
    }
}

/// Compiles a rule's regex with `\b` as an ASCII word boundary (so the fast engines apply and
/// a CJK char next to a digit counts as a boundary).
pub fn compile(pattern: &str) -> Result<Regex, Box<regex_automata::meta::BuildError>> {
    Regex::new(&pattern.replace(r"\b", r"(?-u:\b)")).map_err(Box::new)
}

/// The largest char boundary of `t` at or before `i`.
pub fn floor_char(t: &str, mut i: usize) -> usize {
    i = i.min(t.len());
    while i > 0 && !t.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary of `t` at or after `i`.
pub fn ceil_char(t: &str, mut i: usize) -> usize {
    i = i.min(t.len());
    while i < t.len() && !t.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The built-in rule tables, in the order of [`BUILTIN_TABLES`].
pub static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::new(&BUILTIN_TABLES));

/// Every built-in rule table; a [`PatternDetector`] names one by index.
pub static BUILTIN_TABLES: [&[PatternSpec]; 6] = [
    crate::rules::marking::SPECS,
    crate::rules::coords::SPECS,
    crate::rules::military::SPECS,
    crate::rules::personal::SPECS,
    crate::rules::procurement::SPECS,
    crate::rules::signs::SPECS,
];

/// A detector made of one built-in rule table.
pub struct PatternDetector {
    id: &'static str,
    table: usize,
}

impl PatternDetector {
    /// The detector for table `table` of [`BUILTIN_TABLES`].
    pub const fn new(id: &'static str, table: usize) -> PatternDetector {
        PatternDetector { id, table }
    }

    /// Its rules.
    pub fn specs(&self) -> &'static [PatternSpec] {
        BUILTIN_TABLES.get(self.table).copied().unwrap_or(&[])
    }
}

impl Detector for PatternDetector {
    fn id(&self) -> &'static str {
        self.id
    }

    fn detect(&self, input: &Prepared<'_>, out: &mut Vec<Hit>) {
        ENGINE.run_table(self.table, input, out);
    }
}

/// Test helper shared by the rule tables: runs one table on `text` and returns
/// `(rule, original text)` pairs in text order.
#[cfg(test)]
pub fn run_on(table: usize, text: &str) -> Vec<(&'static str, String)> {
    run_on_source(table, text, clearance_model::Source::Body)
}

/// [`run_on`] for a segment from `source`.
#[cfg(test)]
pub fn run_on_source(
    table: usize,
    text: &str,
    source: clearance_model::Source,
) -> Vec<(&'static str, String)> {
    let prep = Prepared::with_source(text, source);
    let mut hits = Vec::new();
    ENGINE.run_table(table, &prep, &mut hits);
    hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    hits.iter()
        .map(|h| (h.rule, text.get(h.start..h.end).unwrap_or("").to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_regex_compiles_and_ids_are_unique_kebab_case() {
        let mut ids = std::collections::HashSet::new();
        for table in BUILTIN_TABLES {
            for s in table {
                assert!(
                    compile(s.regex).is_ok(),
                    "rule {} does not compile: {:?}",
                    s.id,
                    compile(s.regex).err()
                );
                assert!(ids.insert(s.id), "duplicate rule id {}", s.id);
                assert!(
                    s.id.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "rule id {} is not kebab-case",
                    s.id
                );
            }
        }
    }
}
