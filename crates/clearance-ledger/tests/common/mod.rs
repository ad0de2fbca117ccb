//! Shared set-up for the integration tests: a ledger with cheap hashing, a manual clock, and
//! four people (an admin, a reviewer, a supervisor, and someone who is both).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clearance_ledger::{
    KdfParams, Ledger, LedgerOptions, ManualClock, NewReview, OpenMode, Role, Session,
};
use clearance_model::{Category, Finding, Rect, Severity, Source};

pub const PW: &str = "password-1";
pub const T0: i64 = 1_795_700_000_000;

pub fn options(clock: &ManualClock) -> LedgerOptions {
    LedgerOptions {
        clock: Arc::new(clock.clone()),
        kdf: KdfParams::FAST_INSECURE_FOR_TESTS,
    }
}

pub struct World {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub clock: ManualClock,
    pub ledger: Ledger,
    pub doc: PathBuf,
}

impl World {
    /// admin (admin), rita (reviewer), sam (supervisor), vic (reviewer + supervisor).
    pub fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ledger.db");
        let clock = ManualClock::at(T0);
        let mut ledger =
            Ledger::open_with(&db, OpenMode::CreateIfMissing, options(&clock)).unwrap();
        ledger.init("admin", PW).unwrap();
        let admin = ledger.authenticate("admin", PW).unwrap();
        ledger
            .add_user(&admin, "rita", PW, &[Role::Reviewer])
            .unwrap();
        ledger
            .add_user(&admin, "sam", PW, &[Role::Supervisor])
            .unwrap();
        ledger
            .add_user(&admin, "vic", PW, &[Role::Reviewer, Role::Supervisor])
            .unwrap();
        let doc = dir.path().join("memo.txt");
        std::fs::write(&doc, "SECRET memo about Site 7 <b>").unwrap();
        World {
            dir,
            db,
            clock,
            ledger,
            doc,
        }
    }

    pub fn login(&mut self, name: &str) -> Session {
        self.ledger.authenticate(name, PW).unwrap()
    }

    pub fn doc_sha(&self) -> String {
        clearance_ledger::sha256_file(&self.doc).unwrap()
    }

    /// Opens a review of `memo.txt` with two findings, as `reviewer`.
    pub fn open_review(&mut self, reviewer: &str) -> i64 {
        let s = self.login(reviewer);
        let findings = findings();
        let sha = self.doc_sha();
        let input = NewReview {
            document_name: "memo.txt".into(),
            document_path: self.doc.display().to_string(),
            document_sha256: sha,
            findings: &findings,
            engine_version: "0.1.0".into(),
            watchlist_sha256: None,
        };
        self.ledger.open_review(&s, &input).unwrap()
    }

    /// Opens, decides both findings and submits, as `reviewer`.
    pub fn submitted_review(&mut self, reviewer: &str) -> i64 {
        let id = self.open_review(reviewer);
        let s = self.login(reviewer);
        self.ledger
            .decide(&s, id, 1, clearance_ledger::Decision::Redact, None)
            .unwrap();
        self.ledger
            .decide(
                &s,
                id,
                2,
                clearance_ledger::Decision::FalsePositive,
                Some("public name"),
            )
            .unwrap();
        self.ledger
            .submit(
                &s,
                id,
                clearance_ledger::Recommendation::ReleaseWithRedactions,
                None,
            )
            .unwrap();
        id
    }

    pub fn reopen(&self) -> Ledger {
        Ledger::open_with(&self.db, OpenMode::MustExist, options(&self.clock)).unwrap()
    }
}

/// Two findings of the kind the engine produces (floats in the bbox on purpose).
pub fn findings() -> Vec<Finding> {
    let mut a = Finding::new(
        Category::ClassificationMarking,
        "en-classification-banner",
        Severity::High,
        "SECRET",
        Source::Body,
        "classification banner",
    );
    a.page = Some(1);
    a.bbox = Some(Rect {
        x0: 10.5,
        y0: 20.25,
        x1: 60.0,
        y1: 30.0,
    });
    let mut b = Finding::new(
        Category::RestrictedSite,
        "watchlist-site",
        Severity::Medium,
        "Site 7 <b>",
        Source::Body,
        "watchlisted site",
    );
    b.context = "memo about Site 7".into();
    vec![a, b]
}

pub fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
}
