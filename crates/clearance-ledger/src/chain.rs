//! The hash chain: appending events (with the ledger rows they carry) and verifying them.
//!
//! Every write is one event. Its payload is a JSON object; for each ledger row the event
//! creates, the payload holds an exact copy of the row under the table's name (for example
//! `{"reviews": {...}}`). `verify` recomputes every hash and then checks that the rows in the
//! ledger tables and the copies in the payloads are the same, one for one, so a change to a
//! row in any ledger table is caught, not only a change to `events`.

use std::collections::BTreeMap;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::canonical::{canonical_json, event_hash, EventFields, GENESIS_HASH};
use crate::schema::ROW_TABLES;
use crate::LedgerError;

/// The chain's length and head at one moment. A checkpoint kept outside the database makes
/// truncation and rewriting detectable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Number of events (the head's sequence number).
    pub event_count: i64,
    /// Hash of the last event; the genesis hash for an empty ledger.
    pub head_hash: String,
}

/// One event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// 1-based sequence number.
    pub seq: i64,
    /// Unix milliseconds.
    pub time: i64,
    /// Who acted; `None` for events no person caused.
    pub actor: Option<String>,
    /// Event kind, e.g. `review.approved`.
    pub kind: String,
    /// Canonical JSON payload text.
    pub payload: String,
    /// The previous event's hash.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl EventRecord {
    fn fields(&self) -> EventFields<'_> {
        EventFields {
            seq: self.seq,
            time: self.time,
            actor: self.actor.as_deref(),
            kind: &self.kind,
            payload: &self.payload,
        }
    }
}

/// What a successful verification covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Events checked; with `head_hash`, the checkpoint of the verified ledger.
    pub checkpoint: Checkpoint,
    /// Approval signatures checked.
    pub signatures: usize,
}

/// The current head of the chain.
pub(crate) fn head(conn: &Connection) -> Result<Checkpoint, LedgerError> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    Ok(match row {
        Some((seq, hash)) => Checkpoint {
            event_count: seq,
            head_hash: hash,
        },
        None => Checkpoint {
            event_count: 0,
            head_hash: GENESIS_HASH.to_string(),
        },
    })
}

/// The next free `id` in a ledger table (callers hold the write lock).
pub(crate) fn next_id(conn: &Connection, table: &str) -> Result<i64, LedgerError> {
    known_table(table)?;
    Ok(conn.query_row(
        &format!("SELECT coalesce(max(id), 0) + 1 FROM {table}"),
        [],
        |r| r.get(0),
    )?)
}

fn known_table(table: &str) -> Result<(), LedgerError> {
    if ROW_TABLES.contains(&table) {
        Ok(())
    } else {
        Err(LedgerError::InvalidInput(format!(
            "{table} is not a ledger table"
        )))
    }
}

/// One event to append: `extra` holds payload fields that are not ledger rows.
pub(crate) struct NewEvent<'a> {
    pub time: i64,
    pub actor: Option<&'a str>,
    pub kind: &'a str,
    pub extra: Map<String, Value>,
    pub rows: Vec<(&'static str, Map<String, Value>)>,
}

/// Appends the event and inserts its rows. Call inside an IMMEDIATE transaction.
pub(crate) fn append(conn: &Connection, ev: NewEvent<'_>) -> Result<Checkpoint, LedgerError> {
    let prev = head(conn)?;
    let mut payload = ev.extra;
    for (table, row) in &ev.rows {
        known_table(table)?;
        payload.insert((*table).to_string(), Value::Object(row.clone()));
    }
    let payload = canonical_json(&Value::Object(payload))?;
    let seq = prev.event_count + 1;
    let fields = EventFields {
        seq,
        time: ev.time,
        actor: ev.actor,
        kind: ev.kind,
        payload: &payload,
    };
    let hash = event_hash(&fields, &prev.head_hash);
    conn.execute(
        "INSERT INTO events (seq, time, actor, kind, payload, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            seq,
            ev.time,
            ev.actor,
            ev.kind,
            payload,
            prev.head_hash,
            hash
        ],
    )?;
    for (table, row) in ev.rows {
        let mut cols: Vec<&str> = row.keys().map(String::as_str).collect();
        cols.push("event_seq");
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            cols.join(", "),
            marks.join(", ")
        );
        let mut values = Vec::with_capacity(cols.len());
        for v in row.values() {
            values.push(json_to_sql(v)?);
        }
        values.push(SqlValue::Integer(seq));
        conn.execute(&sql, rusqlite::params_from_iter(values))?;
    }
    Ok(Checkpoint {
        event_count: seq,
        head_hash: hash,
    })
}

fn json_to_sql(v: &Value) -> Result<SqlValue, LedgerError> {
    Ok(match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => SqlValue::Integer(
            n.as_i64()
                .ok_or_else(|| LedgerError::InvalidInput(format!("{n} is not a 64-bit integer")))?,
        ),
        Value::String(s) => SqlValue::Text(s.clone()),
        other => {
            return Err(LedgerError::InvalidInput(format!(
                "a ledger column cannot hold {other}"
            )))
        }
    })
}

/// Reads every event in sequence order. A value of the wrong type (possible only by editing
/// the file) is reported as a broken chain at that row.
pub(crate) fn load_events(conn: &Connection) -> Result<Vec<EventRecord>, LedgerError> {
    let mut stmt = conn.prepare(
        "SELECT seq, time, actor, kind, payload, prev_hash, hash FROM events ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let seq = match r.get_ref(0)? {
            ValueRef::Integer(i) => i,
            _ => {
                return Err(LedgerError::broken(
                    out.len() as i64 + 1,
                    "seq is not an integer",
                ))
            }
        };
        let text = |i: usize, name: &str| -> Result<Option<String>, LedgerError> {
            match r.get_ref(i)? {
                ValueRef::Null => Ok(None),
                ValueRef::Text(t) => String::from_utf8(t.to_vec())
                    .map(Some)
                    .map_err(|_| LedgerError::broken(seq, format!("{name} is not UTF-8"))),
                _ => Err(LedgerError::broken(
                    seq,
                    format!("{name} has the wrong type"),
                )),
            }
        };
        let need = |v: Option<String>, name: &str| {
            v.ok_or_else(|| LedgerError::broken(seq, format!("{name} is missing")))
        };
        let time = match r.get_ref(1)? {
            ValueRef::Integer(i) => i,
            _ => return Err(LedgerError::broken(seq, "time is not an integer")),
        };
        out.push(EventRecord {
            seq,
            time,
            actor: text(2, "actor")?,
            kind: need(text(3, "kind")?, "kind")?,
            payload: need(text(4, "payload")?, "payload")?,
            prev_hash: need(text(5, "prev_hash")?, "prev_hash")?,
            hash: need(text(6, "hash")?, "hash")?,
        });
    }
    Ok(out)
}

/// Recomputes the chain: contiguous sequence numbers from 1, each `prev_hash` equal to the
/// previous hash, each hash equal to its recomputation, each payload canonical JSON.
/// Returns the checkpoint of the last event.
pub(crate) fn check_chain(events: &[EventRecord]) -> Result<Checkpoint, LedgerError> {
    let mut prev = GENESIS_HASH.to_string();
    let mut expected_seq = 1i64;
    for e in events {
        if e.seq != expected_seq {
            return Err(LedgerError::broken(
                e.seq,
                format!(
                    "expected event #{expected_seq} here (an event was deleted, inserted or moved)"
                ),
            ));
        }
        if e.prev_hash != prev {
            return Err(LedgerError::broken(
                e.seq,
                "prev_hash does not match the previous event's hash (an event was removed, inserted or reordered)",
            ));
        }
        if event_hash(&e.fields(), &prev) != e.hash {
            return Err(LedgerError::broken(
                e.seq,
                "hash does not match the event's contents (edited)",
            ));
        }
        let canonical = serde_json::from_str::<Value>(&e.payload)
            .ok()
            .and_then(|v| {
                if v.is_object() {
                    canonical_json(&v).ok()
                } else {
                    None
                }
            });
        if canonical.as_deref() != Some(e.payload.as_str()) {
            return Err(LedgerError::broken(e.seq, "payload is not canonical JSON"));
        }
        prev.clone_from(&e.hash);
        expected_seq += 1;
    }
    Ok(Checkpoint {
        event_count: expected_seq - 1,
        head_hash: prev,
    })
}

/// Checks the ledger tables against the event payloads, one row per payload entry. Returns the
/// lowest event sequence number at which they disagree.
pub(crate) fn check_rows(conn: &Connection, events: &[EventRecord]) -> Result<(), LedgerError> {
    let mut first_bad: Option<(i64, String)> = None;
    let mut note = |seq: i64, reason: String| {
        if first_bad.as_ref().is_none_or(|(s, _)| seq < *s) {
            first_bad = Some((seq, reason));
        }
    };
    let parsed: Vec<(i64, Map<String, Value>)> = events
        .iter()
        .filter_map(|e| match serde_json::from_str::<Value>(&e.payload) {
            Ok(Value::Object(m)) => Some((e.seq, m)),
            _ => None,
        })
        .collect();
    for table in ROW_TABLES {
        let mut expected: BTreeMap<i64, &Value> = parsed
            .iter()
            .filter_map(|(seq, m)| m.get(table).map(|v| (*seq, v)))
            .collect();
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
        let names: Vec<String> = stmt
            .column_names()
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let mut row = Map::new();
            let mut event_seq = None;
            let mut bad_value = false;
            for (i, name) in names.iter().enumerate() {
                let v = match r.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::from(n),
                    ValueRef::Text(t) => match std::str::from_utf8(t) {
                        Ok(s) => Value::from(s),
                        Err(_) => {
                            bad_value = true;
                            Value::Null
                        }
                    },
                    _ => {
                        bad_value = true;
                        Value::Null
                    }
                };
                if name == "event_seq" {
                    event_seq = v.as_i64();
                } else {
                    row.insert(name.clone(), v);
                }
            }
            let id = row.get("id").and_then(Value::as_i64).unwrap_or(0);
            let Some(seq) = event_seq else {
                note(0, format!("{table} row {id} has no event"));
                continue;
            };
            match expected.remove(&seq) {
                None => note(
                    seq,
                    format!("{table} row {id} is not recorded by event #{seq}"),
                ),
                Some(v) if bad_value || *v != Value::Object(row) => note(
                    seq,
                    format!("{table} row {id} differs from its copy in event #{seq}"),
                ),
                Some(_) => {}
            }
        }
        if let Some((seq, _)) = expected.first_key_value() {
            note(
                *seq,
                format!("the {table} row recorded by event #{seq} is missing"),
            );
        }
    }
    match first_bad {
        Some((seq, reason)) => Err(LedgerError::broken(seq, reason)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{open_connection, OpenMode};

    fn ledger_with_events(n: i64) -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let c = open_connection(&dir.path().join("l.db"), OpenMode::CreateIfMissing).unwrap();
        for i in 0..n {
            let mut extra = Map::new();
            extra.insert("i".into(), Value::from(i));
            append(
                &c,
                NewEvent {
                    time: i,
                    actor: Some("t"),
                    kind: "test",
                    extra,
                    rows: vec![],
                },
            )
            .unwrap();
        }
        (dir, c)
    }

    #[test]
    fn appended_events_verify() {
        let (_d, c) = ledger_with_events(5);
        let events = load_events(&c).unwrap();
        let cp = check_chain(&events).unwrap();
        assert_eq!(cp, head(&c).unwrap());
        assert_eq!(cp.event_count, 5);
    }

    fn break_and_check(edit: &str) -> LedgerError {
        let (_d, c) = ledger_with_events(5);
        c.execute_batch("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")
            .unwrap();
        c.execute_batch("DROP TRIGGER events_extend_head;").unwrap();
        c.execute_batch(edit).unwrap();
        check_chain(&load_events(&c).unwrap()).unwrap_err()
    }

    #[test]
    fn names_the_first_bad_row() {
        let table = [
            ("UPDATE events SET payload = '{\"i\":9}' WHERE seq = 3", 3),
            ("UPDATE events SET time = 99 WHERE seq = 2", 2),
            ("UPDATE events SET actor = NULL WHERE seq = 4", 4),
            ("DELETE FROM events WHERE seq = 2", 3),
            // Reordering: swap the contents of events 2 and 3.
            ("UPDATE events SET seq = 100 WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 3;
              UPDATE events SET seq = 3 WHERE seq = 100;", 2),
            // Insertion of a well-formed event in the middle, renumbering the rest.
            ("UPDATE events SET seq = seq + 10 WHERE seq >= 3;
              UPDATE events SET seq = seq - 9 WHERE seq >= 13;
              INSERT INTO events SELECT 3, time, actor, kind, payload, prev_hash, 'x' FROM events WHERE seq = 2;", 3),
            ("UPDATE events SET hash = 'ab' || substr(hash, 3) WHERE seq = 5", 5),
        ];
        for (edit, seq) in table {
            match break_and_check(edit) {
                LedgerError::ChainBroken { seq: got, .. } => assert_eq!(got, seq, "{edit}"),
                other => panic!("{edit}: {other}"),
            }
        }
    }
}
