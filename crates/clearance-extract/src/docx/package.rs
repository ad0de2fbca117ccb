//! The DOCX zip container, opened under budgets.
//!
//! Every entry's declared sizes are checked before anything is inflated (count, per-entry
//! size, total size, compression ratio), and every read goes through a cap anyway, because
//! declared sizes are exactly what a zip bomb lies about. Nothing is ever allocated from a
//! declared size.

use std::io::{Cursor, Read};

use zip::result::ZipError;
use zip::ZipArchive;

use crate::{ExtractError, Limits};

/// Entries at or below this declared size are exempt from the ratio check: tiny XML parts
/// compress far better than 200:1 and cannot hurt.
const RATIO_EXEMPT_BYTES: u64 = 1024 * 1024;

/// One zip entry as listed in the central directory.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// The entry name (`word/document.xml`).
    pub name: String,
    /// Declared uncompressed size.
    pub size: u64,
}

/// An opened, pre-flighted DOCX zip.
pub(super) struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    entries: Vec<Entry>,
    max_entry: u64,
    total_left: u64,
}

impl<'a> Package<'a> {
    /// Opens the zip and checks every budget of `limits` against the declared sizes.
    ///
    /// # Errors
    /// [`ExtractError::Corrupt`] for a damaged zip, [`ExtractError::Encrypted`] for
    /// password-protected entries, [`ExtractError::TooLarge`] when a budget is exceeded.
    pub fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, ExtractError> {
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
        if archive.len() > limits.max_zip_entries {
            return Err(ExtractError::too_large(format!(
                "zip holds {} entries, over the limit of {}",
                archive.len(),
                limits.max_zip_entries
            )));
        }
        let mut entries = Vec::new();
        let mut total: u64 = 0;
        for index in 0..archive.len() {
            let file = archive.by_index_raw(index).map_err(zip_error)?;
            let name = file.name().map_err(zip_error)?.into_owned();
            if file.is_dir() {
                continue;
            }
            if file.encrypted() {
                return Err(ExtractError::encrypted(format!(
                    "zip entry {name} is encrypted"
                )));
            }
            let size = file.size();
            let compressed = file.compressed_size();
            if size > limits.max_inflated_bytes {
                return Err(ExtractError::too_large(format!(
                    "zip entry {name} declares {size} bytes, over the limit of {}",
                    limits.max_inflated_bytes
                )));
            }
            if size > RATIO_EXEMPT_BYTES && size / compressed.max(1) > limits.max_compression_ratio
            {
                return Err(ExtractError::too_large(format!(
                    "zip entry {name} inflates {size} bytes from {compressed} (ratio over {}:1)",
                    limits.max_compression_ratio
                )));
            }
            total = total.saturating_add(size);
            if total > limits.max_total_inflated_bytes {
                return Err(ExtractError::too_large(format!(
                    "zip entries declare more than {} bytes in total",
                    limits.max_total_inflated_bytes
                )));
            }
            entries.push(Entry { name, size });
        }
        Ok(Package {
            archive,
            entries,
            max_entry: limits.max_inflated_bytes,
            total_left: limits.max_total_inflated_bytes,
        })
    }

    /// Every file entry, in central-directory order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// True when an entry of exactly this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.name == name)
    }

    /// The name of the entry matching `name` without regard to ASCII case (zip tools on
    /// Windows sometimes change the case of part names).
    pub fn find(&self, name: &str) -> Option<String> {
        self.entries
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
            .map(|e| e.name.clone())
    }

    /// Inflates one entry through the per-entry and total caps; the declared size is never
    /// trusted.
    ///
    /// # Errors
    /// [`ExtractError::TooLarge`] when the entry inflates past a cap, whatever it declared;
    /// [`ExtractError::Corrupt`] when the entry is missing or its data is damaged.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, ExtractError> {
        let cap = self.max_entry.min(self.total_left);
        let file = self.archive.by_name(name).map_err(zip_error)?;
        let mut out = Vec::new();
        file.take(cap.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| {
                ExtractError::corrupt("docx", format!("zip entry {name} cannot be inflated: {e}"))
            })?;
        let len = out.len() as u64;
        if len > cap {
            return Err(ExtractError::too_large(format!(
                "zip entry {name} inflates past {cap} bytes, more than it declares or the budget allows"
            )));
        }
        self.total_left -= len;
        Ok(out)
    }
}

fn zip_error(e: ZipError) -> ExtractError {
    match e {
        ZipError::UnsupportedArchive(what) if what.to_ascii_lowercase().contains("password") => {
            ExtractError::encrypted("zip entries are password-protected")
        }
        ZipError::InvalidPassword => ExtractError::encrypted("zip entries are password-protected"),
        ZipError::CompressionMethodNotSupported(method) => ExtractError::unsupported(
            "docx",
            format!("zip compression method {method} is not supported"),
        ),
        other => ExtractError::corrupt("docx", format!("damaged zip: {other}")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in files {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn refuses_too_many_entries() {
        let bytes = zip_of(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
        let limits = Limits {
            max_zip_entries: 2,
            ..Limits::default()
        };
        assert!(matches!(
            Package::open(&bytes, &limits),
            Err(ExtractError::TooLarge { .. })
        ));
        assert!(Package::open(&bytes, &Limits::default()).is_ok());
    }

    #[test]
    fn refuses_an_entry_over_the_size_budget() {
        let bytes = zip_of(&[("word/document.xml", &[b'a'; 4096])]);
        let limits = Limits {
            max_inflated_bytes: 1000,
            ..Limits::default()
        };
        assert!(matches!(
            Package::open(&bytes, &limits),
            Err(ExtractError::TooLarge { .. })
        ));
        let limits = Limits {
            max_total_inflated_bytes: 1000,
            ..Limits::default()
        };
        assert!(matches!(
            Package::open(&bytes, &limits),
            Err(ExtractError::TooLarge { .. })
        ));
    }

    #[test]
    fn refuses_a_high_ratio_only_above_the_exempt_size() {
        let big = vec![b'a'; 2 * 1024 * 1024];
        let bytes = zip_of(&[("word/document.xml", &big)]);
        assert!(
            matches!(
                Package::open(&bytes, &Limits::default()),
                Err(ExtractError::TooLarge { .. })
            ),
            "2 MiB of one byte compresses over 200:1"
        );
        let small = zip_of(&[("word/document.xml", &[b'a'; 100_000])]);
        assert!(Package::open(&small, &Limits::default()).is_ok());
    }

    #[test]
    fn reads_through_the_cap_and_reports_damage() {
        let bytes = zip_of(&[("word/document.xml", b"<w:document/>")]);
        let mut p = Package::open(&bytes, &Limits::default()).unwrap();
        assert_eq!(p.read("word/document.xml").unwrap(), b"<w:document/>");
        assert!(p.read("missing.xml").is_err());
        assert_eq!(
            p.find("WORD/DOCUMENT.XML").as_deref(),
            Some("word/document.xml")
        );
        assert!(matches!(
            Package::open(b"PK\x03\x04 not a zip", &Limits::default()),
            Err(ExtractError::Corrupt { .. })
        ));
    }
}
