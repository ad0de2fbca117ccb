//! Intake and review of documents: add, list, open, and the raw bytes for the PDF viewer.

use std::io::Read;
use std::path::PathBuf;

use tauri::{AppHandle, Emitter, Manager, State};

use crate::dto::{AppInfo, DocumentView, LimitsDto, QueueEntryDto, QUEUE_CHANGED, QUEUE_REMOVED};
use crate::error::{ErrorCode, IpcError};
use crate::queue::{Added, DocId, ScanState};
use crate::scanner::Job;
use crate::state::{lock, AppState};

/// Largest file the viewer loads into the webview. Scanning has its own limits.
const MAX_VIEW_BYTES: u64 = 256 << 20;

/// Most paths one `add_documents` call accepts after walking folders: a dropped home folder
/// must not queue a million files.
const MAX_ADD: usize = 5_000;

/// Version, command-line paths and files in use.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    current_app_info(&state)
}

/// [`AppInfo`] for the settings in force now.
pub fn current_app_info(state: &AppState) -> AppInfo {
    AppInfo {
        version: clearance_model::ENGINE_VERSION.to_string(),
        startup_paths: state
            .startup_paths
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        db_path: state.db_path.display().to_string(),
        settings_path: state.config_path.display().to_string(),
        settings_error: lock(&state.config_error).clone(),
        ..settings_info(&lock(&state.settings))
    }
}

/// The parts of [`AppInfo`] that come from the settings in force.
pub fn settings_info(s: &crate::state::Settings) -> AppInfo {
    AppInfo {
        rules: s.rules.as_ref().map(|p| p.display().to_string()),
        limits: LimitsDto::from(&s.limits),
        intake_folder: s
            .file
            .intake_folder
            .as_ref()
            .map(|p| p.display().to_string()),
        language: s.file.language.clone(),
        saved: crate::dto::SavedSettingsDto::from(&s.file),
        ..AppInfo::default()
    }
}

/// Adds files and folders (walked recursively) to the queue and starts scanning them in the
/// background. Both the drop handler and the file dialog call this. Returns the rows added.
#[tauri::command]
pub async fn add_documents(
    app: AppHandle,
    paths: Vec<String>,
) -> Result<Vec<QueueEntryDto>, IpcError> {
    if paths.is_empty() || paths.iter().any(|p| p.trim().is_empty()) {
        return Err(IpcError::new(
            ErrorCode::InvalidArgument,
            "no file or folder was given",
        ));
    }
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let found =
        tauri::async_runtime::spawn_blocking(move || clearance_engine::collect_files(&paths))
            .await
            .map_err(IpcError::task)?;
    if found.len() > MAX_ADD {
        return Err(IpcError::new(
            ErrorCode::InvalidArgument,
            format!(
                "{} files found; add at most {MAX_ADD} at a time",
                found.len()
            ),
        ));
    }
    let state = app.state::<AppState>();
    let mut rows = Vec::with_capacity(found.len());
    let mut jobs = Vec::new();
    {
        let mut q = lock(&state.queue);
        for item in found {
            let id = match item {
                Ok(path) => match q.add(&path) {
                    Added::New(id) => {
                        let cancel = q.get(id).map(|e| e.cancel.clone()).unwrap_or_default();
                        jobs.push(Job { id, path, cancel });
                        id
                    }
                    Added::Pending(id) => id,
                },
                Err(e) => q.add_failed(&e.path, e.reason),
            };
            rows.extend(q.get(id).map(QueueEntryDto::from));
        }
    }
    for row in &rows {
        // Other windows and listeners learn of new rows the same way as of scan progress.
        let _ = app.emit(QUEUE_CHANGED, row.clone());
    }
    for job in jobs {
        state
            .scanner
            .submit(job)
            .map_err(|m| IpcError::new(ErrorCode::Internal, m))?;
    }
    Ok(rows)
}

/// Removes a document from the queue: a queued one is dropped, a scanning one has its worker
/// killed (the scan thread notices within milliseconds; this command never waits for it).
/// Sends `queue-removed` with the id.
#[tauri::command]
pub fn remove_document(app: AppHandle, id: DocId) -> Result<(), IpcError> {
    let state = app.state::<AppState>();
    let removed = lock(&state.queue).remove(id).ok_or_else(|| not_found(id))?;
    if let Some(intake_id) = removed.intake_id {
        // The intake's own worker (if scanning) is killed and its row marked cancelled.
        let intake = lock(&state.intake).clone();
        if let Some(intake) = intake {
            if let Err(e) = intake.cancel(intake_id) {
                eprintln!("clearance-app: intake: cannot cancel row {intake_id}: {e}");
            }
        }
    }
    let _ = app.emit(QUEUE_REMOVED, id);
    Ok(())
}

/// Every document added in this session, oldest first.
#[tauri::command]
pub fn list_queue(state: State<'_, AppState>) -> Vec<QueueEntryDto> {
    lock(&state.queue)
        .entries()
        .iter()
        .map(QueueEntryDto::from)
        .collect()
}

/// The report and extracted content of a scanned (or failed) document.
#[tauri::command]
pub fn get_document(state: State<'_, AppState>, id: DocId) -> Result<DocumentView, IpcError> {
    let q = lock(&state.queue);
    let entry = q.get(id).ok_or_else(|| not_found(id))?;
    match &entry.report {
        Some(report) => Ok(DocumentView {
            entry: QueueEntryDto::from(entry),
            report: report.clone(),
        }),
        None if matches!(entry.state, ScanState::Failed { .. }) => Err(IpcError::new(
            ErrorCode::NotFound,
            format!("{} could not be read", entry.name()),
        )),
        None => Err(IpcError::new(
            ErrorCode::NotReady,
            format!("{} is still being scanned", entry.name()),
        )),
    }
}

/// The file's bytes, for the PDF viewer, checked against the SHA-256 of the scan so the
/// reviewer never sees a file other than the one the findings belong to.
#[tauri::command]
pub async fn read_document_bytes(
    app: AppHandle,
    id: DocId,
) -> Result<tauri::ipc::Response, IpcError> {
    let (path, expected) = {
        let state = app.state::<AppState>();
        let q = lock(&state.queue);
        let entry = q.get(id).ok_or_else(|| not_found(id))?;
        let sha = entry
            .report
            .as_ref()
            .map(|r| r.sha256.clone())
            .unwrap_or_default();
        if sha.is_empty() {
            return Err(IpcError::new(
                ErrorCode::NotReady,
                "the document has not been scanned",
            ));
        }
        (entry.path.clone(), sha)
    };
    let bytes = tauri::async_runtime::spawn_blocking(move || read_checked(&path, &expected))
        .await
        .map_err(IpcError::task)??;
    Ok(tauri::ipc::Response::new(bytes))
}

fn read_checked(path: &std::path::Path, expected_sha256: &str) -> Result<Vec<u8>, IpcError> {
    let io = |e: std::io::Error| IpcError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > MAX_VIEW_BYTES {
        return Err(IpcError::new(
            ErrorCode::TooLarge,
            format!(
                "{} is {} MiB; the viewer loads at most 256 MiB",
                path.display(),
                len >> 20
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // Read one byte past the limit so a file that grew after the size check is caught.
    file.take(MAX_VIEW_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let actual = clearance_engine::sha256_hex(&bytes);
    if actual != expected_sha256 {
        return Err(IpcError::new(
            ErrorCode::FileChanged,
            format!(
                "{} changed on disk after it was scanned; add it again",
                path.display()
            ),
        ));
    }
    Ok(bytes)
}

fn not_found(id: DocId) -> IpcError {
    IpcError::new(ErrorCode::NotFound, format!("no document with id {id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_checked_refuses_a_changed_file() {
        let dir = std::env::temp_dir().join(format!("clearance-app-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.txt");
        std::fs::write(&p, b"abc").unwrap();
        let sha_abc = clearance_engine::sha256_hex(b"abc");
        assert_eq!(read_checked(&p, &sha_abc).unwrap(), b"abc");
        std::fs::write(&p, b"abd").unwrap();
        let err = read_checked(&p, &sha_abc).unwrap_err();
        assert_eq!(err.code, ErrorCode::FileChanged);
        let err = read_checked(&dir.join("missing"), &sha_abc).unwrap_err();
        assert_eq!(err.code, ErrorCode::Io);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
