//! The watched intake folder (settings.toml `[intake] folder`): the engine's [`Intake`] runs
//! in the background on the same SQLite database as the ledger (and `clearance watch`), so a
//! file is parsed once whichever front end sees it first and a restart resumes the queue.
//! Each document it scans joins the app's queue, the one list the UI shows, and opens for
//! review like a dropped one. The folder is read at start; a changed folder applies at the
//! next start. At start the documents it scanned before (their reports are stored in the
//! database) join the queue again, so a restart loses no finished work.

use std::path::Path;
use std::time::Duration;

use clearance_engine::{Intake, IntakeConfig, IntakeEvent, DEFAULT_SETTLE};
use clearance_ledger::intake::{QueueEntry, QueueState};
use clearance_model::DocumentReport;
use tauri::{AppHandle, Emitter, Manager};

use crate::dto::{strip_char_boxes, QueueEntryDto, QUEUE_CHANGED};
use crate::queue::{DocId, Queue, ScanState};
use crate::state::{lock, AppState};

/// How often the intake's queue is read for rows still waiting or scanning.
const POLL: Duration = Duration::from_millis(500);

/// Most scanned rows shown again after a restart: the newest ones. Older results stay in the
/// database; a folder of thousands of old reports must not fill the app's memory at start.
const MAX_RESTORED: usize = 2_000;

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
        .spawn(move || {
            restore(&handle, &poller);
            loop {
                poll(&handle, &poller);
                std::thread::sleep(POLL);
            }
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

/// Puts the documents scanned before this start back in the queue, with their reports.
fn restore(app: &AppHandle, intake: &Intake) {
    let rows = match intake.finished(MAX_RESTORED) {
        Ok(rows) => rows,
        Err(e) => return eprintln!("clearance-app: intake: cannot read earlier results: {e}"),
    };
    let state = app.state::<AppState>();
    let (dtos, problems): (Vec<QueueEntryDto>, Vec<String>) = {
        let mut q = lock(&state.queue);
        let (ids, problems) = restore_rows(&mut q, rows);
        let dtos = ids
            .into_iter()
            .filter_map(|id| q.get(id).map(QueueEntryDto::from))
            .collect();
        (dtos, problems)
    };
    for p in problems {
        eprintln!("clearance-app: intake: {p}");
    }
    for row in dtos {
        let _ = app.emit(QUEUE_CHANGED, row);
    }
}

/// Adds finished intake rows (stored reports) to the queue, once per row; returns the entries
/// added and, for rows whose stored result cannot be read, why.
fn restore_rows(queue: &mut Queue, rows: Vec<QueueEntry>) -> (Vec<DocId>, Vec<String>) {
    let mut added = Vec::new();
    let mut problems = Vec::new();
    for row in rows {
        let Some(json) = row.result_json.as_deref() else {
            continue;
        };
        let mut report = match serde_json::from_str::<DocumentReport>(json) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("stored result of {} unreadable: {e}", row.path));
                continue;
            }
        };
        strip_char_boxes(&mut report);
        added.extend(queue.restore_intake(row.id, Path::new(&row.path), report));
    }
    (added, problems)
}

/// Shows intake rows still queued or scanning, with their state.
fn poll(app: &AppHandle, intake: &Intake) {
    let Ok(entries) = intake.unfinished() else {
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

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_ledger::intake::{Admission, IntakeQueue};

    /// Over a real database: rows scanned by an earlier run come back with their reports;
    /// cancelled, unfinished and unreadable rows do not; a second restore adds nothing.
    #[test]
    fn earlier_scans_are_restored_from_the_database() {
        let dir =
            std::env::temp_dir().join(format!("clearance-app-restore-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("ledger.db");
        let mut iq = IntakeQueue::open(&db).unwrap();
        let mut admit =
            |c: char| match iq.admit(&format!("/drop/{c}.pdf"), &c.to_string().repeat(64), 1) {
                Ok(Admission::Queued(id)) => id,
                other => panic!("{other:?}"),
            };
        let (a, b, c, d, e) = (admit('a'), admit('b'), admit('c'), admit('d'), admit('e'));
        let mut scanned = DocumentReport::failed("/drop/a.pdf", "a".repeat(64), String::new());
        scanned.errors.clear();
        scanned.findings.push(clearance_model::Finding::new(
            clearance_model::Category::ClassificationMarking,
            "marking",
            clearance_model::Severity::High,
            "TOP SECRET",
            clearance_model::Source::Body,
            "banner",
        ));
        let failed = DocumentReport::failed("/drop/b.pdf", "b".repeat(64), "encrypted PDF".into());
        for (id, state, json) in [
            (
                a,
                QueueState::Done,
                serde_json::to_string(&scanned).unwrap(),
            ),
            (
                b,
                QueueState::Failed,
                serde_json::to_string(&failed).unwrap(),
            ),
            (d, QueueState::Done, "not json".to_string()),
        ] {
            assert!(iq.start(id, 2).unwrap());
            assert!(iq.finish(id, state, &json, 3).unwrap());
        }
        assert!(iq.cancel(c, 3).unwrap());
        drop(iq);

        // What a restarted app reads.
        let rows = IntakeQueue::open(&db)
            .unwrap()
            .finished(MAX_RESTORED)
            .unwrap();
        let mut q = Queue::default();
        let (ids, problems) = restore_rows(&mut q, rows.clone());
        assert_eq!(ids.len(), 2, "the scanned and the failed row");
        assert_eq!(
            problems.len(),
            1,
            "the unreadable row is named: {problems:?}"
        );
        assert!(problems[0].contains("/drop/d.pdf"));
        let shown: Vec<(Option<i64>, ScanState)> = q
            .entries()
            .iter()
            .map(|x| (x.intake_id, x.state.clone()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (Some(a), ScanState::Scanned { findings: 1 }),
                (
                    Some(b),
                    ScanState::Failed {
                        reason: "encrypted PDF".into()
                    }
                ),
            ]
        );
        let first = q.get(ids[0]).unwrap();
        assert_eq!(first.report.as_ref().map(|r| r.findings.len()), Some(1));
        assert!(!shown.iter().any(|(i, _)| *i == Some(c) || *i == Some(e)));
        let (again, _) = restore_rows(&mut q, rows);
        assert!(again.is_empty(), "restored once");
        assert_eq!(q.entries().len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
