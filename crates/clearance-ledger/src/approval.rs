//! What a supervisor signs, and how signatures are checked from the events alone.
//!
//! The statement names the document (by SHA-256), the findings (by the SHA-256 of the stored
//! findings JSON), every final disposition, the recommendation, both people, the time and the
//! chain checkpoint just before the approval. Its canonical JSON is what is signed, so an
//! export holder can check, offline, exactly what was approved and by whose key.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::canonical::canonical_json;
use crate::chain::{Checkpoint, EventRecord};
use crate::crypto::verify_signature;
use crate::review::{findings_sha256, latest_dispositions, latest_submission, ReviewRow};
use crate::{accounts, LedgerError};

/// The tag of version 1 statements. MUST NOT CHANGE (signatures cover it).
pub const STATEMENT_TAG: &str = "clearance-approval-v1";

/// One final disposition as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementDecision {
    /// Finding id.
    pub finding: i64,
    /// `redact`, `release` or `false-positive`.
    pub decision: String,
    /// Justification or reason.
    pub reason: Option<String>,
}

/// The signed approval statement. Field set and names are frozen with [`STATEMENT_TAG`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalStatement {
    /// Always [`STATEMENT_TAG`].
    pub tag: String,
    /// Review id.
    pub review: i64,
    /// File name.
    pub document_name: String,
    /// SHA-256 of the approved file.
    pub document_sha256: String,
    /// SHA-256 of the findings JSON stored with the review.
    pub findings_sha256: String,
    /// Final dispositions, by finding id.
    pub decisions: Vec<StatementDecision>,
    /// The submitted recommendation.
    pub recommendation: String,
    /// The reviewer's name.
    pub reviewer: String,
    /// The approver's name.
    pub approver: String,
    /// Unix ms.
    pub approved_at: i64,
    /// The chain just before the approval event.
    pub checkpoint: Checkpoint,
}

impl ApprovalStatement {
    /// The exact bytes that are signed.
    ///
    /// # Errors
    /// Never for a statement built by the ledger.
    pub fn to_canonical(&self) -> Result<String, LedgerError> {
        let v = serde_json::to_value(self)
            .map_err(|e| LedgerError::InvalidInput(format!("statement: {e}")))?;
        canonical_json(&v)
    }

    /// Parses signed text.
    ///
    /// # Errors
    /// A message if it is not a v1 statement.
    pub fn parse(text: &str) -> Result<Self, String> {
        let s: ApprovalStatement =
            serde_json::from_str(text).map_err(|e| format!("approval statement: {e}"))?;
        if s.tag != STATEMENT_TAG {
            return Err(format!("unknown approval statement tag {:?}", s.tag));
        }
        Ok(s)
    }
}

pub(crate) fn build_statement(
    conn: &Connection,
    row: &ReviewRow,
    approver: &str,
    now: i64,
    checkpoint: Checkpoint,
) -> Result<ApprovalStatement, LedgerError> {
    let decisions = latest_dispositions(conn, row.id)?
        .into_iter()
        .map(|d| StatementDecision {
            finding: d.finding,
            decision: d.decision.as_str().into(),
            reason: d.reason,
        })
        .collect();
    let recommendation = latest_submission(conn, row.id)?
        .map(|s| s.recommendation)
        .ok_or_else(|| LedgerError::InvalidState {
            review: row.id,
            state: "not submitted".into(),
            action: "approve it".into(),
        })?;
    Ok(ApprovalStatement {
        tag: STATEMENT_TAG.into(),
        review: row.id,
        document_name: row.document_name.clone(),
        document_sha256: row.document_sha256.clone(),
        findings_sha256: findings_sha256(&row.findings_json),
        decisions,
        recommendation,
        reviewer: accounts::user_name(conn, row.reviewer_id)?,
        approver: approver.into(),
        approved_at: now,
        checkpoint,
    })
}

struct ReplayReview {
    reviewer_id: i64,
    document_name: String,
    document_sha256: String,
    findings_sha256: String,
    decisions: BTreeMap<i64, StatementDecision>,
    recommendation: Option<String>,
}

fn int(row: &Map<String, Value>, k: &str) -> Option<i64> {
    row.get(k).and_then(Value::as_i64)
}

fn text(row: &Map<String, Value>, k: &str) -> Option<String> {
    row.get(k).and_then(Value::as_str).map(str::to_string)
}

/// Replays the events (which the caller has already chain-checked) and checks every approval:
/// the approver is a known account other than the reviewer, the statement matches what the
/// events say was approved, and the signature verifies under the approver's public key.
/// Returns how many signatures were checked.
pub(crate) fn check_approvals(events: &[EventRecord]) -> Result<usize, LedgerError> {
    let mut users: HashMap<i64, (String, String)> = HashMap::new();
    let mut reviews: HashMap<i64, ReplayReview> = HashMap::new();
    let mut checked = 0;
    let mut prev_hash = crate::canonical::GENESIS_HASH.to_string();
    for e in events {
        let seq = e.seq;
        let bad = |why: &str| LedgerError::broken(seq, why.to_string());
        let payload: Map<String, Value> = match serde_json::from_str(&e.payload) {
            Ok(Value::Object(m)) => m,
            _ => return Err(bad("payload is not a JSON object")),
        };
        if let Some(Value::Object(u)) = payload.get("users") {
            let (Some(id), Some(name), Some(key)) =
                (int(u, "id"), text(u, "name"), text(u, "public_key"))
            else {
                return Err(bad("malformed users row"));
            };
            users.insert(id, (name, key));
        }
        if let Some(Value::Object(r)) = payload.get("reviews") {
            let (Some(id), Some(reviewer_id), Some(name), Some(sha), Some(findings)) = (
                int(r, "id"),
                int(r, "reviewer_id"),
                text(r, "document_name"),
                text(r, "document_sha256"),
                text(r, "findings_json"),
            ) else {
                return Err(bad("malformed reviews row"));
            };
            reviews.insert(
                id,
                ReplayReview {
                    reviewer_id,
                    document_name: name,
                    document_sha256: sha,
                    findings_sha256: findings_sha256(&findings),
                    decisions: BTreeMap::new(),
                    recommendation: None,
                },
            );
        }
        if let Some(Value::Object(d)) = payload.get("dispositions") {
            let (Some(review), Some(finding), Some(decision)) =
                (int(d, "review_id"), int(d, "finding"), text(d, "decision"))
            else {
                return Err(bad("malformed dispositions row"));
            };
            let r = reviews
                .get_mut(&review)
                .ok_or_else(|| bad("disposition of an unknown review"))?;
            r.decisions.insert(
                finding,
                StatementDecision {
                    finding,
                    decision,
                    reason: text(d, "reason"),
                },
            );
        }
        if let Some(Value::Object(s)) = payload.get("submissions") {
            let (Some(review), Some(rec)) = (int(s, "review_id"), text(s, "recommendation")) else {
                return Err(bad("malformed submissions row"));
            };
            let r = reviews
                .get_mut(&review)
                .ok_or_else(|| bad("submission of an unknown review"))?;
            r.recommendation = Some(rec);
        }
        if let Some(Value::Object(a)) = payload.get("approvals") {
            let (Some(review), Some(approver_id), Some(statement), Some(signature), Some(at)) = (
                int(a, "review_id"),
                int(a, "approver_id"),
                text(a, "statement"),
                text(a, "signature"),
                int(a, "approved_at"),
            ) else {
                return Err(bad("malformed approvals row"));
            };
            let r = reviews
                .get(&review)
                .ok_or_else(|| bad("approval of an unknown review"))?;
            if r.reviewer_id == approver_id {
                return Err(bad(
                    "two-person rule violated: the reviewer approved their own review",
                ));
            }
            let (approver, public_key) = users
                .get(&approver_id)
                .ok_or_else(|| bad("approval by an unknown account"))?;
            verify_signature(public_key, statement.as_bytes(), &signature)
                .map_err(|reason| LedgerError::BadSignature { seq, reason })?;
            let st = ApprovalStatement::parse(&statement).map_err(|m| bad(&m))?;
            let reviewer = users.get(&r.reviewer_id).map(|u| u.0.as_str());
            let expected_cp = Checkpoint {
                event_count: seq - 1,
                head_hash: prev_hash.clone(),
            };
            let mismatch = if st.review != review {
                Some("review id")
            } else if st.document_sha256 != r.document_sha256 || st.document_name != r.document_name
            {
                Some("document")
            } else if st.findings_sha256 != r.findings_sha256 {
                Some("findings")
            } else if st.decisions != r.decisions.values().cloned().collect::<Vec<_>>() {
                Some("dispositions")
            } else if Some(&st.recommendation) != r.recommendation.as_ref() {
                Some("recommendation")
            } else if Some(st.reviewer.as_str()) != reviewer || &st.approver != approver {
                Some("people")
            } else if st.approved_at != at {
                Some("time")
            } else if st.checkpoint != expected_cp {
                Some("checkpoint")
            } else {
                None
            };
            if let Some(what) = mismatch {
                return Err(bad(&format!(
                    "the signed approval statement disagrees with the ledger ({what})"
                )));
            }
            checked += 1;
        }
        prev_hash.clone_from(&e.hash);
    }
    Ok(checked)
}
