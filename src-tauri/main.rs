//! Clearance desktop app: the Tauri shell around the scan engine and the sign-off ledger.
//!
//! Design decision: the shell is wiring only. Commands decode arguments, call
//! `clearance-engine` / `clearance-ledger` on blocking threads and return transfer types; the
//! UI (ui/, bundled into the binary) renders and collects decisions. The same binary is also
//! the engine's isolated parser worker, which is why `maybe_run_worker` comes first.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod args;
mod commands;
mod dto;
mod error;
mod intake;
mod queue;
mod scanner;
mod state;

use std::process::ExitCode;
use std::sync::Mutex;

use tauri::Manager;

use crate::args::AppArgs;
use crate::state::{AppState, Settings};

/// Parallel scans when settings.toml sets none: each runs a worker process; more than two
/// would starve the UI on small machines.
const SCAN_THREADS: usize = 2;

fn main() -> ExitCode {
    if let Some(code) = clearance_engine::maybe_run_worker() {
        return code;
    }
    let args = match AppArgs::parse(std::env::args_os().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "clearance-app: {e}\nusage: clearance-app [--db PATH] [--rules PATH] [--config PATH] [FILE...]"
            );
            return ExitCode::from(2);
        }
    };
    for opt in &args.ignored {
        eprintln!("clearance-app: ignoring unknown option {opt}");
    }
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("clearance-app: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: AppArgs) -> Result<(), tauri::Error> {
    let AppArgs {
        db,
        rules,
        config,
        paths,
        ..
    } = args;
    let (config_path, settings, config_error) = load_settings(config, rules);
    if let Some(e) = &config_error {
        eprintln!("clearance-app: {e}; using the default settings");
    }
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            // The same default as the CLI, so both front ends share one ledger.
            let db_path = db.unwrap_or_else(clearance_ledger::default_db_path);
            let scanner =
                scanner::Scanner::start(app.handle().clone(), settings.limits.parallelism);
            app.manage(AppState {
                queue: Mutex::default(),
                scanner,
                settings: Mutex::new(settings),
                config_path,
                config_error: Mutex::new(config_error),
                startup_paths: paths,
                db_path,
                ledger: Mutex::default(),
                session: Mutex::default(),
                intake: Mutex::default(),
            });
            intake::start(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::documents::app_info,
            commands::documents::add_documents,
            commands::documents::list_queue,
            commands::documents::remove_document,
            commands::documents::get_document,
            commands::documents::read_document_bytes,
            commands::settings::set_watchlist,
            commands::settings::save_settings,
            commands::ledger::ledger_status,
            commands::ledger::init_ledger,
            commands::ledger::sign_in,
            commands::ledger::sign_out,
            commands::ledger::open_review,
            commands::ledger::decide_finding,
            commands::ledger::submit_review,
            commands::ledger::list_submitted,
            commands::ledger::list_approved,
            commands::ledger::get_review,
            commands::ledger::approve_review,
            commands::ledger::return_review,
            commands::ledger::ledger_events,
            commands::ledger::verify_ledger,
            commands::ledger::export_ledger,
            commands::ledger::certificate,
            commands::ledger::save_certificate,
            commands::accounts::list_accounts,
            commands::accounts::add_account,
            commands::accounts::set_account_roles,
            commands::accounts::deactivate_account,
        ])
        .run(tauri::generate_context!())
}

/// Reads settings.toml (`--config`, else the CLI's default beside the default database; only
/// an explicit file must exist). A bad file gives the defaults plus the reason, which the UI
/// shows: the app still starts.
fn load_settings(
    config: Option<std::path::PathBuf>,
    rules_flag: Option<std::path::PathBuf>,
) -> (std::path::PathBuf, Settings, Option<String>) {
    let (path, loaded) = match config {
        Some(p) => {
            let r = clearance_engine::Settings::load(&p);
            (p, r)
        }
        None => {
            let p = clearance_engine::default_settings_path();
            let r = clearance_engine::Settings::load_optional(&p);
            (p, r)
        }
    };
    let (file, error) = match loaded {
        Ok(s) => (s, None),
        Err(e) => (clearance_engine::Settings::default(), Some(e.to_string())),
    };
    let settings = Settings::from_file(file, rules_flag, SCAN_THREADS);
    (path, settings, error)
}
