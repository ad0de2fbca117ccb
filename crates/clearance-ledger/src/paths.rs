//! Where the ledger lives when no `--db` is given.

use std::path::PathBuf;

/// The app's data directory plus `ledger.db`: `$XDG_DATA_HOME/clearance/ledger.db` (else
/// `~/.local/share/clearance/ledger.db`) on Linux, `~/Library/Application Support/clearance/`
/// on macOS, `%APPDATA%\clearance\data\` on Windows. Falls back to `./clearance-ledger.db`
/// when no home directory is known.
pub fn default_db_path() -> PathBuf {
    directories::ProjectDirs::from("", "", "clearance")
        .map(|d| d.data_dir().join("ledger.db"))
        .unwrap_or_else(|| PathBuf::from("clearance-ledger.db"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_path_ends_in_clearance_ledger_db() {
        let p = super::default_db_path();
        assert!(p.ends_with("ledger.db"), "{}", p.display());
        #[cfg(target_os = "linux")]
        assert!(
            p.parent().is_some_and(|d| d.ends_with("clearance")),
            "{}",
            p.display()
        );
    }
}
