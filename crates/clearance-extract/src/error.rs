//! Why a document could not be extracted.

use serde::{Deserialize, Serialize};

/// Why a document could not be extracted. Every variant's message names the reason in words a
/// reviewer understands; the engine prefixes the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ExtractError {
    /// The content matches no supported format.
    #[error("unknown format: {detail}")]
    UnknownFormat {
        /// What the first bytes look like, e.g. `empty file`, `ZIP archive without word/document.xml`.
        detail: String,
    },
    /// The file is encrypted or password-protected and cannot be opened without the password.
    #[error("encrypted: {detail}")]
    Encrypted {
        /// e.g. `PDF needs a user password`, `password-protected Office document`.
        detail: String,
    },
    /// The file is damaged or not what its header claims.
    #[error("corrupt {format}: {detail}")]
    Corrupt {
        /// `pdf`, `docx`, `image`, `text`.
        format: String,
        /// The parser's reason.
        detail: String,
    },
    /// The file is a known format in a variant that is not supported (HEIF, BigTIFF, ...).
    #[error("unsupported {format}: {detail}")]
    Unsupported {
        /// `pdf`, `docx`, `image`, `text`.
        format: String,
        /// What is not supported.
        detail: String,
    },
    /// A budget of [`crate::Limits`] would be exceeded; nothing that large was allocated.
    #[error("too large: {detail}")]
    TooLarge {
        /// e.g. `image of 100000x100000 pixels exceeds the limit of 100 megapixels`.
        detail: String,
    },
}

impl ExtractError {
    /// Shorthand for [`ExtractError::Corrupt`].
    pub fn corrupt(format: &str, detail: impl std::fmt::Display) -> Self {
        ExtractError::Corrupt {
            format: format.to_string(),
            detail: detail.to_string(),
        }
    }

    /// Shorthand for [`ExtractError::Unsupported`].
    pub fn unsupported(format: &str, detail: impl std::fmt::Display) -> Self {
        ExtractError::Unsupported {
            format: format.to_string(),
            detail: detail.to_string(),
        }
    }

    /// Shorthand for [`ExtractError::TooLarge`].
    pub fn too_large(detail: impl std::fmt::Display) -> Self {
        ExtractError::TooLarge {
            detail: detail.to_string(),
        }
    }

    /// Shorthand for [`ExtractError::Encrypted`].
    pub fn encrypted(detail: impl std::fmt::Display) -> Self {
        ExtractError::Encrypted {
            detail: detail.to_string(),
        }
    }
}
