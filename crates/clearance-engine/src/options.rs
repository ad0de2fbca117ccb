//! What a scan may do and how much it may cost.

use std::path::PathBuf;
use std::time::Duration;

use clearance_extract::Limits;
use serde::{Deserialize, Serialize};

/// Limits of one worker process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerLimits {
    /// Wall-clock time one document may take before its worker is killed.
    pub timeout: Duration,
    /// Address-space cap of a worker process (RLIMIT_AS), in bytes.
    pub memory_bytes: u64,
    /// How many workers run at once.
    pub parallelism: usize,
}

impl Default for WorkerLimits {
    fn default() -> Self {
        WorkerLimits {
            // Parsing takes well under a second for real documents; the rest is for OCR of
            // scanned pages (about 7 s a page for English, 18 s for Chinese, on one core),
            // which gets two thirds of this and then reports what it could not read.
            timeout: Duration::from_secs(120),
            memory_bytes: 1 << 30,
            parallelism: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        }
    }
}

/// Options of a scan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ScanOptions {
    /// The agency's watchlist (TOML), if any.
    pub rules: Option<PathBuf>,
    /// Return the extracted content with each report (the app shows it; the CLI does not).
    pub include_content: bool,
    /// Worker process limits.
    pub worker: WorkerLimits,
    /// Extraction budgets inside the worker.
    pub extract: Limits,
    /// Read text in pictures (scans, photos) with OCR where it is available.
    pub ocr: OcrMode,
}

/// Whether text in pictures is read with OCR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OcrMode {
    /// OCR images and pages without a text layer when the OCR engine is installed; when it is
    /// not, every document with pictures says so in its warnings.
    #[default]
    Auto,
    /// Never OCR (faster; each document with pictures says that its pictures were not read).
    Off,
}
