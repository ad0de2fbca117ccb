//! Settings that change how the app scans, and saving them to settings.toml (shared with the
//! CLI, which reads the same file).

use std::path::PathBuf;
use std::time::Duration;

use tauri::{AppHandle, Manager};

use crate::dto::{AppInfo, SavedSettingsDto};
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
        check_watchlist(p).await?;
    }
    let state = app.state::<AppState>();
    let shown = path.as_ref().map(|p| p.display().to_string());
    lock(&state.settings).rules = path;
    Ok(shown)
}

async fn check_watchlist(p: PathBuf) -> Result<(), IpcError> {
    tauri::async_runtime::spawn_blocking(move || clearance_engine::load_detectors(Some(&p)))
        .await
        .map_err(IpcError::task)?
        .map_err(|e| IpcError::new(ErrorCode::InvalidArgument, format!("watchlist: {e}")))?;
    Ok(())
}

/// The settings file's contents for `input`, keeping the fields the screen does not edit
/// (`settle_ms`) from `old`.
fn merged(old: &clearance_engine::Settings, input: SavedSettingsDto) -> clearance_engine::Settings {
    let path = |s: Option<String>| {
        s.map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    };
    clearance_engine::Settings {
        timeout: input.timeout_secs.map(Duration::from_secs),
        memory_bytes: input.memory_mib.map(|m| m.saturating_mul(1 << 20)),
        parallelism: input.parallelism,
        intake_folder: path(input.intake_folder),
        settle: old.settle,
        watchlist: path(input.watchlist),
        language: input.language.filter(|l| !l.trim().is_empty()),
    }
}

/// Checks the settings, writes settings.toml atomically and puts the watchlist and limits in
/// force for scans started from now on (the number of scan threads changes at the next
/// start). Returns the settings in force.
#[tauri::command]
pub async fn save_settings(
    app: AppHandle,
    settings: SavedSettingsDto,
) -> Result<AppInfo, IpcError> {
    let state = app.state::<AppState>();
    let path = state.config_path.clone();
    let new = merged(&lock(&state.settings).file, settings);
    // The file's own parser checks ranges and names the field, exactly as a hand edit would.
    clearance_engine::Settings::parse(&new.to_toml(), &path)
        .map_err(|e| IpcError::new(ErrorCode::InvalidArgument, e.to_string()))?;
    if let Some(lang) = &new.language {
        if !matches!(lang.as_str(), "en" | "zh") {
            return Err(IpcError::new(
                ErrorCode::InvalidArgument,
                format!("unknown language {lang}"),
            ));
        }
    }
    if let Some(w) = new.watchlist.clone() {
        check_watchlist(w).await?;
    }
    if let Some(f) = &new.intake_folder {
        if !f.is_dir() {
            return Err(IpcError::new(
                ErrorCode::InvalidArgument,
                format!("intake folder {} is not a folder", f.display()),
            ));
        }
    }
    let to_write = new.clone();
    let write_path = path.clone();
    tauri::async_runtime::spawn_blocking(move || to_write.save(&write_path))
        .await
        .map_err(IpcError::task)?
        .map_err(|e| IpcError::new(ErrorCode::Io, e.to_string()))?;
    {
        let mut s = lock(&state.settings);
        let threads = s.limits.parallelism;
        let mut next = crate::state::Settings::from_file(new, None, threads);
        // The running scan threads stay as they are until the next start.
        next.limits.parallelism = threads;
        *s = next;
    }
    *lock(&state.config_error) = None;
    Ok(crate::commands::documents::current_app_info(&state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_settle_and_treats_blank_as_unset() {
        let old = clearance_engine::Settings {
            settle: Some(Duration::from_millis(300)),
            timeout: Some(Duration::from_secs(99)),
            ..clearance_engine::Settings::default()
        };
        let m = merged(
            &old,
            SavedSettingsDto {
                watchlist: Some("  ".into()),
                intake_folder: Some("/srv/drop".into()),
                timeout_secs: Some(20),
                memory_mib: Some(512),
                parallelism: None,
                language: Some("zh".into()),
            },
        );
        assert_eq!(m.settle, Some(Duration::from_millis(300)));
        assert_eq!(m.watchlist, None);
        assert_eq!(m.intake_folder, Some(PathBuf::from("/srv/drop")));
        assert_eq!(m.timeout, Some(Duration::from_secs(20)));
        assert_eq!(m.memory_bytes, Some(512 << 20));
        assert_eq!(m.parallelism, None);
        assert_eq!(m.language.as_deref(), Some("zh"));
    }
}
