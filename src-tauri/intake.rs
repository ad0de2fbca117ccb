//! The watched intake folder (settings.toml `[intake] folder`): the engine's [`Intake`] runs
//! in the background on the same SQLite database as the ledger (and `clearance watch`), so a
//! file is parsed once whichever front end sees it first and a restart resumes the queue.
//! Each document it scans joins the app's queue, the one list the UI shows, and opens for
//! review like a dropped one. The folder is read at start; a changed folder applies at the
//! next start.

use std::path::Path;
use std::time::Duration;

use clearance_engine::{Intake, IntakeConfig, IntakeEvent, DEFAULT_SETTLE};
use clearance_ledger::intake::QueueState;
use tauri::{AppHandle, Emitter, Manager};

use crate::dto::{strip_char_boxes, QueueEntryDto, QUEUE_CHANGED};
use crate::queue::ScanState;
use crate::state::{lock, AppState};

/// How often the intake's queue is read for rows still waiting or scanning.
const POLL: Duration = Duration::from_millis(500);

/// Starts watching the configured intake folder, if there is one. A folder that cannot be
/// watched is reported with the settings problems (shown in the UI); the app runs on.
pub fn start(app: &AppHandle) {
    let state = app.state::<AppState>();
    let config = {
        let s = lock(&state.settings);
        let Some(folder) = s.file.intake_folder.clone() else {
            return;
        };
        IntakeConfig {
            folder,
            db: state.db_path.clone(),
            scan: s.scan_options(),
            settle: s.file.settle.unwrap_or(DEFAULT_SETTLE),
        }
    };
    let intake = match Intake::open(config) {
        Ok(i) => i,
        Err(e) => return report_problem(&state, e.to_string()),
    };
    *lock(&state.intake) = Some(intake.clone());
    let poller = intake.clone();
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("intake-poll".into())
        .spawn(move || loop {
            poll(&handle, &poller);
            std::thread::sleep(POLL);
        });
    if let Err(e) = spawned {
        report_problem(&state, format!("cannot start the intake poll: {e}"));
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = intake.clone();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = runner.run(tx, std::future::pending()).await {
            report_problem(&handle.state::<AppState>(), e.to_string());
        }
    });
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(event) = rx.recv().await {
            on_event(&app, event);
        }
    });
}

fn report_problem(state: &AppState, message: String) {
    eprintln!("clearance-app: intake: {message}");
    let mut err = lock(&state.config_error);
    *err = Some(match err.take() {
        Some(before) => format!("{before}; {message}"),
        None => message,
    });
}

/// Shows intake rows still queued or scanning, with their state.
fn poll(app: &AppHandle, intake: &Intake) {
    let Ok(entries) = intake.entries() else {
        return;
    };
    let state = app.state::<AppState>();
    let rows: Vec<QueueEntryDto> = {
        let mut q = lock(&state.queue);
        entries
            .iter()
            .filter_map(|e| {
                let s = match e.state {
                    QueueState::Queued => ScanState::Queued,
                    QueueState::Scanning => ScanState::Scanning,
                    _ => return None,
                };
                let id = q.sync_intake(e.id, Path::new(&e.path), s)?;
                q.get(id).map(QueueEntryDto::from)
            })
            .collect()
    };
    for row in rows {
        let _ = app.emit(QUEUE_CHANGED, row);
    }
}

/// A scanned document joins the queue (and the UI learns of it as of any other row).
fn on_event(app: &AppHandle, event: IntakeEvent) {
    match event {
        IntakeEvent::Scanned {
            id: intake_id,
            report,
        } => {
            let mut report = *report;
            strip_char_boxes(&mut report);
            let state = app.state::<AppState>();
            let row = {
                let mut q = lock(&state.queue);
                q.finish_intake(intake_id, report)
                    .and_then(|id| q.get(id).map(QueueEntryDto::from))
            };
            if let Some(row) = row {
                let _ = app.emit(QUEUE_CHANGED, row);
            }
        }
        IntakeEvent::AlreadyReviewed {
            path, review_id, ..
        } => eprintln!(
            "clearance-app: intake: {} is already covered by review {review_id}",
            path.display()
        ),
        IntakeEvent::Problem(message) => eprintln!("clearance-app: intake: {message}"),
    }
}
