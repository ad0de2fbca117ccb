//! Writes the benchmark input: a text PDF of N pages (default 500), 60 lines a page in
//! Helvetica, with a planted sensitive line every few pages, so `scripts/bench.sh` measures
//! the whole scan on a document of known size without any tool outside the project.
//!
//! Usage: `cargo run --release -p clearance-cli --example make_bench_pdf -- OUT.pdf [PAGES]`

use std::fmt::Write as _;
use std::io::Write as _;

const WORDS: &[&str] = &[
    "the",
    "committee",
    "reviewed",
    "budget",
    "for",
    "annual",
    "maintenance",
    "of",
    "roads",
    "and",
    "bridges",
    "in",
    "district",
    "with",
    "contractors",
    "delivering",
    "materials",
    "under",
    "framework",
    "agreement",
    "schedule",
    "public",
    "notice",
    "tender",
    "lot",
    "supply",
    "office",
    "equipment",
    "training",
    "services",
    "report",
    "minutes",
    "meeting",
];

const PLANTED: &[&str] = &[
    "TOP SECRET//NOFORN",
    "Coordinates of the site: 40.51234, 89.45100 as surveyed.",
    "Contact r.jones@example.mil about Project Nightjar.",
    "Derived From: SCG 2019-03   Declassify On: 20451231",
];

fn line_text(page: usize, line: usize) -> String {
    if line == 30 && page.is_multiple_of(5) {
        return PLANTED[(page / 5) % PLANTED.len()].to_string();
    }
    let mut s = String::new();
    let mut seed = (page * 7919 + line * 104_729) as u64;
    for _ in 0..12 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(WORDS[(seed >> 33) as usize % WORDS.len()]);
    }
    s
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "bench.pdf".to_string());
    let pages: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(500);

    // Objects: 1 catalog, 2 pages, 3 font, then per page: page object and content stream.
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        String::new(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
    ];
    let mut kids = String::new();
    for p in 0..pages {
        let page_id = 4 + 2 * p;
        let content_id = page_id + 1;
        let _ = write!(kids, "{page_id} 0 R ");
        let mut content = String::from("BT /F1 10 Tf 12 TL 50 770 Td\n");
        for l in 0..60 {
            let text = line_text(p, l)
                .replace('\\', "\\\\")
                .replace('(', "\\(")
                .replace(')', "\\)");
            let _ = writeln!(content, "({text}) Tj T*");
        }
        content.push_str("ET\n");
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>"
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    objects[1] = format!("<< /Type /Pages /Kids [{kids}] /Count {pages} >>");

    let mut pdf: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(tail, "{off:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    pdf.extend_from_slice(tail.as_bytes());
    std::fs::File::create(&out)?.write_all(&pdf)?;
    eprintln!("wrote {out}: {pages} pages, {} bytes", pdf.len());
    Ok(())
}
