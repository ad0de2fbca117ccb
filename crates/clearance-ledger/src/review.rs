//! Reviews: open on a document's SHA-256, decide each finding, submit a recommendation, and
//! have a different person approve or return it.
//!
//! States: `open` → (all findings decided) `submitted` → `approved` (final) or `returned` →
//! `submitted` again. The state is derived from the append-only tables, never stored.

use clearance_model::Finding;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::accounts::{self, require, Role, Session};
use crate::approval::{self, ApprovalStatement};
use crate::canonical::{canonical_json, sha256_hex};
use crate::chain::{self, NewEvent};
use crate::crypto;
use crate::{Ledger, LedgerError};

/// Where a review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ReviewState {
    /// Findings being decided.
    Open,
    /// Waiting for a supervisor.
    Submitted,
    /// Sent back by a supervisor; findings can be decided again.
    Returned,
    /// Approved; final.
    Approved,
}

impl ReviewState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Open => "open",
            ReviewState::Submitted => "submitted",
            ReviewState::Returned => "returned",
            ReviewState::Approved => "approved",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Submitted, Self::Returned, Self::Approved]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

impl std::fmt::Display for ReviewState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the reviewer decided about one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Decision {
    /// Remove it before release.
    Redact,
    /// Release as is (a justification is required).
    Release,
    /// Not actually sensitive (a reason is required).
    FalsePositive,
}

impl Decision {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Redact => "redact",
            Decision::Release => "release",
            Decision::FalsePositive => "false-positive",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Redact, Self::Release, Self::FalsePositive]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// The reviewer's recommendation for the whole document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Recommendation {
    /// Release unchanged.
    Release,
    /// Release after the redactions.
    ReleaseWithRedactions,
    /// Do not release.
    Withhold,
}

impl Recommendation {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Release => "release",
            Recommendation::ReleaseWithRedactions => "release-with-redactions",
            Recommendation::Withhold => "withhold",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Release, Self::ReleaseWithRedactions, Self::Withhold]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// The decision field of a declassification record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeclassificationDecision {
    /// Fully declassified.
    Full,
    /// Partly declassified.
    Partial,
    /// Released.
    Release,
    /// Withheld.
    Withhold,
}

/// The declassification record a reviewer fills in (`--record-file JSON`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclassificationRecord {
    /// The marking the document carried, e.g. `SECRET//NOFORN`.
    pub original_marking: String,
    /// Its classification level.
    pub original_level: String,
    /// The authority or basis for the decision.
    pub authority: String,
    /// Full or partial declassification, release, or withhold.
    pub decision: DeclassificationDecision,
    /// Date of the decision, `YYYY-MM-DD`.
    pub date: String,
    /// Free notes.
    #[serde(default)]
    pub notes: String,
}

impl DeclassificationRecord {
    /// Parses and checks a record file's JSON.
    ///
    /// # Errors
    /// [`LedgerError::InvalidInput`] naming the problem.
    pub fn from_json(text: &str) -> Result<Self, LedgerError> {
        let r: DeclassificationRecord = serde_json::from_str(text)
            .map_err(|e| LedgerError::InvalidInput(format!("declassification record: {e}")))?;
        r.check()?;
        Ok(r)
    }

    fn check(&self) -> Result<(), LedgerError> {
        for (name, v) in [
            ("original_marking", &self.original_marking),
            ("original_level", &self.original_level),
            ("authority", &self.authority),
        ] {
            if v.trim().is_empty() {
                return Err(LedgerError::InvalidInput(format!(
                    "declassification record: {name} is empty"
                )));
            }
        }
        if !is_iso_date(&self.date) {
            return Err(LedgerError::InvalidInput(format!(
                "declassification record: date {:?} is not YYYY-MM-DD",
                self.date
            )));
        }
        Ok(())
    }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    let all_digits = b
        .iter()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d))
        if all_digits && (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// What `open_review` needs: the document's identity and the scan's result.
#[derive(Debug, Clone)]
pub struct NewReview<'a> {
    /// File name shown on the certificate.
    pub document_name: String,
    /// Where the file was (re-hashed at approval).
    pub document_path: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub document_sha256: String,
    /// The scan's findings; they get ids 1, 2, ... in this order.
    pub findings: &'a [Finding],
    /// Version of the engine that scanned it.
    pub engine_version: String,
    /// SHA-256 of the watchlist (rules file) used, if any.
    pub watchlist_sha256: Option<String>,
}

/// A finding's current disposition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disposition {
    /// What was decided.
    pub decision: Decision,
    /// The justification or reason.
    pub reason: Option<String>,
    /// Who decided.
    pub decided_by: String,
    /// When (Unix ms).
    pub decided_at: i64,
}

/// A finding of a review, with its id and current disposition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewFinding {
    /// 1-based id within the review.
    pub id: i64,
    /// The scan's finding.
    pub finding: Finding,
    /// `None` while undecided.
    pub disposition: Option<Disposition>,
}

/// The latest submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    /// The recommendation.
    pub recommendation: Recommendation,
    /// The declassification record, if one was filed.
    pub record: Option<DeclassificationRecord>,
    /// Who submitted.
    pub submitted_by: String,
    /// When (Unix ms).
    pub submitted_at: i64,
}

/// A supervisor sending a review back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnNote {
    /// The supervisor.
    pub returned_by: String,
    /// Why.
    pub reason: String,
    /// When (Unix ms).
    pub returned_at: i64,
}

/// The approval of a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// The supervisor.
    pub approver: String,
    /// When (Unix ms).
    pub approved_at: i64,
    /// What was signed.
    pub statement: ApprovalStatement,
    /// The exact signed text (canonical JSON of `statement`).
    pub statement_text: String,
    /// Ed25519 signature over `statement_text`, hex.
    pub signature: String,
    /// The approver's public key, hex.
    pub public_key: String,
    /// The approval's event.
    pub event_seq: i64,
}

/// Everything about one review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewDetail {
    /// Review id.
    pub id: i64,
    /// Current state.
    pub state: ReviewState,
    /// File name.
    pub document_name: String,
    /// File path at opening.
    pub document_path: String,
    /// SHA-256 the review binds to.
    pub document_sha256: String,
    /// Engine version of the scan.
    pub engine_version: String,
    /// Watchlist hash of the scan.
    pub watchlist_sha256: Option<String>,
    /// The reviewer.
    pub reviewer: String,
    /// When opened (Unix ms).
    pub opened_at: i64,
    /// Findings with dispositions.
    pub findings: Vec<ReviewFinding>,
    /// The latest submission.
    pub submission: Option<Submission>,
    /// Every return, oldest first.
    pub returns: Vec<ReturnNote>,
    /// The approval, once approved.
    pub approval: Option<Approval>,
}

impl ReviewDetail {
    /// Ids of findings without a disposition.
    pub fn undecided(&self) -> Vec<i64> {
        self.findings
            .iter()
            .filter(|f| f.disposition.is_none())
            .map(|f| f.id)
            .collect()
    }
}

/// One line of `review list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewSummary {
    /// Review id.
    pub id: i64,
    /// Current state.
    pub state: ReviewState,
    /// File name.
    pub document_name: String,
    /// SHA-256.
    pub document_sha256: String,
    /// The reviewer.
    pub reviewer: String,
    /// When opened (Unix ms).
    pub opened_at: i64,
    /// Number of findings.
    pub findings: i64,
    /// Findings still undecided.
    pub undecided: i64,
}

pub(crate) struct ReviewRow {
    pub id: i64,
    pub reviewer_id: i64,
    pub document_name: String,
    pub document_path: String,
    pub document_sha256: String,
    pub findings_json: String,
    pub finding_count: i64,
    pub engine_version: String,
    pub watchlist_sha256: Option<String>,
    pub opened_at: i64,
}

pub(crate) fn review_row(conn: &Connection, id: i64) -> Result<ReviewRow, LedgerError> {
    conn.query_row(
        "SELECT id, reviewer_id, document_name, document_path, document_sha256, findings_json,
                finding_count, engine_version, watchlist_sha256, opened_at
         FROM reviews WHERE id = ?1",
        [id],
        |r| {
            Ok(ReviewRow {
                id: r.get(0)?,
                reviewer_id: r.get(1)?,
                document_name: r.get(2)?,
                document_path: r.get(3)?,
                document_sha256: r.get(4)?,
                findings_json: r.get(5)?,
                finding_count: r.get(6)?,
                engine_version: r.get(7)?,
                watchlist_sha256: r.get(8)?,
                opened_at: r.get(9)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| LedgerError::UnknownReview(id.to_string()))
}

pub(crate) fn state(conn: &Connection, id: i64) -> Result<ReviewState, LedgerError> {
    let s: String = conn.query_row(
        "SELECT state FROM review_states WHERE review_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    ReviewState::parse(&s).ok_or_else(|| LedgerError::InvalidInput(format!("unknown state {s}")))
}

/// A finding's latest disposition row.
pub(crate) struct DispositionRow {
    pub finding: i64,
    pub decision: Decision,
    pub reason: Option<String>,
    pub decided_by: i64,
    pub decided_at: i64,
}

/// Latest disposition per finding, by finding id.
pub(crate) fn latest_dispositions(
    conn: &Connection,
    review: i64,
) -> Result<Vec<DispositionRow>, LedgerError> {
    let mut stmt = conn.prepare(
        "SELECT d.finding, d.decision, d.reason, d.decided_by, d.decided_at FROM dispositions d
         WHERE d.review_id = ?1 AND d.event_seq = (SELECT max(event_seq) FROM dispositions x
               WHERE x.review_id = d.review_id AND x.finding = d.finding)
         ORDER BY d.finding",
    )?;
    let rows = stmt.query_map([review], |r| {
        Ok((
            r.get::<_, String>(1)?,
            DispositionRow {
                finding: r.get(0)?,
                decision: Decision::Redact,
                reason: r.get(2)?,
                decided_by: r.get(3)?,
                decided_at: r.get(4)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (d, mut row) = row?;
        row.decision = Decision::parse(&d)
            .ok_or_else(|| LedgerError::InvalidInput(format!("unknown decision {d}")))?;
        out.push(row);
    }
    Ok(out)
}

/// The latest submission of a review.
pub(crate) struct SubmissionRow {
    pub recommendation: String,
    pub record_json: Option<String>,
    pub submitted_by: i64,
    pub submitted_at: i64,
}

/// The latest submission, if any.
pub(crate) fn latest_submission(
    conn: &Connection,
    review: i64,
) -> Result<Option<SubmissionRow>, LedgerError> {
    Ok(conn
        .query_row(
            "SELECT recommendation, record_json, submitted_by, submitted_at FROM submissions
             WHERE review_id = ?1 ORDER BY event_seq DESC LIMIT 1",
            [review],
            |r| {
                Ok(SubmissionRow {
                    recommendation: r.get(0)?,
                    record_json: r.get(1)?,
                    submitted_by: r.get(2)?,
                    submitted_at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

fn obj(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Refuses a change by anyone but the review's reviewer, or outside `open`/`returned`.
fn check_editable(
    conn: &Connection,
    row: &ReviewRow,
    s: &Session,
    action: &str,
) -> Result<(), LedgerError> {
    if row.reviewer_id != s.user_id {
        return Err(LedgerError::NotReviewer {
            review: row.id,
            reviewer: accounts::user_name(conn, row.reviewer_id)?,
            user: s.name.clone(),
        });
    }
    let st = state(conn, row.id)?;
    if !matches!(st, ReviewState::Open | ReviewState::Returned) {
        return Err(LedgerError::InvalidState {
            review: row.id,
            state: st.as_str().into(),
            action: action.into(),
        });
    }
    Ok(())
}

/// Refuses a supervisor action on one's own review or on a review not waiting for one.
fn check_supervisable(
    conn: &Connection,
    row: &ReviewRow,
    s: &Session,
    action: &str,
) -> Result<(), LedgerError> {
    if row.reviewer_id == s.user_id {
        return Err(LedgerError::SelfApproval {
            review: row.id,
            user: s.name.clone(),
        });
    }
    let st = state(conn, row.id)?;
    if st != ReviewState::Submitted {
        return Err(LedgerError::InvalidState {
            review: row.id,
            state: st.as_str().into(),
            action: action.into(),
        });
    }
    Ok(())
}

impl Ledger {
    /// A reviewer opens a review of a scanned document. Returns the review id.
    ///
    /// # Errors
    /// [`LedgerError::MissingRole`] (reviewer), [`LedgerError::InvalidInput`] for a malformed
    /// hash, and the account checks of [`Ledger::authenticate`].
    pub fn open_review(&mut self, s: &Session, input: &NewReview<'_>) -> Result<i64, LedgerError> {
        if !is_sha256_hex(&input.document_sha256) {
            return Err(LedgerError::InvalidInput(format!(
                "{:?} is not a lower-case SHA-256",
                input.document_sha256
            )));
        }
        let findings_json = serde_json::to_string(input.findings)
            .map_err(|e| LedgerError::InvalidInput(format!("findings: {e}")))?;
        let count = i64::try_from(input.findings.len()).unwrap_or(i64::MAX);
        let now = self.now();
        let tx = self.write()?;
        let acct = require(&tx, s, Role::Reviewer, "open reviews", now)?;
        let id = chain::next_id(&tx, "reviews")?;
        chain::append(
            &tx,
            NewEvent {
                time: now,
                actor: Some(&acct.name),
                kind: "review.opened",
                extra: Map::new(),
                rows: vec![(
                    "reviews",
                    obj(vec![
                        ("id", id.into()),
                        ("reviewer_id", acct.id.into()),
                        ("document_name", input.document_name.clone().into()),
                        ("document_path", input.document_path.clone().into()),
                        ("document_sha256", input.document_sha256.clone().into()),
                        ("findings_json", findings_json.into()),
                        ("finding_count", count.into()),
                        ("engine_version", input.engine_version.clone().into()),
                        ("watchlist_sha256", input.watchlist_sha256.clone().into()),
                        ("opened_at", now.into()),
                    ]),
                )],
            },
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// The reviewer records a disposition for one finding. Deciding again replaces the
    /// earlier decision (both stay in the ledger).
    ///
    /// # Errors
    /// [`LedgerError::ReasonRequired`] for `release`/`false-positive` without a reason,
    /// [`LedgerError::NotReviewer`], [`LedgerError::InvalidState`],
    /// [`LedgerError::UnknownFinding`], [`LedgerError::UnknownReview`].
    pub fn decide(
        &mut self,
        s: &Session,
        review: i64,
        finding: i64,
        decision: Decision,
        reason: Option<&str>,
    ) -> Result<(), LedgerError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        match (decision, reason) {
            (Decision::Release, None) => {
                return Err(LedgerError::ReasonRequired(
                    "release (a justification)".into(),
                ))
            }
            (Decision::FalsePositive, None) => {
                return Err(LedgerError::ReasonRequired("false-positive".into()))
            }
            _ => {}
        }
        let now = self.now();
        let tx = self.write()?;
        let acct = require(&tx, s, Role::Reviewer, "decide findings", now)?;
        let row = review_row(&tx, review)?;
        check_editable(&tx, &row, s, "decide findings")?;
        if !(1..=row.finding_count).contains(&finding) {
            return Err(LedgerError::UnknownFinding {
                review,
                finding: finding.to_string(),
            });
        }
        let id = chain::next_id(&tx, "dispositions")?;
        chain::append(
            &tx,
            NewEvent {
                time: now,
                actor: Some(&acct.name),
                kind: "finding.decided",
                extra: Map::new(),
                rows: vec![(
                    "dispositions",
                    obj(vec![
                        ("id", id.into()),
                        ("review_id", review.into()),
                        ("finding", finding.into()),
                        ("decision", decision.as_str().into()),
                        ("reason", reason.map(str::to_string).into()),
                        ("decided_by", acct.id.into()),
                        ("decided_at", now.into()),
                    ]),
                )],
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The reviewer submits a recommendation; every finding must have a disposition.
    ///
    /// # Errors
    /// [`LedgerError::Undecided`], [`LedgerError::NotReviewer`], [`LedgerError::InvalidState`].
    pub fn submit(
        &mut self,
        s: &Session,
        review: i64,
        recommendation: Recommendation,
        record: Option<&DeclassificationRecord>,
    ) -> Result<(), LedgerError> {
        let record_json = match record {
            Some(r) => {
                r.check()?;
                let v = serde_json::to_value(r)
                    .map_err(|e| LedgerError::InvalidInput(format!("record: {e}")))?;
                Some(canonical_json(&v)?)
            }
            None => None,
        };
        let now = self.now();
        let tx = self.write()?;
        let acct = require(&tx, s, Role::Reviewer, "submit reviews", now)?;
        let row = review_row(&tx, review)?;
        check_editable(&tx, &row, s, "submit")?;
        let decided: Vec<i64> = latest_dispositions(&tx, review)?
            .into_iter()
            .map(|d| d.finding)
            .collect();
        let undecided: Vec<String> = (1..=row.finding_count)
            .filter(|f| !decided.contains(f))
            .map(|f| f.to_string())
            .collect();
        if !undecided.is_empty() {
            return Err(LedgerError::Undecided {
                review,
                count: undecided.len(),
                ids: undecided.join(", "),
            });
        }
        let id = chain::next_id(&tx, "submissions")?;
        chain::append(
            &tx,
            NewEvent {
                time: now,
                actor: Some(&acct.name),
                kind: "review.submitted",
                extra: Map::new(),
                rows: vec![(
                    "submissions",
                    obj(vec![
                        ("id", id.into()),
                        ("review_id", review.into()),
                        ("recommendation", recommendation.as_str().into()),
                        ("record_json", record_json.into()),
                        ("submitted_by", acct.id.into()),
                        ("submitted_at", now.into()),
                    ]),
                )],
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A supervisor who is not the reviewer sends the review back with a reason.
    ///
    /// # Errors
    /// [`LedgerError::SelfApproval`], [`LedgerError::MissingRole`] (supervisor),
    /// [`LedgerError::InvalidState`], [`LedgerError::ReasonRequired`].
    pub fn return_review(
        &mut self,
        s: &Session,
        review: i64,
        reason: &str,
    ) -> Result<(), LedgerError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(LedgerError::ReasonRequired("returning a review".into()));
        }
        let now = self.now();
        let tx = self.write()?;
        let acct = require(&tx, s, Role::Supervisor, "return reviews", now)?;
        let row = review_row(&tx, review)?;
        check_supervisable(&tx, &row, s, "return it")?;
        let id = chain::next_id(&tx, "returns")?;
        chain::append(
            &tx,
            NewEvent {
                time: now,
                actor: Some(&acct.name),
                kind: "review.returned",
                extra: Map::new(),
                rows: vec![(
                    "returns",
                    obj(vec![
                        ("id", id.into()),
                        ("review_id", review.into()),
                        ("returned_by", acct.id.into()),
                        ("reason", reason.into()),
                        ("returned_at", now.into()),
                    ]),
                )],
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A supervisor who is not the reviewer approves, re-entering their password (which also
    /// unseals their signing key). `current_sha256` is the SHA-256 of the file as it is on
    /// disk now; it must still be the reviewed one.
    ///
    /// # Errors
    /// [`LedgerError::SelfApproval`], [`LedgerError::MissingRole`] (supervisor),
    /// [`LedgerError::InvalidState`], [`LedgerError::FileChanged`],
    /// [`LedgerError::WrongPassword`], [`LedgerError::AccountLocked`].
    pub fn approve(
        &mut self,
        s: &Session,
        password: &str,
        review: i64,
        current_sha256: &str,
    ) -> Result<Approval, LedgerError> {
        // Cheap refusals first, before any password hashing.
        {
            require(
                &self.conn,
                s,
                Role::Supervisor,
                "approve reviews",
                self.now(),
            )?;
            let row = review_row(&self.conn, review)?;
            check_supervisable(&self.conn, &row, s, "approve it")?;
            if current_sha256 != row.document_sha256 {
                return Err(LedgerError::FileChanged {
                    path: row.document_path,
                    expected: row.document_sha256,
                    found: current_sha256.to_string(),
                });
            }
        }
        // The password is checked again now, with lockout counting, then opens the key.
        let again = self.authenticate(&s.name, password)?;
        if again.user_id != s.user_id {
            return Err(LedgerError::WrongPassword {
                user: s.name.clone(),
            });
        }
        let acct = accounts::account_by_id(&self.conn, s.user_id)?;
        let creds = accounts::credentials(&self.conn, s.user_id)?;
        let key = crypto::unseal(&creds.sealed, password, &acct.public_key)?.ok_or_else(|| {
            LedgerError::WrongPassword {
                user: s.name.clone(),
            }
        })?;

        let now = self.now();
        let tx = self.write()?;
        let acct = require(&tx, s, Role::Supervisor, "approve reviews", now)?;
        let row = review_row(&tx, review)?;
        check_supervisable(&tx, &row, s, "approve it")?;
        let checkpoint = chain::head(&tx)?;
        let statement = approval::build_statement(&tx, &row, &acct.name, now, checkpoint)?;
        let statement_text = statement.to_canonical()?;
        let signature = crypto::sign(&key, statement_text.as_bytes());
        let id = chain::next_id(&tx, "approvals")?;
        let cp = chain::append(
            &tx,
            NewEvent {
                time: now,
                actor: Some(&acct.name),
                kind: "review.approved",
                extra: Map::new(),
                rows: vec![(
                    "approvals",
                    obj(vec![
                        ("id", id.into()),
                        ("review_id", review.into()),
                        ("approver_id", acct.id.into()),
                        ("statement", statement_text.clone().into()),
                        ("signature", signature.clone().into()),
                        ("approved_at", now.into()),
                    ]),
                )],
            },
        )?;
        tx.commit()?;
        Ok(Approval {
            approver: acct.name,
            approved_at: now,
            statement,
            statement_text,
            signature,
            public_key: acct.public_key,
            event_seq: cp.event_count,
        })
    }

    /// Everything about one review.
    ///
    /// # Errors
    /// [`LedgerError::UnknownReview`].
    pub fn review(&self, id: i64) -> Result<ReviewDetail, LedgerError> {
        let c = &self.conn;
        let row = review_row(c, id)?;
        let findings: Vec<Finding> = serde_json::from_str(&row.findings_json).map_err(|e| {
            LedgerError::InvalidInput(format!("stored findings of review {id}: {e}"))
        })?;
        let mut decided = std::collections::HashMap::new();
        for row in latest_dispositions(c, id)? {
            let d = Disposition {
                decision: row.decision,
                reason: row.reason,
                decided_by: accounts::user_name(c, row.decided_by)?,
                decided_at: row.decided_at,
            };
            decided.insert(row.finding, d);
        }
        let findings = findings
            .into_iter()
            .zip(1i64..)
            .map(|(finding, fid)| ReviewFinding {
                id: fid,
                finding,
                disposition: decided.remove(&fid),
            })
            .collect();
        let submission = match latest_submission(c, id)? {
            Some(sub) => Some(Submission {
                recommendation: Recommendation::parse(&sub.recommendation).ok_or_else(|| {
                    LedgerError::InvalidInput(format!("recommendation {}", sub.recommendation))
                })?,
                record: sub
                    .record_json
                    .as_deref()
                    .map(DeclassificationRecord::from_json)
                    .transpose()?,
                submitted_by: accounts::user_name(c, sub.submitted_by)?,
                submitted_at: sub.submitted_at,
            }),
            None => None,
        };
        let mut stmt = c.prepare(
            "SELECT returned_by, reason, returned_at FROM returns WHERE review_id = ?1
             ORDER BY event_seq",
        )?;
        let raw: Vec<(i64, String, i64)> = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let returns = raw
            .into_iter()
            .map(|(by, reason, at)| {
                Ok(ReturnNote {
                    returned_by: accounts::user_name(c, by)?,
                    reason,
                    returned_at: at,
                })
            })
            .collect::<Result<Vec<_>, LedgerError>>()?;
        let approval = c
            .query_row(
                "SELECT approver_id, statement, signature, approved_at, event_seq FROM approvals
                 WHERE review_id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                },
            )
            .optional()?;
        let approval = match approval {
            Some((by, text, signature, at, seq)) => {
                let acct = accounts::account_by_id(c, by)?;
                Some(Approval {
                    approver: acct.name,
                    approved_at: at,
                    statement: ApprovalStatement::parse(&text)
                        .map_err(|e| LedgerError::broken(seq, e))?,
                    statement_text: text,
                    signature,
                    public_key: acct.public_key,
                    event_seq: seq,
                })
            }
            None => None,
        };
        Ok(ReviewDetail {
            id,
            state: state(c, id)?,
            document_name: row.document_name,
            document_path: row.document_path,
            document_sha256: row.document_sha256,
            engine_version: row.engine_version,
            watchlist_sha256: row.watchlist_sha256,
            reviewer: accounts::user_name(c, row.reviewer_id)?,
            opened_at: row.opened_at,
            findings,
            submission,
            returns,
            approval,
        })
    }

    /// Reviews, newest first, optionally only those in one state.
    ///
    /// # Errors
    /// Database errors.
    pub fn reviews(&self, only: Option<ReviewState>) -> Result<Vec<ReviewSummary>, LedgerError> {
        let c = &self.conn;
        let mut stmt = c.prepare(
            "SELECT r.id, s.state, r.document_name, r.document_sha256, r.reviewer_id, r.opened_at,
                    r.finding_count,
                    (SELECT count(DISTINCT d.finding) FROM dispositions d WHERE d.review_id = r.id)
             FROM reviews r JOIN review_states s ON s.review_id = r.id ORDER BY r.id DESC",
        )?;
        let raw: Vec<(String, i64, ReviewSummary)> = stmt
            .query_map([], |r| {
                let count: i64 = r.get(6)?;
                let decided: i64 = r.get(7)?;
                Ok((
                    r.get(1)?,
                    r.get(4)?,
                    ReviewSummary {
                        id: r.get(0)?,
                        state: ReviewState::Open,
                        document_name: r.get(2)?,
                        document_sha256: r.get(3)?,
                        reviewer: String::new(),
                        opened_at: r.get(5)?,
                        findings: count,
                        undecided: count - decided,
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (st, reviewer_id, mut summary) in raw {
            summary.state = ReviewState::parse(&st)
                .ok_or_else(|| LedgerError::InvalidInput(format!("unknown state {st}")))?;
            if only.is_some_and(|o| o != summary.state) {
                continue;
            }
            summary.reviewer = accounts::user_name(c, reviewer_id)?;
            out.push(summary);
        }
        Ok(out)
    }
}

/// SHA-256 of the findings JSON a review stores (what an approval statement pins).
pub(crate) fn findings_sha256(findings_json: &str) -> String {
    sha256_hex(findings_json.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_dates_are_checked() {
        for ok in ["2026-11-26", "1999-01-31"] {
            assert!(is_iso_date(ok), "{ok}");
        }
        for bad in [
            "2026-13-01",
            "2026-1-01",
            "26-11-2026",
            "2026-11-2x",
            "2026/11/26",
            "",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }

    #[test]
    fn record_file_refuses_unknown_fields_and_bad_decisions() {
        let good = r#"{"original_marking":"SECRET","original_level":"secret","authority":"EO 13526 3.3",
            "decision":"partial","date":"2026-11-26","notes":"pages 2-3 redacted"}"#;
        let r = DeclassificationRecord::from_json(good).unwrap();
        assert_eq!(r.decision, DeclassificationDecision::Partial);
        let unknown = good.replace("\"notes\"", "\"note\"");
        assert!(DeclassificationRecord::from_json(&unknown).is_err());
        let bad_decision = good.replace("partial", "maybe");
        assert!(DeclassificationRecord::from_json(&bad_decision).is_err());
        let empty_authority = good.replace("EO 13526 3.3", " ");
        assert!(DeclassificationRecord::from_json(&empty_authority).is_err());
    }

    #[test]
    fn names_round_trip() {
        for d in [Decision::Redact, Decision::Release, Decision::FalsePositive] {
            assert_eq!(Decision::parse(d.as_str()), Some(d));
        }
        for r in [
            Recommendation::Release,
            Recommendation::ReleaseWithRedactions,
            Recommendation::Withhold,
        ] {
            assert_eq!(Recommendation::parse(r.as_str()), Some(r));
        }
        assert_eq!(ReviewState::parse("returned"), Some(ReviewState::Returned));
    }
}
