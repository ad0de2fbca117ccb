//! The `tesseract` command line: availability of the program and its language data, and one
//! recognition run with TSV output. The command line (not the C API) keeps the build free of
//! native bindings, and a crash in tesseract stays in its own process.

use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::tsv::{self, Word};
use crate::{process, OcrError};

/// The language data Clearance needs: Simplified Chinese first (with `eng` first, tesseract
/// reads whole Chinese lines as Latin script and returns junk), then English.
pub const LANGUAGES: &str = "chi_sim+eng";

/// Checks once per process that `tesseract` runs and has every language of [`LANGUAGES`].
///
/// # Errors
/// [`OcrError::Unavailable`] with the reason.
pub fn available() -> Result<(), OcrError> {
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    PROBE
        .get_or_init(probe)
        .clone()
        .map_err(OcrError::Unavailable)
}

fn probe() -> Result<(), String> {
    let out = process::run(
        "tesseract",
        Command::new("tesseract").arg("--list-langs"),
        Vec::new(),
        Duration::from_secs(10),
    )
    .map_err(|e| match e {
        OcrError::Unavailable(_) => "tesseract is not installed".to_string(),
        other => other.to_string(),
    })?;
    let listed = String::from_utf8_lossy(&out);
    missing_languages(&listed)
}

/// The languages of [`LANGUAGES`] absent from a `--list-langs` output.
fn missing_languages(listed: &str) -> Result<(), String> {
    let have: Vec<&str> = listed.lines().map(str::trim).collect();
    let missing: Vec<&str> = LANGUAGES.split('+').filter(|l| !have.contains(l)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "tesseract language data missing: {}",
            missing.join(", ")
        ))
    }
}

/// Recognises the words of one picture (PNG, JPEG or TIFF bytes) within `limit`; a picture
/// that holds Chinese is read a second time with `chi_sim` alone (see [`crate::relines`]).
///
/// # Errors
/// [`OcrError`] when tesseract is missing, fails, or runs past the limit.
pub fn recognize(picture: Vec<u8>, limit: Duration) -> Result<Vec<Word>, OcrError> {
    let start = std::time::Instant::now();
    let first = run(&picture, LANGUAGES, limit)?;
    if !crate::relines::has_chinese(&first) {
        return Ok(first);
    }
    let left = limit.saturating_sub(start.elapsed());
    if left.is_zero() {
        return Ok(first);
    }
    let chinese = run(&picture, CHINESE, left)?;
    Ok(crate::relines::merge(&first, &chinese))
}

/// The language of the second reading of pictures that hold Chinese.
const CHINESE: &str = "chi_sim";

/// One tesseract run with TSV output.
fn run(picture: &[u8], languages: &str, limit: Duration) -> Result<Vec<Word>, OcrError> {
    let out = process::run(
        "tesseract",
        Command::new("tesseract")
            .args(["-", "-", "-l", languages, "--psm", "3", "tsv"])
            // One core per document: parallelism comes from the worker processes.
            .env("OMP_THREAD_LIMIT", "1"),
        picture.to_vec(),
        limit,
    )?;
    Ok(tsv::parse(&String::from_utf8_lossy(&out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_missing_languages() {
        let listed = "List of available languages in \"/usr/share/tesseract-ocr/5/tessdata/\" (2):\neng\nosd\n";
        assert_eq!(
            missing_languages(listed),
            Err("tesseract language data missing: chi_sim".to_string())
        );
        assert_eq!(missing_languages("x:\nchi_sim\neng\n"), Ok(()));
    }
}
