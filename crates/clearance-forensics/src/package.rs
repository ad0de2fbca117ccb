//! A DOCX (OOXML) zip package read under the budgets of [`Limits`]: entry count, bytes per
//! entry, bytes in total and compression ratio. Declared sizes are never trusted for
//! allocation; every read stops at its cap.

use std::io::{Cursor, Read};

use clearance_extract::Limits;

/// Why a package or one of its parts could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PackageError {
    /// The zip directory is damaged.
    #[error("zip container could not be read: {0}")]
    Zip(String),
    /// A budget would be exceeded.
    #[error("{0}")]
    TooLarge(String),
}

/// An open package.
pub(crate) struct Package<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    names: Vec<String>,
    spent: u64,
    limits: Limits,
}

/// Entries larger than this must respect [`Limits::max_compression_ratio`].
const RATIO_FLOOR: u64 = 1024 * 1024;

impl<'a> Package<'a> {
    /// Opens `bytes` as a zip package.
    pub fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, PackageError> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| PackageError::Zip(e.to_string()))?;
        if archive.len() > limits.max_zip_entries {
            return Err(PackageError::TooLarge(format!(
                "zip holds {} entries, more than the limit of {}",
                archive.len(),
                limits.max_zip_entries
            )));
        }
        let names = archive
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.into_owned())
            .collect();
        Ok(Package {
            archive,
            names,
            spent: 0,
            limits: limits.clone(),
        })
    }

    /// Every entry name, in directory order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The stored spelling of `name`, matched case-insensitively as OOXML part names are.
    pub fn find(&self, name: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
            .map(String::as_str)
    }

    /// The bytes of part `name`; `Ok(None)` when there is no such part.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, PackageError> {
        let Some(stored) = self.find(name).map(str::to_string) else {
            return Ok(None);
        };
        let mut file = self
            .archive
            .by_name(&stored)
            .map_err(|e| PackageError::Zip(e.to_string()))?;
        let (size, packed) = (file.size(), file.compressed_size().max(1));
        if size > RATIO_FLOOR && size / packed > self.limits.max_compression_ratio {
            return Err(PackageError::TooLarge(format!(
                "{stored} expands {}:1, more than the limit of {}:1",
                size / packed,
                self.limits.max_compression_ratio
            )));
        }
        let left = self
            .limits
            .max_total_inflated_bytes
            .saturating_sub(self.spent);
        let cap = self.limits.max_inflated_bytes.min(left);
        let mut buf = Vec::new();
        // A truncated or corrupt entry keeps what was inflated before the damage.
        let read = (&mut file)
            .take(cap.saturating_add(1))
            .read_to_end(&mut buf);
        if buf.len() as u64 > cap {
            return Err(PackageError::TooLarge(format!(
                "{stored} inflates past the {cap}-byte limit"
            )));
        }
        if read.is_err() && buf.is_empty() {
            return Err(PackageError::Zip(format!("{stored} could not be inflated")));
        }
        self.spent += buf.len() as u64;
        Ok(Some(buf))
    }
}
