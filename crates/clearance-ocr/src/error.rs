//! Why a picture could not be read.

/// An OCR failure for one picture, or for OCR as a whole.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// The `tesseract` program or one of its language data files is missing.
    #[error("{0}")]
    Unavailable(String),
    /// A helper program ran past its time limit and was killed.
    #[error("{program} took longer than {seconds:.1} s and was stopped")]
    Timeout {
        /// `tesseract` or `pdftoppm`.
        program: &'static str,
        /// The limit it ran past.
        seconds: f64,
    },
    /// A helper program failed.
    #[error("{program} failed: {detail}")]
    Failed {
        /// `tesseract` or `pdftoppm`.
        program: &'static str,
        /// Its exit status and first line of error output.
        detail: String,
    },
    /// The picture could not be decoded or re-encoded.
    #[error("picture cannot be read: {0}")]
    Picture(String),
}
