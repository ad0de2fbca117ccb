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
//!
//! [ui]
//! language = "zh"       # the desktop app's interface language
//! ```
//!
//! The desktop app's settings screen writes the file back with [`Settings::save`].

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
    /// The file cannot be written.
    #[error("cannot write settings {path}: {message}")]
    Write {
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
    /// `[ui] language` (the desktop app's; the CLI ignores it).
    pub language: Option<String>,
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
    #[serde(default)]
    ui: RawUi,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawUi {
    language: Option<Spanned<String>>,
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
        let language = file.non_empty(raw.ui.language)?;
        Ok(Settings {
            timeout: timeout_secs.map(Duration::from_secs),
            memory_bytes: memory_mib.map(|m| m << 20),
            parallelism: parallelism.and_then(|n| usize::try_from(n).ok()),
            intake_folder: folder.as_deref().map(relative),
            settle: settle_ms.map(Duration::from_millis),
            watchlist: watchlist.as_deref().map(relative),
            language,
        })
    }

    /// The settings as TOML text in the documented layout; unset fields are left out, paths
    /// are written as they are held (absolute once loaded). `parse` of the text gives the
    /// same settings back.
    pub fn to_toml(&self) -> String {
        fn line(out: &mut String, key: &str, value: toml::Value) {
            out.push_str(&format!("{key} = {value}\n"));
        }
        fn path(p: &Path) -> toml::Value {
            toml::Value::String(p.display().to_string())
        }
        let int = |n: u64| toml::Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
        let mut out = String::from("# Clearance settings (written by the desktop app).\n");
        let mut table = |name: &str, body: String| {
            if !body.is_empty() {
                out.push_str(&format!("\n[{name}]\n{body}"));
            }
        };
        let mut limits = String::new();
        if let Some(t) = self.timeout {
            line(&mut limits, "timeout_secs", int(t.as_secs()));
        }
        if let Some(m) = self.memory_bytes {
            line(&mut limits, "memory_mib", int(m >> 20));
        }
        if let Some(n) = self.parallelism {
            line(&mut limits, "parallelism", int(n as u64));
        }
        table("limits", limits);
        let mut intake = String::new();
        if let Some(f) = &self.intake_folder {
            line(&mut intake, "folder", path(f));
        }
        if let Some(s) = self.settle {
            line(
                &mut intake,
                "settle_ms",
                int(u64::try_from(s.as_millis()).unwrap_or(u64::MAX)),
            );
        }
        table("intake", intake);
        let mut rules = String::new();
        if let Some(w) = &self.watchlist {
            line(&mut rules, "watchlist", path(w));
        }
        table("rules", rules);
        let mut ui = String::new();
        if let Some(l) = &self.language {
            line(&mut ui, "language", toml::Value::String(l.clone()));
        }
        table("ui", ui);
        out
    }

    /// Writes the settings to `path` atomically: a temporary file in the same folder, synced,
    /// then renamed over the old file, so a crash never leaves half a file. Creates the
    /// folder if needed.
    ///
    /// # Errors
    /// [`SettingsError::Write`] with the operating system's reason.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let fail = |e: std::io::Error| SettingsError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(fail)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| SETTINGS_FILE.to_string());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        if let Err(e) = write_then_rename(&tmp, path, self.to_toml().as_bytes()) {
            let _ = std::fs::remove_file(&tmp);
            return Err(fail(e));
        }
        Ok(())
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

fn write_then_rename(tmp: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut f = std::fs::File::create(tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(tmp, path)
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
    fn save_writes_what_load_reads_back_and_replaces_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("settings.toml");
        let s = Settings {
            timeout: Some(Duration::from_secs(45)),
            memory_bytes: Some(512 << 20),
            parallelism: Some(3),
            intake_folder: Some(dir.path().join("drop \"quoted\"")),
            settle: Some(Duration::from_millis(700)),
            watchlist: Some(dir.path().join("rules.toml")),
            language: Some("zh".into()),
        };
        s.save(&p).unwrap();
        assert_eq!(Settings::load(&p).unwrap(), s);
        let only_lang = Settings {
            language: Some("en".into()),
            ..Settings::default()
        };
        only_lang.save(&p).unwrap();
        assert_eq!(Settings::load(&p).unwrap(), only_lang);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            !text.contains("[limits]"),
            "unset tables are left out: {text}"
        );
        let left: Vec<_> = std::fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
        assert_eq!(
            parse(&Settings::default().to_toml()).unwrap(),
            Settings::default()
        );
    }

    #[test]
    fn save_into_an_unwritable_place_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let err = Settings::default()
            .save(&blocker.join("settings.toml"))
            .unwrap_err();
        assert!(matches!(err, SettingsError::Write { .. }), "{err}");
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
