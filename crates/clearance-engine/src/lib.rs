//! The scan pipeline shared by the `clearance` CLI and the desktop app: read a file, hash it,
//! extract it, run the detectors, and report — with every document parsed in its own worker
//! process.
//!
//! Design decision: third-party parsers abort the whole process on some hostile files (stack
//! overflow, allocation failure), which `catch_unwind` cannot stop. So the binary that uses
//! the engine doubles as its own worker: [`maybe_run_worker`] must be the first call in
//! `main`, and [`scan_file`] re-executes the current binary in worker mode with an address-space
//! cap and a wall-clock limit, mapping a crash, a kill or a timeout to a per-document error.
//! Everything the worker does is also callable in-process ([`scan_bytes`]) for tests and
//! benchmarks.
#![deny(missing_docs)]

mod hash;
mod intake;
mod options;
mod pipeline;
mod settings;
mod walk;
mod worker;

pub use clearance_detect::{DetectorSet, RulesError, Watchlist};
pub use clearance_extract::Limits;
pub use hash::{sha256_file, sha256_hex};
pub use intake::{Intake, IntakeConfig, IntakeError, IntakeEvent, DEFAULT_SETTLE};
pub use options::{OcrMode, ScanOptions, WorkerLimits};
pub use pipeline::{load_detectors, scan_bytes};
pub use settings::{
    default_settings_path, Overrides, Settings, SettingsError, MIN_MEMORY_MIB, SETTINGS_FILE,
};
pub use walk::{collect_files, WalkError};
pub use worker::{
    maybe_run_worker, scan_file, scan_file_cancellable, scan_paths, CancelToken, Cancelled,
    Progress, WORKER_ARG,
};
