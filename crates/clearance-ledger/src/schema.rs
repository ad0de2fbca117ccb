//! The database schema, its forward-only migrations, and how a connection is opened.
//!
//! Which tables are ledger tables, and why the rest may change:
//! - Ledger tables (`events`, `users`, `account_states`, `reviews`, `dispositions`,
//!   `submissions`, `returns`, `approvals`) are append-only: `BEFORE UPDATE`/`BEFORE DELETE`
//!   triggers abort. Every row in them is written in the same transaction as the event that
//!   carries an exact copy of it in its payload, so `verify` can check each row against the
//!   hash chain. Changing state is modelled as new rows: a role change appends an
//!   `account_states` row (the latest wins), a re-decided finding appends a `dispositions` row
//!   (the latest wins), and a review's state is derived from its submissions, returns and
//!   approval (the `review_states` view), never stored.
//! - Two tables change in place and are deliberately outside the ledger: `credentials`
//!   (password hash and sealed signing key; re-sealed on a password change, and kept out of
//!   exports so hashes cannot be cracked offline) and `login_throttle` (wrong-password counter
//!   and lock time). Tampering with them can lock someone out or let someone log in, but cannot
//!   forge the record: approvals are checked against the public keys in `users`, which is a
//!   ledger table, and every lockout and failed login is also an event.
//! - `meta` holds the schema marker that, with `PRAGMA application_id`, tells a Clearance
//!   ledger from any other SQLite file.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use rusqlite_migration::{Migrations, M};

use crate::LedgerError;

/// `PRAGMA application_id` of a Clearance ledger: ASCII "CLRL".
pub const APPLICATION_ID: i32 = 0x434C_524C;

/// The value of `meta.schema`.
const SCHEMA_MARKER: &str = "clearance-ledger";

/// How long a writer waits for another process's write to finish.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Ledger tables other than `events`, in the order their rows are cross-checked. Each has an
/// `id` and an `event_seq` column; the event's payload holds the row under the table's name.
pub const ROW_TABLES: [&str; 7] = [
    "users",
    "account_states",
    "reviews",
    "dispositions",
    "submissions",
    "returns",
    "approvals",
];

/// Released migration 1. NEVER EDIT: a test pins its SHA-256. Add a new `M::up` instead.
pub(crate) const MIGRATION_1: &str = r#"
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO meta (key, value) VALUES ('schema', 'clearance-ledger');

CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    actor TEXT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER events_extend_head BEFORE INSERT ON events
WHEN NEW.seq IS NOT coalesce((SELECT max(seq) FROM events), 0) + 1
  OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM events ORDER BY seq DESC LIMIT 1),
        '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN SELECT RAISE(ABORT, 'an event must extend the chain head'); END;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    public_key TEXT NOT NULL CHECK (length(public_key) = 64),
    created_at INTEGER NOT NULL,
    event_seq INTEGER NOT NULL UNIQUE REFERENCES events(seq)
) STRICT;

CREATE TABLE account_states (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    roles TEXT NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    event_seq INTEGER NOT NULL UNIQUE REFERENCES events(seq)
) STRICT;
CREATE INDEX account_states_user ON account_states (user_id, event_seq);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    reviewer_id INTEGER NOT NULL REFERENCES users(id),
    document_name TEXT NOT NULL,
    document_path TEXT NOT NULL,
    document_sha256 TEXT NOT NULL CHECK (length(document_sha256) = 64),
    findings_json TEXT NOT NULL,
    finding_count INTEGER NOT NULL CHECK (finding_count >= 0),
    engine_version TEXT NOT NULL,
    watchlist_sha256 TEXT,
    opened_at INTEGER NOT NULL,
    event_seq INTEGER NOT NULL UNIQUE REFERENCES events(seq)
) STRICT;

CREATE TABLE dispositions (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    finding INTEGER NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('redact', 'release', 'false-positive')),
    reason TEXT,
    decided_by INTEGER NOT NULL REFERENCES users(id),
    decided_at INTEGER NOT NULL,
    event_seq INTEGER NOT NULL UNIQUE REFERENCES events(seq),
    CHECK (decision = 'redact' OR length(trim(coalesce(reason, ''))) > 0)
) STRICT;
CREATE INDEX dispositions_review ON dispositions (review_id, finding, event_seq);

CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    recommendation TEXT NOT NULL
        CHECK (recommendation IN ('release', 'release-with-redactions', 'withhold')),
    record_json TEXT,
    submitted_by INTEGER NOT NULL REFERENCES users(id),
    submitted_at INTEGER NOT NULL,
    event_seq INTEGER NOT NULL UNIQUE REFERENCES events(seq)
) STRICT;
CREATE INDEX submissions_review ON submissions (review_id, event_seq);

CREATE TABLE returns (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    returned_by INTEGER NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    returned_at INTEGER NOT NULL,
    event_seq INTEGER NOT NULL UNIQUE REFERENCES events(seq)
) STRICT;
CREATE INDEX returns_review ON returns (review_id, event_seq);

CREATE TABLE approvals (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL UNIQUE REFERENCES reviews(id),
    approver_id INTEGER NOT NULL REFERENCES users(id),
    statement TEXT NOT NULL,
    signature TEXT NOT NULL CHECK (length(signature) = 128),
    approved_at INTEGER NOT NULL,
    event_seq INTEGER NOT NULL UNIQUE REFERENCES events(seq)
) STRICT;

CREATE VIEW review_states AS
SELECT r.id AS review_id,
    CASE
        WHEN EXISTS (SELECT 1 FROM approvals a WHERE a.review_id = r.id) THEN 'approved'
        WHEN coalesce((SELECT max(s.event_seq) FROM submissions s WHERE s.review_id = r.id), 0)
           > coalesce((SELECT max(t.event_seq) FROM returns t WHERE t.review_id = r.id), 0)
            THEN 'submitted'
        WHEN EXISTS (SELECT 1 FROM returns t WHERE t.review_id = r.id) THEN 'returned'
        ELSE 'open'
    END AS state
FROM reviews r;

-- The state machine and the two-person rule, enforced by the schema as well as the code.
CREATE TRIGGER dispositions_rules BEFORE INSERT ON dispositions
BEGIN
    SELECT RAISE(ABORT, 'finding out of range')
    WHERE NEW.finding < 1
       OR NEW.finding > (SELECT finding_count FROM reviews WHERE id = NEW.review_id);
    SELECT RAISE(ABORT, 'only the reviewer decides findings')
    WHERE NEW.decided_by IS NOT (SELECT reviewer_id FROM reviews WHERE id = NEW.review_id);
    SELECT RAISE(ABORT, 'review is not open for decisions')
    WHERE (SELECT state FROM review_states WHERE review_id = NEW.review_id)
        NOT IN ('open', 'returned');
END;

CREATE TRIGGER submissions_rules BEFORE INSERT ON submissions
BEGIN
    SELECT RAISE(ABORT, 'only the reviewer submits')
    WHERE NEW.submitted_by IS NOT (SELECT reviewer_id FROM reviews WHERE id = NEW.review_id);
    SELECT RAISE(ABORT, 'review is not open for submission')
    WHERE (SELECT state FROM review_states WHERE review_id = NEW.review_id)
        NOT IN ('open', 'returned');
    SELECT RAISE(ABORT, 'findings undecided')
    WHERE (SELECT count(DISTINCT finding) FROM dispositions WHERE review_id = NEW.review_id)
        < (SELECT finding_count FROM reviews WHERE id = NEW.review_id);
END;

CREATE TRIGGER returns_rules BEFORE INSERT ON returns
BEGIN
    SELECT RAISE(ABORT, 'two-person rule: the reviewer cannot return their own review')
    WHERE NEW.returned_by IS (SELECT reviewer_id FROM reviews WHERE id = NEW.review_id);
    SELECT RAISE(ABORT, 'review is not submitted')
    WHERE (SELECT state FROM review_states WHERE review_id = NEW.review_id) IS NOT 'submitted';
END;

CREATE TRIGGER approvals_rules BEFORE INSERT ON approvals
BEGIN
    SELECT RAISE(ABORT, 'two-person rule: the reviewer cannot approve their own review')
    WHERE NEW.approver_id IS (SELECT reviewer_id FROM reviews WHERE id = NEW.review_id);
    SELECT RAISE(ABORT, 'review is not submitted')
    WHERE (SELECT state FROM review_states WHERE review_id = NEW.review_id) IS NOT 'submitted';
END;

-- Append-only: the ledger tables refuse UPDATE and DELETE.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'ledger table events is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'ledger table events is append-only'); END;
CREATE TRIGGER users_no_update BEFORE UPDATE ON users
BEGIN SELECT RAISE(ABORT, 'ledger table users is append-only'); END;
CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN SELECT RAISE(ABORT, 'ledger table users is append-only'); END;
CREATE TRIGGER account_states_no_update BEFORE UPDATE ON account_states
BEGIN SELECT RAISE(ABORT, 'ledger table account_states is append-only'); END;
CREATE TRIGGER account_states_no_delete BEFORE DELETE ON account_states
BEGIN SELECT RAISE(ABORT, 'ledger table account_states is append-only'); END;
CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'ledger table reviews is append-only'); END;
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'ledger table reviews is append-only'); END;
CREATE TRIGGER dispositions_no_update BEFORE UPDATE ON dispositions
BEGIN SELECT RAISE(ABORT, 'ledger table dispositions is append-only'); END;
CREATE TRIGGER dispositions_no_delete BEFORE DELETE ON dispositions
BEGIN SELECT RAISE(ABORT, 'ledger table dispositions is append-only'); END;
CREATE TRIGGER submissions_no_update BEFORE UPDATE ON submissions
BEGIN SELECT RAISE(ABORT, 'ledger table submissions is append-only'); END;
CREATE TRIGGER submissions_no_delete BEFORE DELETE ON submissions
BEGIN SELECT RAISE(ABORT, 'ledger table submissions is append-only'); END;
CREATE TRIGGER returns_no_update BEFORE UPDATE ON returns
BEGIN SELECT RAISE(ABORT, 'ledger table returns is append-only'); END;
CREATE TRIGGER returns_no_delete BEFORE DELETE ON returns
BEGIN SELECT RAISE(ABORT, 'ledger table returns is append-only'); END;
CREATE TRIGGER approvals_no_update BEFORE UPDATE ON approvals
BEGIN SELECT RAISE(ABORT, 'ledger table approvals is append-only'); END;
CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals
BEGIN SELECT RAISE(ABORT, 'ledger table approvals is append-only'); END;

-- Not ledger tables: they change in place (see the module docs).
CREATE TABLE credentials (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    password_phc TEXT NOT NULL,
    kdf_salt TEXT NOT NULL,
    kdf_m INTEGER NOT NULL,
    kdf_t INTEGER NOT NULL,
    kdf_p INTEGER NOT NULL,
    seal_nonce TEXT NOT NULL,
    sealed_key TEXT NOT NULL
) STRICT;

CREATE TABLE login_throttle (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    failed INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER
) STRICT;
"#;

/// Migration 2: the intake queue (issue #6). NOT ledger tables: a mutable work queue of the
/// watched folder (rows change state in place, no events, no append-only triggers); it is
/// bookkeeping about what to scan, never evidence of a review. See `crate::intake`.
pub(crate) const MIGRATION_2: &str = r#"
CREATE TABLE intake_queue (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    state TEXT NOT NULL
        CHECK (state IN ('queued', 'scanning', 'done', 'failed', 'cancelled')),
    result_json TEXT,
    review_id INTEGER REFERENCES reviews(id),
    queued_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
) STRICT;
CREATE INDEX intake_queue_state ON intake_queue (state, id);
"#;

/// The forward-only migration list. Steps are only ever appended.
pub(crate) const MIGRATIONS: &[M<'static>] = &[M::up(MIGRATION_1), M::up(MIGRATION_2)];

fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

/// Whether `open` may create a new ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file if it is missing (or empty).
    CreateIfMissing,
    /// The ledger must already exist.
    MustExist,
}

/// Opens (or creates) a ledger database, refusing foreign or corrupt files without touching
/// them, then sets the per-connection PRAGMAs and migrates forward.
pub(crate) fn open_connection(path: &Path, mode: OpenMode) -> Result<Connection, LedgerError> {
    let fresh = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if mode == OpenMode::MustExist {
                return Err(LedgerError::NoDatabase(path.display().to_string()));
            }
            true
        }
        Err(e) => return Err(LedgerError::io(path, e)),
        Ok(m) if !m.is_file() => {
            return Err(not_ours(path, "not a regular file"));
        }
        Ok(m) if m.len() == 0 => {
            if mode == OpenMode::MustExist {
                return Err(LedgerError::NoDatabase(path.display().to_string()));
            }
            true
        }
        Ok(_) => {
            check_sqlite_header(path)?;
            false
        }
    };
    let flags = if fresh {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    };
    if fresh {
        // Before SQLite creates the -wal and -shm files, which copy the database's mode.
        restrict_permissions(path)?;
    }
    let mut conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if !fresh {
        check_ours(&conn, path)?;
    }
    // WAL lets the app read while the CLI writes; FULL sync so a committed event survives
    // power loss, not only a killed process.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(LedgerError::Migration(format!(
            "could not enable WAL (journal mode {mode})"
        )));
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    if fresh {
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    migrations()
        .to_latest(&mut conn)
        .map_err(|e| LedgerError::Migration(e.to_string()))?;
    Ok(conn)
}

/// SQLite's `quick_check`: damaged pages, broken indexes. Any failure, including the check
/// itself failing to run, is reported as corruption.
pub(crate) fn integrity_check(conn: &Connection) -> Result<(), LedgerError> {
    let mut stmt = conn
        .prepare("PRAGMA quick_check")
        .map_err(|e| LedgerError::Corrupt(e.to_string()))?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.take(5).collect::<Result<_, _>>())
        .map_err(|e| LedgerError::Corrupt(e.to_string()))?;
    if lines.len() == 1 && lines.first().is_some_and(|l| l == "ok") {
        Ok(())
    } else {
        Err(LedgerError::Corrupt(lines.join("; ")))
    }
}

/// Compares the file's tables, views, indexes and triggers with what the migrations create.
/// Tampering usually starts by dropping the append-only triggers; this names what changed.
pub(crate) fn check_schema(conn: &Connection) -> Result<(), LedgerError> {
    let mut fresh = Connection::open_in_memory()?;
    migrations()
        .to_latest(&mut fresh)
        .map_err(|e| LedgerError::Migration(e.to_string()))?;
    let objects = |c: &Connection| -> Result<Vec<(String, String, Option<String>)>, LedgerError> {
        let mut stmt = c.prepare(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'
             ORDER BY type, name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let want = objects(&fresh)?;
    let have = objects(conn)?;
    for w in &want {
        match have.iter().find(|h| h.0 == w.0 && h.1 == w.1) {
            None => {
                return Err(LedgerError::SchemaChanged(format!(
                    "{} {} is missing",
                    w.0, w.1
                )))
            }
            Some(h) if h.2 != w.2 => {
                return Err(LedgerError::SchemaChanged(format!(
                    "{} {} was altered",
                    w.0, w.1
                )))
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = have
        .iter()
        .find(|h| !want.iter().any(|w| w.0 == h.0 && w.1 == h.1))
    {
        return Err(LedgerError::SchemaChanged(format!(
            "unexpected {} {}",
            extra.0, extra.1
        )));
    }
    Ok(())
}

/// The file holds password hashes and sealed keys: owner-only on Unix. SQLite gives the
/// `-wal` and `-shm` files the same mode as the database.
/// Creates the (empty) file if needed.
#[cfg(unix)]
fn restrict_permissions(path: &Path) -> Result<(), LedgerError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| LedgerError::io(path, e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| LedgerError::io(path, e))
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> Result<(), LedgerError> {
    Ok(())
}

fn not_ours(path: &Path, detail: &str) -> LedgerError {
    LedgerError::NotClearanceDatabase {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

fn check_sqlite_header(path: &Path) -> Result<(), LedgerError> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|e| LedgerError::io(path, e))?;
    let n = f.read(&mut head).map_err(|e| LedgerError::io(path, e))?;
    if n < 16 || &head != b"SQLite format 3\0" {
        return Err(not_ours(path, "not an SQLite file"));
    }
    Ok(())
}

/// An existing file must carry our application id, our marker, and no newer schema.
fn check_ours(conn: &Connection, path: &Path) -> Result<(), LedgerError> {
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| not_ours(path, &format!("unreadable: {e}")))?;
    if app_id != APPLICATION_ID {
        return Err(not_ours(path, "an SQLite database of another application"));
    }
    // Our application id with unreadable pages is a damaged ledger, not a foreign file.
    let corrupt = |e: rusqlite::Error| LedgerError::Corrupt(format!("{}: {e}", path.display()));
    let has_meta: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get(0),
        )
        .map_err(corrupt)?;
    if !has_meta {
        return Err(not_ours(path, "schema marker missing"));
    }
    let marker: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(corrupt)?;
    if marker.as_deref() != Some(SCHEMA_MARKER) {
        return Err(not_ours(path, "schema marker missing"));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if version > known {
        return Err(LedgerError::NewerSchema {
            path: path.display().to_string(),
            found: version,
            known,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_validate() {
        assert!(
            migrations().validate().is_ok(),
            "every migration must apply to an empty DB"
        );
    }

    /// A released migration is never edited (the zed rule): add a new step instead.
    #[test]
    fn released_migration_sql_is_unchanged() {
        assert_eq!(
            crate::canonical::sha256_hex(MIGRATION_1.as_bytes()),
            MIGRATION_1_SHA256,
            "migration 1 was released; add a new M::up instead of editing it"
        );
        assert_eq!(
            crate::canonical::sha256_hex(MIGRATION_2.as_bytes()),
            MIGRATION_2_SHA256,
            "migration 2 was released; add a new M::up instead of editing it"
        );
        assert_eq!(
            MIGRATIONS.len(),
            2,
            "pin the SHA-256 of every new migration here too"
        );
    }

    const MIGRATION_1_SHA256: &str =
        "84a63985ce8640c1e501a21d16547051c150676121184768cc49a44d000952f0";
    const MIGRATION_2_SHA256: &str =
        "af54b0d73a735fb6d46d69e308fe830cdbdbcc8caa84a862943838e6b88740e4";

    #[test]
    fn refuses_foreign_files_and_leaves_them_alone() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, b"hello, this is not a database at all").unwrap();
        let err = open_connection(&text, OpenMode::CreateIfMissing).unwrap_err();
        assert_eq!(err.code(), "not-clearance-database", "{err}");
        assert_eq!(
            std::fs::read(&text).unwrap(),
            b"hello, this is not a database at all"
        );

        let other = dir.path().join("other.db");
        {
            let c = Connection::open(&other).unwrap();
            c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
                .unwrap();
        }
        let before = std::fs::read(&other).unwrap();
        let err = open_connection(&other, OpenMode::CreateIfMissing).unwrap_err();
        assert_eq!(err.code(), "not-clearance-database", "{err}");
        assert_eq!(
            std::fs::read(&other).unwrap(),
            before,
            "a foreign DB must not be migrated"
        );

        let corrupt = dir.path().join("corrupt.db");
        let mut bytes = b"SQLite format 3\0".to_vec();
        bytes.extend(std::iter::repeat_n(0xA5u8, 4096));
        std::fs::write(&corrupt, &bytes).unwrap();
        let err = open_connection(&corrupt, OpenMode::CreateIfMissing).unwrap_err();
        assert_eq!(err.code(), "not-clearance-database", "{err}");
        assert_eq!(std::fs::read(&corrupt).unwrap(), bytes);
    }

    #[test]
    fn missing_file_needs_create_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.db");
        assert_eq!(
            open_connection(&p, OpenMode::MustExist).unwrap_err().code(),
            "no-database"
        );
        assert!(!p.exists(), "MustExist must not create the file");
        drop(open_connection(&p, OpenMode::CreateIfMissing).unwrap());
        let c = open_connection(&p, OpenMode::MustExist).unwrap();
        let id: i32 = c
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(id, APPLICATION_ID);
        let fk: i64 = c
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1, "foreign keys are per connection and must be on");
    }

    #[test]
    fn refuses_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.db");
        drop(open_connection(&p, OpenMode::CreateIfMissing).unwrap());
        {
            let c = Connection::open(&p).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        assert_eq!(
            open_connection(&p, OpenMode::MustExist).unwrap_err().code(),
            "newer-schema"
        );
    }

    #[test]
    fn schema_check_names_dropped_triggers_and_extra_objects() {
        let dir = tempfile::tempdir().unwrap();
        let c = open_connection(&dir.path().join("l.db"), OpenMode::CreateIfMissing).unwrap();
        check_schema(&c).unwrap();
        c.execute_batch("DROP TRIGGER approvals_rules").unwrap();
        let err = check_schema(&c).unwrap_err().to_string();
        assert!(err.contains("trigger approvals_rules is missing"), "{err}");
        let c2 = open_connection(&dir.path().join("m.db"), OpenMode::CreateIfMissing).unwrap();
        c2.execute_batch("CREATE TRIGGER sneaky AFTER INSERT ON events BEGIN SELECT 1; END;")
            .unwrap();
        let err = check_schema(&c2).unwrap_err().to_string();
        assert!(err.contains("unexpected trigger sneaky"), "{err}");
    }

    #[test]
    fn ledger_tables_refuse_update_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let c = open_connection(&dir.path().join("l.db"), OpenMode::CreateIfMissing).unwrap();
        c.execute(
            "INSERT INTO events VALUES (1, 0, NULL, 'k', '{}', ?1, 'h1')",
            [crate::canonical::GENESIS_HASH],
        )
        .unwrap();
        for sql in ["UPDATE events SET kind = 'x'", "DELETE FROM events"] {
            let err = c.execute(sql, []).unwrap_err().to_string();
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
        let err = c
            .execute(
                "INSERT INTO events VALUES (5, 0, NULL, 'k', '{}', 'h1', 'h5')",
                [],
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("chain head"),
            "a gap in seq must be refused: {err}"
        );
    }
}
