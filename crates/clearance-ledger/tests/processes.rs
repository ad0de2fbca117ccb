//! Several processes on one ledger: a writer killed with SIGKILL mid-burst loses nothing it
//! committed and leaves a chain that verifies; two writers at once both get every event in.
//!
//! The writers are this same test binary re-run with `child_writer` selected and the ledger
//! path in an environment variable, so no extra binary is needed.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clearance_ledger::{Decision, KdfParams, Ledger, LedgerOptions, OpenMode};
use common::{World, PW};

const ENV_DB: &str = "CLEARANCE_LEDGER_CHILD_DB";
const ENV_REVIEW: &str = "CLEARANCE_LEDGER_CHILD_REVIEW";
const ENV_COUNT: &str = "CLEARANCE_LEDGER_CHILD_COUNT";

/// The child side: appends decisions as fast as it can, printing the event count after each
/// commit. Does nothing when run as an ordinary test.
#[test]
fn child_writer() {
    let Ok(db) = std::env::var(ENV_DB) else {
        return;
    };
    let review: i64 = std::env::var(ENV_REVIEW).unwrap().parse().unwrap();
    let count: u64 = std::env::var(ENV_COUNT)
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(u64::MAX);
    let options = LedgerOptions {
        kdf: KdfParams::FAST_INSECURE_FOR_TESTS,
        ..LedgerOptions::default()
    };
    let mut ledger = Ledger::open_with(db.as_ref(), OpenMode::MustExist, options).unwrap();
    let s = ledger.authenticate("rita", PW).unwrap();
    let mut out = std::io::stdout().lock();
    let mut n = 0u64;
    while n < count {
        let d = if n & 1 == 0 {
            Decision::Redact
        } else {
            Decision::FalsePositive
        };
        let reason = (d == Decision::FalsePositive).then_some("looked again");
        ledger
            .decide(&s, review, 1 + (n % 2) as i64, d, reason)
            .unwrap();
        n += 1;
        writeln!(
            out,
            "committed {}",
            ledger.checkpoint().unwrap().event_count
        )
        .unwrap();
        out.flush().unwrap();
    }
}

fn spawn_writer(w: &World, review: i64, count: Option<u64>) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "child_writer",
        "--exact",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env(ENV_DB, &w.db)
    .env(ENV_REVIEW, review.to_string())
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    if let Some(c) = count {
        cmd.env(ENV_COUNT, c.to_string());
    }
    cmd.spawn().unwrap()
}

fn last_committed(text: &str) -> i64 {
    text.lines()
        .filter_map(|l| l.strip_prefix("committed "))
        .filter_map(|n| n.trim().parse().ok())
        .max()
        .unwrap_or(0)
}

#[test]
fn killed_writer_loses_nothing_committed_and_the_chain_verifies() {
    let mut w = World::new();
    let review = w.open_review("rita");
    for round in 0..3u64 {
        let before = w.ledger.checkpoint().unwrap().event_count;
        let mut child = spawn_writer(&w, review, None);
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => {
                        text.push_str(&l);
                        text.push('\n');
                    }
                    Err(_) => break,
                }
            }
            text
        });
        // Wait until the child is well into its burst, then kill it at an arbitrary moment.
        let start = Instant::now();
        loop {
            let now = w.ledger.checkpoint().unwrap().event_count;
            if now >= before + 20 + (round as i64) * 7 {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the child never wrote"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(3 * round + 1));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let printed = reader.join().unwrap();
        let committed = last_committed(&printed);
        assert!(
            committed > before,
            "round {round}: the child reported no commit"
        );

        let ledger = w.reopen();
        let report = ledger.verify().unwrap();
        assert!(
            report.checkpoint.event_count >= committed,
            "round {round}: {committed} events were committed but only {} survived",
            report.checkpoint.event_count
        );
    }
    // The surviving ledger still accepts writes from this process.
    let rita = w.login("rita");
    w.ledger
        .decide(&rita, review, 1, Decision::Redact, None)
        .unwrap();
    w.ledger.verify().unwrap();
}

#[test]
fn two_processes_writing_at_once_both_get_every_event_in() {
    let mut w = World::new();
    let review = w.open_review("rita");
    let before = w.ledger.checkpoint().unwrap().event_count;
    const EACH: u64 = 150;
    let a = spawn_writer(&w, review, Some(EACH));
    let b = spawn_writer(&w, review, Some(EACH));
    // This process writes too, through its own connection.
    let rita = w.login("rita");
    for _ in 0..20 {
        w.ledger
            .decide(&rita, review, 2, Decision::Redact, None)
            .unwrap();
    }
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a writer failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout)
                .matches("committed ")
                .count() as u64,
            EACH
        );
    }
    let report = w.reopen().verify().unwrap();
    assert_eq!(report.checkpoint.event_count, before + 2 * EACH as i64 + 20);
    let kinds = w.ledger.events().unwrap();
    let seqs: Vec<i64> = kinds.iter().map(|e| e.seq).collect();
    assert!(
        seqs.windows(2).all(|p| p[1] == p[0] + 1),
        "no gaps, no duplicates"
    );
}
