//! The app's command line: `clearance-app [--db PATH] [--rules PATH] [--config PATH] [FILE...]`.
//!
//! File arguments are offered in the intake view (not scanned before anyone signs in); the
//! end-to-end tests hand fixture paths and a temporary ledger to the app this way.

use std::ffi::OsString;
use std::path::PathBuf;

/// What the command line asked for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AppArgs {
    /// Ledger database; default: `clearance.db` in the app's data folder.
    pub db: Option<PathBuf>,
    /// Watchlist (rules TOML) used for every scan; overrides the settings file's.
    pub rules: Option<PathBuf>,
    /// `settings.toml`; default: beside the default ledger database, as for the CLI.
    pub config: Option<PathBuf>,
    /// Documents (or folders) to offer in the intake view.
    pub paths: Vec<PathBuf>,
    /// Options that were not understood; reported on stderr, never fatal, because WebDriver
    /// and desktop launchers may add options of their own.
    pub ignored: Vec<String>,
}

/// A malformed command line.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    /// An option that needs a value came last.
    #[error("{0} needs a value")]
    MissingValue(&'static str),
}

impl AppArgs {
    /// Parses the arguments after the program name.
    ///
    /// # Errors
    /// `--db`, `--rules` or `--config` without a value.
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<AppArgs, ArgsError> {
        let mut out = AppArgs::default();
        let mut it = args.into_iter();
        let mut only_paths = false;
        while let Some(arg) = it.next() {
            let text = arg.to_string_lossy();
            if only_paths || !text.starts_with("--") {
                out.paths.push(PathBuf::from(arg));
                continue;
            }
            match text.as_ref() {
                "--" => only_paths = true,
                "--db" => out.db = Some(it.next().ok_or(ArgsError::MissingValue("--db"))?.into()),
                "--rules" => {
                    out.rules = Some(it.next().ok_or(ArgsError::MissingValue("--rules"))?.into())
                }
                "--config" => {
                    out.config = Some(it.next().ok_or(ArgsError::MissingValue("--config"))?.into())
                }
                other => {
                    if let Some(v) = other.strip_prefix("--db=") {
                        out.db = Some(PathBuf::from(v));
                    } else if let Some(v) = other.strip_prefix("--rules=") {
                        out.rules = Some(PathBuf::from(v));
                    } else if let Some(v) = other.strip_prefix("--config=") {
                        out.config = Some(PathBuf::from(v));
                    } else {
                        out.ignored.push(other.to_string());
                    }
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Result<AppArgs, ArgsError> {
        AppArgs::parse(v.iter().map(OsString::from))
    }

    #[test]
    fn parses_db_rules_and_paths() {
        let a = parse(&["--db", "/tmp/l.db", "a.pdf", "--rules=w.toml", "dir"]).unwrap();
        assert_eq!(a.db, Some(PathBuf::from("/tmp/l.db")));
        assert_eq!(a.config, None);
        assert_eq!(a.rules, Some(PathBuf::from("w.toml")));
        assert_eq!(a.paths, vec![PathBuf::from("a.pdf"), PathBuf::from("dir")]);
        assert!(a.ignored.is_empty());
    }

    #[test]
    fn unknown_options_are_kept_aside_not_taken_as_files() {
        let a = parse(&["--automation", "x.docx"]).unwrap();
        assert_eq!(a.ignored, vec!["--automation".to_string()]);
        assert_eq!(a.paths, vec![PathBuf::from("x.docx")]);
    }

    #[test]
    fn config_in_both_spellings() {
        assert_eq!(
            parse(&["--config", "/etc/s.toml"]).unwrap().config,
            Some(PathBuf::from("/etc/s.toml"))
        );
        assert_eq!(
            parse(&["--config=s.toml"]).unwrap().config,
            Some(PathBuf::from("s.toml"))
        );
        assert_eq!(
            parse(&["--config"]),
            Err(ArgsError::MissingValue("--config"))
        );
    }

    #[test]
    fn double_dash_ends_options() {
        let a = parse(&["--", "--db"]).unwrap();
        assert_eq!(a.paths, vec![PathBuf::from("--db")]);
        assert_eq!(a.db, None);
    }

    #[test]
    fn missing_value_is_an_error() {
        assert_eq!(parse(&["--db"]), Err(ArgsError::MissingValue("--db")));
        assert_eq!(
            parse(&["a", "--rules"]),
            Err(ArgsError::MissingValue("--rules"))
        );
    }
}
