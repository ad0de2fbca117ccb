//! The intake queue: which files the watched folder delivered, and what their scan found.
//!
//! These are NOT ledger tables. `intake_queue` is a mutable work queue (a row moves from
//! `queued` to `scanning` to `done`, `failed` or `cancelled` in place), has no events and no
//! append-only triggers, and is never evidence of a review: a review binds to its document
//! by SHA-256 in the `reviews` ledger table. It lives in the same file so that the app, the
//! CLI and the ledger agree on one `--db`, and so that an intake row can name the review
//! that already covers its document.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::schema::{open_connection, OpenMode};
use crate::LedgerError;

/// Where a queued document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueState {
    /// Waiting for a worker.
    Queued,
    /// A worker is parsing it.
    Scanning,
    /// Scanned; the result has no errors.
    Done,
    /// Scanned; the result names why the document could not be read.
    Failed,
    /// Removed by the reviewer (or replaced by a different file) before it was scanned.
    Cancelled,
}

impl QueueState {
    /// The value stored in the `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueState::Queued => "queued",
            QueueState::Scanning => "scanning",
            QueueState::Done => "done",
            QueueState::Failed => "failed",
            QueueState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Self, LedgerError> {
        Ok(match s {
            "queued" => QueueState::Queued,
            "scanning" => QueueState::Scanning,
            "done" => QueueState::Done,
            "failed" => QueueState::Failed,
            "cancelled" => QueueState::Cancelled,
            other => {
                return Err(LedgerError::Corrupt(format!(
                    "intake_queue: unknown state {other:?}"
                )))
            }
        })
    }

    /// Whether the row still waits for (or is in) a worker.
    pub fn is_unfinished(self) -> bool {
        matches!(self, QueueState::Queued | QueueState::Scanning)
    }
}

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// Row id (what the app names when it cancels).
    pub id: i64,
    /// Where the file was found.
    pub path: String,
    /// SHA-256 of its bytes when it was queued.
    pub sha256: String,
    /// Where it stands.
    pub state: QueueState,
    /// The scan result (a `DocumentReport` as JSON), once scanned.
    pub result_json: Option<String>,
    /// The review in the ledger that already covers these bytes, if any.
    pub review_id: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub queued_at: i64,
    /// When a worker last started on it.
    pub started_at: Option<i64>,
    /// When it reached `done`, `failed` or `cancelled`.
    pub finished_at: Option<i64>,
}

/// What [`IntakeQueue::admit`] did with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// New bytes: queued under this row id; scan them.
    Queued(i64),
    /// These bytes are already in the queue (any state): do not parse them again.
    Known(QueueEntry),
    /// New to the queue but already reviewed in the ledger: recorded as `done` with the
    /// review's id, and not scanned.
    Reviewed(QueueEntry),
}

/// The intake queue of one database.
pub struct IntakeQueue {
    conn: Connection,
}

impl std::fmt::Debug for IntakeQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeQueue").finish_non_exhaustive()
    }
}

const COLUMNS: &str =
    "id, path, sha256, state, result_json, review_id, queued_at, started_at, finished_at";

impl IntakeQueue {
    /// Opens the database at `path` (creating an empty Clearance database if it is missing),
    /// with the same checks and migrations as [`crate::Ledger::open`].
    ///
    /// # Errors
    /// As [`crate::Ledger::open`], except for a missing file.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| LedgerError::io(dir, e))?;
        }
        Ok(IntakeQueue {
            conn: open_connection(path, OpenMode::CreateIfMissing)?,
        })
    }

    /// Records a file found in the intake folder, once per distinct content.
    ///
    /// # Errors
    /// [`LedgerError::InvalidInput`] for a malformed hash; database errors.
    pub fn admit(&mut self, path: &str, sha256: &str, now: i64) -> Result<Admission, LedgerError> {
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(LedgerError::InvalidInput(format!(
                "not a lower-case SHA-256: {sha256:?}"
            )));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(known) = entry_where(&tx, "sha256 = ?1", params![sha256])? {
            return Ok(Admission::Known(known));
        }
        let review: Option<i64> = tx
            .query_row(
                "SELECT min(id) FROM reviews WHERE document_sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let admission =
            match review {
                Some(review_id) => {
                    tx.execute(
                        "INSERT INTO intake_queue (path, sha256, state, review_id, queued_at,
                         finished_at) VALUES (?1, ?2, 'done', ?3, ?4, ?4)",
                        params![path, sha256, review_id, now],
                    )?;
                    let id = tx.last_insert_rowid();
                    Admission::Reviewed(entry_where(&tx, "id = ?1", [id])?.ok_or_else(|| {
                        LedgerError::Corrupt("intake_queue row vanished".to_string())
                    })?)
                }
                None => {
                    tx.execute(
                        "INSERT INTO intake_queue (path, sha256, state, queued_at)
                     VALUES (?1, ?2, 'queued', ?3)",
                        params![path, sha256, now],
                    )?;
                    Admission::Queued(tx.last_insert_rowid())
                }
            };
        tx.commit()?;
        Ok(admission)
    }

    /// Moves a queued row to `scanning`. Returns false if it is no longer queued (cancelled
    /// meanwhile), in which case no worker must start.
    ///
    /// # Errors
    /// Database errors.
    pub fn start(&mut self, id: i64, now: i64) -> Result<bool, LedgerError> {
        let n = self.conn.execute(
            "UPDATE intake_queue SET state = 'scanning', started_at = ?2
             WHERE id = ?1 AND state = 'queued'",
            params![id, now],
        )?;
        Ok(n == 1)
    }

    /// Stores the result of a scan (`Done` or `Failed`). Returns false (and stores nothing) if
    /// the row was cancelled meanwhile.
    ///
    /// # Errors
    /// [`LedgerError::InvalidInput`] for another state; database errors.
    pub fn finish(
        &mut self,
        id: i64,
        state: QueueState,
        result_json: &str,
        now: i64,
    ) -> Result<bool, LedgerError> {
        if !matches!(state, QueueState::Done | QueueState::Failed) {
            return Err(LedgerError::InvalidInput(format!(
                "a scan ends done or failed, not {}",
                state.as_str()
            )));
        }
        let n = self.conn.execute(
            "UPDATE intake_queue SET state = ?2, result_json = ?3, finished_at = ?4
             WHERE id = ?1 AND state IN ('queued', 'scanning')",
            params![id, state.as_str(), result_json, now],
        )?;
        Ok(n == 1)
    }

    /// Cancels a row that has not finished. Returns false if it had already finished.
    ///
    /// # Errors
    /// [`LedgerError::InvalidInput`] for an unknown id; database errors.
    pub fn cancel(&mut self, id: i64, now: i64) -> Result<bool, LedgerError> {
        let n = self.conn.execute(
            "UPDATE intake_queue SET state = 'cancelled', finished_at = ?2
             WHERE id = ?1 AND state IN ('queued', 'scanning')",
            params![id, now],
        )?;
        if n == 0 && self.get(id)?.is_none() {
            return Err(LedgerError::InvalidInput(format!("no intake row {id}")));
        }
        Ok(n == 1)
    }

    /// Puts a row whose worker was stopped (shutdown, not the reviewer) back in the queue.
    ///
    /// # Errors
    /// Database errors.
    pub fn requeue(&mut self, id: i64) -> Result<bool, LedgerError> {
        let n = self.conn.execute(
            "UPDATE intake_queue SET state = 'queued', started_at = NULL
             WHERE id = ?1 AND state = 'scanning'",
            [id],
        )?;
        Ok(n == 1)
    }

    /// Called on start: rows left `scanning` by a process that died are queued again, and
    /// every queued row is returned, oldest first, to be resumed.
    ///
    /// # Errors
    /// Database errors.
    pub fn recover(&mut self) -> Result<Vec<QueueEntry>, LedgerError> {
        self.conn.execute(
            "UPDATE intake_queue SET state = 'queued', started_at = NULL
             WHERE state = 'scanning'",
            [],
        )?;
        entries_where(&self.conn, "state = 'queued' ORDER BY id", [])
    }

    /// One row.
    ///
    /// # Errors
    /// Database errors.
    pub fn get(&self, id: i64) -> Result<Option<QueueEntry>, LedgerError> {
        entry_where(&self.conn, "id = ?1", [id])
    }

    /// Rows still queued or scanning, oldest first: what the app polls twice a second, so it
    /// skips the stored results of every finished row.
    ///
    /// # Errors
    /// Database errors.
    pub fn unfinished(&self) -> Result<Vec<QueueEntry>, LedgerError> {
        entries_where(
            &self.conn,
            "state IN ('queued', 'scanning') ORDER BY id",
            [],
        )
    }

    /// The newest `limit` rows that were scanned (`done` or `failed` with a stored result),
    /// oldest first: what the app shows again after a restart.
    ///
    /// # Errors
    /// Database errors.
    pub fn finished(&self, limit: usize) -> Result<Vec<QueueEntry>, LedgerError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        entries_where(
            &self.conn,
            "id IN (SELECT id FROM intake_queue
                    WHERE state IN ('done', 'failed') AND result_json IS NOT NULL
                    ORDER BY id DESC LIMIT ?1)
             ORDER BY id",
            [limit],
        )
    }

    /// Every row, oldest first, finished or not.
    ///
    /// # Errors
    /// Database errors.
    pub fn list(&self) -> Result<Vec<QueueEntry>, LedgerError> {
        entries_where(&self.conn, "1 ORDER BY id", [])
    }
}

fn entry_where<P: rusqlite::Params>(
    conn: &Connection,
    condition: &str,
    params: P,
) -> Result<Option<QueueEntry>, LedgerError> {
    let sql = format!("SELECT {COLUMNS} FROM intake_queue WHERE {condition}");
    let raw = conn.query_row(&sql, params, raw_row).optional()?;
    raw.map(into_entry).transpose()
}

fn entries_where<P: rusqlite::Params>(
    conn: &Connection,
    condition: &str,
    params: P,
) -> Result<Vec<QueueEntry>, LedgerError> {
    let sql = format!("SELECT {COLUMNS} FROM intake_queue WHERE {condition}");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params, raw_row)?;
    rows.map(|r| into_entry(r?)).collect()
}

type RawRow = (QueueEntry, String);

fn raw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        QueueEntry {
            id: r.get(0)?,
            path: r.get(1)?,
            sha256: r.get(2)?,
            state: QueueState::Queued,
            result_json: r.get(4)?,
            review_id: r.get(5)?,
            queued_at: r.get(6)?,
            started_at: r.get(7)?,
            finished_at: r.get(8)?,
        },
        r.get(3)?,
    ))
}

fn into_entry((mut entry, state): RawRow) -> Result<QueueEntry, LedgerError> {
    entry.state = QueueState::parse(&state)?;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn queue() -> (tempfile::TempDir, IntakeQueue) {
        let dir = tempfile::tempdir().unwrap();
        let q = IntakeQueue::open(&dir.path().join("l.db")).unwrap();
        (dir, q)
    }

    #[test]
    fn unfinished_and_finished_split_the_rows() {
        let (_d, mut q) = queue();
        let hash = |c: char| c.to_string().repeat(64);
        let mut ids = Vec::new();
        for c in ['a', 'b', 'c', 'd', 'e'] {
            let Admission::Queued(id) = q.admit(&format!("/in/{c}"), &hash(c), 1).unwrap() else {
                panic!("new bytes")
            };
            ids.push(id);
        }
        let [a, b, c, d, e] = ids[..] else { panic!() };
        assert!(q.start(a, 2).unwrap());
        assert!(q.finish(a, QueueState::Done, "{}", 3).unwrap());
        assert!(q.start(b, 2).unwrap());
        assert!(q
            .finish(b, QueueState::Failed, "{\"errors\":[]}", 3)
            .unwrap());
        assert!(q.cancel(c, 3).unwrap());
        assert!(q.start(d, 4).unwrap());
        let open: Vec<i64> = q.unfinished().unwrap().iter().map(|r| r.id).collect();
        assert_eq!(open, vec![d, e], "queued and scanning rows only");
        let done: Vec<i64> = q.finished(10).unwrap().iter().map(|r| r.id).collect();
        assert_eq!(done, vec![a, b], "cancelled rows have no result");
        let newest: Vec<i64> = q.finished(1).unwrap().iter().map(|r| r.id).collect();
        assert_eq!(newest, vec![b], "the newest within the limit");
        assert!(q.finished(0).unwrap().is_empty());
    }

    #[test]
    fn admits_each_content_once() {
        let (_d, mut q) = queue();
        let Admission::Queued(id) = q.admit("/in/a.pdf", A, 1).unwrap() else {
            panic!("new bytes must be queued")
        };
        match q.admit("/in/copy-of-a.pdf", A, 2).unwrap() {
            Admission::Known(e) => assert_eq!((e.id, e.path.as_str()), (id, "/in/a.pdf")),
            other => panic!("same bytes elsewhere must be known: {other:?}"),
        }
        assert!(matches!(
            q.admit("/in/b.pdf", B, 3).unwrap(),
            Admission::Queued(_)
        ));
        assert!(q.admit("/in/c", "ABC", 3).is_err(), "a malformed hash");
        assert!(
            q.admit("/in/c", &A.to_uppercase(), 3).is_err(),
            "upper case"
        );
    }

    #[test]
    fn walks_the_states_and_refuses_stale_transitions() {
        let (_d, mut q) = queue();
        let Admission::Queued(id) = q.admit("/in/a", A, 1).unwrap() else {
            panic!()
        };
        assert!(q.start(id, 2).unwrap());
        assert!(!q.start(id, 2).unwrap(), "already scanning");
        assert!(q.finish(id, QueueState::Done, "{}", 3).unwrap());
        let e = q.get(id).unwrap().unwrap();
        assert_eq!(e.state, QueueState::Done);
        assert_eq!(e.result_json.as_deref(), Some("{}"));
        assert_eq!((e.started_at, e.finished_at), (Some(2), Some(3)));
        assert!(!q.cancel(id, 4).unwrap(), "a finished row is not cancelled");
        assert!(q.finish(id, QueueState::Cancelled, "{}", 3).is_err());
        assert!(q.cancel(999, 4).is_err(), "unknown id");
    }

    #[test]
    fn a_cancelled_row_keeps_no_late_result() {
        let (_d, mut q) = queue();
        let Admission::Queued(id) = q.admit("/in/a", A, 1).unwrap() else {
            panic!()
        };
        assert!(q.start(id, 2).unwrap());
        assert!(q.cancel(id, 3).unwrap());
        assert!(!q.finish(id, QueueState::Done, "{}", 4).unwrap());
        let e = q.get(id).unwrap().unwrap();
        assert_eq!((e.state, e.result_json), (QueueState::Cancelled, None));
    }

    #[test]
    fn recover_requeues_interrupted_rows_and_requeue_undoes_start() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("l.db");
        let (a, b) = {
            let mut q = IntakeQueue::open(&db).unwrap();
            let Admission::Queued(a) = q.admit("/in/a", A, 1).unwrap() else {
                panic!()
            };
            let Admission::Queued(b) = q.admit("/in/b", B, 1).unwrap() else {
                panic!()
            };
            assert!(q.start(a, 2).unwrap());
            assert!(q.start(b, 2).unwrap());
            assert!(q.requeue(b).unwrap());
            (a, b)
        };
        let mut q = IntakeQueue::open(&db).unwrap();
        let resumed: Vec<i64> = q.recover().unwrap().iter().map(|e| e.id).collect();
        assert_eq!(resumed, vec![a, b]);
        assert!(q
            .list()
            .unwrap()
            .iter()
            .all(|e| e.state == QueueState::Queued));
    }

    #[test]
    fn recognises_reviewed_documents_by_hash() {
        let (_d, mut q) = queue();
        // A minimal review row, written straight into the ledger tables as the ledger would.
        let c = &q.conn;
        c.execute(
            "INSERT INTO events VALUES (1, 0, NULL, 'k', '{}', ?1, 'h1')",
            [crate::canonical::GENESIS_HASH],
        )
        .unwrap();
        c.execute(
            "INSERT INTO users VALUES (1, 'rita', ?1, 0, 1)",
            [&"0".repeat(64)],
        )
        .unwrap();
        c.execute(
            "INSERT INTO events VALUES (2, 0, NULL, 'k', '{}', 'h1', 'h2')",
            [],
        )
        .unwrap();
        c.execute(
            "INSERT INTO reviews VALUES (7, 1, 'a', '/a', ?1, '[]', 0, 'v', NULL, 0, 2)",
            [A],
        )
        .unwrap();
        match q.admit("/in/a", A, 5).unwrap() {
            Admission::Reviewed(e) => {
                assert_eq!((e.review_id, e.state), (Some(7), QueueState::Done))
            }
            other => panic!("reviewed bytes must be recognised: {other:?}"),
        }
        assert!(matches!(
            q.admit("/in/b", B, 5).unwrap(),
            Admission::Queued(_)
        ));
    }
}
