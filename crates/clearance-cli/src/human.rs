//! The readable report: grouped by document and page, most severe first.

use std::io::{self, Write};

use clearance_engine::Progress;
use clearance_model::{DocumentReport, Finding, ScanReport, Severity};

/// Redraws the batch progress bar on stderr (only called when stderr is a terminal):
/// `[#######.......]  12/40  30%  ~0:35 left  current-file`, cut to the terminal's width.
pub fn progress_line(p: &Progress, doc: &DocumentReport) {
    let line = progress_bar(p, &doc.path, terminal_width());
    eprint!("\r\x1b[K{line}");
}

/// Width of the bar itself, in cells.
const BAR_CELLS: usize = 24;

fn progress_bar(p: &Progress, current: &str, width: usize) -> String {
    let total = p.total.max(1);
    let filled = (p.done.min(total) * BAR_CELLS) / total;
    let percent = (p.done.min(total) * 100) / total;
    let left = p
        .remaining()
        .map(|d| format!("  ~{} left", clock(d.as_secs().max(1))))
        .unwrap_or_default();
    let head = format!(
        "[{}{}] {:>w$}/{}  {percent:>3}%{left}  ",
        "#".repeat(filled),
        ".".repeat(BAR_CELLS - filled),
        p.done,
        p.total,
        w = p.total.to_string().len()
    );
    let room = width.saturating_sub(head.chars().count() + 1);
    format!("{head}{}", shorten(current, room))
}

/// `m:ss`, or `h:mm:ss` past an hour.
fn clock(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Keeps the end of a path (the file name matters most) within `room` characters.
fn shorten(path: &str, room: usize) -> String {
    let n = path.chars().count();
    if n <= room {
        return path.to_string();
    }
    if room < 2 {
        return String::new();
    }
    let tail: String = path.chars().skip(n - (room - 1)).collect();
    format!("…{tail}")
}

/// Columns of the terminal on stderr (80 when unknown).
fn terminal_width() -> usize {
    #[cfg(unix)]
    {
        let mut size = std::mem::MaybeUninit::<libc::winsize>::zeroed();
        // SAFETY: TIOCGWINSZ fills the winsize it is given; on failure we read the zeroed value.
        let cols = unsafe {
            libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, size.as_mut_ptr());
            size.assume_init().ws_col
        };
        if cols > 0 {
            return usize::from(cols);
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&c| c > 0)
        .unwrap_or(80)
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
        writeln!(
            out,
            "    {:<6} {:<22} {:?}  [{}]",
            severity_label(f.severity),
            f.category.as_str(),
            f.text,
            location(f)
        )?;
        writeln!(out, "           {}", f.explanation)?;
        if !f.context.is_empty() && f.context != f.text {
            writeln!(out, "           … {} …", f.context)?;
        }
    }
    writeln!(out)
}

/// Kind of text, part and, for text read by OCR, how sure the recognition was.
fn location(f: &Finding) -> String {
    let mut at = f.source.as_str().to_string();
    if let Some(part) = &f.part {
        at.push_str(", ");
        at.push_str(part);
    }
    if let Some(c) = f.confidence {
        at.push_str(&format!(", OCR confidence {c}%"));
    }
    at
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(done: usize, total: usize, secs: u64) -> Progress {
        Progress {
            done,
            total,
            elapsed: Duration::from_secs(secs),
        }
    }

    #[test]
    fn the_bar_shows_count_share_time_left_and_file() {
        let line = progress_bar(&at(10, 40, 10), "/in/memo.pdf", 120);
        assert_eq!(
            line,
            "[######..................] 10/40   25%  ~0:30 left  /in/memo.pdf"
        );
        let done = progress_bar(&at(40, 40, 50), "/in/z.pdf", 120);
        assert!(
            done.starts_with("[########################] 40/40  100%  /in/z.pdf"),
            "{done}"
        );
    }

    #[test]
    fn long_paths_keep_their_end_within_the_width() {
        let path = format!("/very/{}/report-final.docx", "deep/".repeat(40));
        let line = progress_bar(&at(1, 3, 2), &path, 80);
        assert_eq!(line.chars().count(), 79, "{line}");
        assert!(line.ends_with("report-final.docx"), "{line}");
        assert!(
            progress_bar(&at(1, 3, 2), &path, 10).starts_with('['),
            "too narrow: bar only"
        );
    }

    #[test]
    fn location_names_source_part_and_ocr_confidence() {
        use clearance_model::{Category, Source};
        let mut f = Finding::new(
            Category::RestrictedSite,
            "restricted-area-sign",
            Severity::High,
            "军事禁区",
            Source::Ocr,
            "sign",
        );
        assert_eq!(location(&f), "ocr");
        f.part = Some("page 1 /Im1".into());
        f.confidence = Some(87);
        assert_eq!(location(&f), "ocr, page 1 /Im1, OCR confidence 87%");
    }

    #[test]
    fn clock_formats_minutes_and_hours() {
        assert_eq!(clock(5), "0:05");
        assert_eq!(clock(125), "2:05");
        assert_eq!(clock(3725), "1:02:05");
    }
}
