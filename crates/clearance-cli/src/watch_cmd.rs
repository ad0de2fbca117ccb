//! `clearance watch`: the intake folder, headless. One JSON object per line for every
//! document it parses (the schema of one entry of `scan --json`'s `documents`), flushed as
//! each completes, until SIGINT or SIGTERM.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use clearance_engine::{Intake, IntakeConfig, IntakeEvent, Overrides, Settings};

#[derive(Args)]
pub struct WatchArgs {
    /// The intake folder, watched recursively (default: `[intake] folder` in settings.toml).
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// The agency's watchlist of terms and sites (TOML).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Seconds one document may take before its worker is stopped (default 30).
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// Memory cap of one worker, in MiB (default 1024).
    #[arg(long, value_name = "MIB")]
    memory: Option<u64>,
    /// Documents parsed at once (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// How long a file's size and mtime must stay unchanged before it counts as fully
    /// written, in milliseconds (default 1000; tests use less).
    #[arg(long, value_name = "MS", hide = true)]
    settle_ms: Option<u64>,
}

pub fn run(
    args: &WatchArgs,
    db: Option<PathBuf>,
    config: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let settings = match config {
        Some(path) => Settings::load(path)?,
        None => Settings::load_optional(&clearance_engine::default_settings_path())?,
    };
    anyhow::ensure!(
        args.timeout != Some(0),
        "--timeout must be at least 1 second"
    );
    anyhow::ensure!(
        args.memory
            .is_none_or(|m| m >= clearance_engine::MIN_MEMORY_MIB),
        "--memory must be at least {} MiB",
        clearance_engine::MIN_MEMORY_MIB
    );
    let scan = settings.scan_options(&Overrides {
        timeout_secs: args.timeout,
        memory_mib: args.memory,
        parallelism: args.jobs,
        rules: args.rules.clone(),
    });
    // A broken watchlist is the user's mistake, not a document's: refuse before watching.
    if let Some(rules) = &scan.rules {
        clearance_engine::load_detectors(Some(rules))
            .with_context(|| format!("cannot use watchlist {}", rules.display()))?;
    }
    let folder = args
        .dir
        .clone()
        .or_else(|| settings.intake_folder.clone())
        .context("no intake folder: give DIR or set [intake] folder in settings.toml")?;
    let settle = args
        .settle_ms
        .map(Duration::from_millis)
        .or(settings.settle)
        .unwrap_or(clearance_engine::DEFAULT_SETTLE);
    let intake = Intake::open(IntakeConfig {
        folder,
        db: db.unwrap_or_else(clearance_ledger::default_db_path),
        scan,
        settle,
    })?;
    eprintln!(
        "clearance: watching {} (Ctrl-C to stop)",
        intake.folder().display()
    );
    let mut out = std::io::stdout().lock();
    let mut write_error = None;
    intake.run_until_interrupted(|event| match event {
        IntakeEvent::Scanned { report, .. } => {
            let written = serde_json::to_writer(&mut out, &report)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
                .and_then(|()| out.flush());
            match written {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => {
                    // A closed pipe (`clearance watch ... | head`) ends the watch quietly.
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        write_error = Some(e);
                    }
                    ControlFlow::Break(())
                }
            }
        }
        IntakeEvent::AlreadyReviewed {
            path, review_id, ..
        } => {
            eprintln!(
                "clearance: {} is already covered by review {review_id}; not scanned again",
                path.display()
            );
            ControlFlow::Continue(())
        }
        IntakeEvent::Problem(message) => {
            eprintln!("clearance: {message}");
            ControlFlow::Continue(())
        }
    })?;
    if let Some(e) = write_error {
        return Err(e).context("writing results");
    }
    Ok(ExitCode::SUCCESS)
}
