//! `clearance scan`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use clearance_engine::{default_settings_path, OcrMode, Overrides, Settings, MIN_MEMORY_MIB};
use clearance_model::ScanReport;

use crate::human;

#[derive(Args)]
pub struct ScanArgs {
    /// Print exactly one JSON object (the documented contract) instead of a readable report.
    #[arg(long)]
    json: bool,
    /// The agency's watchlist of terms and sites (TOML).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Seconds one document may take before its worker is stopped (default 120, or the
    /// settings file's `limits.timeout_secs`).
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// Memory cap of one worker, in MiB (default 1024, or `limits.memory_mib`).
    #[arg(long, value_name = "MIB")]
    memory: Option<u64>,
    /// Documents parsed at once (default: the number of cores, or `limits.parallelism`).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Do not read text in pictures with OCR.
    #[arg(long)]
    no_ocr: bool,
    /// Print timing and peak memory (this process and its largest worker) to stderr.
    #[arg(long)]
    stats: bool,
    /// Files or directories (walked recursively).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

pub fn run(args: &ScanArgs, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.timeout != Some(0),
        "--timeout must be at least 1 second"
    );
    anyhow::ensure!(
        args.memory.is_none_or(|m| m >= MIN_MEMORY_MIB),
        "--memory must be at least {MIN_MEMORY_MIB} MiB"
    );
    let settings = match config {
        Some(p) => Settings::load(p)?,
        None => Settings::load_optional(&default_settings_path())?,
    };
    let mut opts = settings.scan_options(&Overrides {
        timeout_secs: args.timeout,
        memory_mib: args.memory,
        parallelism: args.jobs,
        rules: args.rules.clone(),
    });
    if args.no_ocr {
        opts.ocr = OcrMode::Off;
    }
    // A broken watchlist is the user's mistake, not a document's: refuse before scanning.
    if let Some(rules) = &opts.rules {
        clearance_engine::load_detectors(Some(rules))
            .with_context(|| format!("cannot use watchlist {}", rules.display()))?;
    }
    let started = std::time::Instant::now();
    let show_progress = !args.json && std::io::stderr().is_terminal();
    let report = clearance_engine::scan_paths(&args.paths, &opts, &mut |p, doc| {
        if show_progress {
            human::progress_line(p, doc);
        }
    });
    if show_progress {
        eprint!("\r\x1b[K");
    }
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer(&mut out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        human::write_report(&mut out, &report)
    };
    if args.stats {
        let (own, workers) = peak_rss_kib();
        eprintln!(
            "stats: {} documents in {:.3} s; peak memory {} KiB (clearance), {} KiB (largest worker)",
            report.documents.len(),
            started.elapsed().as_secs_f64(),
            own,
            workers
        );
    }
    match written {
        Ok(()) => {}
        // A closed pipe (`clearance scan ... | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("writing the report"),
    }
    Ok(exit_code(&report))
}

fn exit_code(report: &ScanReport) -> ExitCode {
    if report.documents.iter().any(|d| !d.errors.is_empty()) {
        ExitCode::from(2)
    } else if report
        .documents
        .iter()
        .any(|d| !d.findings.is_empty() || !d.warnings.is_empty())
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Peak resident memory of this process and of its largest finished worker, in KiB.
#[cfg(unix)]
fn peak_rss_kib() -> (i64, i64) {
    fn max_rss(who: i32) -> i64 {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage fills the struct it is given; on failure we read the zeroed value.
        unsafe {
            libc::getrusage(who, usage.as_mut_ptr());
            usage.assume_init().ru_maxrss
        }
    }
    (max_rss(libc::RUSAGE_SELF), max_rss(libc::RUSAGE_CHILDREN))
}

#[cfg(not(unix))]
fn peak_rss_kib() -> (i64, i64) {
    (0, 0)
}
