//! Detection throughput: built-in detectors plus a 10,000-term watchlist on ~10 MB of mixed
//! English/Chinese text, one core.
//!
//! `cargo run --release -p clearance-detect --example detect_bench [MB]`
//!
//! The text and the watchlist are generated here (a fixed-seed generator), with planted
//! markings, coordinates, IDs and watchlist terms; the run checks that every planted item is
//! found (per category) before it times anything.
//!
//! `BENCH_PARTS=1` adds a per-stage breakdown (normalise, trigger scan, rules, watchlist);
//! `BENCH_DUMP=FILE` writes the generated text to FILE, `BENCH_FINDINGS=FILE` every finding
//! (to compare two versions of the detectors); `BENCH_REPS=N` times N passes per
//! set instead of 3. Instruction counts of exactly the timed passes:
//! `BENCH_REPS=1 valgrind --tool=callgrind --toggle-collect='*run_with_watchlist*' \
//!  target/release/examples/detect_bench 1`.

use std::collections::BTreeMap;
use std::time::Instant;

use clearance_detect::{DetectorSet, Watchlist};
use clearance_model::Category;

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Everyday vocabulary, with a few near misses (secretary, unit, hull, delivery, 秘书处,
/// 商业秘密, 旅游...) at a few per thousand words, so the rules' context checks do real work.
const EN: &[&str] = &[
    "the",
    "report",
    "states",
    "that",
    "committee",
    "reviewed",
    "budget",
    "for",
    "fiscal",
    "year",
    "and",
    "noted",
    "system",
    "analysis",
    "program",
    "office",
    "meeting",
    "minutes",
    "approved",
    "schedule",
    "regional",
    "support",
    "staff",
    "training",
    "equipment",
    "network",
    "policy",
    "update",
    "version",
    "project",
    "range",
    "test",
    "a",
    "an",
    "in",
    "on",
    "at",
    "by",
    "with",
    "from",
    "was",
    "were",
    "is",
    "are",
    "be",
    "has",
    "have",
    "had",
    "will",
    "would",
    "should",
    "could",
    "may",
    "this",
    "these",
    "those",
    "which",
    "who",
    "when",
    "where",
    "after",
    "before",
    "during",
    "under",
    "over",
    "between",
    "plan",
    "review",
    "team",
    "member",
    "members",
    "public",
    "service",
    "services",
    "data",
    "results",
    "study",
    "design",
    "process",
    "quality",
    "safety",
    "risk",
    "cost",
    "costs",
    "time",
    "period",
    "month",
    "week",
    "day",
    "level",
    "area",
    "areas",
    "site",
    "local",
    "national",
    "general",
    "new",
    "first",
    "second",
    "final",
    "annual",
    "total",
    "number",
    "group",
    "groups",
    "work",
    "works",
    "building",
    "road",
    "water",
    "power",
    "energy",
    "health",
    "school",
    "students",
    "research",
    "development",
    "management",
    "information",
    "technology",
    "application",
    "requirements",
    "standard",
    "secretary",
    "unit",
    "hull",
    "delivery",
    "confidential",
    "room",
    "exhibition",
];
const ZH: &[&str] = &[
    "会议",
    "报告",
    "指出",
    "预算",
    "年度",
    "部门",
    "工作",
    "项目",
    "建设",
    "管理",
    "发展",
    "研究",
    "单位",
    "系统",
    "技术",
    "服务",
    "质量",
    "安全",
    "培训",
    "设备",
    "网络",
    "政策",
    "通知",
    "地区",
    "公司",
    "计划",
    "方案",
    "我们",
    "进行",
    "已经",
    "目前",
    "情况",
    "问题",
    "要求",
    "组织",
    "开展",
    "推进",
    "落实",
    "加强",
    "提高",
    "完善",
    "制度",
    "机制",
    "领导",
    "干部",
    "群众",
    "经济",
    "社会",
    "文化",
    "教育",
    "科技",
    "环境",
    "资源",
    "能源",
    "交通",
    "城市",
    "农村",
    "企业",
    "市场",
    "投资",
    "建设",
    "改革",
    "创新",
    "合作",
    "交流",
    "调查",
    "统计",
    "分析",
    "评估",
    "监督",
    "检查",
    "考核",
    "标准",
    "规范",
    "流程",
    "任务",
    "目标",
    "措施",
    "成果",
    "经验",
    "数据",
    "信息",
    "平台",
    "应用",
    "资金",
    "费用",
    "合同",
    "协议",
    "单据",
    "材料",
    "文件",
    "旅游",
    "团购",
    "师范",
    "律师",
    "营业",
    "秘书处",
    "内部控制",
    "商业秘密",
    "采购",
    "招标",
    "集团",
    "试验",
    "工程",
];
const PLANTED: &[(&str, Category)] = &[
    ("TOP SECRET//SI//NOFORN", Category::ClassificationMarking),
    ("机密★5年", Category::ClassificationMarking),
    ("密级：秘密", Category::ClassificationMarking),
    ("40.5120, 89.4510", Category::Coordinates),
    ("北纬40度30分东经89度27分", Category::Coordinates),
    ("61398部队", Category::MilitaryUnit),
    ("DDG-1000", Category::MilitaryUnit),
    ("11010519491231002X", Category::PersonalId),
    ("13812345678", Category::PersonalId),
    ("alice.chen@example.gov.cn", Category::PersonalId),
    ("涉密采购", Category::ProcurementSensitive),
    ("18S UJ 23371 06519", Category::Coordinates),
];

/// CPU time of this thread in seconds (from /proc/thread-self/schedstat), so that other
/// people's jobs on a shared machine do not count against the figure.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

/// Runs `f` and returns (wall seconds, CPU seconds or wall when unknown, result).
fn timed<T>(f: impl FnOnce() -> T) -> (f64, f64, T) {
    let (t, c) = (Instant::now(), cpu_secs());
    let r = f();
    let wall = t.elapsed().as_secs_f64();
    let cpu = match (c, cpu_secs()) {
        (Some(a), Some(b)) => b - a,
        _ => wall,
    };
    (wall, cpu, r)
}

fn word(rng: &mut Rng, len: usize) -> String {
    const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    (0..len)
        .map(|_| char::from(A[rng.below(A.len())]))
        .collect()
}

/// Code-name-like terms: two capitalised pseudo-words, or three to four random common
/// Chinese characters. (Terms built from the text's own vocabulary would make every position
/// a partial match, which no real watchlist does.)
fn watchlist(rng: &mut Rng, n: usize) -> String {
    let mut t = String::with_capacity(n * 40);
    for i in 0..n {
        let text = if i % 2 == 0 {
            let (l1, l2) = (4 + rng.below(5), 4 + rng.below(5));
            format!("{} {}", cap(&word(rng, l1)), cap(&word(rng, l2)))
        } else {
            let len = 3 + rng.below(2);
            (0..len)
                .filter_map(|_| char::from_u32(0x4E00 + rng.below(0x9FA5 - 0x4E00) as u32))
                .collect()
        };
        t.push_str(&format!("[[term]]\ntext = \"{text}\"\n"));
    }
    t.push_str("[[term]]\ntext = \"Project Nightjar\"\n[[term]]\ntext = \"夜鹰工程\"\n");
    t.push_str("[[site]]\nname = \"Huangyang Test Range\"\naliases = [\"黄羊试验场\"]\nlat = 40.512\nlon = 89.451\nradius_m = 25000\n");
    t
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// Pages of ~4 KB (PDF text pages are 2-5 KB), mixed English and Chinese lines, a planted
/// item every ~2 KB, numbers and dates sprinkled in.
fn pages(rng: &mut Rng, total: usize) -> (Vec<String>, BTreeMap<Category, usize>) {
    let mut pages = Vec::new();
    let mut size = 0;
    let mut planted: BTreeMap<Category, usize> = BTreeMap::new();
    while size < total {
        let mut p = String::with_capacity(4300);
        while p.len() < 4096 {
            let chinese = rng.below(2) == 0;
            let mut line = String::new();
            while line.len() < 70 {
                let token = match rng.below(40) {
                    0 => format!("{}", 1990 + rng.below(40)),
                    1 => format!("{}.{}", rng.below(1000), rng.below(100)),
                    2 if rng.below(25) == 0 => {
                        let (text, category) = PLANTED[rng.below(PLANTED.len())];
                        *planted.entry(category).or_default() += 1;
                        text.to_string()
                    }
                    3 if rng.below(50) == 0 => {
                        *planted.entry(Category::WatchlistTerm).or_default() += 1;
                        (if chinese {
                            "夜鹰工程"
                        } else {
                            "Project Nightjar"
                        })
                        .to_string()
                    }
                    _ if chinese => ZH[rng.below(ZH.len())].to_string(),
                    _ => EN[rng.below(EN.len())].to_string(),
                };
                // Chinese has no spaces, but two numbers never touch (`2011` after
                // `06519` would make one longer number).
                let glued = line
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                    && token.starts_with(|c: char| c.is_ascii_alphanumeric());
                if glued {
                    line.push(' ');
                }
                line.push_str(&token);
                if chinese {
                    if rng.below(6) == 0 {
                        line.push('，');
                    }
                } else {
                    line.push(' ');
                }
            }
            line.push(if chinese { '。' } else { '.' });
            line.push('\n');
            p.push_str(&line);
        }
        size += p.len();
        pages.push(p);
    }
    (pages, planted)
}

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (pages, planted) = pages(&mut rng, mb * 1_000_000);
    let bytes: usize = pages.iter().map(String::len).sum();

    let t = Instant::now();
    let rules = watchlist(&mut rng, 10_000);
    let list = match Watchlist::from_toml(&rules, "bench.toml") {
        Ok(l) => l,
        Err(e) => {
            eprintln!("watchlist: {e}");
            std::process::exit(2);
        }
    };
    let terms = list.terms().len();
    let set = DetectorSet::builtin().with_watchlist(list);
    let build = t.elapsed();

    // Warm-up, and the check that the planted items are found (planted items never merge:
    // they are separated by other words).
    let mut found: BTreeMap<Category, usize> = BTreeMap::new();
    for p in &pages {
        for f in set.detect_text(p) {
            *found.entry(f.category).or_default() += 1;
        }
    }
    for (c, &n) in &planted {
        let got = found.get(c).copied().unwrap_or(0);
        if got < n {
            eprintln!("planted {n} items of {c} but found only {got}: the figure would be wrong");
            if std::env::var_os("BENCH_DUMP").is_none() {
                std::process::exit(1);
            }
        }
    }
    let planted_total: usize = planted.values().sum();
    if let Some(path) = std::env::var_os("BENCH_DUMP") {
        let _ = std::fs::write(path, pages.concat());
    }

    if let Some(path) = std::env::var_os("BENCH_FINDINGS") {
        let mut out = String::new();
        for (i, p) in pages.iter().enumerate() {
            for f in set.detect_text(p) {
                out.push_str(&format!(
                    "{i}\t{:?}\t{}\t{:?}\t{:?}\t{:?}\n",
                    f.span, f.rule, f.text, f.explanation, f.position
                ));
            }
        }
        let _ = std::fs::write(path, out);
    }
    if std::env::var_os("BENCH_PARTS").is_some() {
        profile_parts(&pages, &set);
    }
    let builtin = DetectorSet::builtin();
    let reps: usize = std::env::var("BENCH_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
        .max(1);
    let mut results = Vec::new();
    for (name, s, run) in [
        ("builtin + 10k watchlist", &set, run_with_watchlist as Run),
        ("builtin only", &builtin, run_builtin as Run),
    ] {
        let mut best = (f64::MAX, f64::MAX);
        let mut findings = 0;
        for _ in 0..reps {
            let (wall, cpu, n) = timed(|| run(&pages, s));
            findings = n;
            if cpu < best.1 {
                best = (wall, cpu);
            }
        }
        results.push((name, bytes as f64 / 1e6 / best.1, best, findings));
    }

    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {cpu}, {cores} cores (one used)");
    println!(
        "input: {:.1} MB in {} pages of ~4 KB, mixed English/Chinese, {planted_total} planted items (all found); watchlist {terms} terms + 1 site (built in {:.0} ms)",
        bytes as f64 / 1e6,
        pages.len(),
        build.as_secs_f64() * 1000.0
    );
    for (name, mbs, (wall, cpu), findings) in results {
        println!(
            "{name:>24}: {mbs:7.1} MB/s  (CPU {cpu:.3} s, wall {wall:.3} s, {findings} findings, best of {reps})"
        );
    }
}

type Run = fn(&[String], &DetectorSet) -> usize;

/// One timed pass with the watchlist. Its own function (never inlined) so that
/// `valgrind --tool=callgrind --toggle-collect='*run_with_watchlist*'` counts exactly the
/// instructions of the timed passes (with `BENCH_REPS=1`: one pass).
#[inline(never)]
fn run_with_watchlist(pages: &[String], set: &DetectorSet) -> usize {
    // (Differs from `run_builtin` so that the two are not folded into one function.)
    let n: usize = pages.iter().map(|p| set.detect_text(p).len()).sum();
    n + usize::from(set.watchlist().is_none())
}

/// One timed pass of the built-ins only (see [`run_with_watchlist`]).
#[inline(never)]
fn run_builtin(pages: &[String], set: &DetectorSet) -> usize {
    pages.iter().map(|p| set.detect_text(p).len()).sum()
}

/// Breakdown by stage, CPU seconds (`BENCH_PARTS=1`).
fn profile_parts(pages: &[String], set: &DetectorSet) {
    let (_, c, n) = timed(|| {
        pages
            .iter()
            .map(|p| clearance_detect::Prepared::new(p).text().len())
            .sum::<usize>()
    });
    eprintln!("normalise only: {c:.3} s ({n} bytes out)");
    let preps: Vec<clearance_detect::Prepared> = pages
        .iter()
        .map(|p| clearance_detect::Prepared::new(p))
        .collect();
    let (_, c, w) = timed(|| {
        let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
        for p in &preps {
            for (id, n) in clearance_detect::trigger_windows(p.text()) {
                *by_rule.entry(id).or_default() += n;
            }
        }
        by_rule
    });
    eprintln!("trigger scan only: {c:.3} s; windows by rule: {w:?}");
    let (_, c, n) = timed(|| {
        preps
            .iter()
            .map(|p| clearance_detect::trigger_literal_hits(p.text()))
            .sum::<usize>()
    });
    eprintln!("trigger literals only: {c:.3} s ({n} hits)");
    let (_, c, n) = timed(|| {
        preps
            .iter()
            .map(|p| p.text().bytes().filter(u8::is_ascii_digit).count())
            .sum::<usize>()
    });
    eprintln!("count digits only: {c:.3} s ({n})");
    if let Some(w) = set.watchlist() {
        use clearance_detect::Detector;
        let d = clearance_detect::WatchlistDetector::new(w.clone());
        let (_, c, n) = timed(|| {
            let mut out = Vec::new();
            for p in &preps {
                d.detect(p, &mut out);
            }
            out.len()
        });
        eprintln!("watchlist only (on normalised text): {c:.3} s ({n} hits)");
    }
    let b = DetectorSet::builtin();
    let (_, c, n) = timed(|| pages.iter().map(|p| b.hits(p).len()).sum::<usize>());
    eprintln!("builtin hits: {c:.3} s ({n})");
    let (_, c, n) = timed(|| pages.iter().map(|p| set.hits(p).len()).sum::<usize>());
    eprintln!("all hits (no findings): {c:.3} s ({n})");
}
