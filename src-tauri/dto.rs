//! Transfer types: what commands return and events carry. Field names are camelCase for the
//! UI; the model types inside (`DocumentReport`, `Finding`, ...) keep the JSON contract's own
//! names. Mirrored by hand in `ui/src/lib/backend/types.ts`.

use std::sync::Arc;

use clearance_model::{DocumentReport, Format};
use serde::{Deserialize, Serialize, Serializer};

use crate::queue::{DocId, Entry, ScanState};

/// Name of the event sent whenever a queue entry changes; its payload is a [`QueueEntryDto`].
pub const QUEUE_CHANGED: &str = "queue-changed";

/// Name of the event sent when a queue entry was removed; its payload is the entry's id.
pub const QUEUE_REMOVED: &str = "queue-removed";

/// One row of the intake queue.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntryDto {
    /// Entry id, for `get_document` and `read_document_bytes`.
    pub id: DocId,
    /// Full path.
    pub path: String,
    /// File name.
    pub name: String,
    /// Scan state.
    pub state: ScanState,
    /// Detected format, once scanned.
    pub format: Option<Format>,
    /// Page count, once scanned.
    pub pages: Option<u32>,
    /// SHA-256 of the scanned bytes, once scanned.
    pub sha256: Option<String>,
}

impl From<&Entry> for QueueEntryDto {
    fn from(e: &Entry) -> Self {
        QueueEntryDto {
            id: e.id,
            path: e.path.display().to_string(),
            name: e.name(),
            state: e.state.clone(),
            format: e.report.as_ref().and_then(|r| r.format),
            pages: e.report.as_ref().and_then(|r| r.pages),
            sha256: e
                .report
                .as_ref()
                .map(|r| r.sha256.clone())
                .filter(|s| !s.is_empty()),
        }
    }
}

/// A scanned document for the review view: the queue row plus the full report with its
/// extracted content (segments without per-char boxes; findings carry their own boxes).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentView {
    /// The queue row.
    pub entry: QueueEntryDto,
    /// The report, shared with the queue rather than copied.
    #[serde(serialize_with = "serialize_report")]
    pub report: Arc<DocumentReport>,
}

fn serialize_report<S: Serializer>(r: &Arc<DocumentReport>, s: S) -> Result<S::Ok, S::Error> {
    r.as_ref().serialize(s)
}

/// Facts about this app instance the UI shows or needs at start.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// App and engine version.
    pub version: String,
    /// Paths given on the command line, offered in the intake view.
    pub startup_paths: Vec<String>,
    /// The ledger database in use.
    pub db_path: String,
    /// The watchlist file in use, if any.
    pub rules: Option<String>,
    /// The settings file (read at start, written by `save_settings`).
    pub settings_path: String,
    /// Why the settings file could not be used (the app runs with defaults), if so.
    pub settings_error: Option<String>,
    /// Worker limits in force.
    pub limits: LimitsDto,
    /// The watched intake folder, if set.
    pub intake_folder: Option<String>,
    /// The interface language saved in the settings file, if any.
    pub language: Option<String>,
    /// What settings.toml holds (unset = default), for the settings form.
    pub saved: SavedSettingsDto,
}

/// The editable fields of settings.toml as saved; `None` = not set (the default applies).
/// The settings screen is filled from it and sends it back to be saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedSettingsDto {
    /// `[rules] watchlist`.
    pub watchlist: Option<String>,
    /// `[intake] folder`.
    pub intake_folder: Option<String>,
    /// `[limits] timeout_secs`.
    pub timeout_secs: Option<u64>,
    /// `[limits] memory_mib`.
    pub memory_mib: Option<u64>,
    /// `[limits] parallelism`.
    pub parallelism: Option<usize>,
    /// `[ui] language`.
    pub language: Option<String>,
}

impl From<&clearance_engine::Settings> for SavedSettingsDto {
    fn from(s: &clearance_engine::Settings) -> Self {
        let path = |p: &Option<std::path::PathBuf>| p.as_ref().map(|p| p.display().to_string());
        SavedSettingsDto {
            watchlist: path(&s.watchlist),
            intake_folder: path(&s.intake_folder),
            timeout_secs: s.timeout.map(|t| t.as_secs()),
            memory_mib: s.memory_bytes.map(|m| m >> 20),
            parallelism: s.parallelism,
            language: s.language.clone(),
        }
    }
}

/// Worker limits in UI units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitsDto {
    /// Seconds one document may take.
    pub timeout_secs: u64,
    /// Address-space cap of one worker, in MiB.
    pub memory_mib: u64,
    /// Scan threads (workers at once).
    pub parallelism: usize,
}

impl From<&clearance_engine::WorkerLimits> for LimitsDto {
    fn from(l: &clearance_engine::WorkerLimits) -> Self {
        LimitsDto {
            timeout_secs: l.timeout.as_secs(),
            memory_mib: l.memory_bytes >> 20,
            parallelism: l.parallelism,
        }
    }
}

/// Removes per-char boxes from the extracted content: the UI places highlights from the
/// findings' own boxes, and the per-char boxes of a long PDF would cost megabytes per view.
pub fn strip_char_boxes(report: &mut DocumentReport) {
    if let Some(content) = report.content.as_mut() {
        for seg in &mut content.segments {
            seg.boxes = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_model::{ExtractedDocument, Rect, Segment, Source};

    #[test]
    fn stripping_keeps_text_and_drops_char_boxes() {
        let mut r = DocumentReport::failed("a.pdf", "00", String::new());
        let mut doc = ExtractedDocument::new(Format::Pdf);
        let mut seg = Segment::new(Source::Body, "ab").with_page(1);
        seg.boxes = vec![Rect::new(0.0, 0.0, 1.0, 1.0); 2];
        doc.segments.push(seg);
        r.content = Some(doc);
        strip_char_boxes(&mut r);
        let seg = &r.content.as_ref().unwrap().segments[0];
        assert!(seg.boxes.is_empty());
        assert_eq!(seg.text, "ab");
    }

    #[test]
    fn scan_state_serialises_with_a_kind_tag() {
        let s = serde_json::to_string(&ScanState::Scanned { findings: 2 }).unwrap();
        assert_eq!(s, r#"{"kind":"scanned","findings":2}"#);
        let s = serde_json::to_string(&ScanState::Queued).unwrap();
        assert_eq!(s, r#"{"kind":"queued"}"#);
    }
}
