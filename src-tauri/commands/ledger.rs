//! Sign-in and the sign-off ledger: reviews, decisions, submission, approval, history,
//! verification, export and certificates. The ledger enforces every rule (roles, two-person
//! rule, reasons); these commands only translate.

use clearance_ledger::{
    format_time, Decision, Ledger, LedgerError, Recommendation, ReviewDetail, ReviewState, Role,
    Session,
};
use serde::Serialize;
use tauri::{AppHandle, Manager};

use crate::error::{ErrorCode, IpcError};
use crate::queue::DocId;
use crate::state::{lock, AppState};

/// The signed-in person.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    user: String,
    roles: Vec<Role>,
}

/// Whether the ledger has accounts yet, where it is, and who is signed in.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerStatusDto {
    initialized: bool,
    db_path: String,
    session: Option<SessionDto>,
}

/// One finding's current decision. `finding` is the 0-based index into the report's
/// findings (the ledger numbers them from 1).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DispositionDto {
    finding: usize,
    decision: Decision,
    reason: String,
    by: String,
    at: String,
}

/// A review as the UI shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDto {
    id: i64,
    path: String,
    sha256: String,
    reviewer: String,
    state: ReviewState,
    finding_count: usize,
    /// The findings as recorded when the review was opened (what the decisions refer to).
    findings: Vec<clearance_model::Finding>,
    dispositions: Vec<DispositionDto>,
    recommendation: Option<Recommendation>,
    return_reason: Option<String>,
    approved_by: Option<String>,
}

impl From<ReviewDetail> for ReviewDto {
    fn from(d: ReviewDetail) -> Self {
        let dispositions = d
            .findings
            .iter()
            .filter_map(|f| {
                let disp = f.disposition.as_ref()?;
                Some(DispositionDto {
                    finding: usize::try_from(f.id - 1).ok()?,
                    decision: disp.decision,
                    reason: disp.reason.clone().unwrap_or_default(),
                    by: disp.decided_by.clone(),
                    at: format_time(disp.decided_at),
                })
            })
            .collect();
        ReviewDto {
            id: d.id,
            path: d.document_path,
            sha256: d.document_sha256,
            reviewer: d.reviewer,
            state: d.state,
            finding_count: d.findings.len(),
            findings: d.findings.into_iter().map(|f| f.finding).collect(),
            dispositions,
            recommendation: d.submission.map(|s| s.recommendation),
            return_reason: d.returns.last().map(|r| r.reason.clone()),
            approved_by: d.approval.map(|a| a.approver),
        }
    }
}

/// A line of the supervisor's queue.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewSummaryDto {
    id: i64,
    path: String,
    sha256: String,
    reviewer: String,
    state: ReviewState,
    recommendation: Option<Recommendation>,
    finding_count: usize,
    updated_at: String,
}

/// One ledger event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDto {
    seq: i64,
    at: String,
    actor: String,
    kind: String,
    detail: String,
    hash: String,
}

/// The result of Verify: a broken chain is a result to show, not a command failure.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyDto {
    ok: bool,
    events: i64,
    signatures: usize,
    message: String,
}

/// Maps the ledger's stable error codes onto the few the UI branches on.
pub fn ledger_error(e: LedgerError) -> IpcError {
    let code = match e.code() {
        "wrong-password" | "unknown-user" | "account-locked" | "account-deactivated" => {
            ErrorCode::BadCredentials
        }
        "missing-role" | "self-approval" | "not-reviewer" => ErrorCode::Forbidden,
        "undecided-findings" | "invalid-state" | "already-initialized" | "last-admin" => {
            ErrorCode::Conflict
        }
        "file-changed" => ErrorCode::FileChanged,
        "unknown-review" | "unknown-finding" => ErrorCode::NotFound,
        "reason-required" | "invalid-input" | "user-exists" => ErrorCode::InvalidArgument,
        "io" => ErrorCode::Io,
        _ => ErrorCode::Ledger,
    };
    // Do not tell a stranger which account names exist.
    let message = match e.code() {
        "wrong-password" | "unknown-user" => "wrong user name or password".to_string(),
        _ => e.to_string(),
    };
    IpcError::new(code, message)
}

/// Runs `f` with the open ledger (opened, or created, on first use) on a blocking thread.
pub(crate) async fn with_ledger<T: Send + 'static>(
    app: &AppHandle,
    f: impl FnOnce(&mut Ledger, &AppState) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let mut guard = lock(&state.ledger);
        if guard.is_none() {
            *guard = Some(Ledger::create(&state.db_path).map_err(ledger_error)?);
        }
        match guard.as_mut() {
            Some(ledger) => f(ledger, &state),
            None => Err(IpcError::new(ErrorCode::Internal, "ledger not open")),
        }
    })
    .await
    .map_err(IpcError::task)?
}

pub(crate) fn session(state: &AppState) -> Result<Session, IpcError> {
    lock(&state.session)
        .clone()
        .ok_or_else(|| IpcError::new(ErrorCode::NotSignedIn, "sign in first"))
}

fn session_dto(ledger: &Ledger, s: &Session) -> Result<SessionDto, IpcError> {
    let acct = ledger.account(s.name()).map_err(ledger_error)?;
    Ok(SessionDto {
        user: acct.name,
        roles: acct.roles,
    })
}

fn review_dto(ledger: &Ledger, id: i64) -> Result<ReviewDto, IpcError> {
    ledger.review(id).map(ReviewDto::from).map_err(ledger_error)
}

/// Whether the ledger has accounts, its path, and the current session.
#[tauri::command]
pub async fn ledger_status(app: AppHandle) -> Result<LedgerStatusDto, IpcError> {
    with_ledger(&app, |l, state| {
        let session = match lock(&state.session).clone() {
            Some(s) => Some(session_dto(l, &s)?),
            None => None,
        };
        Ok(LedgerStatusDto {
            initialized: l.is_initialized().map_err(ledger_error)?,
            db_path: state.db_path.display().to_string(),
            session,
        })
    })
    .await
}

/// First run: creates the administrator and signs them in.
#[tauri::command]
pub async fn init_ledger(
    app: AppHandle,
    user: String,
    password: String,
) -> Result<SessionDto, IpcError> {
    with_ledger(&app, move |l, state| {
        l.init(&user, &password).map_err(ledger_error)?;
        let s = l.authenticate(&user, &password).map_err(ledger_error)?;
        let dto = session_dto(l, &s)?;
        *lock(&state.session) = Some(s);
        Ok(dto)
    })
    .await
}

/// Checks the password and starts a session.
#[tauri::command]
pub async fn sign_in(
    app: AppHandle,
    user: String,
    password: String,
) -> Result<SessionDto, IpcError> {
    with_ledger(&app, move |l, state| {
        let s = l
            .authenticate(user.trim(), &password)
            .map_err(ledger_error)?;
        let dto = session_dto(l, &s)?;
        *lock(&state.session) = Some(s);
        Ok(dto)
    })
    .await
}

/// Ends the session.
#[tauri::command]
pub fn sign_out(state: tauri::State<'_, AppState>) {
    *lock(&state.session) = None;
}

/// Opens the signed-in reviewer's review of a scanned document, or resumes their latest
/// review of the same bytes.
#[tauri::command]
pub async fn open_review(app: AppHandle, doc_id: DocId) -> Result<ReviewDto, IpcError> {
    let (report, name, path) = {
        let state = app.state::<AppState>();
        let q = lock(&state.queue);
        let entry = q.get(doc_id).ok_or_else(|| {
            IpcError::new(ErrorCode::NotFound, format!("no document with id {doc_id}"))
        })?;
        let report = entry.report.clone().ok_or_else(|| {
            IpcError::new(
                ErrorCode::NotReady,
                format!("{} is still being scanned", entry.name()),
            )
        })?;
        (report, entry.name(), entry.path.display().to_string())
    };
    if !report.errors.is_empty() {
        return Err(IpcError::new(
            ErrorCode::Conflict,
            "a document that could not be read cannot be reviewed",
        ));
    }
    let rules = lock(&app.state::<AppState>().settings).rules.clone();
    with_ledger(&app, move |l, state| {
        let s = session(state)?;
        let existing = l
            .reviews(None)
            .map_err(ledger_error)?
            .into_iter()
            .find(|r| r.reviewer == s.name() && r.document_sha256 == report.sha256);
        let id = match existing {
            Some(r) => r.id,
            None => {
                let watchlist_sha256 = match &rules {
                    Some(p) => Some(clearance_ledger::sha256_file(p).map_err(ledger_error)?),
                    None => None,
                };
                let input = clearance_ledger::NewReview {
                    document_name: name,
                    document_path: path,
                    document_sha256: report.sha256.clone(),
                    findings: &report.findings,
                    engine_version: clearance_model::ENGINE_VERSION.to_string(),
                    watchlist_sha256,
                };
                l.open_review(&s, &input).map_err(ledger_error)?
            }
        };
        review_dto(l, id)
    })
    .await
}

/// Records the reviewer's decision on finding `finding` (0-based) of a review.
#[tauri::command]
pub async fn decide_finding(
    app: AppHandle,
    review_id: i64,
    finding: usize,
    decision: Decision,
    reason: String,
) -> Result<ReviewDto, IpcError> {
    let ledger_finding = i64::try_from(finding)
        .ok()
        .and_then(|f| f.checked_add(1))
        .ok_or_else(|| IpcError::new(ErrorCode::InvalidArgument, "finding index out of range"))?;
    with_ledger(&app, move |l, state| {
        let s = session(state)?;
        let reason = Some(reason.as_str()).filter(|r| !r.trim().is_empty());
        l.decide(&s, review_id, ledger_finding, decision, reason)
            .map_err(ledger_error)?;
        review_dto(l, review_id)
    })
    .await
}

/// Submits the review with its recommendation; the ledger refuses while findings are undecided.
#[tauri::command]
pub async fn submit_review(
    app: AppHandle,
    review_id: i64,
    recommendation: Recommendation,
) -> Result<ReviewDto, IpcError> {
    with_ledger(&app, move |l, state| {
        let s = session(state)?;
        l.submit(&s, review_id, recommendation, None)
            .map_err(ledger_error)?;
        review_dto(l, review_id)
    })
    .await
}

/// Reviews waiting for a supervisor, newest first.
#[tauri::command]
pub async fn list_submitted(app: AppHandle) -> Result<Vec<ReviewSummaryDto>, IpcError> {
    with_ledger(&app, |l, state| {
        session(state)?;
        summaries(l, ReviewState::Submitted)
    })
    .await
}

/// Approved reviews, newest first: the ones with a release certificate.
#[tauri::command]
pub async fn list_approved(app: AppHandle) -> Result<Vec<ReviewSummaryDto>, IpcError> {
    with_ledger(&app, |l, state| {
        session(state)?;
        summaries(l, ReviewState::Approved)
    })
    .await
}

fn summaries(l: &Ledger, only: ReviewState) -> Result<Vec<ReviewSummaryDto>, IpcError> {
    let list = l.reviews(Some(only)).map_err(ledger_error)?;
    list.into_iter()
        .map(|r| -> Result<ReviewSummaryDto, IpcError> {
            let d = l.review(r.id).map_err(ledger_error)?;
            let updated = match (&d.approval, &d.submission) {
                (Some(a), _) => a.approved_at,
                (None, Some(s)) => s.submitted_at,
                (None, None) => d.opened_at,
            };
            Ok(ReviewSummaryDto {
                id: d.id,
                path: d.document_path.clone(),
                sha256: d.document_sha256.clone(),
                reviewer: d.reviewer.clone(),
                state: d.state,
                recommendation: d.submission.as_ref().map(|s| s.recommendation),
                finding_count: d.findings.len(),
                updated_at: format_time(updated),
            })
        })
        .collect()
}

/// One review with its decisions.
#[tauri::command]
pub async fn get_review(app: AppHandle, review_id: i64) -> Result<ReviewDto, IpcError> {
    with_ledger(&app, move |l, state| {
        session(state)?;
        review_dto(l, review_id)
    })
    .await
}

/// A supervisor approves, giving their password again; the file must still hash to the
/// reviewed bytes.
#[tauri::command]
pub async fn approve_review(
    app: AppHandle,
    review_id: i64,
    password: String,
) -> Result<ReviewDto, IpcError> {
    with_ledger(&app, move |l, state| {
        let s = session(state)?;
        let detail = l.review(review_id).map_err(ledger_error)?;
        let current = clearance_ledger::sha256_file(std::path::Path::new(&detail.document_path))
            .map_err(ledger_error)?;
        l.approve(&s, &password, review_id, &current)
            .map_err(ledger_error)?;
        review_dto(l, review_id)
    })
    .await
}

/// A supervisor returns the review to its reviewer with a reason.
#[tauri::command]
pub async fn return_review(
    app: AppHandle,
    review_id: i64,
    reason: String,
) -> Result<ReviewDto, IpcError> {
    with_ledger(&app, move |l, state| {
        let s = session(state)?;
        l.return_review(&s, review_id, &reason)
            .map_err(ledger_error)?;
        review_dto(l, review_id)
    })
    .await
}

/// Every ledger event, oldest first.
#[tauri::command]
pub async fn ledger_events(app: AppHandle) -> Result<Vec<EventDto>, IpcError> {
    with_ledger(&app, |l, state| {
        session(state)?;
        Ok(l.events()
            .map_err(ledger_error)?
            .into_iter()
            .map(|e| EventDto {
                seq: e.seq,
                at: format_time(e.time),
                actor: e.actor.unwrap_or_default(),
                kind: e.kind,
                detail: e.payload,
                hash: e.hash,
            })
            .collect())
    })
    .await
}

/// Recomputes the chain and checks every row and signature.
#[tauri::command]
pub async fn verify_ledger(app: AppHandle) -> Result<VerifyDto, IpcError> {
    with_ledger(&app, |l, state| {
        session(state)?;
        Ok(match l.verify() {
            Ok(r) => VerifyDto {
                ok: true,
                events: r.checkpoint.event_count,
                signatures: r.signatures,
                message: format!("head {}", r.checkpoint.head_hash),
            },
            Err(e) => VerifyDto {
                ok: false,
                events: 0,
                signatures: 0,
                message: e.to_string(),
            },
        })
    })
    .await
}

/// Writes the JSON export (checkable offline) to `path`; returns the path.
#[tauri::command]
pub async fn export_ledger(app: AppHandle, path: String) -> Result<String, IpcError> {
    with_ledger(&app, move |l, state| {
        session(state)?;
        let export = l
            .export(clearance_ledger::ExportFormat::Json)
            .map_err(ledger_error)?;
        std::fs::write(&path, export.text)
            .map_err(|e| IpcError::new(ErrorCode::Io, format!("{path}: {e}")))?;
        Ok(path)
    })
    .await
}

/// The printable release certificate (HTML) of an approved review.
#[tauri::command]
pub async fn certificate(app: AppHandle, review_id: i64) -> Result<String, IpcError> {
    with_ledger(&app, move |l, state| {
        session(state)?;
        l.certificate_html(review_id).map_err(ledger_error)
    })
    .await
}

/// Writes the certificate of an approved review to `path` (to print or archive); returns
/// the path.
#[tauri::command]
pub async fn save_certificate(
    app: AppHandle,
    review_id: i64,
    path: String,
) -> Result<String, IpcError> {
    with_ledger(&app, move |l, state| {
        session(state)?;
        let html = l.certificate_html(review_id).map_err(ledger_error)?;
        std::fs::write(&path, html)
            .map_err(|e| IpcError::new(ErrorCode::Io, format!("{path}: {e}")))?;
        Ok(path)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_errors_do_not_reveal_accounts() {
        let a = ledger_error(LedgerError::UnknownUser("bob".into()));
        let b = ledger_error(LedgerError::WrongPassword { user: "bob".into() });
        assert_eq!(a, b, "unknown user and wrong password must look the same");
        assert_eq!(a.code, ErrorCode::BadCredentials);
    }

    #[test]
    fn rule_violations_map_to_what_the_ui_branches_on() {
        let e = ledger_error(LedgerError::SelfApproval {
            review: 1,
            user: "r".into(),
        });
        assert_eq!(e.code, ErrorCode::Forbidden);
        let e = ledger_error(LedgerError::Undecided {
            review: 1,
            count: 2,
            ids: "1, 2".into(),
        });
        assert_eq!(e.code, ErrorCode::Conflict);
        assert!(e.message.contains("undecided"));
        let e = ledger_error(LedgerError::ChainBroken {
            seq: 4,
            reason: "hash".into(),
        });
        assert_eq!(e.code, ErrorCode::Ledger);
    }
}
