//! `clearance scan` over the generated fixtures, through the real binary (worker processes
//! included): the exact findings of each document, the JSON contract, exit codes and the
//! per-document errors of bad input. Planted content is listed in fixtures/README.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn clearance(args: &[&str], paths: &[PathBuf]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(args)
        .args(paths)
        .output()
        .expect("the clearance binary runs")
}

fn scan_json(paths: &[PathBuf]) -> (i32, Value) {
    let rules = fixtures().join("rules.toml");
    let out = clearance(
        &[
            "scan",
            "--json",
            "--rules",
            rules.to_str().unwrap_or_default(),
        ],
        paths,
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout must be one JSON object ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

type Key = (String, String, Option<u64>, String);

fn finding_keys(doc: &Value) -> BTreeSet<Key> {
    doc["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["category"].as_str().unwrap_or_default().to_string(),
                f["text"].as_str().unwrap_or_default().to_string(),
                f["page"].as_u64(),
                f["source"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn key(category: &str, text: &str, page: Option<u64>, source: &str) -> Key {
    (category.into(), text.into(), page, source.into())
}

fn assert_exact(name: &str, expected: &[Key]) {
    let (code, json) = scan_json(&[fixtures().join(name)]);
    let doc = &json["documents"][0];
    assert_eq!(
        doc["errors"],
        Value::Array(vec![]),
        "{name} must be read without errors"
    );
    let got = finding_keys(doc);
    let want: BTreeSet<Key> = expected.iter().cloned().collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{name}: missing {missing:#?}\nunexpected {extra:#?}"
    );
    assert_eq!(code, 1, "findings give exit status 1");
}

#[test]
fn english_pdf_findings_with_boxes() {
    use Some as P;
    assert_exact(
        "sample-en.pdf",
        &[
            key("document-metadata", "J. Smith", None, "metadata"),
            key("classification-marking", "TOP SECRET//NOFORN", P(1), "body"),
            key("watchlist-term", "Project Nightjar", P(1), "body"),
            key("coordinates", "40.51234, 89.45100", P(1), "body"),
            key("restricted-site", "40.51234, 89.45100", P(1), "body"),
            key(
                "classification-marking",
                "Classified By: J. Smith",
                P(2),
                "body",
            ),
            key(
                "classification-marking",
                "Derived From: SCG 2019-03",
                P(2),
                "body",
            ),
            key(
                "classification-marking",
                "Declassify On: 20451231",
                P(2),
                "body",
            ),
            key(
                "classification-marking",
                "TOP\nSECRET//NOFORN",
                P(2),
                "body",
            ),
            key("personal-id", "r.jones@example.mil", P(2), "body"),
        ],
    );
    let (_, json) = scan_json(&[fixtures().join("sample-en.pdf")]);
    let doc = &json["documents"][0];
    assert_eq!(doc["format"], "pdf");
    assert_eq!(doc["pages"], 2);
    for f in doc["findings"].as_array().expect("findings") {
        for field in [
            "category",
            "rule",
            "severity",
            "text",
            "page",
            "source",
            "context",
            "bbox",
            "explanation",
        ] {
            assert!(
                f.get(field).is_some(),
                "the JSON contract requires `{field}`: {f}"
            );
        }
        if f["source"] == "body" {
            let b: Vec<f64> = f["bbox"]
                .as_array()
                .expect("body text in a PDF has a box")
                .iter()
                .filter_map(Value::as_f64)
                .collect();
            assert!(
                b.len() == 4 && b[0] < b[2] && b[1] < b[3],
                "a real box: {b:?}"
            );
            assert!(
                b[0] >= 0.0 && b[2] <= 612.0 && b[1] >= 0.0 && b[3] <= 792.0,
                "inside the page: {b:?}"
            );
        }
    }
    let wrapped = doc["findings"]
        .as_array()
        .and_then(|v| v.iter().find(|f| f["text"] == "TOP\nSECRET//NOFORN"))
        .expect("the wrapped banner");
    assert_eq!(
        wrapped["boxes"].as_array().map(Vec::len),
        Some(2),
        "one highlight box per line"
    );
}

#[test]
fn chinese_pdf_with_embedded_font() {
    use Some as P;
    assert_exact(
        "sample-zh.pdf",
        &[
            key("classification-marking", "机密★5年", P(1), "body"),
            key("classification-marking", "涉密", P(1), "body"),
            key("procurement-sensitive", "涉密采购", P(1), "body"),
            key(
                "procurement-sensitive",
                "交货地点位于北纬40度30分 东经89度27分附近",
                P(1),
                "body",
            ),
            key("restricted-site", "黄羊试验场", P(1), "body"),
            key("military-unit", "61398部队", P(1), "body"),
            key("coordinates", "北纬40度30分 东经89度27分", P(1), "body"),
            key("restricted-site", "北纬40度30分 东经89度27分", P(1), "body"),
            key("watchlist-term", "夜鹰\n工程", P(1), "body"),
        ],
    );
}

#[test]
fn chinese_pdf_with_predefined_cmap_and_no_embedded_font() {
    assert_exact(
        "cjk-predefined-cmap.pdf",
        &[
            key("classification-marking", "绝密★长期", Some(1), "body"),
            key("watchlist-term", "夜鹰工程", Some(1), "body"),
        ],
    );
}

#[test]
fn docx_parts_are_tagged_with_their_source() {
    let (_, json) = scan_json(&[fixtures().join("sample.docx")]);
    let got = finding_keys(&json["documents"][0]);
    for want in [
        key(
            "classification-marking",
            "内部资料 注意保存",
            None,
            "header",
        ),
        key("classification-marking", "(S//NF)", None, "hidden"),
        key(
            "classification-marking",
            "Derived From: SCG 2019-03",
            None,
            "footnote",
        ),
        key("watchlist-term", "夜鹰工程", None, "comment"),
        key("watchlist-term", "Falcon Ridge", None, "tracked-change"),
        key("watchlist-term", "Project Nightjar", None, "body"),
        key("restricted-site", "黄羊试验场", None, "body"),
        key("military-unit", "Unit 61398", None, "body"),
        key("personal-id", "11010519491231002X", None, "body"),
        key(
            "gps-metadata",
            "40.512000, 89.451000",
            None,
            "image-metadata",
        ),
        key(
            "restricted-site",
            "40.512000, 89.451000",
            None,
            "image-metadata",
        ),
        key("document-metadata", "Zhang Wei", None, "metadata"),
        key("document-metadata", "Li Na", None, "metadata"),
        key(
            "document-metadata",
            "Northwest Institute of Technical Physics",
            None,
            "metadata",
        ),
        key("document-metadata", "032024001234", None, "image-metadata"),
    ] {
        assert!(
            got.contains(&want),
            "sample.docx: missing {want:?} in {got:#?}"
        );
    }
}

#[test]
fn images_and_text_files() {
    assert_exact(
        "photo-gps.jpg",
        &[
            key(
                "gps-metadata",
                "40.512000, 89.451000",
                None,
                "image-metadata",
            ),
            key(
                "restricted-site",
                "40.512000, 89.451000",
                None,
                "image-metadata",
            ),
            key("document-metadata", "Canon", None, "image-metadata"),
            key(
                "document-metadata",
                "Canon EOS 5D Mark IV",
                None,
                "image-metadata",
            ),
            key("document-metadata", "Wang Fang", None, "image-metadata"),
            key("document-metadata", "032024001234", None, "image-metadata"),
        ],
    );
    assert_exact(
        "notice-gbk.txt",
        &[
            key("classification-marking", "密级：机密", None, "body"),
            key("coordinates", "北纬40度30分 东经89度27分", None, "body"),
            key("restricted-site", "北纬40度30分 东经89度27分", None, "body"),
            key("personal-id", "13812345678", None, "body"),
        ],
    );
    assert_exact(
        "notice-utf16.txt",
        &[
            key("classification-marking", "(S//NF)", None, "body"),
            key("watchlist-term", "Falcon Ridge", None, "body"),
        ],
    );
    let (_, json) = scan_json(&[fixtures().join("photo-outside.jpg")]);
    let got = finding_keys(&json["documents"][0]);
    assert!(
        !got.iter().any(|k| k.0 == "restricted-site"),
        "a GPS fix outside every geofence is not a restricted site: {got:?}"
    );
    let (_, json) = scan_json(&[fixtures().join("empty-gps.jpg")]);
    let got = finding_keys(&json["documents"][0]);
    assert!(
        !got.iter().any(|k| k.0 == "gps-metadata"),
        "an empty GPS directory is no position"
    );
}

#[test]
fn format_is_decided_by_content_not_extension() {
    let dir = tempfile::tempdir().expect("temp dir");
    let disguised = dir.path().join("holiday.txt");
    std::fs::copy(fixtures().join("sample-en.pdf"), &disguised).expect("copy");
    let (_, json) = scan_json(&[disguised]);
    assert_eq!(json["documents"][0]["format"], "pdf");
}

#[test]
fn bad_input_gets_its_own_error_and_the_rest_is_still_scanned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.pdf");
    std::fs::write(&empty, b"").expect("write");
    let truncated = dir.path().join("truncated.docx");
    let docx = std::fs::read(fixtures().join("sample.docx")).expect("read");
    std::fs::write(&truncated, &docx[..docx.len() / 2]).expect("write");
    let binary = dir.path().join("blob.bin");
    std::fs::write(&binary, [0u8, 1, 2, 3, 0xff, 0xfe, 0, 0, 7]).expect("write");
    let missing = dir.path().join("missing.pdf");
    let good = fixtures().join("notice-utf16.txt");
    let (code, json) = scan_json(&[empty, truncated, binary, missing, good]);
    assert_eq!(code, 2, "an unreadable document makes the exit status 2");
    let docs = json["documents"].as_array().expect("documents");
    assert_eq!(docs.len(), 5, "every document gets an entry");
    let first_error = |i: usize| {
        docs[i]["errors"][0]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(first_error(0).contains("empty file"), "{}", first_error(0));
    assert!(first_error(1).contains("docx"), "{}", first_error(1));
    assert!(
        first_error(2).contains("unknown format"),
        "{}",
        first_error(2)
    );
    assert!(first_error(3).contains("cannot read"), "{}", first_error(3));
    assert!(docs[4]["errors"].as_array().is_some_and(Vec::is_empty));
    assert!(
        !docs[4]["findings"].as_array().expect("findings").is_empty(),
        "the good file is still scanned"
    );
}

#[test]
fn aes256_pdf_with_indirect_crypt_filters_is_read_not_passed_as_clean() {
    use Some as P;
    assert_exact(
        "aes256-indirect-cf.pdf",
        &[
            key("classification-marking", "SECRET//NOFORN", P(1), "body"),
            key("watchlist-term", "Project Nightjar", P(1), "body"),
        ],
    );
}

#[test]
fn encrypted_office_file_is_named_as_encrypted() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/docx/poi_bug53475-password-is-pass.docx");
    if !corpus.exists() {
        eprintln!("SKIPPED: ../shared/corpus is absent");
        return;
    }
    let (code, json) = scan_json(&[corpus]);
    assert_eq!(code, 2);
    let err = json["documents"][0]["errors"][0]
        .as_str()
        .unwrap_or_default();
    assert!(err.starts_with("encrypted"), "{err}");
}

#[test]
fn clean_document_exits_zero_and_human_report_groups_by_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clean = dir.path().join("minutes.txt");
    std::fs::write(
        &clean,
        "The committee met on Tuesday and approved the road budget.\n",
    )
    .expect("write");
    let out = clearance(&["scan"], &[clean]);
    assert_eq!(out.status.code(), Some(0), "nothing found is a success");
    assert!(String::from_utf8_lossy(&out.stdout).contains("no findings"));

    let out = clearance(&["scan"], &[fixtures().join("sample-en.pdf")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("page 1") && text.contains("page 2"), "{text}");
    assert!(text.contains("classification-marking"), "{text}");
}

#[test]
fn malformed_watchlist_is_refused_naming_line_and_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[site]]\nname = \"X\"\nlat = 40.0\nlon = 89.0\nradius_m = \"far\"\n",
    )
    .expect("write");
    let out = clearance(
        &[
            "scan",
            "--json",
            "--rules",
            rules.to_str().unwrap_or_default(),
        ],
        &[fixtures().join("notice-utf16.txt")],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 5") && err.contains("radius_m"), "{err}");
}

/// True when tesseract with English and Simplified Chinese data is installed (as `.ci/run`
/// does); the OCR checks below say loudly that they were skipped otherwise.
fn ocr_installed() -> bool {
    let langs = Command::new("tesseract").arg("--list-langs").output();
    let ok = langs.is_ok_and(|o| {
        let all = String::from_utf8_lossy(&o.stdout);
        all.lines().any(|l| l.trim() == "eng") && all.lines().any(|l| l.trim() == "chi_sim")
    });
    if !ok {
        eprintln!("SKIPPED: OCR scan test needs tesseract with eng and chi_sim");
    }
    ok
}

#[test]
fn text_read_by_ocr_goes_through_every_detector_with_confidence_and_box() {
    if !ocr_installed() {
        return;
    }
    let ocr = fixtures().join("ocr");
    let (_, json) = scan_json(&[ocr.join("scan-zh.pdf"), ocr.join("scan-en.pdf")]);
    let docs = json["documents"].as_array().expect("documents");
    let find = |doc: &Value, rule: &str| -> Value {
        doc["findings"]
            .as_array()
            .and_then(|fs| fs.iter().find(|f| f["rule"] == rule).cloned())
            .unwrap_or_else(|| panic!("{rule} missing in {}", doc["path"]))
    };
    // `机密★5年` drawn at (150, 150) px, 60 px high, on a 150 dpi A4 scan: x = 72 pt,
    // top = 842 − 0.48·150 = 770 pt. chi_sim cannot read the star; the OCR-only rule
    // still finds the marking.
    let marking = find(&docs[0], "cn-marking-ocr");
    assert_eq!(marking["category"], "classification-marking");
    assert_eq!(marking["source"], "ocr");
    assert_eq!(marking["page"], 1);
    assert!(
        marking["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("机密")),
        "{marking}"
    );
    let bbox: Vec<f64> = serde_json::from_value(marking["bbox"].clone()).expect("bbox");
    assert!(
        (68.0..80.0).contains(&bbox[0]) && bbox[3] <= 772.0 && bbox[1] >= 735.0,
        "the box sits where the marking was drawn: {bbox:?}"
    );
    let confidence = marking["confidence"].as_u64().expect("OCR confidence");
    assert!((1..=100).contains(&confidence), "{confidence}");
    // The watchlist runs on OCR text too.
    let term = find(&docs[1], "watchlist-term");
    assert_eq!(term["text"], "Project Nightjar");
    assert_eq!(term["source"], "ocr");
    assert!(term["confidence"].as_u64().is_some());
}

/// (pid, parent pid, state, command name) of every process, from /proc.
#[cfg(target_os = "linux")]
fn processes() -> Vec<(u32, u32, char, String)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
        let (head, tail) = stat.rsplit_once(')')?;
        let comm = head.split_once('(')?.1.to_string();
        let mut rest = tail.split_whitespace();
        let state = rest.next()?.chars().next()?;
        let ppid = rest.next()?.parse().ok()?;
        Some((pid, ppid, state, comm))
    })
    .collect()
}

/// Every live descendant of `root`.
#[cfg(target_os = "linux")]
fn descendants(root: u32) -> Vec<(u32, String)> {
    let all = processes();
    let mut found = vec![root];
    let mut i = 0;
    while let Some(&p) = found.get(i) {
        found.extend(all.iter().filter(|q| q.1 == p).map(|q| q.0));
        i += 1;
    }
    all.into_iter()
        .filter(|q| q.0 != root && found.contains(&q.0) && q.2 != 'Z')
        .map(|q| (q.0, q.3))
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn killing_the_scan_kills_its_workers_and_their_ocr_helpers() {
    if !ocr_installed() {
        return;
    }
    let mut scan = Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(["scan", "--json"])
        .arg(fixtures().join("ocr/scan-zh.pdf"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the clearance binary runs");
    // Wait until the worker has started an OCR helper (pdftoppm renders, then tesseract).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let tree = loop {
        let tree = descendants(scan.id());
        if tree
            .iter()
            .any(|(_, c)| c == "tesseract" || c == "pdftoppm")
        {
            break tree;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no OCR helper started: {tree:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    scan.kill().expect("SIGKILL the scan");
    let _ = scan.wait();
    // The kernel delivers the workers' and helpers' death signals; give it a moment.
    let alive = |pid: u32| processes().iter().any(|q| q.0 == pid && q.2 != 'Z');
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while tree.iter().any(|(p, _)| alive(*p)) && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let left: Vec<_> = tree.iter().filter(|(p, _)| alive(*p)).collect();
    assert!(
        left.is_empty(),
        "left running after the scan was killed: {left:?}"
    );
}
