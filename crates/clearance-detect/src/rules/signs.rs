//! `restricted-site`: the wording of restricted-area signs, usually read by OCR from a photo:
//! 军事禁区, 军事管理区, 军事重地, 禁止拍照, RESTRICTED AREA, NO PHOTOGRAPHY, MILITARY
//! INSTALLATION. A photo that shows such a sign places the photographer at a protected site.
//!
//! Design decision: the military names (军事禁区, 军事管理区, 军事重地, military
//! installation) are flagged wherever they occur. Generic sign wording (禁止拍照, NO
//! PHOTOGRAPHY, RESTRICTED AREA, AUTHORIZED PERSONNEL ONLY) is flagged only where it reads as
//! a sign (upper case, or a short line of its own) and not next to museum wording (展品, 文物,
//! artwork, flash), or where a military word stands near it: "No photography of the artwork
//! is allowed" in a gallery notice is not a finding.
//!
//! The table is one of `BUILTIN_TABLES`, so it shares the segment's normalisation and the one
//! trigger scan with the other tables.

use clearance_model::{Category, Severity};

use crate::pattern::{Candidate, PatternSpec, Trigger, Verdict};

const C: Category = Category::RestrictedSite;

/// The rules.
pub static SPECS: &[PatternSpec] = &[
    PatternSpec {
        id: "restricted-area-sign",
        category: C,
        severity: Severity::High,
        regex: r"军事(?:禁区|管理区|重地|设施|要地)",
        trigger: Trigger::Literals(&["军事"]),
        group: 0,
        reach: (4, 16),
        explanation: "Sign of a military restricted area",
        validate: Some(cn_military),
        ocr_only: false,
    },
    PatternSpec {
        id: "no-photography-sign",
        category: C,
        severity: Severity::Medium,
        regex: r"(?:禁止|严禁|不准|请勿)(?:拍照|摄影|录像|摄像|航拍|拍摄)",
        trigger: Trigger::Literals(&["禁止", "严禁", "不准", "请勿"]),
        group: 0,
        reach: (4, 16),
        explanation: "Sign forbidding photography",
        validate: Some(sign_context),
        ocr_only: false,
    },
    PatternSpec {
        id: "restricted-area-sign-en",
        category: C,
        severity: Severity::High,
        regex: r"(?i)\bmilitary (?:installation|restricted area|area|zone|base|property|reservation)\b|\b(?:restricted|prohibited|controlled) (?:area|zone)\b",
        trigger: Trigger::Literals(&[
            "MILITARY",
            "Military",
            "military",
            "RESTRICTED",
            "Restricted",
            "restricted",
            "PROHIBITED",
            "Prohibited",
            "prohibited",
            "CONTROLLED",
            "Controlled",
            "controlled",
        ]),
        group: 0,
        reach: (24, 40),
        explanation: "Sign of a restricted area",
        validate: Some(en_area),
        ocr_only: false,
    },
    PatternSpec {
        id: "no-photography-sign-en",
        category: C,
        severity: Severity::Medium,
        regex: r"(?i)\b(?:no (?:photography|photographs|photos|cameras|filming)|photography (?:is )?(?:prohibited|forbidden|not permitted)|authori[sz]ed personnel only)\b",
        trigger: Trigger::Literals(&[
            "NO ",
            "No ",
            "no ",
            "PHOTOGRAPHY",
            "Photography",
            "photography",
            "AUTHORI",
            "Authori",
            "authori",
        ]),
        group: 0,
        reach: (8, 40),
        explanation: "Sign forbidding photography or entry",
        validate: Some(sign_context),
        ocr_only: false,
    },
];

/// Words that show a sign belongs to a military site.
const MILITARY: &[&str] = &[
    "军事",
    "部队",
    "军营",
    "营区",
    "military",
    "Military",
    "MILITARY",
    "army",
    "Army",
    "ARMY",
    "navy",
    "Navy",
    "NAVY",
    "air force",
    "Air Force",
    "AIR FORCE",
    "defense",
    "Defense",
    "DEFENSE",
    "defence",
    "Defence",
    "DEFENCE",
    "base",
    "Base",
    "BASE",
    "installation",
    "INSTALLATION",
];

/// Words of museums, galleries and venues, where no-photography signs are routine.
const MUSEUM: &[&str] = &[
    "展品",
    "文物",
    "展览",
    "博物馆",
    "美术馆",
    "展厅",
    "闪光灯",
    "演出",
    "museum",
    "Museum",
    "MUSEUM",
    "artwork",
    "exhibit",
    "Exhibit",
    "EXHIBIT",
    "gallery",
    "Gallery",
    "GALLERY",
    "flash",
    "Flash",
    "FLASH",
    "performance",
    "concert",
];

fn near(c: &Candidate<'_, '_>, words: &[&str]) -> bool {
    let (before, after) = (c.text_before(96), c.text_after(96));
    words
        .iter()
        .any(|w| before.contains(w) || after.contains(w))
}

/// A match that reads as a sign: upper case, or (nearly) alone on its line.
fn looks_like_sign(c: &Candidate<'_, '_>) -> bool {
    let m = c.original();
    let upper = m.chars().any(|ch| ch.is_ascii_alphabetic())
        && !m.chars().any(|ch| ch.is_ascii_lowercase());
    let short_line = c
        .original_line()
        .is_some_and(|l| l.chars().count() <= m.chars().count() + 8);
    upper || short_line
}

fn cn_military(c: &Candidate<'_, '_>) -> Option<Verdict> {
    // 军事设施 and 军事要地 are common in prose; on their own they only count on a sign
    // (禁止/严禁 nearby or a line of their own).
    let m = c.matched();
    if (m.ends_with("设施") || m.ends_with("要地"))
        && !(near(c, &["禁止", "严禁", "保护", "闲人免进"]) || looks_like_sign(c))
    {
        return None;
    }
    Verdict::explain(format!("Sign of a military restricted area: {m}"))
}

fn en_area(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let m = c.matched().to_ascii_lowercase();
    if m.starts_with("military") || near(c, MILITARY) || looks_like_sign(c) {
        return Verdict::explain(format!("Sign of a restricted area: {}", c.original()));
    }
    None
}

fn sign_context(c: &Candidate<'_, '_>) -> Option<Verdict> {
    if near(c, MILITARY) {
        return Verdict::explain(format!("Sign at a military site: {}", c.original()));
    }
    if near(c, MUSEUM) || !looks_like_sign(c) {
        return None;
    }
    Verdict::explain(format!(
        "Sign forbidding photography or entry: {}",
        c.original()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Prepared;
    use crate::pattern::compile;
    use crate::Detector;

    fn hits(text: &str) -> Vec<(&'static str, String)> {
        let prep = Prepared::new(text);
        let mut out = Vec::new();
        // Another table runs first on the same Prepared (and its trigger scan), as in a
        // real scan.
        crate::PatternDetector::new("classification-marking", 0).detect(&prep, &mut Vec::new());
        crate::PatternDetector::new("restricted-site", 5).detect(&prep, &mut out);
        out.sort_by_key(|h| h.start);
        out.iter()
            .map(|h| (h.rule, text.get(h.start..h.end).unwrap_or("").to_string()))
            .collect()
    }

    #[test]
    fn regexes_compile() {
        for s in SPECS {
            assert!(compile(s.regex).is_ok(), "{}", s.id);
        }
    }

    #[test]
    fn signs_are_found() {
        let table: &[(&str, &[(&str, &str)])] = &[
            (
                "军事禁区\n禁止拍照",
                &[
                    ("restricted-area-sign", "军事禁区"),
                    ("no-photography-sign", "禁止拍照"),
                ],
            ),
            (
                "军事管理区 闲人免进",
                &[("restricted-area-sign", "军事管理区")],
            ),
            ("军事重地 禁止进入", &[("restricted-area-sign", "军事重地")]),
            ("军 事 禁 区", &[("restricted-area-sign", "军 事 禁 区")]),
            ("严禁拍照", &[("no-photography-sign", "严禁拍照")]),
            (
                "部队营区，禁止摄影录像",
                &[("no-photography-sign", "禁止摄影")],
            ),
            (
                "RESTRICTED AREA\nNO PHOTOGRAPHY",
                &[
                    ("restricted-area-sign-en", "RESTRICTED AREA"),
                    ("no-photography-sign-en", "NO PHOTOGRAPHY"),
                ],
            ),
            (
                "WARNING\nMILITARY INSTALLATION",
                &[("restricted-area-sign-en", "MILITARY INSTALLATION")],
            ),
            (
                "The photo shows the military installation at the coast.",
                &[("restricted-area-sign-en", "military installation")],
            ),
            (
                "Entry to the base: authorized personnel only.",
                &[("no-photography-sign-en", "authorized personnel only")],
            ),
            (
                "Photography is prohibited",
                &[("no-photography-sign-en", "Photography is prohibited")],
            ),
        ];
        for (text, want) in table {
            let want: Vec<(&str, String)> = want.iter().map(|(r, m)| (*r, m.to_string())).collect();
            assert_eq!(hits(text), want, "{text}");
        }
    }

    #[test]
    fn near_misses_are_not() {
        for text in [
            "No photography of the artwork is allowed in the gallery.",
            "博物馆内禁止拍照，请勿使用闪光灯。",
            "展厅内禁止拍照",
            "The memory is mapped into a restricted area of the process, the manual says more.",
            "Staff must not enter; authorized personnel only may open the cabinet in the office kitchen.",
            "军事设施建设的历史回顾与展望",
            "军事题材电影",
            "We had no photos of the wedding, and the meeting went on with more items than usual.",
        ] {
            assert_eq!(hits(text), Vec::<(&str, String)>::new(), "{text}");
        }
    }
}
