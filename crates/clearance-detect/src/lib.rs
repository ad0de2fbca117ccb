//! Detectors of sensitive passages (markings, coordinates, units, IDs, watchlist terms).
//!
//! Pipeline for one segment: normalise once ([`Prepared`]: NFKC, Traditional -> Simplified,
//! letter-spaced CJK and line wraps joined, with a map back to original bytes), run every
//! [`Detector`] on the normalised text, test positions against the watchlist's geofences,
//! merge overlapping hits of one category, then turn hits into [`Finding`]s that carry the
//! original text, span, page, boxes and context.
//!
//! Design decisions: detectors plug in behind one trait, and the built-ins are a static list
//! (like ripgrep's flag list). Pattern detectors are data ([`PatternSpec`]: regex, trigger
//! literals, validation hook) run by one engine that searches only windows around cheap
//! literal triggers, so a 10 MB document costs one pass of a literal scan, not thirty regex
//! passes. The watchlist is one Aho-Corasick automaton however many terms it has.
#![deny(missing_docs)]
// Tests state their expectations with unwrap; library code never does.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod bmp_set;
mod literals;
mod merge;
mod metadata;
mod mgrs;
mod normalize;
mod pattern;
#[cfg(test)]
mod random_text;
mod rules;
mod watchlist;

use std::sync::Arc;

use clearance_model::{
    Category, ExtractedDocument, Finding, GeoPoint, Segment, Severity, Source, Span,
};

pub use metadata::{describe_key, meta_source, GpsDetector, MetadataDetector};
pub use mgrs::Mgrs;
pub use normalize::{is_cjk, normalize, to_simplified, Prepared};
pub use pattern::{
    Candidate, DigitTest, PatternDetector, PatternSpec, Trigger, Verdict, BUILTIN_TABLES, REACH,
};
pub use watchlist::{RulesError, Site, Term, Watchlist, WatchlistDetector};

/// What a detector reports for one segment: a span of the ORIGINAL text and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Category.
    pub category: Category,
    /// Stable kebab-case rule id.
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Byte offset in the original segment text (a char boundary).
    pub start: usize,
    /// End byte offset in the original segment text (a char boundary).
    pub end: usize,
    /// One line: why this was flagged.
    pub explanation: String,
    /// Position named by the text (coordinates).
    pub position: Option<GeoPoint>,
}

/// A detector. Text detectors implement [`Detector::detect`]; detectors of document-level
/// data (metadata fields, GPS points) implement [`Detector::detect_document`].
pub trait Detector: Send + Sync {
    /// Stable id.
    fn id(&self) -> &'static str;
    /// Finds hits in one prepared segment.
    fn detect(&self, input: &Prepared<'_>, out: &mut Vec<Hit>);
    /// Finds findings in a document's non-text data. Most detectors have none.
    fn detect_document(&self, _doc: &ExtractedDocument, _out: &mut Vec<Finding>) {}
}

static MARKINGS: PatternDetector = PatternDetector::new("classification-marking", 0);
static COORDINATES: PatternDetector = PatternDetector::new("coordinates", 1);
static MILITARY_UNITS: PatternDetector = PatternDetector::new("military-unit", 2);
static PERSONAL_IDS: PatternDetector = PatternDetector::new("personal-id", 3);
static PROCUREMENT: PatternDetector = PatternDetector::new("procurement-sensitive", 4);
static SIGNS: PatternDetector = PatternDetector::new("restricted-site", 5);
static GPS: GpsDetector = GpsDetector;
static METADATA: MetadataDetector = MetadataDetector;

/// The built-in detectors.
pub static BUILTIN: &[&dyn Detector] = &[
    &MARKINGS,
    &COORDINATES,
    &MILITARY_UNITS,
    &PERSONAL_IDS,
    &PROCUREMENT,
    &SIGNS,
    &GPS,
    &METADATA,
];

/// The detectors a scan runs: the built-ins, plus a watchlist and extra detectors if given.
/// Cheap to clone (the watchlist's matcher and extra detectors are shared).
#[derive(Clone)]
pub struct DetectorSet {
    builtin: &'static [&'static dyn Detector],
    watchlist: Option<WatchlistDetector>,
    extra: Vec<Arc<dyn Detector>>,
}

impl DetectorSet {
    /// The built-in detectors only.
    pub fn builtin() -> DetectorSet {
        DetectorSet {
            builtin: BUILTIN,
            watchlist: None,
            extra: Vec::new(),
        }
    }

    /// No detectors at all; add your own with [`DetectorSet::with_detector`] or a watchlist.
    pub fn empty() -> DetectorSet {
        DetectorSet {
            builtin: &[],
            watchlist: None,
            extra: Vec::new(),
        }
    }

    /// Adds the agency watchlist (terms, site names, geofences).
    pub fn with_watchlist(mut self, w: Watchlist) -> DetectorSet {
        self.watchlist = Some(WatchlistDetector::new(w));
        self
    }

    /// Adds a detector of your own.
    pub fn with_detector(mut self, d: Box<dyn Detector>) -> DetectorSet {
        self.extra.push(Arc::from(d));
        self
    }

    /// The watchlist, if one was added.
    pub fn watchlist(&self) -> Option<&Watchlist> {
        self.watchlist.as_ref().map(WatchlistDetector::list)
    }

    /// Ids of every detector in the set.
    pub fn ids(&self) -> Vec<&'static str> {
        self.all().map(|d| d.id()).collect()
    }

    fn all(&self) -> impl Iterator<Item = &dyn Detector> {
        self.builtin
            .iter()
            .copied()
            .chain(self.watchlist.iter().map(|w| w as &dyn Detector))
            .chain(self.extra.iter().map(|b| b.as_ref()))
    }

    /// Runs every text detector on one text of a document's body, then adds geofence hits
    /// and merges overlaps.
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        self.hits_from(text, Source::Body)
    }

    /// [`DetectorSet::hits`] for a text from `source` (some rules apply to OCR text only).
    pub fn hits_from(&self, text: &str, source: Source) -> Vec<Hit> {
        let prep = Prepared::with_source(text, source);
        let mut hits = Vec::new();
        for d in self.all() {
            d.detect(&prep, &mut hits);
        }
        if let Some(w) = self.watchlist() {
            let extra: Vec<Hit> = hits
                .iter()
                .filter_map(|h| h.position.map(|p| (h, p)))
                .flat_map(|(h, p)| {
                    w.geofences_holding(p)
                        .into_iter()
                        .map(move |(site, d)| Hit {
                            category: Category::RestrictedSite,
                            rule: "restricted-site-geofence",
                            severity: site.severity,
                            start: h.start,
                            end: h.end,
                            explanation: geofence_explanation(p, &site.name, d, site.radius_m),
                            position: Some(p),
                        })
                })
                .collect();
            hits.extend(extra);
        }
        merge::merge(hits)
    }

    /// Everything flagged in a document: every segment, every metadata value, GPS points,
    /// and metadata fields naming people. Findings come in segment and text order.
    pub fn detect(&self, doc: &ExtractedDocument) -> Vec<Finding> {
        let mut out = Vec::new();
        for (i, seg) in doc.segments.iter().enumerate() {
            for h in self.hits_from(&seg.text, seg.source) {
                out.push(finding_from(h, seg, Some(i)));
            }
        }
        for m in &doc.metadata {
            let mut seg = Segment::new(meta_source(doc.format, &m.part), m.value.clone())
                .with_part(m.part.clone());
            seg.page = m.page;
            for h in self.hits_from(&seg.text, seg.source) {
                let mut f = finding_from(h, &seg, None);
                f.explanation = format!("{} (in metadata field {})", f.explanation, m.key);
                out.push(f);
            }
        }
        let mut docs = Vec::new();
        for d in self.all() {
            d.detect_document(doc, &mut docs);
        }
        if let Some(w) = self.watchlist() {
            let fences: Vec<Finding> = docs
                .iter()
                .filter(|f| f.category == Category::GpsMetadata)
                .flat_map(|f| {
                    let p = f.position;
                    p.into_iter().flat_map(move |p| {
                        w.geofences_holding(p).into_iter().map(move |(site, d)| {
                            let mut g = f.clone();
                            g.category = Category::RestrictedSite;
                            g.rule = "restricted-site-geofence".to_string();
                            g.severity = site.severity;
                            g.explanation = geofence_explanation(p, &site.name, d, site.radius_m);
                            g
                        })
                    })
                })
                .collect();
            docs.extend(fences);
        }
        out.extend(docs);
        out
    }

    /// Convenience for tests and benchmarks: `text` as one body segment (segment 0).
    pub fn detect_text(&self, text: &str) -> Vec<Finding> {
        self.hits(text)
            .into_iter()
            .map(|h| {
                let found = text.get(h.start..h.end).unwrap_or("").to_string();
                let context = context_of(text, h.start, h.end);
                let span = Span::new(0, h.start, h.end);
                let mut f = Finding::new(
                    h.category,
                    h.rule,
                    h.severity,
                    found,
                    Source::Body,
                    h.explanation,
                );
                f.context = context;
                f.span = Some(span);
                f.position = h.position;
                f
            })
            .collect()
    }
}

/// Runs only the trigger scan of the built-in rules and returns how many windows it found
/// (for the benchmark's breakdown).
#[doc(hidden)]
pub fn trigger_windows(text: &str) -> Vec<(&'static str, usize)> {
    pattern::ENGINE.window_counts(text)
}

/// Counts trigger literal matches only (for the benchmark's breakdown).
#[doc(hidden)]
pub fn trigger_literal_hits(text: &str) -> usize {
    pattern::ENGINE.literal_hits(text)
}

fn geofence_explanation(p: GeoPoint, site: &str, d: f64, radius: f64) -> String {
    format!(
        "Position {:.5}, {:.5} is {:.1} km from restricted site \"{site}\" (inside its {:.1} km geofence)",
        p.lat,
        p.lon,
        d / 1000.0,
        radius / 1000.0
    )
}

/// About this many chars of context either side of a match.
const CONTEXT_CHARS: usize = 40;

/// The match with its surroundings, on one line.
pub fn context_of(text: &str, start: usize, end: usize) -> String {
    let (Some(head), Some(mid), Some(tail)) =
        (text.get(..start), text.get(start..end), text.get(end..))
    else {
        return String::new();
    };
    // The last CONTEXT_CHARS chars of `head` and the first of `tail`, as slices (no copies).
    let from = head
        .char_indices()
        .rev()
        .take(CONTEXT_CHARS)
        .last()
        .map_or(head.len(), |(i, _)| i);
    let to = tail
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(tail.len(), |(i, _)| i);
    let (before, after) = (head.get(from..).unwrap_or(""), tail.get(..to).unwrap_or(""));
    let mut out = String::with_capacity(before.len() + mid.len() + after.len());
    // Whitespace runs become one space within each part; a space that ends one part and one
    // that starts the next both stay.
    for part in [before, mid, after] {
        let part_start = out.len();
        for c in part.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if !(c == ' ' && out.len() > part_start && out.ends_with(' ')) {
                out.push(c);
            }
        }
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        return out;
    }
    trimmed.to_string()
}

fn finding_from(h: Hit, seg: &Segment, index: Option<usize>) -> Finding {
    let text = seg.text.get(h.start..h.end).unwrap_or("").to_string();
    let mut f = Finding::new(
        h.category,
        h.rule,
        h.severity,
        text,
        seg.source,
        h.explanation,
    );
    f.page = seg.page;
    f.part = seg.part.clone();
    f.context = context_of(&seg.text, h.start, h.end);
    f.bbox = seg.bbox_of(h.start, h.end);
    f.boxes = seg.line_boxes_of(h.start, h.end);
    f.span = index.map(|i| Span::new(i, h.start, h.end));
    f.position = h.position;
    f.confidence = seg.confidence;
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_model::{Format, GpsPoint, MetaField, Rect};

    const SAMPLE: &str = include_str!("../../../fixtures/rules.toml");

    #[test]
    fn findings_carry_location_context_and_explanation() {
        let mut seg = Segment::new(Source::Header, "Cover\nTOP\nSECRET//NOFORN")
            .with_page(3)
            .with_part("page 3");
        seg.boxes = (0..seg.text.chars().count())
            .map(|i| Rect::new(i as f32, 0.0, i as f32 + 1.0, 1.0))
            .collect();
        let mut doc = ExtractedDocument::new(Format::Pdf);
        doc.segments.push(seg);
        let f = DetectorSet::builtin().detect(&doc);
        let banner = f
            .iter()
            .find(|f| f.rule == "us-classification-banner")
            .unwrap();
        assert_eq!(banner.text, "TOP\nSECRET//NOFORN");
        assert_eq!(banner.page, Some(3));
        assert_eq!(banner.source, Source::Header);
        assert_eq!(banner.span, Some(Span::new(0, 6, 24)));
        assert_eq!(banner.context, "Cover TOP SECRET//NOFORN");
        assert_eq!(banner.boxes.len(), 2, "one box per line of a wrapped match");
        assert_eq!(banner.bbox, Some(Rect::new(6.0, 0.0, 24.0, 1.0)));
        assert!(banner.explanation.contains("TOP SECRET"));
        // The NOFORN inside the banner merged into it (same category, overlapping).
        assert_eq!(
            f.iter()
                .filter(|f| f.category == Category::ClassificationMarking)
                .count(),
            1
        );
    }

    #[test]
    fn geofences_add_restricted_site_findings() {
        let set = DetectorSet::builtin()
            .with_watchlist(Watchlist::from_toml(SAMPLE, "rules.toml").unwrap());
        let f = set.detect_text("Launch pad at 40.6000, 89.5000 and far away at 10.1234, 10.1234.");
        let fences: Vec<&Finding> = f
            .iter()
            .filter(|f| f.category == Category::RestrictedSite)
            .collect();
        assert_eq!(fences.len(), 1, "{f:#?}");
        assert!(fences[0].explanation.contains("Huangyang Test Range"));
        assert_eq!(
            f.iter()
                .filter(|f| f.category == Category::Coordinates)
                .count(),
            2
        );

        let mut doc = ExtractedDocument::new(Format::Image);
        doc.gps.push(GpsPoint {
            lat: 40.512,
            lon: 89.451,
            part: "EXIF".into(),
            page: None,
        });
        let f = set.detect(&doc);
        assert!(f
            .iter()
            .any(|f| f.category == Category::GpsMetadata && f.text == "40.512000, 89.451000"));
        assert!(f
            .iter()
            .any(|f| f.category == Category::RestrictedSite && f.explanation.contains("0.0 km")));
    }

    #[test]
    fn ocr_rules_see_the_segment_source() {
        let mut doc = ExtractedDocument::new(Format::Image);
        doc.segments
            .push(Segment::new(Source::Ocr, "扫描件\n机密女5年\n正文"));
        doc.segments.push(Segment::new(Source::Body, "机密女5年"));
        let f = DetectorSet::builtin().detect(&doc);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].rule, "cn-marking-ocr");
        assert_eq!(f[0].text, "机密女5年");
        assert_eq!(f[0].source, Source::Ocr);
        assert_eq!(f[0].span, Some(Span::new(0, 10, 23)));
        assert!(f[0]
            .explanation
            .contains("not in the OCR model's character set"));
    }

    #[test]
    fn metadata_values_are_scanned_too() {
        let mut doc = ExtractedDocument::new(Format::Docx);
        doc.metadata.push(MetaField {
            part: "docProps/core.xml".into(),
            key: "dc:title".into(),
            value: "机密".into(),
            page: None,
        });
        let f = DetectorSet::builtin().detect(&doc);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].category, Category::ClassificationMarking);
        assert_eq!(f[0].source, Source::Metadata);
        assert_eq!(f[0].span, None);
    }

    #[test]
    fn detector_sets_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync + Clone>(_: &T) {}
        let set = DetectorSet::builtin()
            .with_watchlist(Watchlist::from_toml(SAMPLE, "rules.toml").unwrap());
        shareable(&set);
        let ids = set.ids();
        assert!(
            ids.contains(&"watchlist") && ids.contains(&"classification-marking"),
            "{ids:?}"
        );
    }

    #[test]
    fn hostile_one_line_documents_stay_linear() {
        // Thousands of candidates on one huge line: validators that look for line starts or
        // the buyer must not rescan the line per candidate (this would take minutes).
        let set = DetectorSet::builtin();
        for unit in [
            "机密 ",
            "(S) x ",
            "SECRET ",
            "交货地点：1号 部队 ",
            "Classified By: x ",
        ] {
            let text = unit.repeat(40_000);
            let f = set.detect_text(&text);
            assert!(f.len() < 200_000, "{unit:?}: {}", f.len());
        }
    }

    #[test]
    fn context_keeps_each_parts_own_spacing() {
        // What the context was before it was built in one buffer: each part on one line on
        // its own, then joined and trimmed.
        fn separately(text: &str, start: usize, end: usize) -> String {
            let one_line = |s: &str| -> String {
                let mut out = String::new();
                for c in s.chars() {
                    let c = if c.is_whitespace() { ' ' } else { c };
                    if !(c == ' ' && out.ends_with(' ')) {
                        out.push(c);
                    }
                }
                out
            };
            let head = &text[..start];
            let n = head.chars().count();
            let before: String = head.chars().skip(n.saturating_sub(CONTEXT_CHARS)).collect();
            let after: String = text[end..].chars().take(CONTEXT_CHARS).collect();
            format!(
                "{}{}{}",
                one_line(&before),
                one_line(&text[start..end]),
                one_line(&after)
            )
            .trim()
            .to_string()
        }
        let texts = [
            "a  \n SECRET \t\n b",
            "  SECRET  ",
            "x SECRET",
            "机密　 文件 机密\n\n　资料",
            "",
        ];
        for text in texts {
            for start in 0..=text.len() {
                for end in start..=text.len() {
                    if text.is_char_boundary(start) && text.is_char_boundary(end) {
                        assert_eq!(
                            context_of(text, start, end),
                            separately(text, start, end),
                            "{text:?} {start}..{end}"
                        );
                    }
                }
            }
        }
        let long = format!("{}机 密{}", "字".repeat(60), "b ".repeat(60));
        let s = long.find('机').unwrap();
        assert_eq!(context_of(&long, s, s + 7), separately(&long, s, s + 7));
    }

    #[test]
    fn context_is_one_line_and_bounded() {
        let text = format!("{}\nSECRET\n{}", "a".repeat(100), "b".repeat(100));
        let s = text.find("SECRET").unwrap();
        let c = context_of(&text, s, s + 6);
        assert_eq!(c, format!("{} SECRET {}", "a".repeat(39), "b".repeat(39)));
    }
}
