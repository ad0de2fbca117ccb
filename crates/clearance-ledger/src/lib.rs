//! Tamper-evident SQLite sign-off ledger: accounts, reviews, dispositions, approvals.
//!
//! Who reviewed which exact file (by SHA-256), what they decided about each finding, and which
//! supervisor approved the release, recorded so that later tampering shows.
//!
//! Design decisions, and why:
//! - **One event per write, in a hash chain.** Every change appends an event whose hash covers
//!   a frozen encoding of the event plus the previous hash ([`canonical`]). The ledger rows the
//!   event creates are copied into its payload, so [`Ledger::verify`] checks the tables too.
//! - **Append-only tables, derived state.** Triggers refuse `UPDATE`/`DELETE` on every ledger
//!   table; a review's state is derived from its submissions, returns and approval, and a
//!   role change is a new row. Only credentials and the login throttle change in place (see
//!   `schema` for why that is safe).
//! - **Rules in code and in the schema.** The two-person rule, "every finding decided before
//!   submission" and the state machine are checked here with clear errors and again by
//!   `BEFORE INSERT` triggers, so a second program writing the file cannot skip them.
//! - **Signed approvals.** Each account has an Ed25519 key sealed by its password; an
//!   approval signs a statement of exactly what was approved, so an export can be checked
//!   offline with [`verify_export`].
//! - **Time is passed in** through [`Clock`], so lockouts are testable without sleeping.
//!
//! ```
//! use clearance_ledger::{Decision, KdfParams, Ledger, LedgerOptions, NewReview, OpenMode,
//!     Recommendation, Role};
//! # fn main() -> Result<(), clearance_ledger::LedgerError> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let doc = dir.path().join("memo.txt");
//! # std::fs::write(&doc, "nothing sensitive").unwrap();
//! let options = LedgerOptions { kdf: KdfParams::FAST_INSECURE_FOR_TESTS, ..Default::default() };
//! let mut ledger = Ledger::open_with(&dir.path().join("ledger.db"), OpenMode::CreateIfMissing, options)?;
//! ledger.init("admin", "admin-password")?;
//! let admin = ledger.authenticate("admin", "admin-password")?;
//! ledger.add_user(&admin, "rita", "rita-password", &[Role::Reviewer])?;
//! ledger.add_user(&admin, "sam", "sam-password", &[Role::Supervisor])?;
//!
//! let rita = ledger.authenticate("rita", "rita-password")?;
//! let sha = clearance_ledger::sha256_file(&doc)?;
//! let review = ledger.open_review(&rita, &NewReview {
//!     document_name: "memo.txt".into(),
//!     document_path: doc.display().to_string(),
//!     document_sha256: sha.clone(),
//!     findings: &[],
//!     engine_version: clearance_model::ENGINE_VERSION.into(),
//!     watchlist_sha256: None,
//! })?;
//! ledger.submit(&rita, review, Recommendation::Release, None)?;
//!
//! let sam = ledger.authenticate("sam", "sam-password")?;
//! let approval = ledger.approve(&sam, "sam-password", review, &sha)?;
//! assert_eq!(approval.statement.reviewer, "rita");
//! assert_eq!(ledger.verify()?.signatures, 1);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod accounts;
mod approval;
pub mod canonical;
mod certificate;
mod chain;
#[cfg(feature = "cli")]
pub mod cli;
mod clock;
mod crypto;
mod error;
mod export;
pub mod intake;
mod paths;
mod review;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use accounts::{Account, Role, Session, LOCKOUT_MS, MAX_FAILED_LOGINS};
pub use approval::{ApprovalStatement, StatementDecision, STATEMENT_TAG};
pub use chain::{Checkpoint, EventRecord, VerifyReport};
pub use clock::{format_time, Clock, ManualClock, SystemClock};
pub use crypto::{verify_signature, KdfParams, MIN_PASSWORD_CHARS};
pub use error::LedgerError;
pub use export::{parse_checkpoint, verify_export, Export, ExportFormat, EXPORT_FORMAT};
pub use paths::default_db_path;
pub use review::{
    Approval, Decision, DeclassificationDecision, DeclassificationRecord, Disposition, NewReview,
    Recommendation, ReturnNote, ReviewDetail, ReviewFinding, ReviewState, ReviewSummary,
    Submission,
};
pub use schema::{OpenMode, APPLICATION_ID, BUSY_TIMEOUT};

/// How a [`Ledger`] gets the time and how hard it hashes passwords.
#[derive(Clone)]
pub struct LedgerOptions {
    /// Source of "now".
    pub clock: Arc<dyn Clock>,
    /// Argon2id cost for new password hashes and sealed keys.
    pub kdf: KdfParams,
}

impl Default for LedgerOptions {
    fn default() -> Self {
        LedgerOptions {
            clock: Arc::new(SystemClock),
            kdf: KdfParams::PRODUCTION,
        }
    }
}

impl std::fmt::Debug for LedgerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerOptions")
            .field("kdf", &self.kdf)
            .finish_non_exhaustive()
    }
}

/// An open ledger database. Writers take `&mut self` and run in `BEGIN IMMEDIATE`
/// transactions, so other processes on the same file wait (up to [`BUSY_TIMEOUT`]) rather
/// than fail, and a killed process leaves only whole transactions behind.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    options: LedgerOptions,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Ledger {
    /// Opens an existing ledger with production settings.
    ///
    /// # Errors
    /// [`LedgerError::NoDatabase`] if the file is missing, [`LedgerError::NotClearanceDatabase`]
    /// for any other file (left untouched), [`LedgerError::NewerSchema`].
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        Self::open_with(path, OpenMode::MustExist, LedgerOptions::default())
    }

    /// Opens the ledger, creating an empty one if the file is missing.
    ///
    /// # Errors
    /// As [`Ledger::open`], except for a missing file.
    pub fn create(path: &Path) -> Result<Self, LedgerError> {
        Self::open_with(path, OpenMode::CreateIfMissing, LedgerOptions::default())
    }

    /// Opens with explicit mode and options (tests use a manual clock and cheap hashing).
    ///
    /// # Errors
    /// As [`Ledger::open`].
    pub fn open_with(
        path: &Path,
        mode: OpenMode,
        options: LedgerOptions,
    ) -> Result<Self, LedgerError> {
        if mode == OpenMode::CreateIfMissing {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| LedgerError::io(dir, e))?;
            }
        }
        let conn = schema::open_connection(path, mode)?;
        Ok(Ledger {
            conn,
            path: path.to_path_buf(),
            options,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current chain head.
    ///
    /// # Errors
    /// Database errors.
    pub fn checkpoint(&self) -> Result<Checkpoint, LedgerError> {
        chain::head(&self.conn)
    }

    /// Every event, in order.
    ///
    /// # Errors
    /// Database errors; a malformed stored row gives [`LedgerError::ChainBroken`].
    pub fn events(&self) -> Result<Vec<EventRecord>, LedgerError> {
        chain::load_events(&self.conn)
    }

    /// Recomputes the hash chain, checks every ledger row against its event and every approval
    /// signature. Names the first bad event.
    ///
    /// # Errors
    /// [`LedgerError::ChainBroken`] or [`LedgerError::BadSignature`] naming the first bad event;
    /// [`LedgerError::Corrupt`] if SQLite finds damaged pages.
    pub fn verify(&self) -> Result<VerifyReport, LedgerError> {
        schema::integrity_check(&self.conn)?;
        let events = chain::load_events(&self.conn)?;
        let checkpoint = chain::check_chain(&events)?;
        chain::check_rows(&self.conn, &events)?;
        let signatures = approval::check_approvals(&events)?;
        Ok(VerifyReport {
            checkpoint,
            signatures,
        })
    }

    /// Checks that the schema is exactly what the migrations create: every append-only and
    /// rule trigger present and unaltered, nothing added. Run it with [`Ledger::verify`]:
    /// the chain proves the rows, this shows whether the guards were tampered with.
    ///
    /// # Errors
    /// [`LedgerError::SchemaChanged`] naming the first difference.
    pub fn check_schema(&self) -> Result<(), LedgerError> {
        schema::check_schema(&self.conn)
    }

    /// [`Ledger::verify`], then checks that the ledger still contains the checkpoint's events
    /// unchanged: fewer events means truncation, a different hash means a rewrite.
    ///
    /// # Errors
    /// As [`Ledger::verify`], and [`LedgerError::CheckpointMismatch`].
    pub fn verify_checkpoint(&self, expected: &Checkpoint) -> Result<VerifyReport, LedgerError> {
        let report = self.verify()?;
        let events = chain::load_events(&self.conn)?;
        export::match_checkpoint(&events, expected)?;
        Ok(report)
    }

    fn now(&self) -> i64 {
        self.options.clock.now_ms()
    }

    /// A write transaction that takes the write lock at once, so two writers never both read
    /// the same chain head.
    fn write(&mut self) -> Result<Transaction<'_>, LedgerError> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

/// The app keeps the ledger in a `Mutex<Ledger>` shared between threads.
const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Ledger>();
    assert_send::<LedgerError>();
};

/// SHA-256 of a file's bytes, lower-case hex (what a review binds to).
///
/// # Errors
/// [`LedgerError::Io`] if the file cannot be read.
pub fn sha256_file(path: &Path) -> Result<String, LedgerError> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| LedgerError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(|e| LedgerError::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or_default());
    }
    Ok(canonical::hex(&h.finalize()))
}
