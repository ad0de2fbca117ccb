//! The command layer end to end, driven through clap parsing and `cli::run` with strings for
//! standard input: init → users → open → decide → submit → approve → verify → export →
//! certificate, plus the refusals a script must see as errors.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clap::Parser;
use clearance_ledger::cli::{run, CliContext, SignoffCommand};
use clearance_ledger::{KdfParams, LedgerError, LedgerOptions, ManualClock};
use clearance_model::DocumentReport;
use serde_json::Value;

/// The binary's shape: a global `--db` and the sign-off subcommands.
#[derive(Parser)]
struct TestCli {
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    cmd: SignoffCommand,
}

/// How the binary embeds the sign-off commands next to its own (`scan`).
#[derive(Parser)]
struct BinaryShape {
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: BinaryCommand,
}

#[derive(clap::Subcommand)]
enum BinaryCommand {
    /// The engine's own command.
    Scan { file: PathBuf },
    #[command(flatten)]
    Signoff(SignoffCommand),
}

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buf {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn scan(path: &Path, _rules: Option<&Path>) -> Result<DocumentReport, String> {
    Ok(DocumentReport {
        path: path.display().to_string(),
        sha256: clearance_ledger::sha256_file(path).map_err(|e| e.to_string())?,
        format: None,
        pages: Some(1),
        findings: common::findings(),
        errors: vec![],
        warnings: vec![],
        content: None,
    })
}

struct Harness {
    dir: tempfile::TempDir,
    clock: ManualClock,
}

struct Out {
    result: Result<(), LedgerError>,
    stdout: String,
    stderr: String,
}

impl Harness {
    fn new() -> Self {
        Harness {
            dir: tempfile::tempdir().unwrap(),
            clock: ManualClock::at(common::T0),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> String {
        self.path("ledger.db").display().to_string()
    }

    fn run(&self, args: &[&str], stdin: &str) -> Out {
        let argv = std::iter::once("clearance").chain(args.iter().copied());
        let cli = TestCli::try_parse_from(argv).unwrap();
        let out = Buf::default();
        let err = Buf::default();
        let scanner = scan;
        let mut ctx = CliContext {
            db_path: cli.db.unwrap(),
            options: LedgerOptions {
                clock: Arc::new(self.clock.clone()),
                kdf: KdfParams::FAST_INSECURE_FOR_TESTS,
            },
            stdin: Box::new(std::io::Cursor::new(stdin.as_bytes().to_vec())),
            stdout: Box::new(out.clone()),
            stderr: Box::new(err.clone()),
            terminal: false,
            scanner: &scanner,
        };
        let result = run(cli.cmd, &mut ctx).map(|_| ());
        Out {
            result,
            stdout: out.text(),
            stderr: err.text(),
        }
    }

    /// One account as `user list --json` shows it.
    fn account(&self, db: &str, name: &str) -> Value {
        let users: Value =
            serde_json::from_str(&self.ok(&["--db", db, "user", "list", "--json"], "")).unwrap();
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not listed: {users}"))
    }

    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let o = self.run(args, stdin);
        if let Err(e) = o.result {
            panic!("{args:?} failed: {e}");
        }
        o.stdout
    }

    fn refused(&self, args: &[&str], stdin: &str) -> LedgerError {
        match self.run(args, stdin).result {
            Err(e) => e,
            Ok(()) => panic!("{args:?} should have been refused"),
        }
    }

    /// A ledger with admin, rita (reviewer), sam (supervisor), vic (both).
    fn with_users() -> Self {
        let h = Harness::new();
        let db = h.db();
        // --db after the subcommand works too (it is global).
        h.ok(
            &["init", "--admin", "admin", "--password-stdin", "--db", &db],
            "password-1\n",
        );
        let two = "password-1\npassword-1\n";
        h.ok(
            &[
                "--db",
                &db,
                "user",
                "add",
                "rita",
                "--role",
                "reviewer",
                "--as",
                "admin",
                "--password-stdin",
            ],
            two,
        );
        h.ok(
            &[
                "--db",
                &db,
                "user",
                "add",
                "sam",
                "--role",
                "supervisor",
                "--as",
                "admin",
                "--password-stdin",
            ],
            two,
        );
        h.ok(
            &[
                "--db",
                &db,
                "user",
                "add",
                "vic",
                "--role",
                "reviewer,supervisor",
                "--as",
                "admin",
                "--password-stdin",
            ],
            two,
        );
        h
    }
}

const PW: &str = "password-1\n";

#[test]
fn whole_flow_through_the_command_layer() {
    let h = Harness::with_users();
    let db = h.db();
    let users: Value =
        serde_json::from_str(&h.ok(&["--db", &db, "user", "list", "--json"], "")).unwrap();
    let vic = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "vic")
        .unwrap();
    assert_eq!(
        vic["roles"],
        serde_json::json!(["reviewer", "supervisor"]),
        "comma-separated roles"
    );

    let doc = h.path("report.pdf");
    std::fs::write(&doc, b"%PDF-1.4 SECRET Site 7").unwrap();
    let rules = h.path("rules.toml");
    std::fs::write(&rules, b"[[term]]\ntext = 'Site 7'\n").unwrap();
    let doc_s = doc.display().to_string();
    let rules_s = rules.display().to_string();
    let opened: Value = serde_json::from_str(&h.ok(
        &[
            "--db",
            &db,
            "review",
            "open",
            &doc_s,
            "--rules",
            &rules_s,
            "--json",
            "--as",
            "rita",
            "--password-stdin",
        ],
        PW,
    ))
    .unwrap();
    assert_eq!(opened["review"], "1");
    let sha = clearance_ledger::sha256_file(&doc).unwrap();
    assert_eq!(opened["sha256"], sha.as_str());
    let findings = opened["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0]["id"], "1");
    assert_eq!(
        findings[0]["category"], "classification-marking",
        "the scan finding's own fields"
    );
    assert_eq!(findings[1]["text"], "Site 7 <b>");

    let as_rita = ["--as", "rita", "--password-stdin"];
    let decide = |f: &str, d: &str, reason: Option<&str>| {
        let mut a = vec!["--db", db.as_str(), "review", "decide", "1", f, d];
        if let Some(r) = reason {
            a.extend(["--reason", r]);
        }
        a.extend(as_rita);
        h.run(&a, PW).result
    };
    decide("1", "redact", None).unwrap();
    assert_eq!(
        decide("2", "false-positive", None).unwrap_err().code(),
        "reason-required"
    );
    let e = h.refused(
        &[
            "--db",
            &db,
            "review",
            "submit",
            "1",
            "--recommend",
            "release-with-redactions",
            "--as",
            "rita",
            "--password-stdin",
        ],
        PW,
    );
    assert_eq!(e.code(), "undecided-findings");
    assert!(e.to_string().contains("1 finding(s) undecided"), "{e}");
    decide("2", "false-positive", Some("the name of a public park")).unwrap();

    let record = h.path("record.json");
    std::fs::write(
        &record,
        r#"{"original_marking":"SECRET","original_level":"secret","authority":"Declassification guide 4.2",
            "decision":"partial","date":"2026-11-26","notes":"banner removed"}"#,
    )
    .unwrap();
    let record_s = record.display().to_string();
    h.ok(
        &[
            "--db",
            &db,
            "review",
            "submit",
            "1",
            "--recommend",
            "release-with-redactions",
            "--record-file",
            &record_s,
            "--as",
            "rita",
            "--password-stdin",
        ],
        PW,
    );

    // Refusals the script must see.
    assert_eq!(
        h.refused(
            &[
                "--db",
                &db,
                "review",
                "approve",
                "1",
                "--as",
                "rita",
                "--password-stdin"
            ],
            PW
        )
        .code(),
        "missing-role"
    );
    assert_eq!(
        h.refused(
            &[
                "--db",
                &db,
                "review",
                "approve",
                "1",
                "--as",
                "sam",
                "--password-stdin"
            ],
            "wrong-pass\n"
        )
        .code(),
        "wrong-password"
    );
    assert_eq!(
        h.refused(&["--db", &db, "review", "approve", "1", "--as", "sam"], "")
            .code(),
        "invalid-input",
        "no terminal, no --password-stdin"
    );

    h.clock.advance(3_600_000);
    let approved = h.ok(
        &[
            "--db",
            &db,
            "review",
            "approve",
            "1",
            "--as",
            "sam",
            "--password-stdin",
        ],
        PW,
    );
    assert!(approved.contains("approved review 1 as sam"), "{approved}");

    let shown: Value =
        serde_json::from_str(&h.ok(&["--db", &db, "review", "show", "1", "--json"], "")).unwrap();
    assert_eq!(shown["state"], "approved");
    assert_eq!(
        shown["findings"][1]["disposition"]["reason"],
        "the name of a public park"
    );
    assert_eq!(shown["submission"]["record"]["decision"], "partial");
    assert_eq!(shown["approval"]["approver"], "sam");
    assert_eq!(
        shown["watchlist_sha256"],
        clearance_ledger::sha256_file(&rules).unwrap().as_str()
    );
    let listed: Value = serde_json::from_str(&h.ok(
        &[
            "--db", &db, "review", "list", "--state", "approved", "--json",
        ],
        "",
    ))
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let none: Value = serde_json::from_str(&h.ok(
        &["--db", &db, "review", "list", "--state", "open", "--json"],
        "",
    ))
    .unwrap();
    assert!(none.as_array().unwrap().is_empty());

    let verified = h.ok(&["--db", &db, "ledger", "verify"], "");
    assert!(
        verified.contains("ledger verifies") && verified.contains("1 approval signature"),
        "{verified}"
    );

    let export = h.path("export.json");
    let export_s = export.display().to_string();
    let cp_text = h.ok(
        &[
            "--db", &db, "ledger", "export", "--format", "json", "--out", &export_s,
        ],
        "",
    );
    let cp: Value = serde_json::from_str(cp_text.trim()).unwrap();
    let report =
        clearance_ledger::verify_export(&std::fs::read_to_string(&export).unwrap()).unwrap();
    assert_eq!(
        report.checkpoint.event_count,
        cp["event_count"].as_i64().unwrap()
    );
    let cp_file = h.path("checkpoint.json");
    std::fs::write(&cp_file, cp_text.trim()).unwrap();
    let cp_s = cp_file.display().to_string();
    h.ok(
        &["--db", &db, "ledger", "verify", "--checkpoint", &cp_s],
        "",
    );
    h.ok(
        &["--db", &db, "ledger", "verify", "--checkpoint", &export_s],
        "",
    );

    let csv = h.run(&["--db", &db, "ledger", "export", "--format", "csv"], "");
    assert!(csv.stdout.starts_with("seq,time,"), "{}", csv.stdout);
    assert!(csv.stderr.starts_with("checkpoint: {"), "{}", csv.stderr);

    let cert = h.path("cert.html");
    let cert_s = cert.display().to_string();
    h.ok(&["--db", &db, "certificate", "1", "--out", &cert_s], "");
    let html = std::fs::read_to_string(&cert).unwrap();
    for needle in [
        sha.as_str(),
        "report.pdf",
        "rita",
        "sam",
        "the name of a public park",
        "Declassification guide 4.2",
        "Checkpoint at approval",
    ] {
        assert!(html.contains(needle), "certificate lacks {needle}");
    }
    assert!(html.contains("Site 7 &lt;b&gt;") && !html.contains("Site 7 <b>"));

    // A later edit of the database file is named by `ledger verify`.
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("DROP TRIGGER returns_no_update; DROP TRIGGER dispositions_no_update;")
            .unwrap();
        c.execute(
            "UPDATE dispositions SET reason = 'edited later' WHERE finding = 2",
            [],
        )
        .unwrap();
    }
    let e = h.refused(&["--db", &db, "ledger", "verify"], "");
    assert_eq!(e.code(), "chain-broken");
    assert!(
        e.to_string().starts_with("ledger chain broken at event #"),
        "{e}"
    );
}

#[test]
fn changed_file_self_approval_and_locks_via_cli() {
    let h = Harness::with_users();
    let db = h.db();
    let doc = h.path("memo.txt");
    std::fs::write(&doc, "SECRET").unwrap();
    let doc_s = doc.display().to_string();
    h.ok(
        &[
            "--db",
            &db,
            "review",
            "open",
            &doc_s,
            "--as",
            "vic",
            "--password-stdin",
        ],
        PW,
    );
    for f in ["1", "2"] {
        h.ok(
            &[
                "--db",
                &db,
                "review",
                "decide",
                "R1",
                f,
                "redact",
                "--as",
                "vic",
                "--password-stdin",
            ],
            PW,
        );
    }
    h.ok(
        &[
            "--db",
            &db,
            "review",
            "submit",
            "1",
            "--recommend",
            "withhold",
            "--as",
            "vic",
            "--password-stdin",
        ],
        PW,
    );
    let e = h.refused(
        &[
            "--db",
            &db,
            "review",
            "approve",
            "1",
            "--as",
            "vic",
            "--password-stdin",
        ],
        PW,
    );
    assert_eq!(e.code(), "self-approval");
    assert!(e.to_string().contains("two-person rule"), "{e}");

    std::fs::write(&doc, "SECRET, changed").unwrap();
    let e = h.refused(
        &[
            "--db",
            &db,
            "review",
            "approve",
            "1",
            "--as",
            "sam",
            "--password-stdin",
        ],
        PW,
    );
    assert_eq!(e.code(), "file-changed");
    std::fs::remove_file(&doc).unwrap();
    assert_eq!(
        h.refused(
            &[
                "--db",
                &db,
                "review",
                "approve",
                "1",
                "--as",
                "sam",
                "--password-stdin"
            ],
            PW
        )
        .code(),
        "file-changed"
    );

    h.ok(
        &[
            "--db",
            &db,
            "review",
            "return",
            "1",
            "--reason",
            "file changed; rescan",
            "--as",
            "sam",
            "--password-stdin",
        ],
        PW,
    );

    for _ in 0..4 {
        assert_eq!(
            h.refused(
                &[
                    "--db",
                    &db,
                    "user",
                    "deactivate",
                    "rita",
                    "--as",
                    "admin",
                    "--password-stdin"
                ],
                "nope-nope\n"
            )
            .code(),
            "wrong-password"
        );
    }
    let e = h.refused(
        &[
            "--db",
            &db,
            "user",
            "deactivate",
            "rita",
            "--as",
            "admin",
            "--password-stdin",
        ],
        "nope-nope\n",
    );
    assert_eq!(e.code(), "account-locked");
    h.clock.advance(clearance_ledger::LOCKOUT_MS);
    h.ok(
        &[
            "--db",
            &db,
            "user",
            "deactivate",
            "rita",
            "--as",
            "admin",
            "--password-stdin",
        ],
        PW,
    );
    let rita = h.account(&db, "rita");
    assert_eq!(rita["active"], false, "deactivated, still listed");
    // Roles change as on the app's Accounts screen; the last administrator stays one.
    h.ok(
        &[
            "--db",
            &db,
            "user",
            "roles",
            "sam",
            "--role",
            "supervisor,reviewer",
            "--as",
            "admin",
            "--password-stdin",
        ],
        PW,
    );
    let sam = h.account(&db, "sam");
    assert_eq!(sam["roles"], serde_json::json!(["reviewer", "supervisor"]));
    let last_admin = h.refused(
        &[
            "--db",
            &db,
            "user",
            "roles",
            "admin",
            "--role",
            "reviewer",
            "--as",
            "admin",
            "--password-stdin",
        ],
        PW,
    );
    assert!(
        !last_admin.code().is_empty(),
        "the last administrator keeps admin"
    );
    let text = h.ok(&["--db", &db, "review", "list"], "");
    assert!(text.contains("returned"), "{text}");
}

#[test]
fn init_and_foreign_files() {
    let h = Harness::new();
    let db = h.db();
    assert_eq!(
        h.refused(&["--db", &db, "review", "list"], "").code(),
        "no-database"
    );
    assert_eq!(
        h.refused(
            &["--db", &db, "init", "--admin", "a", "--password-stdin"],
            "short\n"
        )
        .code(),
        "invalid-input"
    );
    h.ok(
        &["--db", &db, "init", "--admin", "a", "--password-stdin"],
        PW,
    );
    assert_eq!(
        h.refused(
            &["--db", &db, "init", "--admin", "b", "--password-stdin"],
            PW
        )
        .code(),
        "already-initialized"
    );
    let foreign = h.path("notes.db");
    std::fs::write(&foreign, b"just some text, not sqlite").unwrap();
    let f = foreign.display().to_string();
    let e = h.refused(
        &["--db", &f, "init", "--admin", "a", "--password-stdin"],
        PW,
    );
    assert_eq!(e.code(), "not-clearance-database");
    assert!(e.to_string().contains("not a Clearance database"), "{e}");
    assert_eq!(
        std::fs::read(&foreign).unwrap(),
        b"just some text, not sqlite"
    );
}

#[test]
fn clap_shapes() {
    use clap::CommandFactory;
    TestCli::command().debug_assert();
    BinaryShape::command().debug_assert();
    let b = BinaryShape::try_parse_from(["clearance", "review", "list", "--db", "x.db"]).unwrap();
    assert!(matches!(
        b.command,
        BinaryCommand::Signoff(SignoffCommand::Review { .. })
    ));
    assert_eq!(b.db, Some(PathBuf::from("x.db")));
    let b = BinaryShape::try_parse_from(["clearance", "scan", "a.pdf"]).unwrap();
    assert!(matches!(b.command, BinaryCommand::Scan { .. }));
    assert!(
        TestCli::try_parse_from(["clearance", "user", "add", "x", "--as", "a"]).is_err(),
        "--role is required"
    );
    assert!(TestCli::try_parse_from([
        "clearance",
        "user",
        "add",
        "x",
        "--role",
        "boss",
        "--as",
        "a"
    ])
    .is_err());
    assert!(TestCli::try_parse_from([
        "clearance",
        "review",
        "decide",
        "1",
        "1",
        "maybe",
        "--as",
        "a"
    ])
    .is_err());
    assert!(TestCli::try_parse_from(["clearance", "ledger", "export", "--format", "xml"]).is_err());
    assert!(TestCli::try_parse_from([
        "clearance",
        "user",
        "add",
        "x",
        "--role",
        "admin",
        "--role",
        "reviewer,supervisor",
        "--as",
        "a"
    ])
    .is_ok());
}
