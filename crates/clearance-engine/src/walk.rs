//! Turning the paths a user gave into the list of files to scan.

use std::path::{Path, PathBuf};

/// A path that could not be walked.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct WalkError {
    /// The path given or found.
    pub path: PathBuf,
    /// Why it could not be read.
    pub reason: String,
}

/// Directories below this depth are not entered: a symlink loop or a pathological tree must
/// not hang a scan.
const MAX_DEPTH: usize = 64;

/// Expands `paths`: files are kept as given, directories are walked recursively (sorted by
/// name, symbolic links to directories not followed, hidden entries included because a hidden
/// file is exactly what a reviewer must not miss). Unreadable paths are returned as errors in
/// order, so each still gets an entry in the report.
pub fn collect_files(paths: &[PathBuf]) -> Vec<Result<PathBuf, WalkError>> {
    let mut out = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk_dir(p, 0, &mut out),
            Ok(_) => out.push(Ok(p.clone())),
            Err(e) => out.push(Err(WalkError {
                path: p.clone(),
                reason: e.to_string(),
            })),
        }
    }
    out
}

fn walk_dir(dir: &Path, depth: usize, out: &mut Vec<Result<PathBuf, WalkError>>) {
    if depth >= MAX_DEPTH {
        out.push(Err(WalkError {
            path: dir.to_path_buf(),
            reason: format!("directory nested deeper than {MAX_DEPTH} levels; not entered"),
        }));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            out.push(Err(WalkError {
                path: dir.to_path_buf(),
                reason: e.to_string(),
            }));
            return;
        }
    };
    let mut children: Vec<_> = entries.filter_map(Result::ok).collect();
    children.sort_by_key(|e| e.file_name());
    for entry in children {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk_dir(&path, depth + 1, out),
            Ok(t) if t.is_file() => out.push(Ok(path)),
            Ok(t) if t.is_symlink() => {
                // A link to a file is scanned; a link to a directory is not followed.
                if std::fs::metadata(&path)
                    .map(|m| m.is_file())
                    .unwrap_or(false)
                {
                    out.push(Ok(path));
                }
            }
            Ok(_) => {}
            Err(e) => out.push(Err(WalkError {
                path,
                reason: e.to_string(),
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_directories_sorted_and_reports_missing() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir(dir.path().join("sub"))?;
        std::fs::write(dir.path().join("b.txt"), "b")?;
        std::fs::write(dir.path().join("sub/a.txt"), "a")?;
        std::fs::write(dir.path().join(".hidden"), "h")?;
        let missing = dir.path().join("missing.pdf");
        let got = collect_files(&[dir.path().to_path_buf(), missing.clone()]);
        let names: Vec<String> = got
            .iter()
            .map(|r| match r {
                Ok(p) => p
                    .strip_prefix(dir.path())
                    .unwrap_or(p)
                    .display()
                    .to_string(),
                Err(e) => format!("ERR {}", e.path.display()),
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ".hidden".to_string(),
                "b.txt".into(),
                "sub/a.txt".into(),
                format!("ERR {}", missing.display())
            ]
        );
        Ok(())
    }
}
