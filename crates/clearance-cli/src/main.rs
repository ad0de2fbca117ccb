//! `clearance`: the headless front end of Clearance. Everything the desktop app does is
//! reachable from here, so it can be scripted and tested without a display.
//!
//! Exit status follows ripgrep's convention, turned round so that a clean document is a
//! success: 0 = nothing found, 1 = findings (or pages that could not be read), 2 = an error.

mod human;
mod scan_cmd;
mod watch_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "clearance",
    version,
    about = "Confidentiality review of documents before release"
)]
struct Cli {
    /// The ledger database (default: the app's data directory).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Settings file (default: settings.toml beside the default database).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan documents (files or directories) and list every sensitive passage.
    Scan(scan_cmd::ScanArgs),
    /// Watch an intake folder and scan each document that arrives (JSON Lines on stdout).
    Watch(watch_cmd::WatchArgs),
    #[command(flatten)]
    Signoff(clearance_ledger::cli::SignoffCommand),
}

fn main() -> ExitCode {
    if let Some(code) = clearance_engine::maybe_run_worker() {
        return code;
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan_cmd::run(&args, cli.config.as_deref()),
        Command::Watch(args) => watch_cmd::run(&args, cli.db, cli.config.as_deref()),
        Command::Signoff(cmd) => signoff(cmd, cli.db),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("clearance: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The sign-off commands (init, user, review, ledger, certificate) run on the ledger crate's
/// command layer; the engine is handed in so `review open` scans in a worker like `scan` does.
fn signoff(
    cmd: clearance_ledger::cli::SignoffCommand,
    db: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let db = db.unwrap_or_else(clearance_ledger::default_db_path);
    let scanner = |path: &std::path::Path,
                   rules: Option<&std::path::Path>|
     -> Result<clearance_model::DocumentReport, String> {
        if let Some(r) = rules {
            clearance_engine::load_detectors(Some(r))
                .map_err(|e| format!("cannot use watchlist {}: {e}", r.display()))?;
        }
        let opts = clearance_engine::ScanOptions {
            rules: rules.map(|r| r.to_path_buf()),
            ..Default::default()
        };
        Ok(clearance_engine::scan_file(path, &opts))
    };
    let mut ctx = clearance_ledger::cli::CliContext::new(db, &scanner);
    Ok(clearance_ledger::cli::run(cmd, &mut ctx)?)
}
