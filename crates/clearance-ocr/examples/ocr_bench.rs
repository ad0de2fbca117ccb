//! OCR throughput at 300 dpi on one core: renders an A4 page of English and one of Chinese
//! text with the fonts the fixtures use, reads each several times with tesseract limited to
//! one thread, and prints pages per second of CPU time (one core's worth; wall-clock time is
//! printed too but depends on what else the machine runs). Chinese pages are read twice
//! (`chi_sim+eng`, then `chi_sim`), as in a scan.
//!
//! Run: cargo run --release -p clearance-ocr --example ocr_bench [-- RUNS]
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::{Duration, Instant};

fn page(lang: &str, dir: &std::path::Path) -> Vec<u8> {
    let (font, line) = if lang == "en" {
        (
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "The review board met on Monday to discuss the release of the annual report.",
        )
    } else {
        (
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
            "评审委员会于周一开会讨论年度报告的发布事宜并提出修改意见。",
        )
    };
    let out = dir.join(format!("{lang}.png"));
    let script = format!(
        "from PIL import Image, ImageDraw, ImageFont\n\
         im = Image.new('L', (2480, 3508), 255)\n\
         d = ImageDraw.Draw(im)\n\
         f = ImageFont.truetype('{font}', 50)\n\
         for i in range(40):\n    d.text((200, 250 + i * 75), '{line}'[: 60 if '{lang}' == 'en' else 34], font=f, fill=0)\n\
         im.save('{}')\n",
        out.display()
    );
    let ok = Command::new("python3")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(ok.success(), "page rendering needs python3 with Pillow");
    std::fs::read(out).unwrap()
}

/// CPU seconds (user + system) used so far by this process's finished children.
fn children_cpu() -> f64 {
    // SAFETY: getrusage only writes the struct it is given; zeroed is a valid rusage.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_CHILDREN with a valid pointer.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn main() {
    let runs: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    if let Err(e) = clearance_ocr::tesseract::available() {
        eprintln!("OCR unavailable: {e}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    println!(
        "machine: {} cores, tesseract one thread (OMP_THREAD_LIMIT=1), A4 at 300 dpi, {runs} runs",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    for lang in ["en", "zh"] {
        let png = page(lang, dir.path());
        let cpu0 = children_cpu();
        let start = Instant::now();
        let mut words = 0;
        for _ in 0..runs {
            words = clearance_ocr::tesseract::recognize(png.clone(), Duration::from_secs(300))
                .unwrap()
                .len();
        }
        let secs = start.elapsed().as_secs_f64() / f64::from(runs);
        let cpu = (children_cpu() - cpu0) / f64::from(runs);
        println!(
            "{lang}: {:.2} pages/s on one core ({cpu:.2} s CPU/page); wall {secs:.2} s/page ({words} words)",
            1.0 / cpu
        );
    }
}
