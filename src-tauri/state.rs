//! Managed state: one instance per app, registered with `manage` at start-up.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use clearance_engine::{ScanOptions, WorkerLimits};

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
    /// `settings.toml` (from `--config` or the default beside the default database).
    pub config_path: PathBuf,
    /// Why the settings file could not be used at start, if it could not; the app then runs
    /// with the defaults and the UI shows this.
    pub config_error: Mutex<Option<String>>,
    /// The ledger, opened (or created) on first use.
    pub ledger: Mutex<Option<clearance_ledger::Ledger>>,
    /// The watched intake folder, when settings.toml names one and it could be opened.
    pub intake: Mutex<Option<clearance_engine::Intake>>,
    /// Who is signed in.
    pub session: Mutex<Option<clearance_ledger::Session>>,
}

/// Settings the user can change while the app runs.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Watchlist (rules TOML) for scans started from now on: `--rules`, else the file's.
    pub rules: Option<PathBuf>,
    /// Worker limits for scans started from now on. `parallelism` is the number of scan
    /// threads, fixed at start.
    pub limits: WorkerLimits,
    /// What settings.toml holds (or will hold once saved).
    pub file: clearance_engine::Settings,
}

impl Settings {
    /// The settings in force for a settings file: its limits over the built-in defaults
    /// (`default_threads` scan threads when it sets none), `--rules` over its watchlist.
    pub fn from_file(
        file: clearance_engine::Settings,
        rules_flag: Option<PathBuf>,
        default_threads: usize,
    ) -> Settings {
        let flags = clearance_engine::Overrides {
            rules: rules_flag,
            parallelism: Some(file.parallelism.unwrap_or(default_threads)),
            ..clearance_engine::Overrides::default()
        };
        let opts = file.scan_options(&flags);
        Settings {
            rules: opts.rules,
            limits: opts.worker,
            file,
        }
    }

    /// The options of one scan started now.
    pub fn scan_options(&self) -> ScanOptions {
        ScanOptions {
            rules: self.rules.clone(),
            include_content: true,
            worker: self.limits.clone(),
            ..ScanOptions::default()
        }
    }
}

/// Locks a mutex, recovering the data if a thread panicked while holding it: every value
/// behind these locks stays consistent between statements, so the data is still usable.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn file_limits_and_flag_rules_are_in_force() {
        let file = clearance_engine::Settings {
            timeout: Some(Duration::from_secs(7)),
            memory_bytes: Some(256 << 20),
            watchlist: Some(PathBuf::from("/file.toml")),
            ..clearance_engine::Settings::default()
        };
        let s = Settings::from_file(file.clone(), None, 2);
        assert_eq!(s.limits.timeout, Duration::from_secs(7));
        assert_eq!(s.limits.memory_bytes, 256 << 20);
        assert_eq!(s.limits.parallelism, 2, "default thread count");
        assert_eq!(s.rules, Some(PathBuf::from("/file.toml")));
        let o = s.scan_options();
        assert_eq!(o.worker.timeout, Duration::from_secs(7));
        assert!(o.include_content);
        let flagged = Settings::from_file(
            clearance_engine::Settings {
                parallelism: Some(5),
                ..file
            },
            Some(PathBuf::from("/flag.toml")),
            2,
        );
        assert_eq!(flagged.rules, Some(PathBuf::from("/flag.toml")));
        assert_eq!(flagged.limits.parallelism, 5);
    }
}
