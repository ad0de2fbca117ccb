//! Every legal step of a review works, and every illegal one is refused with the right error,
//! by the code and (where a second program could skip the code) by the schema.
#![allow(clippy::unwrap_used)]

mod common;

use clearance_ledger::{
    Decision, LedgerError, Recommendation, ReviewState, Role, LOCKOUT_MS, MAX_FAILED_LOGINS,
};
use common::{World, PW};

fn code(r: Result<impl std::fmt::Debug, LedgerError>) -> &'static str {
    match r {
        Ok(v) => panic!("expected a refusal, got Ok({v:?})"),
        Err(e) => e.code(),
    }
}

#[test]
fn whole_flow_approves_verifies_and_signs() {
    let mut w = World::new();
    let id = w.submitted_review("rita");
    assert_eq!(w.ledger.review(id).unwrap().state, ReviewState::Submitted);
    let sam = w.login("sam");
    w.clock.advance(60_000);
    let a = w.ledger.approve(&sam, PW, id, &w.doc_sha()).unwrap();
    assert_eq!(a.approver, "sam");
    assert_eq!(a.statement.reviewer, "rita");
    assert_eq!(a.statement.decisions.len(), 2);
    let d = w.ledger.review(id).unwrap();
    assert_eq!(d.state, ReviewState::Approved);
    assert!(d.undecided().is_empty());
    let report = w.ledger.verify().unwrap();
    assert_eq!(
        report.signatures, 1,
        "the approval signature must be checked"
    );
    assert_eq!(a.statement.checkpoint.event_count + 1, a.event_seq);
    let html = w.ledger.certificate_html(id).unwrap();
    assert!(html.contains(&w.doc_sha()) && html.contains(&a.signature));
    assert!(
        html.contains("Site 7 &lt;b&gt;"),
        "finding text must be escaped"
    );
    assert!(!html.contains("Site 7 <b>"));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
}

#[test]
fn approving_own_review_is_refused_by_code_and_schema() {
    let mut w = World::new();
    let id = w.submitted_review("vic");
    let vic = w.login("vic");
    assert_eq!(
        code(w.ledger.approve(&vic, PW, id, &w.doc_sha())),
        "self-approval"
    );
    assert_eq!(
        code(w.ledger.return_review(&vic, id, "redo")),
        "self-approval"
    );
    // A program that skips the library still meets the schema's trigger.
    let conn = rusqlite::Connection::open(&w.db).unwrap();
    let vic_id: i64 = conn
        .query_row("SELECT id FROM users WHERE name='vic'", [], |r| r.get(0))
        .unwrap();
    let err = conn
        .execute(
            "INSERT INTO approvals (id, review_id, approver_id, statement, signature, approved_at, event_seq)
             VALUES (99, ?1, ?2, '{}', ?3, 0, 1)",
            rusqlite::params![id, vic_id, "0".repeat(128)],
        )
        .unwrap_err();
    assert!(err.to_string().contains("two-person rule"), "{err}");
}

#[test]
fn submit_with_undecided_findings_is_refused() {
    let mut w = World::new();
    let id = w.open_review("rita");
    let rita = w.login("rita");
    w.ledger
        .decide(&rita, id, 2, Decision::Redact, None)
        .unwrap();
    match w.ledger.submit(&rita, id, Recommendation::Withhold, None) {
        Err(LedgerError::Undecided { count, ids, .. }) => {
            assert_eq!((count, ids.as_str()), (1, "1"));
        }
        other => panic!("{other:?}"),
    }
    // And the schema refuses it too.
    let conn = rusqlite::Connection::open(&w.db).unwrap();
    let err = conn
        .execute(
            "INSERT INTO submissions (id, review_id, recommendation, submitted_by, submitted_at, event_seq)
             SELECT 50, ?1, 'withhold', reviewer_id, 0, 1 FROM reviews WHERE id = ?1",
            [id],
        )
        .unwrap_err();
    assert!(err.to_string().contains("findings undecided"), "{err}");
}

#[test]
fn wrong_passwords_lock_the_account_for_fifteen_minutes() {
    let mut w = World::new();
    for i in 1..MAX_FAILED_LOGINS {
        assert_eq!(
            code(w.ledger.authenticate("rita", "nope-nope")),
            "wrong-password",
            "try {i}"
        );
    }
    assert_eq!(
        code(w.ledger.authenticate("rita", "nope-nope")),
        "account-locked"
    );
    assert_eq!(
        code(w.ledger.authenticate("rita", PW)),
        "account-locked",
        "locked even with the right password"
    );
    w.clock.advance(LOCKOUT_MS - 1);
    assert_eq!(code(w.ledger.authenticate("rita", PW)), "account-locked");
    w.clock.advance(1);
    assert!(
        w.ledger.authenticate("rita", PW).is_ok(),
        "the lock ends after 15 minutes"
    );
    let kinds: Vec<String> = w
        .ledger
        .events()
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "auth.failed").count(), 5);
    assert_eq!(kinds.iter().filter(|k| *k == "account.locked").count(), 1);
    w.ledger.verify().unwrap();
}

#[test]
fn acting_while_locked_is_refused() {
    let mut w = World::new();
    let id = w.open_review("rita");
    let rita = w.login("rita");
    for _ in 0..MAX_FAILED_LOGINS {
        let _ = w.ledger.authenticate("rita", "bad-password");
    }
    let err = w
        .ledger
        .decide(&rita, id, 1, Decision::Redact, None)
        .unwrap_err();
    assert_eq!(err.code(), "account-locked");
    assert!(err.to_string().contains("locked until 2026-"), "{err}");
}

#[test]
fn deactivated_accounts_cannot_log_in_or_act() {
    let mut w = World::new();
    let id = w.open_review("rita");
    let rita = w.login("rita");
    let admin = w.login("admin");
    w.ledger.deactivate_user(&admin, "rita").unwrap();
    assert_eq!(
        code(w.ledger.authenticate("rita", PW)),
        "account-deactivated"
    );
    assert_eq!(
        code(w.ledger.decide(&rita, id, 1, Decision::Redact, None)),
        "account-deactivated"
    );
    let accounts = w.ledger.accounts().unwrap();
    assert!(
        accounts.iter().any(|a| a.name == "rita" && !a.active),
        "kept, never deleted"
    );
    assert_eq!(
        code(w.ledger.deactivate_user(&admin, "admin")),
        "last-admin"
    );
}

#[test]
fn missing_roles_are_refused() {
    let mut w = World::new();
    let id = w.submitted_review("rita");
    let rita = w.login("rita");
    let sam = w.login("sam");
    assert_eq!(
        code(w.ledger.approve(&rita, PW, id, &w.doc_sha())),
        "missing-role"
    );
    let id2 = w.submitted_review("vic");
    match w.ledger.approve(&rita, PW, id2, &w.doc_sha()) {
        Err(LedgerError::MissingRole { role, .. }) => assert_eq!(role, "supervisor"),
        other => panic!("{other:?}"),
    }
    let findings = common::findings();
    let input = clearance_ledger::NewReview {
        document_name: "x".into(),
        document_path: "x".into(),
        document_sha256: w.doc_sha(),
        findings: &findings,
        engine_version: "0".into(),
        watchlist_sha256: None,
    };
    assert_eq!(code(w.ledger.open_review(&sam, &input)), "missing-role");
    assert_eq!(
        code(w.ledger.add_user(&rita, "eve", PW, &[Role::Admin])),
        "missing-role"
    );
}

#[test]
fn changed_file_blocks_approval() {
    let mut w = World::new();
    let id = w.submitted_review("rita");
    let expected = w.doc_sha();
    std::fs::write(&w.doc, "SECRET memo, edited").unwrap();
    let sam = w.login("sam");
    match w.ledger.approve(&sam, PW, id, &w.doc_sha()) {
        Err(e @ LedgerError::FileChanged { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains(&expected) && msg.contains(&w.doc_sha()),
                "{msg}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.ledger.review(id).unwrap().state, ReviewState::Submitted);
}

#[test]
fn wrong_password_at_approval_is_refused_and_counted() {
    let mut w = World::new();
    let id = w.submitted_review("rita");
    let sam = w.login("sam");
    assert_eq!(
        code(
            w.ledger
                .approve(&sam, "not-sams-password", id, &w.doc_sha())
        ),
        "wrong-password"
    );
    assert_eq!(
        w.ledger.events().unwrap().last().unwrap().kind,
        "auth.failed"
    );
    assert_eq!(w.ledger.review(id).unwrap().state, ReviewState::Submitted);
}

#[test]
fn state_machine_refuses_out_of_order_steps() {
    let mut w = World::new();
    let id = w.open_review("rita");
    let rita = w.login("rita");
    let sam = w.login("sam");
    let vic = w.login("vic");
    let sha = w.doc_sha();
    assert_eq!(
        code(w.ledger.approve(&sam, PW, id, &sha)),
        "invalid-state",
        "open, not submitted"
    );
    assert_eq!(
        code(w.ledger.return_review(&sam, id, "why")),
        "invalid-state"
    );
    assert_eq!(
        code(w.ledger.decide(&vic, id, 1, Decision::Redact, None)),
        "not-reviewer"
    );
    assert_eq!(
        code(w.ledger.decide(&rita, id, 3, Decision::Redact, None)),
        "unknown-finding"
    );
    assert_eq!(
        code(w.ledger.decide(&rita, id, 0, Decision::Redact, None)),
        "unknown-finding"
    );
    assert_eq!(
        code(w.ledger.decide(&rita, id, 1, Decision::Release, None)),
        "reason-required"
    );
    assert_eq!(
        code(
            w.ledger
                .decide(&rita, id, 1, Decision::FalsePositive, Some("  "))
        ),
        "reason-required"
    );
    assert_eq!(
        code(w.ledger.decide(&rita, 99, 1, Decision::Redact, None)),
        "unknown-review"
    );
    w.ledger
        .decide(&rita, id, 1, Decision::Release, Some("already public"))
        .unwrap();
    w.ledger
        .decide(&rita, id, 2, Decision::Redact, None)
        .unwrap();
    w.ledger
        .submit(&rita, id, Recommendation::ReleaseWithRedactions, None)
        .unwrap();
    assert_eq!(
        code(w.ledger.decide(&rita, id, 1, Decision::Redact, None)),
        "invalid-state"
    );
    assert_eq!(
        code(w.ledger.submit(&rita, id, Recommendation::Withhold, None)),
        "invalid-state"
    );
    assert_eq!(
        code(w.ledger.return_review(&sam, id, " ")),
        "reason-required"
    );

    // Returned: the reviewer may change a decision and submit again.
    w.ledger
        .return_review(&sam, id, "finding 1 is not public")
        .unwrap();
    assert_eq!(w.ledger.review(id).unwrap().state, ReviewState::Returned);
    w.ledger
        .decide(&rita, id, 1, Decision::Redact, Some("agreed"))
        .unwrap();
    w.ledger
        .submit(&rita, id, Recommendation::ReleaseWithRedactions, None)
        .unwrap();
    let a = w.ledger.approve(&sam, PW, id, &sha).unwrap();
    assert_eq!(
        a.statement.decisions[0].decision, "redact",
        "the latest decision is signed"
    );
    assert_eq!(
        code(w.ledger.approve(&vic, PW, id, &sha)),
        "invalid-state",
        "approved is final"
    );
    assert_eq!(
        code(w.ledger.decide(&rita, id, 1, Decision::Redact, None)),
        "invalid-state"
    );
    let d = w.ledger.review(id).unwrap();
    assert_eq!(d.returns.len(), 1);
    assert_eq!(
        d.findings[0]
            .disposition
            .as_ref()
            .unwrap()
            .reason
            .as_deref(),
        Some("agreed")
    );
    w.ledger.verify().unwrap();
}

#[test]
fn certificate_needs_an_approval() {
    let mut w = World::new();
    let id = w.submitted_review("rita");
    assert_eq!(code(w.ledger.certificate_html(id)), "invalid-state");
}

#[test]
fn password_change_reseals_the_key() {
    let mut w = World::new();
    let id = w.submitted_review("rita");
    let before = w.ledger.account("sam").unwrap().public_key;
    w.ledger
        .change_password("sam", PW, "a-new-password")
        .unwrap();
    assert_eq!(code(w.ledger.authenticate("sam", PW)), "wrong-password");
    let sam = w.ledger.authenticate("sam", "a-new-password").unwrap();
    let a = w
        .ledger
        .approve(&sam, "a-new-password", id, &w.doc_sha())
        .unwrap();
    assert_eq!(
        a.public_key, before,
        "the key pair survives a password change"
    );
    assert_eq!(w.ledger.verify().unwrap().signatures, 1);
}

#[test]
fn init_only_once_and_names_unique() {
    let mut w = World::new();
    assert_eq!(code(w.ledger.init("other", PW)), "already-initialized");
    let admin = w.login("admin");
    assert_eq!(
        code(w.ledger.add_user(&admin, "rita", PW, &[Role::Reviewer])),
        "user-exists"
    );
    assert_eq!(
        code(
            w.ledger
                .add_user(&admin, "newbie", "short", &[Role::Reviewer])
        ),
        "invalid-input"
    );
    assert_eq!(code(w.ledger.authenticate("nobody", PW)), "unknown-user");
}

#[test]
fn roles_can_change_and_are_rechecked_per_action() {
    let mut w = World::new();
    let id = w.submitted_review("rita");
    let sam = w.login("sam");
    let admin = w.login("admin");
    w.ledger
        .set_roles(&admin, "sam", &[Role::Reviewer])
        .unwrap();
    assert_eq!(
        code(w.ledger.approve(&sam, PW, id, &w.doc_sha())),
        "missing-role"
    );
    w.ledger
        .set_roles(&admin, "sam", &[Role::Supervisor])
        .unwrap();
    w.ledger.approve(&sam, PW, id, &w.doc_sha()).unwrap();
    w.ledger.verify().unwrap();
}
