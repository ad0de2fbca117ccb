//! Settings that change how the app scans.

use std::path::PathBuf;

use tauri::{AppHandle, Manager};

use crate::error::{ErrorCode, IpcError};
use crate::state::{lock, AppState};

/// Sets (or with `None` clears) the watchlist for scans started from now on, after checking
/// that it loads. Returns the watchlist in use.
#[tauri::command]
pub async fn set_watchlist(
    app: AppHandle,
    path: Option<String>,
) -> Result<Option<String>, IpcError> {
    let path = path.map(PathBuf::from);
    if let Some(p) = path.clone() {
        tauri::async_runtime::spawn_blocking(move || clearance_engine::load_detectors(Some(&p)))
            .await
            .map_err(IpcError::task)?
            .map_err(|e| IpcError::new(ErrorCode::InvalidArgument, format!("watchlist: {e}")))?;
    }
    let state = app.state::<AppState>();
    let shown = path.as_ref().map(|p| p.display().to_string());
    lock(&state.settings).rules = path;
    Ok(shown)
}
