//! The one error type of the ledger. Every refusal names what was refused and why, so the CLI
//! can print it as is and the app can branch on [`LedgerError::code`].

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Everything the ledger can refuse or fail at.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The password did not match.
    #[error("wrong password for {user}")]
    WrongPassword {
        /// Account name.
        user: String,
    },
    /// Too many wrong passwords; the account is locked for a while.
    #[error("account {user} is locked until {until} after too many wrong passwords")]
    AccountLocked {
        /// Account name.
        user: String,
        /// When the lock ends (RFC 3339, UTC).
        until: String,
    },
    /// The account was deactivated by an administrator.
    #[error("account {user} is deactivated")]
    AccountDeactivated {
        /// Account name.
        user: String,
    },
    /// No account has this name.
    #[error("no account named {0:?}")]
    UnknownUser(String),
    /// An account with this name already exists.
    #[error("an account named {0:?} already exists")]
    UserExists(String),
    /// The acting person lacks the role the action needs.
    #[error("{user} lacks the {role} role needed to {action}")]
    MissingRole {
        /// Account name.
        user: String,
        /// The role that was needed.
        role: String,
        /// What was attempted.
        action: String,
    },
    /// The two-person rule: nobody approves or returns their own review.
    #[error(
        "self-approval refused by the two-person rule: {user} is the reviewer of review {review}"
    )]
    SelfApproval {
        /// Review id.
        review: i64,
        /// The reviewer who tried to approve.
        user: String,
    },
    /// Only the review's own reviewer may decide findings or submit it.
    #[error("review {review} belongs to {reviewer}; {user} cannot change it")]
    NotReviewer {
        /// Review id.
        review: i64,
        /// The review's reviewer.
        reviewer: String,
        /// Who tried.
        user: String,
    },
    /// Submission needs a disposition for every finding.
    #[error("{count} finding(s) undecided in review {review}: {ids}")]
    Undecided {
        /// Review id.
        review: i64,
        /// How many are undecided.
        count: usize,
        /// Their ids, comma-separated.
        ids: String,
    },
    /// The file on disk no longer has the reviewed bytes.
    #[error("file changed since review: {path} (expected sha256 {expected}, found {found})")]
    FileChanged {
        /// The file's path.
        path: String,
        /// The SHA-256 recorded when the review was opened.
        expected: String,
        /// The SHA-256 of the file now.
        found: String,
    },
    /// The hash chain does not verify.
    #[error("ledger chain broken at event #{seq}: {reason}")]
    ChainBroken {
        /// The first bad event's sequence number.
        seq: i64,
        /// What is wrong with it.
        reason: String,
    },
    /// The database's schema (tables, triggers, views, indexes) is not the one the
    /// migrations create: someone dropped or added a trigger, or altered a table.
    #[error("ledger schema was changed outside Clearance: {0}")]
    SchemaChanged(String),
    /// The ledger does not match a checkpoint taken earlier.
    #[error("ledger does not match the checkpoint: {0}")]
    CheckpointMismatch(String),
    /// The file exists but is not a Clearance ledger; it is left untouched.
    #[error("not a Clearance database: {path} ({detail})")]
    NotClearanceDatabase {
        /// The file's path.
        path: String,
        /// Why it was rejected.
        detail: String,
    },
    /// SQLite's own integrity check failed: pages of the file are damaged.
    #[error("ledger database is corrupt: {0}")]
    Corrupt(String),
    /// The ledger was written by a newer Clearance.
    #[error("{path} was written by a newer Clearance (schema {found}, this build knows {known})")]
    NewerSchema {
        /// The file's path.
        path: String,
        /// Schema version in the file.
        found: i64,
        /// Newest schema version this build knows.
        known: i64,
    },
    /// No ledger at this path yet.
    #[error("no ledger at {0}; run `clearance init --admin NAME` first")]
    NoDatabase(String),
    /// `init` on a ledger that already has accounts.
    #[error("the ledger is already initialised (it has accounts)")]
    AlreadyInitialized,
    /// The last active administrator cannot be deactivated or lose the admin role.
    #[error("refused: {0} is the last active admin")]
    LastAdmin(String),
    /// No review with this id.
    #[error("no review {0}")]
    UnknownReview(String),
    /// No finding with this id in the review.
    #[error("review {review} has no finding {finding}")]
    UnknownFinding {
        /// Review id.
        review: i64,
        /// The finding id asked for.
        finding: String,
    },
    /// The action is not allowed in the review's current state.
    #[error("review {review} is {state}; cannot {action}")]
    InvalidState {
        /// Review id.
        review: i64,
        /// Current state.
        state: String,
        /// What was attempted.
        action: String,
    },
    /// A disposition or return needs a reason.
    #[error("a reason is required for {0}")]
    ReasonRequired(String),
    /// Bad input from the caller (record file, arguments, password rules).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A signature in the ledger or an export does not verify.
    #[error("signature of event #{seq} does not verify: {reason}")]
    BadSignature {
        /// The approval event's sequence number.
        seq: i64,
        /// What failed.
        reason: String,
    },
    /// An export file could not be read as a Clearance export.
    #[error("invalid export: {0}")]
    InvalidExport(String),
    /// The scan of the document failed.
    #[error("scan failed: {0}")]
    Scan(String),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file's path.
        path: String,
        /// The OS error.
        message: String,
    },
    /// Key derivation, sealing or hashing failed.
    #[error("cryptography failed: {0}")]
    Crypto(String),
    /// The database refused or failed (busy beyond the timeout, disk full, corruption).
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The schema migration failed.
    #[error("schema migration failed: {0}")]
    Migration(String),
}

impl LedgerError {
    /// A stable kebab-case code for programs (the app branches on it; never rename one).
    pub fn code(&self) -> &'static str {
        match self {
            LedgerError::WrongPassword { .. } => "wrong-password",
            LedgerError::AccountLocked { .. } => "account-locked",
            LedgerError::AccountDeactivated { .. } => "account-deactivated",
            LedgerError::UnknownUser(_) => "unknown-user",
            LedgerError::UserExists(_) => "user-exists",
            LedgerError::MissingRole { .. } => "missing-role",
            LedgerError::SelfApproval { .. } => "self-approval",
            LedgerError::NotReviewer { .. } => "not-reviewer",
            LedgerError::Undecided { .. } => "undecided-findings",
            LedgerError::FileChanged { .. } => "file-changed",
            LedgerError::ChainBroken { .. } => "chain-broken",
            LedgerError::SchemaChanged(_) => "schema-changed",
            LedgerError::CheckpointMismatch(_) => "checkpoint-mismatch",
            LedgerError::NotClearanceDatabase { .. } => "not-clearance-database",
            LedgerError::Corrupt(_) => "corrupt",
            LedgerError::NewerSchema { .. } => "newer-schema",
            LedgerError::NoDatabase(_) => "no-database",
            LedgerError::AlreadyInitialized => "already-initialized",
            LedgerError::LastAdmin(_) => "last-admin",
            LedgerError::UnknownReview(_) => "unknown-review",
            LedgerError::UnknownFinding { .. } => "unknown-finding",
            LedgerError::InvalidState { .. } => "invalid-state",
            LedgerError::ReasonRequired(_) => "reason-required",
            LedgerError::InvalidInput(_) => "invalid-input",
            LedgerError::BadSignature { .. } => "bad-signature",
            LedgerError::InvalidExport(_) => "invalid-export",
            LedgerError::Scan(_) => "scan-failed",
            LedgerError::Io { .. } => "io",
            LedgerError::Crypto(_) => "crypto",
            LedgerError::Database(_) => "database",
            LedgerError::Migration(_) => "migration",
        }
    }

    pub(crate) fn io(path: &std::path::Path, e: std::io::Error) -> Self {
        LedgerError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }

    pub(crate) fn broken(seq: i64, reason: impl Into<String>) -> Self {
        LedgerError::ChainBroken {
            seq,
            reason: reason.into(),
        }
    }
}

/// Crosses IPC as `{"code": "...", "message": "..."}`.
impl Serialize for LedgerError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &self.to_string())?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let e = LedgerError::Undecided {
            review: 3,
            count: 2,
            ids: "1, 4".into(),
        };
        let v = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(v["code"], "undecided-findings");
        assert_eq!(v["message"], "2 finding(s) undecided in review 3: 1, 4");
    }

    #[test]
    fn messages_name_the_reason() {
        let e = LedgerError::FileChanged {
            path: "a.pdf".into(),
            expected: "aa".into(),
            found: "bb".into(),
        };
        assert!(e.to_string().contains("expected sha256 aa, found bb"));
        let e = LedgerError::ChainBroken {
            seq: 7,
            reason: "hash mismatch".into(),
        };
        assert_eq!(
            e.to_string(),
            "ledger chain broken at event #7: hash mismatch"
        );
    }
}
