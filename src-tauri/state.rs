//! Managed state: one instance per app, registered with `manage` at start-up.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use crate::queue::Queue;
use crate::scanner::Scanner;

/// Everything the commands share.
pub struct AppState {
    /// The intake queue.
    pub queue: Mutex<Queue>,
    /// Hands documents to the background scan threads.
    pub scanner: Scanner,
    /// User settings that change how scans run.
    pub settings: Mutex<Settings>,
    /// Paths from the command line, offered in the intake view.
    pub startup_paths: Vec<PathBuf>,
    /// The ledger database file.
    pub db_path: PathBuf,
    /// The ledger, opened (or created) on first use.
    pub ledger: Mutex<Option<clearance_ledger::Ledger>>,
    /// Who is signed in.
    pub session: Mutex<Option<clearance_ledger::Session>>,
}

/// Settings the user can change while the app runs.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Watchlist (rules TOML) for scans started from now on.
    pub rules: Option<PathBuf>,
}

/// Locks a mutex, recovering the data if a thread panicked while holding it: every value
/// behind these locks stays consistent between statements, so the data is still usable.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
