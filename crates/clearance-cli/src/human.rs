//! The readable report: grouped by document and page, most severe first.

use std::io::{self, Write};

use clearance_engine::Progress;
use clearance_model::{DocumentReport, Finding, ScanReport, Severity};

pub fn progress_line(p: &Progress, doc: &DocumentReport) {
    let left = p
        .remaining()
        .map(|d| format!(", about {} s left", d.as_secs().max(1)))
        .unwrap_or_default();
    eprint!("\r\x1b[K[{}/{}{}] {}", p.done, p.total, left, doc.path);
}

pub fn write_report(out: &mut impl Write, report: &ScanReport) -> io::Result<()> {
    let (mut findings, mut failed) = (0, 0);
    for doc in &report.documents {
        findings += doc.findings.len();
        failed += usize::from(!doc.errors.is_empty());
        write_document(out, doc)?;
    }
    writeln!(
        out,
        "{} document{}, {} finding{}, {} could not be read",
        report.documents.len(),
        plural(report.documents.len()),
        findings,
        plural(findings),
        failed
    )
}

fn write_document(out: &mut impl Write, doc: &DocumentReport) -> io::Result<()> {
    let format = doc.format.map(|f| f.as_str()).unwrap_or("unknown format");
    let pages = doc
        .pages
        .map(|n| format!(", {n} page{}", plural(n as usize)))
        .unwrap_or_default();
    let sha = doc.sha256.get(..12).unwrap_or("-");
    writeln!(out, "{} ({format}{pages}, sha256 {sha}…)", doc.path)?;
    for e in &doc.errors {
        writeln!(out, "  ERROR {}: {e}", doc.path)?;
    }
    for w in &doc.warnings {
        writeln!(out, "  WARNING {w}")?;
    }
    if doc.errors.is_empty() && doc.findings.is_empty() && doc.warnings.is_empty() {
        writeln!(out, "  no findings")?;
    }
    let mut sorted: Vec<&Finding> = doc.findings.iter().collect();
    sorted.sort_by_key(|f| {
        (
            f.page.unwrap_or(0),
            std::cmp::Reverse(f.severity),
            f.category,
        )
    });
    let mut current_page = None;
    for f in sorted {
        if f.page != current_page {
            current_page = f.page;
            if let Some(p) = f.page {
                writeln!(out, "  page {p}")?;
            }
        }
        let where_ = f
            .part
            .as_deref()
            .map(|p| format!("{}, {p}", f.source.as_str()));
        writeln!(
            out,
            "    {:<6} {:<22} {:?}  [{}]",
            severity_label(f.severity),
            f.category.as_str(),
            f.text,
            where_.as_deref().unwrap_or(f.source.as_str())
        )?;
        writeln!(out, "           {}", f.explanation)?;
        if !f.context.is_empty() && f.context != f.text {
            writeln!(out, "           … {} …", f.context)?;
        }
    }
    writeln!(out)
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
