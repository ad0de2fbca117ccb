//! Scan reports: the `clearance scan --json` contract.

use serde::{Deserialize, Serialize};

use crate::{ExtractedDocument, Finding, Format};

/// The result for one document. A document that could not be read still gets an entry, with
/// the reason in `errors`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentReport {
    /// The path as given (or as found while walking a directory).
    pub path: String,
    /// SHA-256 of the file's bytes, lower-case hex; empty if the file could not be read.
    pub sha256: String,
    /// Detected format, if it was recognised.
    pub format: Option<Format>,
    /// Number of pages, for paged formats.
    pub pages: Option<u32>,
    /// Everything flagged.
    pub findings: Vec<Finding>,
    /// Why the document (or part of it) could not be read. Never empty for a failed document.
    pub errors: Vec<String>,
    /// Extraction problems that did not stop the scan (`page 3: text could not be extracted`).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The extracted content, when asked for (the app shows it; the CLI leaves it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ExtractedDocument>,
}

impl DocumentReport {
    /// An entry for a document that failed before anything was extracted.
    pub fn failed(path: impl Into<String>, sha256: impl Into<String>, error: String) -> Self {
        DocumentReport {
            path: path.into(),
            sha256: sha256.into(),
            format: None,
            pages: None,
            findings: Vec::new(),
            errors: vec![error],
            warnings: Vec::new(),
            content: None,
        }
    }
}

/// The whole `scan --json` output: exactly one object with one entry per document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ScanReport {
    /// One entry per document, in the order they were given or found.
    pub documents: Vec<DocumentReport>,
}
