//! Budgets that keep hostile files cheap.

use serde::{Deserialize, Serialize};

/// Budgets applied while extracting. Exceeding one gives [`crate::ExtractError::TooLarge`]
/// (or a warning, where the rest of the document can still be read) instead of an allocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest image, in pixels (width × height), that is decoded.
    pub max_image_pixels: u64,
    /// Most bytes the image decoder may allocate.
    pub max_image_alloc: u64,
    /// Most bytes any one compressed stream or zip entry may inflate to.
    pub max_inflated_bytes: u64,
    /// Most bytes all zip entries of a DOCX may inflate to together.
    pub max_total_inflated_bytes: u64,
    /// Highest compression ratio accepted for a zip entry larger than 1 MiB.
    pub max_compression_ratio: u64,
    /// Most entries in a DOCX zip.
    pub max_zip_entries: usize,
    /// Deepest nesting of XML elements, PDF form XObjects or embedded documents.
    pub max_depth: usize,
    /// Most pages read from a PDF.
    pub max_pages: usize,
    /// Most characters of text kept per document.
    pub max_text_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_image_pixels: 100_000_000,
            max_image_alloc: 512 * 1024 * 1024,
            max_inflated_bytes: 256 * 1024 * 1024,
            max_total_inflated_bytes: 512 * 1024 * 1024,
            max_compression_ratio: 200,
            max_zip_entries: 10_000,
            max_depth: 64,
            max_pages: 10_000,
            max_text_chars: 64 * 1024 * 1024,
        }
    }
}
