//! Shared vocabulary of Clearance: what an extracted document looks like, what a finding is,
//! and the fixed strings (categories, sources, severities) that the JSON output, the ledger and
//! the UI all use.
//!
//! Design decision: this crate holds types only, no I/O and no parsing of documents, so every
//! other crate (extraction, detection, forensics, ledger, CLI, app) can depend on it without
//! pulling anything heavy in. The serialised names are a public contract: changing one breaks
//! stored ledgers and scripts, so each enum spells its names out with `serde(rename_all)`.
#![deny(missing_docs)]

mod document;
mod finding;
mod geo;
mod report;

pub use document::{
    ExtractedDocument, Format, GpsPoint, ImageInfo, MetaField, PageInfo, Rect, Segment, Source,
};
pub use finding::{Category, Finding, Severity, Span};
pub use geo::{haversine_m, GeoPoint};
pub use report::{DocumentReport, ScanReport};

/// Version of the engine that produced a report; recorded with every review.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
