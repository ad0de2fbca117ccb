//! The frozen encodings the hash chain and the signatures are computed over.
//!
//! MUST NOT CHANGE. Every stored event hash and every approval signature was computed over
//! these exact bytes; changing any rule here (key order, escaping, field order, the domain
//! tags) makes every existing ledger fail `verify`. A new encoding needs a new tag
//! (`clearance-event-v2`) and code that keeps verifying v1 rows.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::LedgerError;

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Canonical JSON: object keys sorted by their UTF-8 bytes, no whitespace, strings escaped
/// minimally (`"` `\\` and control characters only, controls as `\u00XX` except `\n` `\r`
/// `\t`), integers in plain decimal. Floats are refused: they have no single spelling.
///
/// # Errors
/// [`LedgerError::InvalidInput`] for a non-integer number.
pub fn canonical_json(v: &Value) -> Result<String, LedgerError> {
    let mut out = String::new();
    write_value(v, &mut out)?;
    Ok(out)
}

fn write_value(v: &Value, out: &mut String) -> Result<(), LedgerError> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                return Err(LedgerError::InvalidInput(format!(
                    "non-integer number {n} in a ledger payload"
                )));
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_value(item, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The fields of one event that its hash covers.
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'a> {
    /// Sequence number, 1-based, no gaps.
    pub seq: i64,
    /// Unix milliseconds.
    pub time: i64,
    /// Acting account name; `None` for events no person caused (an export).
    pub actor: Option<&'a str>,
    /// Event kind (`review.opened`, ...).
    pub kind: &'a str,
    /// Canonical JSON payload text.
    pub payload: &'a str,
}

/// `hash = SHA-256(canonical(row) || prev_hash)`, lower-case hex. `canonical(row)` is the tag
/// `clearance-event-v1` then, for seq, time, actor, kind, payload in that order, an 8-byte
/// big-endian length and the field's UTF-8 bytes (seq and time in decimal; a missing actor is
/// the single byte 0xFF with no length, so it differs from an empty name). `prev_hash` is
/// appended as its 64 hex characters.
pub fn event_hash(e: &EventFields<'_>, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"clearance-event-v1");
    fn field(h: &mut Sha256, bytes: &[u8]) {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    }
    field(&mut h, e.seq.to_string().as_bytes());
    field(&mut h, e.time.to_string().as_bytes());
    match e.actor {
        Some(a) => field(&mut h, a.as_bytes()),
        None => h.update([0xFF]),
    }
    field(&mut h, e.kind.as_bytes());
    field(&mut h, e.payload.as_bytes());
    h.update(prev_hash.as_bytes());
    hex(&h.finalize())
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Parses lower- or upper-case hex; `None` for odd length or a non-hex character.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() & 1 == 1 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(digit(*p.first()?)? << 4 | digit(*p.get(1)?)?))
        .collect()
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_and_escapes() {
        let v = json!({"b": 1, "a": [true, null, "x\"y\\z\n\u{1}"], "é": -3, "Z": {}});
        assert_eq!(
            canonical_json(&v).unwrap(),
            r#"{"Z":{},"a":[true,null,"x\"y\\z\n\u0001"],"b":1,"é":-3}"#
        );
    }

    #[test]
    fn canonical_json_refuses_floats() {
        assert!(
            canonical_json(&json!({"x": 1.5})).is_err(),
            "floats have no single spelling"
        );
    }

    #[test]
    fn canonical_json_round_trips_through_serde() {
        let text = canonical_json(&json!({"k": "汉字 \t tab", "n": 12345678901_i64})).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            canonical_json(&back).unwrap(),
            text,
            "re-encoding must give the same bytes"
        );
    }

    /// Frozen: this vector pins the event encoding. If it fails, the encoding changed and every
    /// existing ledger would stop verifying.
    #[test]
    fn event_hash_is_frozen() {
        let e = EventFields {
            seq: 1,
            time: 1000,
            actor: Some("ada"),
            kind: "k",
            payload: "{}",
        };
        let h = event_hash(&e, GENESIS_HASH);
        assert_eq!(h, FROZEN_EVENT_HASH);
        let none = EventFields { actor: None, ..e };
        let empty = EventFields {
            actor: Some(""),
            ..e
        };
        assert_ne!(
            event_hash(&none, GENESIS_HASH),
            event_hash(&empty, GENESIS_HASH)
        );
    }

    const FROZEN_EVENT_HASH: &str =
        "b8d7bdcae145b8a3eca16f92d3a72e6e5be904c6c3b58bee3b5b1a2904adcb67";

    #[test]
    fn hex_round_trips() {
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(unhex("00abFF"), Some(vec![0, 0xab, 0xff]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }
}
