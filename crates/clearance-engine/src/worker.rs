//! Worker processes: every document is parsed by a fresh copy of the current binary with an
//! address-space cap and a wall-clock limit, so a hostile file costs one per-document error.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use clearance_model::{DocumentReport, ScanReport};
use serde::{Deserialize, Serialize};

use crate::{collect_files, load_detectors, scan_bytes, sha256_file, ScanOptions};

/// The first argument that puts a Clearance binary into worker mode.
pub const WORKER_ARG: &str = "__clearance-worker";

/// Legitimate documents can nest deeply (tables in tables); a large stack for the parsing
/// thread keeps those working, while the address-space cap still bounds hostile ones.
const WORKER_STACK: usize = 64 << 20;

/// Most stderr kept from a worker, for recognising how it died.
const STDERR_TAIL: usize = 16 << 10;

#[derive(Serialize, Deserialize)]
struct Request {
    path: PathBuf,
    /// The whole scan's options: the worker needs its own time limit too, to leave OCR a
    /// budget inside it.
    opts: ScanOptions,
}

/// Runs the worker if this process was started as one, and returns its exit code; `None`
/// otherwise. Call it first thing in `main` of every binary that scans.
pub fn maybe_run_worker() -> Option<ExitCode> {
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() != Some(OsStr::new(WORKER_ARG)) {
        return None;
    }
    Some(run_worker())
}

fn run_worker() -> ExitCode {
    let mut input = String::new();
    if std::io::stdin().read_to_string(&mut input).is_err() {
        return ExitCode::from(3);
    }
    let Ok(req) = serde_json::from_str::<Request>(&input) else {
        return ExitCode::from(3);
    };
    limit_address_space(req.opts.worker.memory_bytes);
    let handle = std::thread::Builder::new()
        .stack_size(WORKER_STACK)
        .spawn(move || {
            let label = req.path.display().to_string();
            let report = std::panic::catch_unwind(|| worker_scan(&req)).unwrap_or_else(|panic| {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                DocumentReport::failed(&label, "", format!("parser crashed: {msg}"))
            });
            serde_json::to_writer(std::io::stdout().lock(), &report)
        });
    match handle.map(|h| h.join()) {
        Ok(Ok(Ok(()))) => ExitCode::SUCCESS,
        _ => ExitCode::from(4),
    }
}

fn worker_scan(req: &Request) -> DocumentReport {
    let label = req.path.display().to_string();
    let bytes = match std::fs::read(&req.path) {
        Ok(b) => b,
        Err(e) => return DocumentReport::failed(&label, "", format!("cannot read file: {e}")),
    };
    let detectors = match load_detectors(req.opts.rules.as_deref()) {
        Ok(d) => d,
        Err(e) => return DocumentReport::failed(&label, "", format!("watchlist: {e}")),
    };
    scan_bytes(&label, &bytes, &detectors, &req.opts)
}

#[cfg(unix)]
fn limit_address_space(bytes: u64) {
    let lim = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    let no_core = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit only reads the struct we pass; failure leaves the limit unset, which
    // the parent's timeout still bounds.
    unsafe {
        libc::setrlimit(libc::RLIMIT_AS, &lim);
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
    }
}

#[cfg(not(unix))]
fn limit_address_space(_bytes: u64) {}

/// Asks a running scan to stop: its worker process is killed within a few milliseconds.
/// Clones share the flag, so the app keeps one per queued document and cancels it when the
/// reviewer removes the document.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every scan holding this token (or a clone of it).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A scan stopped by its [`CancelToken`]; its worker was killed and left nothing behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("scan cancelled")]
pub struct Cancelled;

/// Scans one file in a worker process. Never fails: anything that goes wrong becomes the
/// report's `errors`, naming the reason.
pub fn scan_file(path: &Path, opts: &ScanOptions) -> DocumentReport {
    let never = CancelToken::new();
    match scan_file_cancellable(path, opts, &never) {
        Ok(report) => report,
        // Nothing else holds `never`.
        Err(Cancelled) => {
            DocumentReport::failed(path.display().to_string(), "", "cancelled".into())
        }
    }
}

/// [`scan_file`] that kills the worker and returns [`Cancelled`] as soon as `cancel` is
/// cancelled (checked before the worker starts and every few milliseconds while it runs).
///
/// # Errors
/// Only [`Cancelled`]; every other failure is in the report's `errors`.
pub fn scan_file_cancellable(
    path: &Path,
    opts: &ScanOptions,
    cancel: &CancelToken,
) -> Result<DocumentReport, Cancelled> {
    let label = path.display().to_string();
    if cancel.is_cancelled() {
        return Err(Cancelled);
    }
    let sha256 = match sha256_file(path) {
        Ok(h) => h,
        Err(e) => {
            return Ok(DocumentReport::failed(
                &label,
                "",
                format!("cannot read file: {e}"),
            ))
        }
    };
    let mut report = match run_in_worker(path, opts, cancel) {
        Ok(r) => r,
        Err(WorkerFailure::Cancelled) => return Err(Cancelled),
        Err(WorkerFailure::Reason(reason)) => DocumentReport::failed(&label, &sha256, reason),
    };
    report.path = label;
    if report.sha256.is_empty() {
        report.sha256 = sha256;
    }
    Ok(report)
}

/// Why a worker gave no report.
enum WorkerFailure {
    Cancelled,
    /// For the report's `errors`.
    Reason(String),
}

impl From<String> for WorkerFailure {
    fn from(reason: String) -> Self {
        WorkerFailure::Reason(reason)
    }
}

fn run_in_worker(
    path: &Path,
    opts: &ScanOptions,
    cancel: &CancelToken,
) -> Result<DocumentReport, WorkerFailure> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot start worker: {e}"))?;
    let req = Request {
        path: path.to_path_buf(),
        opts: opts.clone(),
    };
    let body = serde_json::to_vec(&req).map_err(|e| format!("cannot start worker: {e}"))?;
    let mut cmd = Command::new(exe);
    // A worker must not outlive the scan that started it (a killed CLI or app would otherwise
    // leave it parsing a hostile file with nobody enforcing its deadline).
    clearance_ocr::die_with_parent(&mut cmd);
    let mut child = cmd
        .arg(WORKER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start worker: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A worker that dies before reading its request shows up in its exit status below.
        let _ = stdin.write_all(&body);
    }
    let stdout = reader_thread(child.stdout.take(), usize::MAX);
    let stderr = reader_thread(child.stderr.take(), STDERR_TAIL);
    let status = wait_with_deadline(&mut child, opts.worker.timeout, cancel);
    let out = stdout.join().unwrap_or_default();
    let err = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
    match status {
        Waited::Cancelled => Err(WorkerFailure::Cancelled),
        Waited::TimedOut => {
            Err(format!("timed out after {}", human_duration(opts.worker.timeout)).into())
        }
        Waited::Exited(Err(e)) => Err(format!("worker failed: {e}").into()),
        Waited::Exited(Ok(status)) if status.success() => serde_json::from_slice(&out)
            .map_err(|e| format!("parser crashed: unreadable worker result ({e})").into()),
        Waited::Exited(Ok(status)) => {
            Err(describe_death(status, &err, opts.worker.memory_bytes).into())
        }
    }
}

fn reader_thread<R: Read + Send + 'static>(
    pipe: Option<R>,
    keep: usize,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let mut chunk = [0u8; 1 << 16];
            while let Ok(n) = p.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > keep {
                    let cut = buf.len() - keep;
                    buf.drain(..cut);
                }
            }
        }
        buf
    })
}

/// How waiting for a worker ended.
enum Waited {
    Exited(std::io::Result<ExitStatus>),
    /// Killed at the deadline.
    TimedOut,
    /// Killed because its token was cancelled.
    Cancelled,
}

/// Waits for the child; kills (and reaps) it when the deadline passes or `cancel` is set.
fn wait_with_deadline(child: &mut Child, limit: Duration, cancel: &CancelToken) -> Waited {
    let deadline = Instant::now() + limit;
    let mut pause = Duration::from_millis(1);
    loop {
        let stop = if cancel.is_cancelled() {
            Some(Waited::Cancelled)
        } else if Instant::now() >= deadline {
            Some(Waited::TimedOut)
        } else {
            None
        };
        if let Some(outcome) = stop {
            let _ = child.kill();
            let _ = child.wait();
            return outcome;
        }
        match child.try_wait() {
            Ok(Some(status)) => return Waited::Exited(Ok(status)),
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(e) => return Waited::Exited(Err(e)),
        }
    }
}

fn describe_death(status: ExitStatus, stderr: &str, memory_bytes: u64) -> String {
    if stderr.contains("memory allocation of") || stderr.contains("capacity overflow") {
        return format!("exceeded the {} memory limit", human_bytes(memory_bytes));
    }
    if stderr.contains("overflowed its stack") {
        return "parser crashed (stack overflow; the file nests too deeply)".to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let what = match sig {
                libc::SIGSEGV => "segmentation fault",
                libc::SIGABRT => "abort",
                libc::SIGKILL => "killed",
                libc::SIGBUS => "bus error",
                _ => "signal",
            };
            return format!("parser crashed ({what}, signal {sig})");
        }
    }
    format!(
        "parser crashed (worker exit status {})",
        status.code().unwrap_or(-1)
    )
}

fn human_bytes(b: u64) -> String {
    if b >= 1 << 30 && b.is_multiple_of(1 << 30) {
        format!("{} GiB", b >> 30)
    } else {
        format!("{} MiB", b >> 20)
    }
}

fn human_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Where a batch scan stands, given to the progress callback after each document.
#[derive(Debug, Clone)]
pub struct Progress {
    /// Documents finished so far (including this one).
    pub done: usize,
    /// Documents in the batch.
    pub total: usize,
    /// Time since the batch started.
    pub elapsed: Duration,
}

impl Progress {
    /// Estimated time left, from the average so far.
    pub fn remaining(&self) -> Option<Duration> {
        (self.done > 0 && self.done < self.total).then(|| {
            self.elapsed
                .mul_f64((self.total - self.done) as f64 / self.done as f64)
        })
    }
}

/// Scans files and directories (walked recursively) with up to `opts.worker.parallelism`
/// workers at once. The report keeps the order in which the files were given or found;
/// `on_report` sees each document as it completes.
pub fn scan_paths(
    paths: &[PathBuf],
    opts: &ScanOptions,
    on_report: &mut dyn FnMut(&Progress, &DocumentReport),
) -> ScanReport {
    let items = collect_files(paths);
    let total = items.len();
    let mut slots: Vec<Option<DocumentReport>> = vec![None; total];
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let (tx, rx) = mpsc::channel::<(usize, DocumentReport)>();
    let threads = opts.worker.parallelism.clamp(1, total.max(1));
    std::thread::scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (items, next) = (&items, &next);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let report = match item {
                    Ok(p) => scan_file(p, opts),
                    Err(e) => DocumentReport::failed(
                        e.path.display().to_string(),
                        "",
                        format!("cannot read: {}", e.reason),
                    ),
                };
                if tx.send((i, report)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (done, (i, report)) in rx.iter().enumerate() {
            let progress = Progress {
                done: done + 1,
                total,
                elapsed: started.elapsed(),
            };
            on_report(&progress, &report);
            if let Some(slot) = slots.get_mut(i) {
                *slot = Some(report);
            }
        }
    });
    ScanReport {
        documents: slots.into_iter().flatten().collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_memory_exhaustion_and_stack_overflow() {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            let abort = ExitStatus::from_raw(libc::SIGABRT);
            assert_eq!(
                describe_death(
                    abort,
                    "memory allocation of 4294967296 bytes failed",
                    1 << 30
                ),
                "exceeded the 1 GiB memory limit"
            );
            assert!(
                describe_death(abort, "thread 'x' has overflowed its stack", 1 << 30)
                    .contains("stack overflow")
            );
            assert!(
                describe_death(ExitStatus::from_raw(libc::SIGSEGV), "", 1 << 30)
                    .contains("segmentation fault")
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_cancelled_worker_is_killed_and_reaped_promptly() {
        // A real child that would outlive the test by far; the worker binary itself cannot
        // run here (the test harness is not a Clearance binary), tests/watch.rs covers that.
        let mut child = Command::new("sleep").arg("60").spawn().unwrap();
        let pid = child.id();
        let token = CancelToken::new();
        let remote = token.clone();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            remote.cancel();
        });
        let started = Instant::now();
        let outcome = wait_with_deadline(&mut child, Duration::from_secs(60), &token);
        canceller.join().unwrap();
        assert!(matches!(outcome, Waited::Cancelled));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "the killed worker must be reaped, not left a zombie"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_deadline_still_applies_and_a_quick_child_is_not_cancelled() {
        let mut slow = Command::new("sleep").arg("60").spawn().unwrap();
        let outcome = wait_with_deadline(&mut slow, Duration::from_millis(50), &CancelToken::new());
        assert!(matches!(outcome, Waited::TimedOut));
        let mut quick = Command::new("true").spawn().unwrap();
        let outcome = wait_with_deadline(&mut quick, Duration::from_secs(10), &CancelToken::new());
        assert!(matches!(outcome, Waited::Exited(Ok(s)) if s.success()));
    }

    #[test]
    fn a_token_cancelled_before_the_scan_starts_no_worker() {
        let token = CancelToken::new();
        token.cancel();
        let r = scan_file_cancellable(Path::new("/nonexistent"), &ScanOptions::default(), &token);
        assert_eq!(r.unwrap_err(), Cancelled);
    }

    #[test]
    fn progress_estimates_remaining_time() {
        let p = Progress {
            done: 2,
            total: 6,
            elapsed: Duration::from_secs(4),
        };
        assert_eq!(p.remaining(), Some(Duration::from_secs(8)));
        let last = Progress {
            done: 6,
            total: 6,
            elapsed: Duration::from_secs(9),
        };
        assert_eq!(last.remaining(), None);
    }

    #[test]
    fn formats_limits_for_people() {
        assert_eq!(human_bytes(1 << 30), "1 GiB");
        assert_eq!(human_bytes(300 << 20), "300 MiB");
        assert_eq!(human_duration(Duration::from_secs(30)), "30 s");
    }
}
