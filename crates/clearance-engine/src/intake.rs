//! The intake folder: files copied or moved into a watched folder are queued once fully
//! written, scanned in worker processes, and their results kept in the database's intake
//! queue, so that a restart resumes unfinished work and never parses the same bytes twice.
//!
//! How it is put together (tokio, as the design card says):
//! - a `notify` watcher's callback feeds a tokio channel with the paths that changed;
//! - a timer polls the pending paths: a file counts as fully written when its size and mtime
//!   have not changed for `settle` (copies and slow writers produce many events; only the
//!   last state matters);
//! - each ready file is hashed and admitted to the queue (same SHA-256 as a known row or a
//!   reviewed document: not parsed again), then scanned with [`scan_file_cancellable`] on a
//!   blocking thread, at most `parallelism` at once (a semaphore);
//! - on shutdown the in-flight workers are killed and their rows put back in the queue, so
//!   the next start resumes them; a reviewer's [`Intake::cancel`] kills the worker and marks
//!   the row cancelled.
//!
//! Limit: a writer that pauses longer than `settle` mid-file is taken to be finished; its
//! next write changes the hash and queues the file again as new content.

use std::collections::HashMap;
use std::future::Future;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clearance_ledger::intake::{Admission, IntakeQueue, QueueEntry, QueueState};
use clearance_ledger::LedgerError;
use clearance_model::DocumentReport;
use notify::{RecursiveMode, Watcher};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

use crate::{
    collect_files, scan_file_cancellable, sha256_file, CancelToken, Cancelled, ScanOptions,
};

/// How long a file must keep its size and mtime before it counts as fully written.
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(1);

/// What to watch and how to scan.
#[derive(Debug, Clone)]
pub struct IntakeConfig {
    /// The intake folder (watched recursively).
    pub folder: PathBuf,
    /// The database holding the queue (the ledger's `--db`).
    pub db: PathBuf,
    /// Limits and watchlist of every scan.
    pub scan: ScanOptions,
    /// See [`DEFAULT_SETTLE`].
    pub settle: Duration,
}

/// Something the intake did, for the app's queue or `clearance watch`'s output.
#[derive(Debug, Clone)]
pub enum IntakeEvent {
    /// A document was parsed (once per content). The report is exactly one entry of
    /// `scan --json`'s `documents`.
    Scanned {
        /// Queue row id.
        id: i64,
        /// The scan result (boxed: it dwarfs the other events).
        report: Box<DocumentReport>,
    },
    /// New bytes that the ledger already has a review for: recorded as done, not parsed.
    AlreadyReviewed {
        /// Queue row id.
        id: i64,
        /// Where the file was found.
        path: PathBuf,
        /// The review covering these bytes.
        review_id: i64,
    },
    /// A file could not be queued (it vanished, it cannot be read, the database refused):
    /// for a log; the file is retried when it changes.
    Problem(String),
}

/// The intake cannot start or keep going.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The folder is missing or not a directory.
    #[error("intake folder {path}: {message}")]
    Folder {
        /// The folder given.
        path: String,
        /// Why it cannot be watched.
        message: String,
    },
    /// The operating system's watcher refused.
    #[error("cannot watch {path}: {source}")]
    Watch {
        /// The folder.
        path: String,
        /// The watcher's error.
        source: notify::Error,
    },
    /// The queue database failed.
    #[error("intake queue: {0}")]
    Queue(#[from] LedgerError),
    /// The async runtime could not start.
    #[error("cannot start the intake runtime: {0}")]
    Runtime(String),
}

/// A watched intake folder and its queue. Cheap to share: the app keeps it in its state and
/// calls [`Intake::cancel`] from a command while [`Intake::run`] runs on its runtime.
#[derive(Clone)]
pub struct Intake {
    shared: Arc<Shared>,
}

struct Shared {
    config: IntakeConfig,
    /// The folder, canonical, and the database's files (never queued if inside it).
    folder: PathBuf,
    db_files: Vec<PathBuf>,
    queue: Mutex<IntakeQueue>,
    running: Mutex<HashMap<i64, CancelToken>>,
    stopping: AtomicBool,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake")
            .field("folder", &self.shared.folder)
            .finish_non_exhaustive()
    }
}

/// Why paths reached the main loop.
enum Notice {
    Changed(Vec<PathBuf>),
    /// The watcher lost events: walk the whole folder again.
    Rescan,
}

impl Intake {
    /// Opens the queue database and checks the folder.
    ///
    /// # Errors
    /// [`IntakeError::Folder`], [`IntakeError::Queue`].
    pub fn open(config: IntakeConfig) -> Result<Intake, IntakeError> {
        let folder_err = |message: String| IntakeError::Folder {
            path: config.folder.display().to_string(),
            message,
        };
        let folder = config
            .folder
            .canonicalize()
            .map_err(|e| folder_err(e.to_string()))?;
        if !folder.is_dir() {
            return Err(folder_err("not a directory".to_string()));
        }
        let queue = IntakeQueue::open(&config.db)?;
        let db = config
            .db
            .canonicalize()
            .unwrap_or_else(|_| config.db.clone());
        let db_files = ["", "-wal", "-shm", "-journal"]
            .iter()
            .map(|suffix| {
                let mut name = db.clone().into_os_string();
                name.push(suffix);
                PathBuf::from(name)
            })
            .collect();
        Ok(Intake {
            shared: Arc::new(Shared {
                config,
                folder,
                db_files,
                queue: Mutex::new(queue),
                running: Mutex::new(HashMap::new()),
                stopping: AtomicBool::new(false),
            }),
        })
    }

    /// The watched folder (canonical).
    pub fn folder(&self) -> &Path {
        &self.shared.folder
    }

    /// Rows still queued or scanning, oldest first (without reading stored results).
    ///
    /// # Errors
    /// Database errors.
    pub fn unfinished(&self) -> Result<Vec<QueueEntry>, IntakeError> {
        Ok(self.shared.queue()?.unfinished()?)
    }

    /// The newest `limit` scanned rows with their stored results, oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub fn finished(&self, limit: usize) -> Result<Vec<QueueEntry>, IntakeError> {
        Ok(self.shared.queue()?.finished(limit)?)
    }

    /// Removes a document from the queue: a queued row is cancelled before any worker
    /// starts, a scanning one has its worker killed. Returns false if it had already
    /// finished.
    ///
    /// # Errors
    /// An unknown id; database errors.
    pub fn cancel(&self, id: i64) -> Result<bool, IntakeError> {
        let cancelled = self.shared.queue()?.cancel(id, now_ms())?;
        if let Some(token) = self.shared.running().get(&id) {
            token.cancel();
        }
        Ok(cancelled)
    }

    /// Watches the folder and scans what arrives until `shutdown` completes; events go to
    /// `events`. On shutdown, in-flight workers are killed and their rows requeued.
    ///
    /// # Errors
    /// [`IntakeError::Watch`] if the folder cannot be watched; database errors at start.
    pub async fn run(
        &self,
        events: mpsc::UnboundedSender<IntakeEvent>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), IntakeError> {
        let shared = &self.shared;
        shared.stopping.store(false, Ordering::SeqCst);
        let (tx, mut rx) = mpsc::unbounded_channel::<Notice>();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let notice = match res {
                Ok(ev) if ev.need_rescan() => Notice::Rescan,
                Ok(ev) if ev.kind.is_access() || ev.kind.is_remove() => return,
                Ok(ev) => Notice::Changed(ev.paths),
                Err(_) => Notice::Rescan,
            };
            // The receiver is gone only once `run` has returned.
            let _ = tx.send(notice);
        })
        .map_err(|source| self.watch_error(source))?;
        // Watch first, then list: a file arriving in between is seen twice, never missed.
        watcher
            .watch(&shared.folder, RecursiveMode::Recursive)
            .map_err(|source| self.watch_error(source))?;

        let permits = Arc::new(Semaphore::new(shared.config.scan.worker.parallelism.max(1)));
        let mut tasks = JoinSet::new();
        let resumed = shared.queue()?.recover()?;
        for entry in resumed {
            let job = Job {
                shared: Arc::clone(shared),
                permits: Arc::clone(&permits),
                events: events.clone(),
            };
            tasks.spawn(job.resume(entry));
        }
        let mut pending = Debounce::new(shared.config.settle);
        self.observe(&mut pending, vec![shared.folder.clone()]);

        let tick =
            (shared.config.settle / 4).clamp(Duration::from_millis(20), Duration::from_millis(250));
        let mut timer = tokio::time::interval(tick);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                Some(notice) = rx.recv() => match notice {
                    Notice::Changed(paths) => self.observe(&mut pending, paths),
                    Notice::Rescan => self.observe(&mut pending, vec![shared.folder.clone()]),
                },
                _ = timer.tick() => {
                    for path in pending.ready(Instant::now(), file_state) {
                        let job = Job {
                            shared: Arc::clone(shared),
                            permits: Arc::clone(&permits),
                            events: events.clone(),
                        };
                        tasks.spawn(job.admit_and_scan(path));
                    }
                }
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        drop(watcher);
        shared.stopping.store(true, Ordering::SeqCst);
        permits.close();
        for token in shared.running().values() {
            token.cancel();
        }
        while tasks.join_next().await.is_some() {}
        Ok(())
    }

    /// Runs [`Intake::run`] on a runtime of its own until SIGINT or SIGTERM, or until
    /// `on_event` breaks (for example on a closed stdout). This is `clearance watch`.
    ///
    /// # Errors
    /// As [`Intake::run`]; [`IntakeError::Runtime`].
    pub fn run_until_interrupted(
        &self,
        mut on_event: impl FnMut(IntakeEvent) -> ControlFlow<()>,
    ) -> Result<(), IntakeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| IntakeError::Runtime(e.to_string()))?;
        runtime.block_on(async {
            let (events_tx, mut events_rx) = mpsc::unbounded_channel();
            let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
            let signals = interrupted()?;
            let this = self.clone();
            let runner = tokio::spawn(async move {
                let stop = async move {
                    tokio::select! {
                        () = signals => {}
                        _ = stop_rx => {}
                    }
                };
                this.run(events_tx, stop).await
            });
            let mut stop_tx = Some(stop_tx);
            while let Some(event) = events_rx.recv().await {
                if on_event(event).is_break() {
                    if let Some(tx) = stop_tx.take() {
                        let _ = tx.send(());
                    }
                }
            }
            runner
                .await
                .map_err(|e| IntakeError::Runtime(e.to_string()))?
        })
    }

    /// Adds changed paths to the debounce set; directories (moved in whole) are walked.
    fn observe(&self, pending: &mut Debounce, paths: Vec<PathBuf>) {
        let now = Instant::now();
        for path in paths {
            if path.is_dir() {
                for file in collect_files(std::slice::from_ref(&path))
                    .into_iter()
                    .flatten()
                {
                    self.observe_file(pending, file, now);
                }
            } else {
                self.observe_file(pending, path, now);
            }
        }
    }

    fn observe_file(&self, pending: &mut Debounce, path: PathBuf, now: Instant) {
        if self.shared.db_files.contains(&path) {
            return;
        }
        pending.touch(path, now);
    }

    fn watch_error(&self, source: notify::Error) -> IntakeError {
        IntakeError::Watch {
            path: self.shared.folder.display().to_string(),
            source,
        }
    }
}

/// Completes on SIGINT or SIGTERM.
fn interrupted() -> Result<impl Future<Output = ()>, IntakeError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let runtime = |e: std::io::Error| IntakeError::Runtime(e.to_string());
        let mut term = signal(SignalKind::terminate()).map_err(runtime)?;
        let mut int = signal(SignalKind::interrupt()).map_err(runtime)?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

impl Shared {
    fn queue(&self) -> Result<MutexGuard<'_, IntakeQueue>, IntakeError> {
        // A panic while holding the lock leaves SQLite consistent (whole transactions only).
        Ok(self.queue.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn running(&self) -> MutexGuard<'_, HashMap<i64, CancelToken>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn problem(&self, events: &mpsc::UnboundedSender<IntakeEvent>, message: String) {
        let _ = events.send(IntakeEvent::Problem(message));
    }
}

/// One file's way through the queue, as a tokio task.
struct Job {
    shared: Arc<Shared>,
    permits: Arc<Semaphore>,
    events: mpsc::UnboundedSender<IntakeEvent>,
}

impl Job {
    /// A settled file: hash, admit once per content, scan if new.
    async fn admit_and_scan(self, path: PathBuf) {
        let hashed = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || sha256_file(&path)).await
        };
        let sha256 = match hashed {
            Ok(Ok(h)) => h,
            // Moved away again before it settled: nothing to do.
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => return,
            Ok(Err(e)) => {
                return self.shared.problem(
                    &self.events,
                    format!("{}: cannot read: {e}", path.display()),
                )
            }
            Err(e) => {
                return self
                    .shared
                    .problem(&self.events, format!("{}: {e}", path.display()))
            }
        };
        let label = path.display().to_string();
        let admitted = self
            .shared
            .queue()
            .and_then(|mut q| Ok(q.admit(&label, &sha256, now_ms())?));
        match admitted {
            Ok(Admission::Queued(id)) => self.scan(id, path).await,
            Ok(Admission::Known(_)) => {}
            Ok(Admission::Reviewed(entry)) => {
                let _ = self.events.send(IntakeEvent::AlreadyReviewed {
                    id: entry.id,
                    path,
                    review_id: entry.review_id.unwrap_or_default(),
                });
            }
            Err(e) => self.shared.problem(&self.events, format!("{label}: {e}")),
        }
    }

    /// A row left unfinished by an earlier run.
    async fn resume(self, entry: QueueEntry) {
        let path = PathBuf::from(&entry.path);
        let hashed = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || sha256_file(&path)).await
        };
        match hashed {
            Ok(Ok(h)) if h == entry.sha256 => self.scan(entry.id, path).await,
            Ok(Ok(_)) => {
                // Replaced by different bytes while nothing watched: those are new content.
                if let Err(e) = self
                    .shared
                    .queue()
                    .and_then(|mut q| Ok(q.cancel(entry.id, now_ms())?))
                {
                    self.shared
                        .problem(&self.events, format!("{}: {e}", entry.path));
                }
                self.admit_and_scan(path).await;
            }
            Ok(Err(e)) => {
                let report = DocumentReport::failed(
                    &entry.path,
                    &entry.sha256,
                    format!(
                        "cannot read file: {e} (it left the intake folder before it was scanned)"
                    ),
                );
                self.store(entry.id, report);
            }
            Err(e) => self
                .shared
                .problem(&self.events, format!("{}: {e}", entry.path)),
        }
    }

    /// Waits for a worker slot, then parses the file in a worker process.
    async fn scan(self, id: i64, path: PathBuf) {
        // Closed on shutdown: the row stays queued for the next start.
        let Ok(_permit) = Arc::clone(&self.permits).acquire_owned().await else {
            return;
        };
        let token = CancelToken::new();
        self.shared.running().insert(id, token.clone());
        // Checked after registering: shutdown sets `stopping` before it cancels every
        // registered token, so either it sees this one or this sees `stopping`.
        if self.shared.stopping.load(Ordering::SeqCst) {
            self.shared.running().remove(&id);
            return;
        }
        let started = self
            .shared
            .queue()
            .and_then(|mut q| Ok(q.start(id, now_ms())?));
        match started {
            Ok(true) => {}
            Ok(false) => {
                // Cancelled while it waited.
                self.shared.running().remove(&id);
                return;
            }
            Err(e) => {
                self.shared.running().remove(&id);
                return self
                    .shared
                    .problem(&self.events, format!("{}: {e}", path.display()));
            }
        }
        let opts = self.shared.config.scan.clone();
        let worker_path = path.clone();
        let outcome =
            tokio::task::spawn_blocking(move || scan_file_cancellable(&worker_path, &opts, &token))
                .await;
        self.shared.running().remove(&id);
        match outcome {
            Ok(Ok(report)) => self.store(id, report),
            Ok(Err(Cancelled)) => {
                // Shutdown puts the row back; a reviewer's cancel already marked it.
                if self.shared.stopping.load(Ordering::SeqCst) {
                    if let Err(e) = self.shared.queue().and_then(|mut q| Ok(q.requeue(id)?)) {
                        self.shared
                            .problem(&self.events, format!("{}: {e}", path.display()));
                    }
                }
            }
            Err(e) => {
                let report = DocumentReport::failed(
                    path.display().to_string(),
                    "",
                    format!("worker thread failed: {e}"),
                );
                self.store(id, report);
            }
        }
    }

    /// Keeps the result in the queue and announces it, unless the row was cancelled.
    fn store(&self, id: i64, report: DocumentReport) {
        let state = if report.errors.is_empty() {
            QueueState::Done
        } else {
            QueueState::Failed
        };
        let json = match serde_json::to_string(&report) {
            Ok(j) => j,
            Err(e) => {
                return self
                    .shared
                    .problem(&self.events, format!("{}: {e}", report.path))
            }
        };
        match self
            .shared
            .queue()
            .and_then(|mut q| Ok(q.finish(id, state, &json, now_ms())?))
        {
            Ok(true) => {
                let _ = self.events.send(IntakeEvent::Scanned {
                    id,
                    report: Box::new(report),
                });
            }
            Ok(false) => {}
            Err(e) => self
                .shared
                .problem(&self.events, format!("{}: {e}", report.path)),
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// What "fully written" is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileState {
    size: u64,
    modified: Option<SystemTime>,
}

fn file_state(path: &Path) -> Option<FileState> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    Some(FileState {
        size: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// Paths waiting for their size and mtime to settle.
struct Debounce {
    settle: Duration,
    pending: HashMap<PathBuf, Watched>,
}

struct Watched {
    last: Option<FileState>,
    since: Instant,
}

impl Debounce {
    fn new(settle: Duration) -> Self {
        Debounce {
            settle,
            pending: HashMap::new(),
        }
    }

    /// Something happened to `path`: (re)start its quiet period.
    fn touch(&mut self, path: PathBuf, now: Instant) {
        self.pending.insert(
            path,
            Watched {
                last: None,
                since: now,
            },
        );
    }

    /// Paths whose state has not changed for `settle`, removed from the set. Paths that are
    /// gone (or are no longer files) are dropped.
    fn ready(&mut self, now: Instant, stat: impl Fn(&Path) -> Option<FileState>) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let settle = self.settle;
        self.pending.retain(|path, w| {
            let Some(state) = stat(path) else {
                return false;
            };
            if w.last != Some(state) {
                w.last = Some(state);
                w.since = now;
            }
            if now.duration_since(w.since) >= settle {
                out.push(path.clone());
                return false;
            }
            true
        });
        out.sort();
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn state(size: u64) -> Option<FileState> {
        Some(FileState {
            size,
            modified: Some(UNIX_EPOCH + Duration::from_secs(size)),
        })
    }

    #[test]
    fn a_growing_file_is_ready_only_after_it_stops_changing() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut d = Debounce::new(Duration::from_millis(1000));
        let p = PathBuf::from("/in/slow.pdf");
        let size = RefCell::new(10);
        let stat = |_: &Path| state(*size.borrow());
        d.touch(p.clone(), ms(0));
        assert!(
            d.ready(ms(0), stat).is_empty(),
            "first sight starts the clock"
        );
        *size.borrow_mut() = 20;
        assert!(d.ready(ms(900), stat).is_empty(), "it grew: clock restarts");
        assert!(
            d.ready(ms(1800), stat).is_empty(),
            "900 ms quiet is not enough"
        );
        assert_eq!(d.ready(ms(1900), stat), vec![p.clone()], "1000 ms quiet");
        assert!(d.ready(ms(5000), stat).is_empty(), "reported once");
    }

    #[test]
    fn vanished_files_are_dropped_and_a_touch_restarts_the_clock() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut d = Debounce::new(Duration::from_millis(100));
        d.touch(PathBuf::from("/in/gone"), ms(0));
        assert!(d.ready(ms(500), |_| None).is_empty());
        assert!(d.pending.is_empty());
        let p = PathBuf::from("/in/a");
        d.touch(p.clone(), ms(0));
        assert!(d.ready(ms(0), |_| state(1)).is_empty());
        d.touch(p.clone(), ms(90));
        assert!(d.ready(ms(150), |_| state(1)).is_empty(), "touched at 90");
        assert_eq!(d.ready(ms(260), |_| state(1)), vec![p]);
    }

    #[test]
    fn a_zero_settle_takes_files_at_first_sight() {
        let mut d = Debounce::new(Duration::ZERO);
        let now = Instant::now();
        d.touch(PathBuf::from("/in/a"), now);
        assert_eq!(d.ready(now, |_| state(3)).len(), 1);
    }
}
