//! `military-unit`: unit designators and hull numbers.
//!
//! Each rule needs a number plus a military word (`部队`, `Unit`, `舷号`, a US hull
//! classification), so everyday words that share a character (营业, 旅游, 团购, 师范, 律师)
//! and vague references (某部) never match. Brigades and divisions (`第3旅`) need a military
//! word nearby (集团军, 陆军, 海军, ...) or a branch in the name (`第3合成旅`).

use clearance_model::{Category, Severity};

use crate::pattern::{Candidate, PatternSpec, Trigger, Verdict, REACH};

const C: Category = Category::MilitaryUnit;
const M: Severity = Severity::Medium;

/// The rules.
pub static SPECS: &[PatternSpec] = &[
    PatternSpec {
        id: "cn-unit-designator",
        category: C,
        severity: M,
        regex: r"([0-9]{4,6}) ?部队",
        trigger: Trigger::Literals(&["部队"]),
        group: 0,
        reach: REACH,
        explanation: "PLA unit cover designator",
        validate: Some(cn_unit),
        ocr_only: false,
    },
    PatternSpec {
        id: "unit-designator",
        category: C,
        severity: M,
        regex: r"\b(?:PLA |People's Liberation Army )?(?:Unit|UNIT|Military Unit) (?:No\. ?)?([0-9]{4,6})\b",
        trigger: Trigger::Literals(&["Unit ", "UNIT "]),
        group: 0,
        reach: REACH,
        explanation: "Military unit designator",
        validate: Some(unit),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-hull-number",
        category: C,
        severity: M,
        regex: r"舷号 ?[:为是]? ?([0-9]{2,4})",
        trigger: Trigger::Literals(&["舷号"]),
        group: 0,
        reach: REACH,
        explanation: "Chinese hull number (舷号)",
        validate: Some(hull),
        ocr_only: false,
    },
    PatternSpec {
        id: "hull-number",
        category: C,
        severity: M,
        regex: r"(?i)\bhull (?:number|no\.?|#) ?:? ?([0-9]{1,4})\b",
        trigger: Trigger::Literals(&["hull ", "Hull ", "HULL "]),
        group: 0,
        reach: (8, 40),
        explanation: "Hull number",
        validate: Some(hull),
        ocr_only: false,
    },
    PatternSpec {
        id: "hull-classification",
        category: C,
        severity: M,
        regex: r"\b(SSBN|SSGN|SSN|DDG|CVN|LHD|LHA|LPD|LSD|FFG|LCS|LCC|MCM|T-AKE|T-AO|CG|CV|DD)(-| )?([0-9]{1,4})\b",
        trigger: Trigger::Literals(&[
            "SSBN", "SSGN", "SSN", "DDG", "CVN", "LHD", "LHA", "LPD", "LSD", "FFG", "LCS", "LCC",
            "MCM", "T-AK", "T-AO", "CG-", "CV-", "DD-",
        ]),
        group: 0,
        reach: REACH,
        explanation: "US Navy hull classification and number",
        validate: Some(hull_class),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-group-army",
        category: C,
        severity: M,
        regex: r"第? ?([0-9]{1,3}|[一二三四五六七八九十]{1,3}) ?集团军",
        trigger: Trigger::Literals(&["集团军"]),
        group: 0,
        reach: REACH,
        explanation: "PLA group army designator",
        validate: Some(formation),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-formation",
        category: C,
        severity: M,
        regex: r"(?:集团军|陆军|海军|空军|火箭军|武警|战区|舰队|军区|陆战队|部队)[^。;\n]{0,16}?(第? ?(?:[0-9]{1,3}|[一二三四五六七八九十百]{1,4}) ?(?:旅|师|团|支队))",
        trigger: Trigger::Literals(&[
            "集团军",
            "陆军",
            "海军",
            "空军",
            "火箭军",
            "武警",
            "战区",
            "舰队",
            "军区",
            "陆战队",
            "部队",
        ]),
        group: 1,
        reach: REACH,
        explanation: "PLA brigade, division or regiment designator",
        validate: Some(formation_context),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-formation-typed",
        category: C,
        severity: M,
        regex: r"第? ?([0-9]{1,3}|[一二三四五六七八九十百]{1,4}) ?(?:合成|装甲|机步|摩步|炮兵|空降|特战|陆战|防空|工兵|两栖|重型|轻型|中型)(?:旅|师|团)",
        trigger: Trigger::Literals(&[
            "合成", "装甲", "机步", "摩步", "炮兵", "空降", "特战", "陆战", "防空", "工兵", "两栖",
        ]),
        group: 0,
        reach: REACH,
        explanation: "PLA brigade or division designator",
        validate: Some(formation),
        ocr_only: false,
    },
];

fn digit_before(c: &Candidate<'_, '_>) -> bool {
    c.before().is_some_and(|ch| ch.is_ascii_digit())
}

fn cn_unit(c: &Candidate<'_, '_>) -> Option<Verdict> {
    if digit_before(c) {
        return None;
    }
    Verdict::explain(format!("PLA unit cover designator {}部队", c.group(1)?))
}

fn unit(c: &Candidate<'_, '_>) -> Option<Verdict> {
    Verdict::explain(format!("Military unit designator {}", c.matched()))
}

fn hull(c: &Candidate<'_, '_>) -> Option<Verdict> {
    if c.after().is_some_and(|ch| ch.is_ascii_digit()) {
        return None;
    }
    Verdict::explain(format!("Hull number {}", c.group(1)?))
}

fn hull_class(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let prefix = c.group(1)?;
    let sep = c.group(2).unwrap_or("");
    let number = c.group(3)?;
    // Two-letter prefixes collide with ordinary abbreviations unless hyphenated, and
    // `DD-254` is the DD Form 254 of a classified contract, not a destroyer.
    if prefix.len() == 2 && sep != "-" || prefix == "DD" && number == "254" {
        return None;
    }
    // `SSN 123-45-6789` is a social security number.
    let tail = c.text_after(2).as_bytes();
    if tail.first() == Some(&b'-') && tail.get(1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Verdict::explain(format!("US Navy hull classification {prefix}-{number}"))
}

fn formation(c: &Candidate<'_, '_>) -> Option<Verdict> {
    if digit_before(c) {
        return None;
    }
    Verdict::explain(format!(
        "PLA formation designator {}",
        c.matched().replace(' ', "")
    ))
}

fn formation_context(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let (s, e) = c.group_span(1)?;
    let t = c.text();
    // 旅游, 团购, 师范, 团长... : the char after the unit word must not make it a common word.
    if t.get(e..)
        .and_then(|r| r.chars().next())
        .is_some_and(|ch| "游购范部员体队委馆社".contains(ch))
    {
        return None;
    }
    if t.get(..s)
        .and_then(|h| h.chars().next_back())
        .is_some_and(|ch| ch.is_ascii_digit())
    {
        return None;
    }
    Some(Verdict {
        explanation: Some(format!(
            "PLA formation designator {}",
            t.get(s..e)?.replace(' ', "")
        )),
        span: Some((s, e)),
        ..Verdict::default()
    })
}

#[cfg(test)]
mod tests {
    use crate::pattern::run_on;

    #[test]
    fn flags_unit_designators() {
        let table: &[(&str, &str, &str)] = &[
            ("解放军61398部队位于上海", "cn-unit-designator", "61398部队"),
            (
                "APT1 is Unit 61398 of the PLA",
                "unit-designator",
                "Unit 61398",
            ),
            (
                "PLA Unit 32011 was named",
                "unit-designator",
                "PLA Unit 32011",
            ),
            ("该舰舷号175", "cn-hull-number", "舷号175"),
            ("hull number 175 was seen", "hull-number", "hull number 175"),
            (
                "the USS Zumwalt (DDG-1000) sailed",
                "hull-classification",
                "DDG-1000",
            ),
            ("CVN 78 in port", "hull-classification", "CVN 78"),
            ("DDG-\n1000 sailed", "hull-classification", "DDG-\n1000"),
            ("第71集团军演习", "cn-group-army", "第71集团军"),
            ("陆军第71集团军某合成旅", "cn-group-army", "第71集团军"),
            ("海军陆战队第1旅进驻", "cn-formation", "第1旅"),
            ("第3合成旅开展训练", "cn-formation-typed", "第3合成旅"),
        ];
        for (text, rule, want) in table {
            let got = run_on(2, text);
            assert!(
                got.iter().any(|(r, t)| r == rule && t == want),
                "{text:?}: expected {rule} on {want:?}, got {got:?}"
            );
        }
    }

    #[test]
    fn leaves_everyday_words_alone() {
        for text in [
            "营业时间为早九点",
            "旅游团购优惠",
            "北京师范大学的律师",
            "某部近日组织训练",
            "Unit 4 of the exhibition",
            "Visit Booth 175 or Room 175; Berth 175 is free",
            "SSN 123-45-6789",
            "The CG 12 shader",
            "Submit DD-254 with the bid",
            "第3旅游团",
            "集团公司第2团队",
        ] {
            assert_eq!(run_on(2, text), vec![], "{text:?} must not be flagged");
        }
    }
}
