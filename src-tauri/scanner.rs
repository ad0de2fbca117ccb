//! Background scanning: a few threads (settings.toml's `parallelism`) take documents off a
//! channel, scan each in an engine worker process under the configured limits and publish
//! every state change as a `queue-changed` event. Removing a document cancels its token: a
//! queued one is skipped, a running worker is killed. The UI thread never waits for a scan.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use clearance_engine::{scan_file_cancellable, CancelToken};
use tauri::{AppHandle, Emitter, Manager};

use crate::dto::{strip_char_boxes, QueueEntryDto, QUEUE_CHANGED};
use crate::queue::DocId;
use crate::state::{lock, AppState};

/// One document to scan.
pub struct Job {
    /// Its queue entry.
    pub id: DocId,
    /// The file.
    pub path: PathBuf,
    /// The entry's token, cancelled when the reviewer removes it.
    pub cancel: CancelToken,
}

/// The sending side of the scan channel.
pub struct Scanner {
    tx: Sender<Job>,
}

impl Scanner {
    /// Starts `threads` scan threads; they run until the app exits.
    pub fn start(app: AppHandle, threads: usize) -> Scanner {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..threads.max(1) {
            let (app, rx) = (app.clone(), Arc::clone(&rx));
            let spawned = std::thread::Builder::new()
                .name(format!("scan-{n}"))
                .spawn(move || run(&app, &rx));
            if let Err(e) = spawned {
                eprintln!("clearance-app: cannot start scan thread: {e}");
            }
        }
        Scanner { tx }
    }

    /// Queues a document. Fails only if every scan thread is gone.
    pub fn submit(&self, job: Job) -> Result<(), String> {
        self.tx
            .send(job)
            .map_err(|_| "the scan threads have stopped".to_string())
    }
}

fn run(app: &AppHandle, rx: &Mutex<Receiver<Job>>) {
    loop {
        // Hold the receiver lock only while waiting, so another thread can take the next job.
        let job = match lock(rx).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        let state = app.state::<AppState>();
        // A removed entry is gone from the queue: `start` refuses it and it is skipped.
        if job.cancel.is_cancelled() || !publish(app, &state, job.id, |q| q.start(job.id)) {
            continue;
        }
        let opts = lock(&state.settings).scan_options();
        // Cancelled = removed while scanning: the worker is dead and there is no row to update.
        if let Ok(mut report) = scan_file_cancellable(&job.path, &opts, &job.cancel) {
            strip_char_boxes(&mut report);
            publish(app, &state, job.id, |q| q.finish(job.id, report));
        }
    }
}

/// Applies a change to an entry and sends the new row to the UI. Returns whether the change
/// applied (false once the entry was removed).
fn publish(
    app: &AppHandle,
    state: &AppState,
    id: DocId,
    change: impl FnOnce(&mut crate::queue::Queue) -> bool,
) -> bool {
    let row = {
        let mut q = lock(&state.queue);
        if !change(&mut q) {
            return false;
        }
        q.get(id).map(QueueEntryDto::from)
    };
    if let Some(row) = row {
        if let Err(e) = app.emit(QUEUE_CHANGED, row) {
            eprintln!("clearance-app: cannot send queue event: {e}");
        }
    }
    true
}
