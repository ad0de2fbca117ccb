//! Tamper evidence: any change to any ledger row makes `verify` fail; truncation and a full
//! rewrite are caught by a checkpoint; a rewrite that touches an approval is caught by its
//! signature; an export can be checked offline.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clearance_ledger::canonical::{canonical_json, event_hash, EventFields, GENESIS_HASH};
use clearance_ledger::{
    verify_export, Checkpoint, Decision, ExportFormat, Ledger, LedgerError, OpenMode,
    Recommendation,
};
use common::{options, World, PW};
use proptest::prelude::*;
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;

/// A ledger with every kind of row: accounts (one with changed roles, one deactivated),
/// failed logins, a returned-then-approved review, an open review, an export.
fn base() -> &'static (tempfile::TempDir, PathBuf) {
    static BASE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut w = World::new();
        let id = w.submitted_review("rita");
        let sam = w.login("sam");
        w.ledger.return_review(&sam, id, "check finding 2").unwrap();
        let rita = w.login("rita");
        w.ledger
            .decide(&rita, id, 2, Decision::Release, Some("public"))
            .unwrap();
        w.ledger
            .submit(&rita, id, Recommendation::Release, None)
            .unwrap();
        w.ledger.approve(&sam, PW, id, &w.doc_sha()).unwrap();
        let _open = w.open_review("vic");
        let _ = w.ledger.authenticate("vic", "wrong-password");
        let admin = w.login("admin");
        w.ledger
            .set_roles(&admin, "vic", &[clearance_ledger::Role::Reviewer])
            .unwrap();
        w.ledger.export(ExportFormat::Json).unwrap();
        w.ledger.verify().unwrap();
        let World {
            dir, db, ledger, ..
        } = w;
        drop(ledger); // closes the last connection, which folds the WAL into the file
        (dir, db)
    })
}

fn copy_of_base(dir: &Path) -> PathBuf {
    let to = dir.join("copy.db");
    std::fs::copy(&base().1, &to).unwrap();
    to
}

fn open(db: &Path) -> Ledger {
    let clock = clearance_ledger::ManualClock::at(common::T0);
    Ledger::open_with(db, OpenMode::MustExist, options(&clock)).unwrap()
}

/// What an attacker with the file and the sqlite3 shell does first.
fn drop_triggers(c: &Connection) {
    c.pragma_update(None, "foreign_keys", "OFF").unwrap();
    let names: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for n in names {
        c.execute_batch(&format!("DROP TRIGGER {n}")).unwrap();
    }
}

const TABLES: [&str; 8] = [
    "events",
    "users",
    "account_states",
    "reviews",
    "dispositions",
    "submissions",
    "returns",
    "approvals",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    /// Changing any byte (or integer) of any column of any row of any ledger table is caught.
    #[test]
    fn any_change_to_any_ledger_row_fails_verify(
        table in 0usize..TABLES.len(),
        row in any::<prop::sample::Index>(),
        col in any::<prop::sample::Index>(),
        pos in any::<prop::sample::Index>(),
        mask in 1u8..=255,
        delta in prop_oneof![-1000i64..=-1, 1i64..=1000],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let db = copy_of_base(dir.path());
        let table = TABLES[table];
        let changed = {
            let c = Connection::open(&db).unwrap();
            drop_triggers(&c);
            let rowids: Vec<i64> = c
                .prepare(&format!("SELECT rowid FROM {table}")).unwrap()
                .query_map([], |r| r.get(0)).unwrap()
                .collect::<Result<_, _>>().unwrap();
            prop_assume!(!rowids.is_empty());
            let rowid = rowids[row.index(rowids.len())];
            let cols: Vec<String> = {
                let stmt = c.prepare(&format!("SELECT * FROM {table}")).unwrap();
                stmt.column_names().iter().map(|s| s.to_string()).collect()
            };
            let col = &cols[col.index(cols.len())];
            let old: SqlValue = c
                .query_row(&format!("SELECT {col} FROM {table} WHERE rowid = ?1"), [rowid], |r| r.get(0))
                .unwrap();
            let new = match old {
                SqlValue::Integer(i) => SqlValue::Integer(i.wrapping_add(delta)),
                SqlValue::Text(t) if !t.is_empty() => {
                    let mut b = t.into_bytes();
                    let i = pos.index(b.len());
                    b[i] ^= mask;
                    SqlValue::Blob(b)
                }
                _ => SqlValue::Blob(b"x".to_vec()),
            };
            let sql = match new {
                SqlValue::Blob(_) => format!("UPDATE {table} SET {col} = CAST(?1 AS TEXT) WHERE rowid = ?2"),
                _ => format!("UPDATE {table} SET {col} = ?1 WHERE rowid = ?2"),
            };
            // A change that breaks a uniqueness constraint cannot be made at all.
            prop_assume!(c.execute(&sql, rusqlite::params![new, rowid]).is_ok());
            format!("{table}.{col} of row {rowid}")
        };
        let l = open(&db);
        let result = l.verify();
        prop_assert!(result.is_err(), "{changed} changed but verify passed");
    }
}

#[test]
fn deleting_a_disposition_row_names_its_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of_base(dir.path());
    let seq: i64 = {
        let c = Connection::open(&db).unwrap();
        drop_triggers(&c);
        let seq = c
            .query_row("SELECT event_seq FROM dispositions WHERE id = 2", [], |r| {
                r.get(0)
            })
            .unwrap();
        c.execute("DELETE FROM dispositions WHERE id = 2", [])
            .unwrap();
        seq
    };
    match open(&db).verify() {
        Err(LedgerError::ChainBroken { seq: got, reason }) => {
            assert_eq!(got, seq, "{reason}");
            assert!(reason.contains("missing"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

struct Ev {
    seq: i64,
    time: i64,
    actor: Option<String>,
    kind: String,
    payload: serde_json::Value,
}

/// Rewrites the whole chain as a careful attacker would: edit, then recompute every hash.
fn rewrite_chain(db: &Path, edit: impl Fn(&mut Vec<Ev>)) {
    let c = Connection::open(db).unwrap();
    drop_triggers(&c);
    let mut evs: Vec<Ev> = c
        .prepare("SELECT seq, time, actor, kind, payload FROM events ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok(Ev {
                seq: r.get(0)?,
                time: r.get(1)?,
                actor: r.get(2)?,
                kind: r.get(3)?,
                payload: serde_json::from_str(&r.get::<_, String>(4)?).unwrap(),
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    edit(&mut evs);
    c.execute("DELETE FROM events", []).unwrap();
    let mut prev = GENESIS_HASH.to_string();
    for e in &evs {
        let payload = canonical_json(&e.payload).unwrap();
        let f = EventFields {
            seq: e.seq,
            time: e.time,
            actor: e.actor.as_deref(),
            kind: &e.kind,
            payload: &payload,
        };
        let hash = event_hash(&f, &prev);
        c.execute(
            "INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![e.seq, e.time, e.actor, e.kind, payload, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
}

#[test]
fn checkpoint_detects_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of_base(dir.path());
    let cp = open(&db).checkpoint().unwrap();
    // Cut the last event (the export, which has no rows), keeping a valid chain.
    {
        let c = Connection::open(&db).unwrap();
        drop_triggers(&c);
        c.execute("DELETE FROM events WHERE seq = ?1", [cp.event_count])
            .unwrap();
    }
    let l = open(&db);
    l.verify().unwrap();
    match l.verify_checkpoint(&cp) {
        Err(LedgerError::CheckpointMismatch(m)) => assert!(m.contains("truncated"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn checkpoint_detects_a_rehashed_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of_base(dir.path());
    let cp = open(&db).checkpoint().unwrap();
    rewrite_chain(&db, |evs| {
        let last = evs.last_mut().unwrap();
        last.payload["format"] = "csv".into();
    });
    let l = open(&db);
    l.verify().unwrap(); // a consistent rewrite passes on its own ...
    match l.verify_checkpoint(&cp) {
        Err(LedgerError::CheckpointMismatch(m)) => assert!(m.contains("rewritten"), "{m}"),
        other => panic!("... but not against the checkpoint: {other:?}"),
    }
    let earlier = Checkpoint {
        event_count: 3,
        head_hash: l.events().unwrap()[2].hash.clone(),
    };
    l.verify_checkpoint(&earlier).unwrap();
}

#[test]
fn rewriting_what_was_approved_breaks_the_signature_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of_base(dir.path());
    // Change the reviewer's final reason for finding 2 in the row and in its event, rehash.
    let id: i64 = {
        let c = Connection::open(&db).unwrap();
        drop_triggers(&c);
        c.execute(
            "UPDATE dispositions SET reason = 'nothing to see' WHERE reason = 'public'",
            [],
        )
        .unwrap();
        c.query_row(
            "SELECT event_seq FROM dispositions WHERE reason = 'nothing to see'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    rewrite_chain(&db, |evs| {
        let e = evs.iter_mut().find(|e| e.seq == id).unwrap();
        e.payload["dispositions"]["reason"] = "nothing to see".into();
    });
    let err = open(&db).verify().unwrap_err();
    assert!(
        err.to_string()
            .contains("disagrees with the ledger (dispositions)"),
        "{err}"
    );
}

#[test]
fn export_verifies_offline_and_detects_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of_base(dir.path());
    let mut l = open(&db);
    let export = l.export(ExportFormat::Json).unwrap();
    let report = verify_export(&export.text).unwrap();
    assert_eq!(report.signatures, 1);
    assert_eq!(report.checkpoint, export.checkpoint);

    // An edited payload breaks the chain.
    let mut doc: serde_json::Value = serde_json::from_str(&export.text).unwrap();
    let events = doc["events"].as_array_mut().unwrap();
    let i = events
        .iter()
        .position(|e| e["kind"] == "review.returned")
        .unwrap();
    events[i]["payload"]["returns"]["reason"] = "edited".into();
    let seq = events[i]["seq"].as_i64().unwrap();
    match verify_export(&doc.to_string()) {
        Err(LedgerError::ChainBroken { seq: got, .. }) => assert_eq!(got, seq),
        other => panic!("{other:?}"),
    }

    // A forged signature with a recomputed chain fails the signature check.
    let mut doc: serde_json::Value = serde_json::from_str(&export.text).unwrap();
    let events = doc["events"].as_array_mut().unwrap();
    let i = events
        .iter()
        .position(|e| e["kind"] == "review.approved")
        .unwrap();
    let sig = events[i]["payload"]["approvals"]["signature"]
        .as_str()
        .unwrap()
        .to_string();
    let forged = format!(
        "{}{}",
        if sig.starts_with('0') { "1" } else { "0" },
        &sig[1..]
    );
    events[i]["payload"]["approvals"]["signature"] = forged.into();
    let mut prev = GENESIS_HASH.to_string();
    for e in events.iter_mut() {
        let payload = canonical_json(&e["payload"]).unwrap();
        let f = EventFields {
            seq: e["seq"].as_i64().unwrap(),
            time: e["time"].as_i64().unwrap(),
            actor: e["actor"].as_str(),
            kind: e["kind"].as_str().unwrap(),
            payload: &payload,
        };
        let h = event_hash(&f, &prev);
        e["prev_hash"] = prev.clone().into();
        e["hash"] = h.clone().into();
        prev = h;
    }
    doc["checkpoint"]["head_hash"] = prev.into();
    match verify_export(&doc.to_string()) {
        Err(LedgerError::BadSignature { .. }) => {}
        other => panic!("{other:?}"),
    }

    // A truncated export no longer matches its own checkpoint.
    let mut doc: serde_json::Value = serde_json::from_str(&export.text).unwrap();
    doc["events"].as_array_mut().unwrap().pop();
    assert_eq!(
        verify_export(&doc.to_string()).unwrap_err().code(),
        "checkpoint-mismatch"
    );
    assert_eq!(verify_export("{}").unwrap_err().code(), "invalid-export");
}

#[test]
fn csv_export_has_one_line_per_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of_base(dir.path());
    let mut l = open(&db);
    let export = l.export(ExportFormat::Csv).unwrap();
    assert!(export
        .text
        .starts_with("seq,time,time_utc,actor,kind,payload,prev_hash,hash\n"));
    let last = export.text.lines().last().unwrap();
    assert!(last.ends_with(&export.checkpoint.head_hash), "{last}");
    assert!(last.contains("ledger.exported"));
}

#[test]
fn dropped_trigger_is_reported_even_when_rows_are_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of_base(dir.path());
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch("DROP TRIGGER approvals_no_delete").unwrap();
    }
    let l = open(&db);
    l.verify().unwrap();
    let err = l.check_schema().unwrap_err();
    assert_eq!(err.code(), "schema-changed");
    assert!(err.to_string().contains("approvals_no_delete"), "{err}");
}

#[test]
fn damaged_pages_give_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of_base(dir.path());
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(
        bytes.len() > 4 * 4096,
        "the base ledger spans several pages"
    );
    // Keep the header page, scramble everything after the second page.
    for (i, b) in bytes.iter_mut().enumerate().skip(2 * 4096) {
        *b ^= (i % 251) as u8 | 1;
    }
    std::fs::write(&db, &bytes).unwrap();
    let clock = clearance_ledger::ManualClock::at(common::T0);
    let result =
        Ledger::open_with(&db, OpenMode::MustExist, options(&clock)).and_then(|l| l.verify());
    let err = result.unwrap_err();
    assert!(
        matches!(
            err.code(),
            "corrupt" | "database" | "not-clearance-database" | "chain-broken"
        ),
        "{err}"
    );
    eprintln!("damaged ledger: {err}");
}
