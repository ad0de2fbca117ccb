//! `clearance watch` through the real binary, on real files and a temporary database: each
//! document arriving in the intake folder (copied, moved in, written slowly, or inside a
//! folder moved in) is printed once, after it is complete; a restart prints nothing for
//! documents already known and picks up what arrived meanwhile; SIGTERM kills in-flight
//! workers and leaves their rows queued for the next start. Every wait is bounded.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use clearance_ledger::intake::{IntakeQueue, QueueState};
use serde_json::Value;

/// Short enough for quick tests, long enough that the slow writer below never pauses this
/// long between chunks.
const SETTLE_MS: u64 = 500;
const CHUNK_PAUSE: Duration = Duration::from_millis(120);
/// Upper bound for anything the watcher is expected to do (debug build, 2 shared cores).
const PATIENCE: Duration = Duration::from_secs(60);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// A running `clearance watch`, its stdout read line by line on a thread.
struct Watch {
    child: Child,
    lines: Receiver<String>,
}

impl Watch {
    fn start(db: &Path, dir: &Path, extra: &[&str]) -> Watch {
        let rules = fixtures().join("rules.toml");
        let settle = SETTLE_MS.to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_clearance"))
            .arg("--db")
            .arg(db)
            .arg("watch")
            .arg(dir)
            .args(["--settle-ms", &settle, "-j", "2", "--rules"])
            .arg(&rules)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the clearance binary runs");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Reads lines until `n` have arrived (panics after `PATIENCE`), then keeps listening for
    /// `quiet` to catch any line that should not be there.
    fn expect_lines(&self, n: usize, quiet: Duration) -> Vec<Value> {
        let deadline = Instant::now() + PATIENCE;
        let mut out = Vec::new();
        while out.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => out.push(parse_line(&line)),
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "only {} of {n} lines after {PATIENCE:?}: {out:#?}",
                        out.len()
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("watch exited after {} of {n} lines: {out:#?}", out.len())
                }
            }
        }
        let until = Instant::now() + quiet;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match self.lines.recv_timeout(left) {
                Ok(line) => out.push(parse_line(&line)),
                Err(_) => break,
            }
        }
        out
    }

    /// SIGTERM, then waits (bounded) for a clean exit.
    fn terminate(mut self) -> (ExitStatus, Duration) {
        let started = Instant::now();
        signal(self.child.id(), libc::SIGTERM);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return (status, started.elapsed());
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = self.child.kill();
                panic!("watch ignored SIGTERM for 20 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // A failed assertion must not leave a watcher running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(pid: u32, sig: i32) {
    let pid = i32::try_from(pid).expect("pid fits");
    // SAFETY: kill(2) on a child we spawned and have not reaped yet.
    let rc = unsafe { libc::kill(pid, sig) };
    assert_eq!(rc, 0, "kill({pid}, {sig})");
}

fn parse_line(line: &str) -> Value {
    let v: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("each line must be one JSON object ({e}): {line}"));
    assert!(v.is_object(), "{line}");
    for key in ["path", "sha256", "findings", "errors", "warnings"] {
        assert!(
            v.get(key).is_some(),
            "{key} missing (scan --json schema): {line}"
        );
    }
    v
}

/// The lines by file name; each name must appear exactly once.
fn by_name(lines: &[Value]) -> BTreeMap<String, Value> {
    let mut map = BTreeMap::new();
    for v in lines {
        let path = v["path"].as_str().expect("path");
        let name = Path::new(path)
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        assert!(
            map.insert(name.clone(), v.clone()).is_none(),
            "{name} printed twice: {lines:#?}"
        );
    }
    map
}

fn categories(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["category"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn sha256(path: &Path) -> String {
    clearance_ledger::sha256_file(path).expect("hash")
}

fn queue_states(db: &Path) -> BTreeMap<String, QueueState> {
    let q = IntakeQueue::open(db).expect("queue opens");
    q.list()
        .expect("rows")
        .into_iter()
        .map(|e| {
            let name = Path::new(&e.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, e.state)
        })
        .collect()
}

/// Writes `bytes` to `path` in six chunks with pauses shorter than the settle time, as a slow
/// copy over a network share would.
fn write_slowly(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::File::create(path).expect("create");
    for chunk in bytes.chunks(bytes.len().div_ceil(6)) {
        f.write_all(chunk).expect("write");
        f.flush().expect("flush");
        std::thread::sleep(CHUNK_PAUSE);
    }
}

#[test]
fn each_document_arriving_is_printed_once_with_its_findings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, staging, db) = (
        tmp.path().join("in"),
        tmp.path().join("staging"),
        tmp.path().join("clearance.db"),
    );
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::create_dir_all(staging.join("batch")).expect("mkdir");
    // Present before the watcher starts: picked up by the initial listing.
    std::fs::copy(fixtures().join("sample-en.pdf"), dir.join("sample-en.pdf")).expect("copy");
    let watch = Watch::start(&db, &dir, &[]);

    // Copied in.
    std::fs::copy(fixtures().join("sample.docx"), dir.join("sample.docx")).expect("copy");
    // Moved in (renamed from elsewhere on the same file system).
    std::fs::copy(
        fixtures().join("notice-gbk.txt"),
        staging.join("notice-gbk.txt"),
    )
    .expect("copy");
    std::fs::rename(staging.join("notice-gbk.txt"), dir.join("notice-gbk.txt")).expect("mv");
    // A whole folder moved in: no event names the file inside it.
    std::fs::copy(
        fixtures().join("photo-gps.jpg"),
        staging.join("batch/photo-gps.jpg"),
    )
    .expect("copy");
    std::fs::rename(staging.join("batch"), dir.join("batch")).expect("mv dir");
    // Corrupt: a JSON line with errors, not a crash and not silence.
    std::fs::write(
        dir.join("broken.pdf"),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog",
    )
    .expect("write");
    // Written slowly: scanned once, after it is complete.
    let slow_source = fixtures().join("sample-zh.pdf");
    let slow_bytes = std::fs::read(&slow_source).expect("read fixture");
    write_slowly(&dir.join("slow-zh.pdf"), &slow_bytes);

    let lines = watch.expect_lines(6, Duration::from_millis(3 * SETTLE_MS));
    let docs = by_name(&lines);
    assert_eq!(
        docs.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "broken.pdf",
            "notice-gbk.txt",
            "photo-gps.jpg",
            "sample-en.pdf",
            "sample.docx",
            "slow-zh.pdf"
        ],
        "{lines:#?}"
    );

    let en = &docs["sample-en.pdf"];
    assert_eq!(en["sha256"], sha256(&fixtures().join("sample-en.pdf")));
    assert!(
        categories(en).iter().any(|c| c == "classification-marking"),
        "{en}"
    );
    assert_eq!(en["errors"], serde_json::json!([]));
    let docx = &docs["sample.docx"];
    assert!(
        categories(docx).iter().any(|c| c == "military-unit"),
        "{docx}"
    );
    let gbk = &docs["notice-gbk.txt"];
    assert!(!categories(gbk).is_empty(), "{gbk}");
    let photo = &docs["photo-gps.jpg"];
    assert!(
        !categories(photo).is_empty(),
        "GPS inside the geofence: {photo}"
    );

    let slow = &docs["slow-zh.pdf"];
    assert_eq!(
        slow["sha256"],
        sha256(&slow_source),
        "the slow file must be scanned whole, not half-written"
    );
    assert_eq!(slow["errors"], serde_json::json!([]), "{slow}");
    assert!(!categories(slow).is_empty(), "{slow}");

    let broken = &docs["broken.pdf"];
    assert!(
        broken["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "{broken}"
    );
    assert!(broken["findings"].as_array().is_some_and(Vec::is_empty));

    let (status, _) = watch.terminate();
    assert!(status.success(), "a clean interrupt exits 0: {status}");
    let states = queue_states(&db);
    assert_eq!(states.len(), 6, "{states:?}");
    for (name, state) in &states {
        let want = if name == "broken.pdf" {
            QueueState::Failed
        } else {
            QueueState::Done
        };
        assert_eq!(*state, want, "{name}");
    }
}

#[test]
fn a_restart_prints_nothing_known_and_picks_up_what_arrived_meanwhile() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, db) = (tmp.path().join("in"), tmp.path().join("clearance.db"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let watch = Watch::start(&db, &dir, &[]);
    std::fs::copy(fixtures().join("sample-en.pdf"), dir.join("first.pdf")).expect("copy");
    let lines = watch.expect_lines(1, Duration::ZERO);
    assert!(lines[0]["path"]
        .as_str()
        .is_some_and(|p| p.ends_with("first.pdf")));
    let (status, _) = watch.terminate();
    assert!(status.success(), "{status}");

    // While nothing watches: a new document, and the same bytes again under another name.
    std::fs::copy(fixtures().join("sample.docx"), dir.join("while-down.docx")).expect("copy");
    std::fs::copy(
        fixtures().join("sample-en.pdf"),
        dir.join("first-again.pdf"),
    )
    .expect("copy");

    let watch = Watch::start(&db, &dir, &[]);
    let lines = watch.expect_lines(1, Duration::from_millis(4 * SETTLE_MS));
    let docs = by_name(&lines);
    assert_eq!(
        docs.keys().map(String::as_str).collect::<Vec<_>>(),
        ["while-down.docx"],
        "known bytes must not be printed (or parsed) again: {lines:#?}"
    );
    let (status, _) = watch.terminate();
    assert!(status.success(), "{status}");

    // One row per content: first-again.pdf is the same document as first.pdf.
    let states = queue_states(&db);
    assert_eq!(
        states,
        BTreeMap::from([
            ("first.pdf".to_string(), QueueState::Done),
            ("while-down.docx".to_string(), QueueState::Done),
        ])
    );
}

/// Dense sensitive text: real input that keeps a worker busy for many seconds in a debug
/// build (every line holds a marking, an MGRS grid, a phone number and an email).
fn slow_document(path: &Path) {
    let mut text = String::new();
    for i in 0..120_000u32 {
        text.push_str(&format!(
            "Meeting {i} at grid 38SMB4488 call +1 202 555 {:04} SECRET//NOFORN colonel smith 北京 a{i}@x.mil\n",
            i % 10_000
        ));
    }
    std::fs::write(path, text).expect("write slow document");
}

/// Worker processes (`clearance __clearance-worker`) whose parent is `parent`.
fn workers_of(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return out;
    };
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let cmdline = std::fs::read(p.path().join("cmdline")).unwrap_or_default();
        if !String::from_utf8_lossy(&cmdline).contains("__clearance-worker") {
            continue;
        }
        let stat = std::fs::read_to_string(p.path().join("stat")).unwrap_or_default();
        // Fields after the parenthesised command: state, ppid, ...
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|s| s.parse::<u32>().ok());
        if ppid == Some(parent) {
            out.push(pid);
        }
    }
    out
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            // A zombie has exited; only its parent's bookkeeping is left.
            s.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                != Some("Z")
        })
        .unwrap_or(false)
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_kills_the_worker_in_flight_and_the_next_start_resumes_its_row() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, db) = (tmp.path().join("in"), tmp.path().join("clearance.db"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let staged = tmp.path().join("dense.txt");
    slow_document(&staged);
    let watch = Watch::start(&db, &dir, &["--timeout", "300"]);
    std::fs::rename(&staged, dir.join("dense.txt")).expect("mv");

    let deadline = Instant::now() + PATIENCE;
    let workers = loop {
        let w = workers_of(watch.pid());
        if !w.is_empty() {
            break w;
        }
        assert!(
            Instant::now() < deadline,
            "no worker started in {PATIENCE:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    // Let it get properly busy, then stop the watch.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        workers.iter().all(|&w| alive(w)),
        "the slow input must still be parsing"
    );
    let (status, took) = watch.terminate();
    assert!(status.success(), "{status}");
    assert!(took < Duration::from_secs(3), "shutdown took {took:?}");
    for w in workers {
        assert!(!alive(w), "worker {w} outlived the watch");
    }
    assert_eq!(
        queue_states(&db).get("dense.txt"),
        Some(&QueueState::Queued),
        "an interrupted scan goes back to the queue"
    );

    // The next start resumes it; a 1 s limit turns it into a clear per-document error.
    let watch = Watch::start(&db, &dir, &["--timeout", "1"]);
    let lines = watch.expect_lines(1, Duration::ZERO);
    let errors = lines[0]["errors"].to_string();
    assert!(errors.contains("timed out after 1 s"), "{errors}");
    let (status, _) = watch.terminate();
    assert!(status.success(), "{status}");
    assert_eq!(
        queue_states(&db).get("dense.txt"),
        Some(&QueueState::Failed)
    );
}

#[test]
fn bad_settings_name_the_file_line_and_field() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = tmp.path().join("settings.toml");
    std::fs::write(&config, "[limits]\ntimeout_secs = 30\nmemory_mib = 8\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_clearance"))
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(tmp.path().join("db"))
        .arg("watch")
        .arg(tmp.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:3: limits.memory_mib:", config.display())),
        "{err}"
    );
}

#[test]
fn a_document_already_reviewed_in_the_ledger_is_recognised_not_parsed() {
    use clearance_ledger::{KdfParams, Ledger, LedgerOptions, NewReview, OpenMode, Role};
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, db) = (tmp.path().join("in"), tmp.path().join("clearance.db"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let reviewed = fixtures().join("sample-en.pdf");
    let review_id = {
        let options = LedgerOptions {
            kdf: KdfParams::FAST_INSECURE_FOR_TESTS,
            ..Default::default()
        };
        let mut ledger =
            Ledger::open_with(&db, OpenMode::CreateIfMissing, options).expect("ledger");
        ledger.init("admin", "admin-password").expect("init");
        let admin = ledger
            .authenticate("admin", "admin-password")
            .expect("login");
        ledger
            .add_user(&admin, "rita", "rita-password", &[Role::Reviewer])
            .expect("user");
        let rita = ledger.authenticate("rita", "rita-password").expect("login");
        ledger
            .open_review(
                &rita,
                &NewReview {
                    document_name: "sample-en.pdf".into(),
                    document_path: reviewed.display().to_string(),
                    document_sha256: sha256(&reviewed),
                    findings: &[],
                    engine_version: clearance_model::ENGINE_VERSION.into(),
                    watchlist_sha256: None,
                },
            )
            .expect("review")
    };

    let watch = Watch::start(&db, &dir, &[]);
    std::fs::copy(&reviewed, dir.join("again.pdf")).expect("copy");
    std::fs::copy(fixtures().join("sample.docx"), dir.join("new.docx")).expect("copy");
    let lines = watch.expect_lines(1, Duration::from_millis(4 * SETTLE_MS));
    let docs = by_name(&lines);
    assert_eq!(
        docs.keys().map(String::as_str).collect::<Vec<_>>(),
        ["new.docx"],
        "the reviewed document must not be parsed again: {lines:#?}"
    );
    let (status, _) = watch.terminate();
    assert!(status.success(), "{status}");

    let q = IntakeQueue::open(&db).expect("queue");
    let again = q
        .list()
        .expect("rows")
        .into_iter()
        .find(|e| e.path.ends_with("again.pdf"))
        .expect("the reviewed file is recorded");
    assert_eq!(again.state, QueueState::Done);
    assert_eq!(again.review_id, Some(review_id));
    assert_eq!(again.result_json, None, "recognised, not scanned");
    // The intake rows did not disturb the ledger.
    let ledger = Ledger::open(&db).expect("reopen");
    ledger.verify().expect("chain intact");
    ledger
        .check_schema()
        .expect("schema as the migrations make it");
}
