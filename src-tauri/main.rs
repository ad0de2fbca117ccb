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
mod queue;
mod scanner;
mod state;

use std::process::ExitCode;
use std::sync::Mutex;

use tauri::Manager;

use crate::args::AppArgs;
use crate::state::{AppState, Settings};

/// Parallel scans: each runs a worker process; more than two would starve the UI on small
/// machines.
const SCAN_THREADS: usize = 2;

fn main() -> ExitCode {
    if let Some(code) = clearance_engine::maybe_run_worker() {
        return code;
    }
    let args = match AppArgs::parse(std::env::args_os().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "clearance-app: {e}\nusage: clearance-app [--db PATH] [--rules PATH] [FILE...]"
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
        db, rules, paths, ..
    } = args;
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            // The same default as the CLI, so both front ends share one ledger.
            let db_path = db.unwrap_or_else(clearance_ledger::default_db_path);
            let scanner = scanner::Scanner::start(app.handle().clone(), SCAN_THREADS);
            app.manage(AppState {
                queue: Mutex::default(),
                scanner,
                settings: Mutex::new(Settings { rules }),
                startup_paths: paths,
                db_path,
                ledger: Mutex::default(),
                session: Mutex::default(),
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::documents::app_info,
            commands::documents::add_documents,
            commands::documents::list_queue,
            commands::documents::get_document,
            commands::documents::read_document_bytes,
            commands::settings::set_watchlist,
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
        ])
        .run(tauri::generate_context!())
}
