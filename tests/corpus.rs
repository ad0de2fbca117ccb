//! Robustness gate: every file of the shared corpus of real-world and hostile documents goes
//! through the real `clearance scan` (worker processes and all) and must end in a result or a
//! clear error within its limit, without crashing the parent or growing its memory.
//!
//! The corpus lives beside the project (`../shared/corpus`) and is not copied into the repo;
//! where it is absent the test says so and passes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TIMEOUT_SECS: u64 = 20;
const WORKER_MEMORY_MIB: u64 = 1024;
/// The parent holds reports, never documents: its peak must stay small whatever the workers do.
const PARENT_PEAK_LIMIT_KIB: i64 = 256 * 1024;

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    dir.is_dir().then_some(dir)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| {
        p.is_file()
            && !matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("md") | Some("py") | Some("txt")
            )
    });
    v.sort();
    v
}

/// The reason of an error without its file-specific detail, for counting.
fn reason_kind(e: &str) -> String {
    let head = e.split(':').next().unwrap_or(e).trim();
    head.split(" (").next().unwrap_or(head).to_string()
}

#[test]
fn every_corpus_file_ends_in_a_result_or_a_clear_error() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("SKIPPED: ../shared/corpus is absent; the robustness gate needs it");
        return;
    };
    let mut totals: BTreeMap<String, usize> = BTreeMap::new();
    for set in ["pdf", "docx", "image", "hostile"] {
        let files = files_in(&corpus.join(set));
        if files.is_empty() {
            continue;
        }
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_clearance"))
            .args(["scan", "--json", "--stats"])
            .args(["--timeout", &TIMEOUT_SECS.to_string()])
            .args(["--memory", &WORKER_MEMORY_MIB.to_string()])
            .args(&files)
            .output()
            .expect("clearance runs");
        let wall = started.elapsed();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "{set}: the parent must exit 0, 1 or 2, got {:?}; stderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("exactly one JSON object on stdout");
        let docs = report["documents"].as_array().expect("documents array");
        assert_eq!(
            docs.len(),
            files.len(),
            "{set}: one entry per file, failed ones included"
        );
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for d in docs {
            let errors = d["errors"].as_array().expect("errors array");
            let key = match errors.first().and_then(|e| e.as_str()) {
                None => "ok".to_string(),
                Some(e) => {
                    assert!(!e.trim().is_empty(), "an error must say why");
                    format!("error: {}", reason_kind(e))
                }
            };
            *counts.entry(key).or_default() += 1;
        }
        // Workers run in parallel, so the batch may take at most the serial worst case.
        let worst = Duration::from_secs(TIMEOUT_SECS + 5) * files.len() as u32;
        assert!(
            wall < worst,
            "{set}: {wall:?} is beyond every per-file limit"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        let parent_kib = stderr
            .lines()
            .find_map(|l| l.strip_prefix("stats: "))
            .and_then(|l| l.split("peak memory ").nth(1))
            .and_then(|l| l.split(' ').next())
            .and_then(|n| n.parse::<i64>().ok())
            .expect("--stats prints the peak memory");
        assert!(
            parent_kib < PARENT_PEAK_LIMIT_KIB,
            "{set}: the parent's peak memory {parent_kib} KiB must stay bounded"
        );
        eprintln!(
            "{set}: {} files in {:.1} s, parent peak {} KiB",
            files.len(),
            wall.as_secs_f64(),
            parent_kib
        );
        for (k, n) in &counts {
            eprintln!("  {n:>4}  {k}");
            *totals.entry(k.clone()).or_default() += n;
        }
    }
    eprintln!("all sets:");
    for (k, n) in &totals {
        eprintln!("  {n:>4}  {k}");
    }
}
