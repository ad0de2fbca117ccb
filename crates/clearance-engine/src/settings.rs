//! `settings.toml`: the limits, intake folder and watchlist a site configures once, shared by
//! the CLI and the desktop app. Every field is optional; command-line flags override it.
//!
//! ```toml
//! [limits]
//! timeout_secs = 30     # wall-clock time of one document
//! memory_mib = 1024     # address-space cap of one worker
//! parallelism = 2       # workers at once
//!
//! [intake]
//! folder = "/srv/drop"  # the watched folder (relative paths are relative to this file)
//! settle_ms = 1000      # size and mtime unchanged this long = fully written
//!
//! [rules]
//! watchlist = "rules.toml"
//! ```

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::{ScanOptions, WorkerLimits};

/// The settings file's name, next to the default database.
pub const SETTINGS_FILE: &str = "settings.toml";

/// Where the settings live when no `--config` is given: beside the default ledger database.
pub fn default_settings_path() -> PathBuf {
    let db = clearance_ledger::default_db_path();
    db.parent()
        .map(|d| d.join(SETTINGS_FILE))
        .unwrap_or_else(|| PathBuf::from(SETTINGS_FILE))
}

/// A settings file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file exists but cannot be read.
    #[error("cannot read settings {path}: {message}")]
    Io {
        /// The settings file.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// A syntax error, an unknown field or a value out of range.
    #[error("{path}:{line}: {field}: {message}")]
    Invalid {
        /// The settings file.
        path: String,
        /// 1-based line of the offending value.
        line: usize,
        /// The dotted field name (`limits.timeout_secs`), or `-` when the line has none.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Validated settings. `None` means "not set": the built-in default or the flag applies.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// `[limits] timeout_secs`.
    pub timeout: Option<Duration>,
    /// `[limits] memory_mib`, in bytes.
    pub memory_bytes: Option<u64>,
    /// `[limits] parallelism`.
    pub parallelism: Option<usize>,
    /// `[intake] folder`.
    pub intake_folder: Option<PathBuf>,
    /// `[intake] settle_ms`.
    pub settle: Option<Duration>,
    /// `[rules] watchlist`.
    pub watchlist: Option<PathBuf>,
}

/// Command-line values that override the settings file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--timeout SECS`.
    pub timeout_secs: Option<u64>,
    /// `--memory MIB`.
    pub memory_mib: Option<u64>,
    /// `-j N`.
    pub parallelism: Option<usize>,
    /// `--rules FILE`.
    pub rules: Option<PathBuf>,
}

/// Smallest worker memory cap that still starts a worker.
pub const MIN_MEMORY_MIB: u64 = 64;
/// Most workers at once: beyond this a typo (`parallelism = 1000`) would fork-bomb the host.
pub const MAX_PARALLELISM: usize = 256;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    intake: RawIntake,
    #[serde(default)]
    rules: RawRules,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    timeout_secs: Option<Spanned<i64>>,
    memory_mib: Option<Spanned<i64>>,
    parallelism: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawIntake {
    folder: Option<Spanned<String>>,
    settle_ms: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    watchlist: Option<Spanned<String>>,
}

impl Settings {
    /// Reads and checks a settings file.
    ///
    /// # Errors
    /// [`SettingsError::Io`] if it cannot be read (including a missing file: an explicit
    /// `--config` must exist), [`SettingsError::Invalid`] naming the line and field.
    pub fn load(path: &Path) -> Result<Settings, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|e| SettingsError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::parse(&text, path)
    }

    /// [`Settings::load`] for the default location, where a missing file means "no settings".
    ///
    /// # Errors
    /// As [`Settings::load`], except for a missing file.
    pub fn load_optional(path: &Path) -> Result<Settings, SettingsError> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            _ => Self::load(path),
        }
    }

    /// Parses settings text; `path` names the file in errors and anchors relative paths.
    ///
    /// # Errors
    /// [`SettingsError::Invalid`] naming the line and field.
    pub fn parse(text: &str, path: &Path) -> Result<Settings, SettingsError> {
        let file = SourceFile { text, path };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            file.invalid(span, e.message().trim())
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let relative = |p: &str| -> PathBuf {
            let p = Path::new(p);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let l = raw.limits;
        let timeout_secs = file.ranged(l.timeout_secs, 1, 86_400)?;
        let memory_mib = file.ranged(l.memory_mib, MIN_MEMORY_MIB as i64, 1 << 20)?;
        let parallelism = file.ranged(l.parallelism, 1, MAX_PARALLELISM as i64)?;
        let settle_ms = file.ranged(raw.intake.settle_ms, 0, 3_600_000)?;
        let folder = file.non_empty(raw.intake.folder)?;
        let watchlist = file.non_empty(raw.rules.watchlist)?;
        Ok(Settings {
            timeout: timeout_secs.map(Duration::from_secs),
            memory_bytes: memory_mib.map(|m| m << 20),
            parallelism: parallelism.and_then(|n| usize::try_from(n).ok()),
            intake_folder: folder.as_deref().map(relative),
            settle: settle_ms.map(Duration::from_millis),
            watchlist: watchlist.as_deref().map(relative),
        })
    }

    /// The scan options these settings give, with the command line's overrides on top and
    /// the built-in defaults beneath.
    pub fn scan_options(&self, flags: &Overrides) -> ScanOptions {
        let defaults = WorkerLimits::default();
        ScanOptions {
            rules: flags.rules.clone().or_else(|| self.watchlist.clone()),
            worker: WorkerLimits {
                timeout: flags
                    .timeout_secs
                    .map(Duration::from_secs)
                    .or(self.timeout)
                    .unwrap_or(defaults.timeout),
                memory_bytes: flags
                    .memory_mib
                    .map(|m| m.saturating_mul(1 << 20))
                    .or(self.memory_bytes)
                    .unwrap_or(defaults.memory_bytes),
                parallelism: flags
                    .parallelism
                    .or(self.parallelism)
                    .unwrap_or(defaults.parallelism)
                    .max(1),
            },
            ..ScanOptions::default()
        }
    }
}

/// The text being parsed, for turning byte spans into "file:line: field" messages.
struct SourceFile<'a> {
    text: &'a str,
    path: &'a Path,
}

impl SourceFile<'_> {
    fn invalid(&self, span: Range<usize>, message: &str) -> SettingsError {
        let at = span.start.min(self.text.len());
        let before = self.text.get(..at).unwrap_or("");
        SettingsError::Invalid {
            path: self.path.display().to_string(),
            line: before.matches('\n').count() + 1,
            field: field_at(self.text, at),
            message: message.to_string(),
        }
    }

    fn ranged(
        &self,
        value: Option<Spanned<i64>>,
        min: i64,
        max: i64,
    ) -> Result<Option<u64>, SettingsError> {
        let Some(v) = value else { return Ok(None) };
        let n = *v.get_ref();
        if n < min || n > max {
            return Err(self.invalid(v.span(), &format!("{n} is out of range ({min} to {max})")));
        }
        Ok(u64::try_from(n).ok())
    }

    fn non_empty(&self, value: Option<Spanned<String>>) -> Result<Option<String>, SettingsError> {
        let Some(v) = value else { return Ok(None) };
        if v.get_ref().trim().is_empty() {
            return Err(self.invalid(v.span(), "must not be empty"));
        }
        Ok(Some(v.into_inner()))
    }
}

/// The dotted name of the key on the line holding byte `at`: the nearest `[table]` header
/// above it plus the key before `=`, so an error reads `limits.timeout_secs`.
fn field_at(text: &str, at: usize) -> String {
    let line_start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text
        .get(line_start..)
        .and_then(|rest| rest.lines().next())
        .unwrap_or("");
    let table = text
        .get(..line_start)
        .unwrap_or("")
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.contains(']'))
        .and_then(|l| l.get(1..l.find(']')?))
        .map(|t| t.trim().to_string());
    let key = line.split_once('=').map(|(k, _)| k.trim().to_string());
    match (table, key) {
        (Some(t), Some(k)) => format!("{t}.{k}"),
        (None, Some(k)) => k,
        (Some(t), None) => t,
        (None, None) => "-".to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, SettingsError> {
        Settings::parse(text, Path::new("/etc/clearance/settings.toml"))
    }

    fn invalid(text: &str) -> (usize, String, String) {
        match parse(text) {
            Err(SettingsError::Invalid {
                line,
                field,
                message,
                ..
            }) => (line, field, message),
            other => panic!("{text:?} must be invalid: {other:?}"),
        }
    }

    #[test]
    fn reads_every_field_and_anchors_relative_paths() {
        let s = parse(
            "[limits]\ntimeout_secs = 12\nmemory_mib = 512\nparallelism = 3\n\
             [intake]\nfolder = \"drop\"\nsettle_ms = 250\n[rules]\nwatchlist = \"/srv/rules.toml\"\n",
        )
        .unwrap();
        assert_eq!(s.timeout, Some(Duration::from_secs(12)));
        assert_eq!(s.memory_bytes, Some(512 << 20));
        assert_eq!(s.parallelism, Some(3));
        assert_eq!(s.intake_folder, Some(PathBuf::from("/etc/clearance/drop")));
        assert_eq!(s.settle, Some(Duration::from_millis(250)));
        assert_eq!(s.watchlist, Some(PathBuf::from("/srv/rules.toml")));
        assert_eq!(parse("").unwrap(), Settings::default());
    }

    #[test]
    fn bad_values_name_line_and_field() {
        let table = [
            // (text, line, field, message fragment)
            (
                "[limits]\ntimeout_secs = 0\n",
                2,
                "limits.timeout_secs",
                "out of range",
            ),
            (
                "[limits]\n\nmemory_mib = 10\n",
                3,
                "limits.memory_mib",
                "out of range",
            ),
            (
                "[limits]\nparallelism = 100000\n",
                2,
                "limits.parallelism",
                "out of range",
            ),
            (
                "[limits]\ntimeout_secs = \"30\"\n",
                2,
                "limits.timeout_secs",
                "invalid type",
            ),
            (
                "[limits]\ntimeout = 30\n",
                2,
                "limits.timeout",
                "unknown field",
            ),
            ("[intake]\nfolder = \"  \"\n", 2, "intake.folder", "empty"),
            (
                "[rules]\nwatchlist = 5\n",
                2,
                "rules.watchlist",
                "invalid type",
            ),
            ("[limits\n", 1, "-", ""),
        ];
        for (text, line, field, fragment) in table {
            let (l, f, m) = invalid(text);
            assert_eq!((l, f.as_str()), (line, field), "{text:?}: {m}");
            assert!(m.contains(fragment), "{text:?}: {m}");
        }
    }

    #[test]
    fn near_misses_at_the_bounds_are_accepted() {
        let s = parse("[limits]\ntimeout_secs = 1\nmemory_mib = 64\nparallelism = 256\n").unwrap();
        assert_eq!(s.parallelism, Some(256));
        assert_eq!(s.memory_bytes, Some(64 << 20));
    }

    #[test]
    fn flags_override_settings_which_override_defaults() {
        let s = Settings {
            timeout: Some(Duration::from_secs(5)),
            parallelism: Some(3),
            watchlist: Some(PathBuf::from("/a.toml")),
            ..Settings::default()
        };
        let o = s.scan_options(&Overrides {
            timeout_secs: Some(9),
            rules: Some(PathBuf::from("/b.toml")),
            ..Overrides::default()
        });
        assert_eq!(o.worker.timeout, Duration::from_secs(9));
        assert_eq!(o.worker.parallelism, 3);
        assert_eq!(o.worker.memory_bytes, WorkerLimits::default().memory_bytes);
        assert_eq!(o.rules, Some(PathBuf::from("/b.toml")));
        let plain = Settings::default().scan_options(&Overrides::default());
        assert_eq!(plain.worker, WorkerLimits::default());
    }

    #[test]
    fn a_missing_default_file_is_no_settings_but_an_explicit_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("settings.toml");
        assert_eq!(Settings::load_optional(&p).unwrap(), Settings::default());
        assert!(matches!(Settings::load(&p), Err(SettingsError::Io { .. })));
        std::fs::write(&p, "[limits]\nparallelism = 0\n").unwrap();
        let err = Settings::load_optional(&p).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}:2: limits.parallelism:", p.display())),
            "{err}"
        );
    }
}
