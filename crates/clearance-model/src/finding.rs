//! Findings: what was flagged, where, and why.

use serde::{Deserialize, Serialize};

use crate::{GeoPoint, Rect, Source};

/// The fixed vocabulary of finding categories. The JSON output and the ledger store these
/// strings; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Classification banners, portion marks, authority blocks; Chinese 密级 marks.
    ClassificationMarking,
    /// Positions written in text (decimal, DMS, Chinese 北纬/东经, MGRS).
    Coordinates,
    /// GPS in image metadata.
    GpsMetadata,
    /// A watchlisted site by name, or a position inside a watchlisted geofence.
    RestrictedSite,
    /// An agency's own term from the watchlist.
    WatchlistTerm,
    /// Military unit designators and hull numbers.
    MilitaryUnit,
    /// Personal identifiers: PRC ID numbers, passports, phone numbers, e-mail addresses.
    PersonalId,
    /// Procurement text disclosing a classified purpose, buyer or site.
    ProcurementSensitive,
    /// People and organisations in document or image metadata.
    DocumentMetadata,
    /// Text that a redaction meant to hide but that can still be copied out.
    FailedRedaction,
    /// Content present in the file but not shown: comments, tracked deletions, hidden text.
    HiddenContent,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 11] = [
        Category::ClassificationMarking,
        Category::FailedRedaction,
        Category::HiddenContent,
        Category::WatchlistTerm,
        Category::RestrictedSite,
        Category::Coordinates,
        Category::GpsMetadata,
        Category::MilitaryUnit,
        Category::ProcurementSensitive,
        Category::PersonalId,
        Category::DocumentMetadata,
    ];

    /// The name used in JSON, the ledger and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::ClassificationMarking => "classification-marking",
            Category::Coordinates => "coordinates",
            Category::GpsMetadata => "gps-metadata",
            Category::RestrictedSite => "restricted-site",
            Category::WatchlistTerm => "watchlist-term",
            Category::MilitaryUnit => "military-unit",
            Category::PersonalId => "personal-id",
            Category::ProcurementSensitive => "procurement-sensitive",
            Category::DocumentMetadata => "document-metadata",
            Category::FailedRedaction => "failed-redaction",
            Category::HiddenContent => "hidden-content",
        }
    }

    /// Parses the JSON name.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How urgently a reviewer must look. Ordered: `Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a glance (metadata naming a person).
    Low,
    /// Likely sensitive.
    Medium,
    /// Release would leak: markings, watchlist terms, failed redactions.
    High,
}

impl Severity {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// Parses the JSON name.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            _ => None,
        }
    }
}

/// Where a finding sits in the extracted text: byte offsets into the UTF-8 text of segment
/// number `segment` of the [`crate::ExtractedDocument`]. `start <= end` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// Index into `ExtractedDocument::segments`.
    pub segment: usize,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span; the two offsets are put in order so the invariant always holds.
    pub fn new(segment: usize, a: usize, b: usize) -> Self {
        Span {
            segment,
            start: a.min(b),
            end: a.max(b),
        }
    }
}

/// One flagged passage. Fields named by the JSON contract are always present (`page` and
/// `bbox` may be null); the rest are extra detail for the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// What kind of sensitivity.
    pub category: Category,
    /// Stable kebab-case id of the rule that fired, e.g. `cn-classification-star`.
    pub rule: String,
    /// How urgent.
    pub severity: Severity,
    /// The matched text as it stands in the document (not the normalised form).
    pub text: String,
    /// 1-based page, where the document has pages.
    pub page: Option<u32>,
    /// What kind of place holds it.
    pub source: Source,
    /// Container part (`word/comments.xml`, `EXIF`), where known.
    #[serde(default)]
    pub part: Option<String>,
    /// The surrounding text, on one line.
    pub context: String,
    /// Bounding box on the page or image, where known.
    pub bbox: Option<Rect>,
    /// One box per line when the match wraps; empty when positions are unknown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boxes: Vec<Rect>,
    /// One line a reviewer can act on: why this was flagged.
    pub explanation: String,
    /// Position in the extracted text, for inline highlighting.
    #[serde(default)]
    pub span: Option<Span>,
    /// Normalised position, for coordinates and GPS findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<GeoPoint>,
    /// Mean recognition confidence 0–100 of the OCR text the finding was read from, so a
    /// reviewer can weigh a match in misreadable text; `None` for text the document holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
}

impl Finding {
    /// A finding with the required fields; location fields start empty.
    pub fn new(
        category: Category,
        rule: impl Into<String>,
        severity: Severity,
        text: impl Into<String>,
        source: Source,
        explanation: impl Into<String>,
    ) -> Self {
        Finding {
            category,
            rule: rule.into(),
            severity,
            text: text.into(),
            page: None,
            source,
            part: None,
            context: String::new(),
            bbox: None,
            boxes: Vec::new(),
            explanation: explanation.into(),
            span: None,
            position: None,
            confidence: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_names_round_trip() {
        for c in Category::ALL {
            let json = serde_json::to_string(&c).unwrap_or_default();
            assert_eq!(
                json,
                format!("\"{}\"", c.as_str()),
                "serde and as_str must agree"
            );
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn severity_orders_low_to_high() {
        assert!(Severity::Low < Severity::Medium && Severity::Medium < Severity::High);
    }

    #[test]
    fn span_keeps_start_before_end() {
        let s = Span::new(0, 9, 3);
        assert!(s.start <= s.end);
    }
}
