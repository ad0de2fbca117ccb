//! Exports (JSON or CSV) with a checkpoint, and offline verification of a JSON export.
//!
//! JSON export shape:
//! `{"format":"clearance-ledger-export","version":1,"events":[{"seq","time","time_utc",
//! "actor","kind","payload":{...},"prev_hash","hash"}],"checkpoint":{"event_count","head_hash"}}`.
//! `payload` is the parsed event payload; the hash covers its canonical encoding, which
//! re-encoding the parsed object reproduces exactly.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::canonical::canonical_json;
use crate::chain::{self, Checkpoint, EventRecord, NewEvent, VerifyReport};
use crate::clock::format_time;
use crate::{approval, Ledger, LedgerError};

/// The `format` field of a JSON export.
pub const EXPORT_FORMAT: &str = "clearance-ledger-export";

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ExportFormat {
    /// One JSON document that [`verify_export`] can check offline.
    Json,
    /// One row per event, for spreadsheets.
    Csv,
}

impl ExportFormat {
    fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
        }
    }
}

/// An export and the checkpoint it ends at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The exported text.
    pub text: String,
    /// Event count and head hash, including the export's own event.
    pub checkpoint: Checkpoint,
}

impl Ledger {
    /// Records an `ledger.exported` event, then exports every event including it.
    ///
    /// # Errors
    /// Database errors.
    pub fn export(&mut self, format: ExportFormat) -> Result<Export, LedgerError> {
        let now = self.now();
        let tx = self.write()?;
        let mut extra = Map::new();
        extra.insert("format".into(), format.as_str().into());
        chain::append(
            &tx,
            NewEvent {
                time: now,
                actor: None,
                kind: "ledger.exported",
                extra,
                rows: vec![],
            },
        )?;
        let events = chain::load_events(&tx)?;
        tx.commit()?;
        let checkpoint = chain::check_chain(&events)?;
        let text = match format {
            ExportFormat::Json => export_json(&events, &checkpoint)?,
            ExportFormat::Csv => export_csv(&events),
        };
        Ok(Export { text, checkpoint })
    }
}

fn export_json(events: &[EventRecord], cp: &Checkpoint) -> Result<String, LedgerError> {
    let mut list = Vec::with_capacity(events.len());
    for e in events {
        let payload: Value = serde_json::from_str(&e.payload)
            .map_err(|_| LedgerError::broken(e.seq, "payload is not JSON"))?;
        list.push(json!({
            "seq": e.seq,
            "time": e.time,
            "time_utc": format_time(e.time),
            "actor": e.actor,
            "kind": e.kind,
            "payload": payload,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }));
    }
    let doc = json!({
        "format": EXPORT_FORMAT,
        "version": 1,
        "events": list,
        "checkpoint": cp,
    });
    serde_json::to_string_pretty(&doc).map_err(|e| LedgerError::InvalidInput(e.to_string()))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn export_csv(events: &[EventRecord]) -> String {
    let mut out = String::from("seq,time,time_utc,actor,kind,payload,prev_hash,hash\n");
    for e in events {
        let fields = [
            e.seq.to_string(),
            e.time.to_string(),
            format_time(e.time),
            e.actor.clone().unwrap_or_default(),
            e.kind.clone(),
            e.payload.clone(),
            e.prev_hash.clone(),
            e.hash.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

#[derive(Deserialize)]
struct ExportedEvent {
    seq: i64,
    time: i64,
    actor: Option<String>,
    kind: String,
    payload: Value,
    prev_hash: String,
    hash: String,
}

#[derive(Deserialize)]
struct ExportDoc {
    format: String,
    version: i64,
    events: Vec<ExportedEvent>,
    checkpoint: Checkpoint,
}

/// Checks a JSON export without the database: the hash chain, every approval signature
/// against the public keys recorded in the export, and the export's own checkpoint.
///
/// # Errors
/// [`LedgerError::InvalidExport`], [`LedgerError::ChainBroken`], [`LedgerError::BadSignature`],
/// [`LedgerError::CheckpointMismatch`].
pub fn verify_export(json_text: &str) -> Result<VerifyReport, LedgerError> {
    let doc: ExportDoc = serde_json::from_str(json_text)
        .map_err(|e| LedgerError::InvalidExport(format!("not a Clearance JSON export: {e}")))?;
    if doc.format != EXPORT_FORMAT || doc.version != 1 {
        return Err(LedgerError::InvalidExport(format!(
            "unsupported export {} version {}",
            doc.format, doc.version
        )));
    }
    let mut events = Vec::with_capacity(doc.events.len());
    for e in doc.events {
        if !e.payload.is_object() {
            return Err(LedgerError::broken(e.seq, "payload is not a JSON object"));
        }
        let payload = canonical_json(&e.payload).map_err(|_| {
            LedgerError::broken(e.seq, "payload holds a value the ledger never writes")
        })?;
        events.push(EventRecord {
            seq: e.seq,
            time: e.time,
            actor: e.actor,
            kind: e.kind,
            payload,
            prev_hash: e.prev_hash,
            hash: e.hash,
        });
    }
    let checkpoint = chain::check_chain(&events)?;
    let signatures = approval::check_approvals(&events)?;
    if checkpoint != doc.checkpoint {
        return Err(LedgerError::CheckpointMismatch(format!(
            "the export's checkpoint says {} events ending {}, its events end at {} with {}",
            doc.checkpoint.event_count,
            doc.checkpoint.head_hash,
            checkpoint.event_count,
            checkpoint.head_hash
        )));
    }
    Ok(VerifyReport {
        checkpoint,
        signatures,
    })
}

/// Reads a checkpoint file: a bare `{"event_count","head_hash"}` object, or a JSON export
/// (its `checkpoint` is used).
///
/// # Errors
/// [`LedgerError::InvalidExport`].
pub fn parse_checkpoint(text: &str) -> Result<Checkpoint, LedgerError> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| LedgerError::InvalidExport(format!("checkpoint file: {e}")))?;
    let cp = v.get("checkpoint").cloned().unwrap_or(v);
    serde_json::from_value(cp)
        .map_err(|e| LedgerError::InvalidExport(format!("checkpoint file: {e}")))
}

/// The ledger must still hold the checkpoint's events unchanged.
pub(crate) fn match_checkpoint(
    events: &[EventRecord],
    expected: &Checkpoint,
) -> Result<(), LedgerError> {
    let have = i64::try_from(events.len()).unwrap_or(i64::MAX);
    if expected.event_count > have {
        return Err(LedgerError::CheckpointMismatch(format!(
            "truncated: the checkpoint has {} events, the ledger only {have}",
            expected.event_count
        )));
    }
    let hash_at = match expected.event_count {
        0 => crate::canonical::GENESIS_HASH.to_string(),
        n => usize::try_from(n - 1)
            .ok()
            .and_then(|i| events.get(i))
            .map(|e| e.hash.clone())
            .unwrap_or_default(),
    };
    if hash_at != expected.head_hash {
        return Err(LedgerError::CheckpointMismatch(format!(
            "rewritten: event #{} has hash {hash_at}, the checkpoint says {}",
            expected.event_count, expected.head_hash
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(
            csv_field(r#"{"a":1,"b":"x"}"#),
            r#""{""a"":1,""b"":""x""}""#
        );
    }

    #[test]
    fn checkpoint_file_accepts_bare_or_export() {
        let bare = r#"{"event_count":3,"head_hash":"ab"}"#;
        let cp = parse_checkpoint(bare).unwrap();
        assert_eq!(cp.event_count, 3);
        let wrapped = r#"{"format":"x","checkpoint":{"event_count":4,"head_hash":"cd"}}"#;
        assert_eq!(parse_checkpoint(wrapped).unwrap().event_count, 4);
        assert!(parse_checkpoint("[]").is_err());
    }
}
