//! The one error type every command returns. It crosses IPC as `{code, message}`: the UI
//! branches on `code` (a closed set, mirrored in `ui/src/lib/backend/errors.ts`) and shows
//! `message`.

use serde::Serialize;

/// What went wrong, as far as the UI needs to tell cases apart. Only add a variant when the UI
/// does something different for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The document, review or account asked for does not exist.
    NotFound,
    /// An argument was malformed (empty path list, bad reason, unknown decision).
    InvalidArgument,
    /// Reading a file failed.
    Io,
    /// The file on disk is not the file that was scanned (its SHA-256 changed).
    FileChanged,
    /// The file is larger than the viewer will load.
    TooLarge,
    /// The document is still queued or scanning.
    NotReady,
    /// The action needs a signed-in user.
    NotSignedIn,
    /// The signed-in user's role does not allow the action.
    Forbidden,
    /// Wrong user name or password.
    BadCredentials,
    /// The action does not fit the review's current state (deciding a submitted review,
    /// submitting with undecided findings).
    Conflict,
    /// The ledger database failed or is tampered with.
    Ledger,
    /// A bug or an unexpected failure (a background task died).
    Internal,
}

/// A command's failure: a code for the UI and a sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// What to tell the user.
    pub message: String,
}

impl IpcError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError {
            code,
            message: message.into(),
        }
    }

    /// A background task died (panicked or was cancelled).
    pub fn task(e: impl std::fmt::Display) -> Self {
        IpcError::new(ErrorCode::Internal, format!("background task failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let e = IpcError::new(ErrorCode::FileChanged, "changed");
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"code":"file-changed","message":"changed"}"#);
    }

    /// The TS mirror lists the same codes; this list must match `ERROR_CODES` in errors.ts.
    #[test]
    fn codes_match_the_ui_mirror() {
        let ts = include_str!("../ui/src/lib/backend/errors.ts");
        for code in [
            ErrorCode::NotFound,
            ErrorCode::InvalidArgument,
            ErrorCode::Io,
            ErrorCode::FileChanged,
            ErrorCode::TooLarge,
            ErrorCode::NotReady,
            ErrorCode::NotSignedIn,
            ErrorCode::Forbidden,
            ErrorCode::BadCredentials,
            ErrorCode::Conflict,
            ErrorCode::Ledger,
            ErrorCode::Internal,
        ] {
            let name = serde_json::to_string(&code).unwrap();
            assert!(ts.contains(&name), "errors.ts must list {name}");
        }
    }
}
