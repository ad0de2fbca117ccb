//! `classification-marking`: US/NATO banners, portion marks and authority blocks; Chinese
//! 密级 marks.
//!
//! Case is the main tell in English: `SECRET//NOFORN` is a banner, "Secret Service" is prose,
//! so the regexes are case-sensitive (the triggers are not). Chinese marks are told from prose
//! by their form: a star (`机密★`), a `密级` label, parentheses, or a line of their own.

use clearance_model::{Category, Severity};

use crate::pattern::{Candidate, PatternSpec, Trigger, Verdict, REACH};

const C: Category = Category::ClassificationMarking;
const H: Severity = Severity::High;

/// The rules.
pub static SPECS: &[PatternSpec] = &[
    PatternSpec {
        id: "us-classification-banner",
        category: C,
        severity: H,
        regex: r"\b(TOP SECRET|SECRET|CONFIDENTIAL|RESTRICTED|UNCLASSIFIED)((?: ?// ?[A-Z0-9](?:[A-Z0-9 ,\-]*[A-Z0-9])?)+)\b",
        trigger: Trigger::Literals(&["//"]),
        group: 0,
        reach: REACH,
        explanation: "US classification banner",
        validate: Some(banner),
        ocr_only: false,
    },
    PatternSpec {
        id: "nato-classification",
        category: C,
        severity: H,
        regex: r"\b(COSMIC TOP SECRET|NATO SECRET|NATO CONFIDENTIAL|NATO RESTRICTED)\b",
        trigger: Trigger::Literals(&["NATO", "COSMIC"]),
        group: 0,
        reach: REACH,
        explanation: "NATO classification marking",
        validate: None,
        ocr_only: false,
    },
    PatternSpec {
        id: "classification-banner-line",
        category: C,
        severity: H,
        regex: r"\b(TOP SECRET|SECRET|CONFIDENTIAL)\b",
        trigger: Trigger::Literals(&["SECRET", "CONFIDENTIAL"]),
        group: 0,
        reach: (8, 24),
        explanation: "Classification level standing alone on a line, as a banner",
        validate: Some(alone_on_line),
        ocr_only: false,
    },
    PatternSpec {
        id: "portion-mark",
        category: C,
        severity: H,
        regex: r"\((TS|S|C|U|CUI|FOUO)((?://[A-Z0-9][A-Z0-9 ,\-]*)*)\)",
        trigger: Trigger::Literals(&[
            "(TS)", "(S)", "(C)", "(CUI)", "(FOUO)", "(TS//", "(S//", "(C//", "(U//", "(CUI//",
        ]),
        group: 0,
        reach: REACH,
        explanation: "Portion mark",
        validate: Some(portion_mark),
        ocr_only: false,
    },
    PatternSpec {
        id: "cui-marking",
        category: C,
        severity: H,
        regex: r"\bCUI(?: ?// ?[A-Z][A-Z0-9\-]*)+\b|\bCONTROLLED UNCLASSIFIED INFORMATION\b",
        trigger: Trigger::Literals(&["CUI/", "CUI /", "CONTROLLED UNCLASSIFIED"]),
        group: 0,
        reach: REACH,
        explanation: "Controlled Unclassified Information (CUI) marking",
        validate: None,
        ocr_only: false,
    },
    PatternSpec {
        id: "fouo",
        category: C,
        severity: H,
        regex: r"\bFOUO\b|\bFOR OFFICIAL USE ONLY\b|\bFor Official Use Only\b",
        trigger: Trigger::Literals(&["FOUO", "FOR OFFICIAL USE ONLY", "For Official Use Only"]),
        group: 0,
        reach: REACH,
        explanation: "For Official Use Only (FOUO) marking",
        validate: None,
        ocr_only: false,
    },
    PatternSpec {
        id: "dissemination-control",
        category: C,
        severity: H,
        regex: r"\b(NOFORN|ORCON|IMCON|PROPIN|RELIDO)\b",
        trigger: Trigger::Literals(&["NOFORN", "ORCON", "IMCON", "PROPIN", "RELIDO"]),
        group: 0,
        reach: REACH,
        explanation: "Dissemination control marking",
        validate: Some(dissemination),
        ocr_only: false,
    },
    PatternSpec {
        id: "classification-authority-block",
        category: C,
        severity: H,
        regex: r"\b(Classified [Bb]y|CLASSIFIED BY|Derived [Ff]rom|DERIVED FROM|Declassify [Oo]n|DECLASSIFY ON) ?: ?[^ \n]+(?: [^ \n]+){0,5}",
        trigger: Trigger::Literals(&[
            "Classified By",
            "Classified by",
            "CLASSIFIED BY",
            "Derived From",
            "Derived from",
            "DERIVED FROM",
            "Declassify On",
            "Declassify on",
            "DECLASSIFY ON",
        ]),
        group: 0,
        reach: REACH,
        explanation: "Classification authority block",
        validate: Some(authority_block),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-classification-star",
        category: C,
        severity: H,
        regex: r"(绝密|机密|秘密) ?[★☆] ?(长期|启用前|[0-9]{4} ?年 ?[0-9]{1,2} ?月(?: ?[0-9]{1,2} ?日)?|[0-9]{1,3} ?年|[0-9]{1,3} ?个月|[一二三四五六七八九十]{1,3} ?年|[一二三四五六七八九十]{1,3} ?个月)?",
        trigger: Trigger::Literals(&["★", "☆"]),
        group: 0,
        reach: REACH,
        explanation: "Chinese classification mark",
        validate: Some(cn_star),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-marking-ocr",
        category: C,
        severity: H,
        regex: r"(绝密|机密|秘密) ?(?:(\p{Han}) ?)?(长期|[0-9]{4} ?年 ?[0-9]{1,2} ?月(?: ?[0-9]{1,2} ?日)?|[0-9]{1,3} ?年|[0-9]{1,3} ?个月|[一二三四五六七八九十]{1,3} ?年|[一二三四五六七八九十]{1,3} ?个月)",
        trigger: Trigger::Literals(&["绝密", "机密", "秘密"]),
        group: 0,
        reach: (0, 64),
        explanation: "Chinese classification mark read by OCR (star not readable)",
        validate: Some(cn_marking_ocr),
        ocr_only: true,
    },
    PatternSpec {
        id: "cn-classification-level",
        category: C,
        severity: H,
        regex: r"密级 ?[:]? ?(绝密|机密|秘密|内部|核心商密|普通商密)",
        trigger: Trigger::Literals(&["密级"]),
        group: 0,
        reach: REACH,
        explanation: "Chinese classification level label (密级)",
        validate: Some(cn_level),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-paragraph-mark",
        category: C,
        severity: H,
        regex: r"\((绝密|机密|秘密)\)|【(绝密|机密|秘密)】|〔(绝密|机密|秘密)〕",
        trigger: Trigger::Literals(&[
            "绝密)",
            "机密)",
            "秘密)",
            "绝密】",
            "机密】",
            "秘密】",
            "密〕",
        ]),
        group: 0,
        reach: REACH,
        explanation: "Chinese paragraph classification mark",
        validate: Some(cn_paragraph),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-internal-material",
        category: C,
        severity: H,
        regex: r"内部(资料|文件|刊物|材料) ?[,、]? ?注意(保存|保管|保密)",
        trigger: Trigger::Literals(&["注意保"]),
        group: 0,
        reach: REACH,
        explanation: "Chinese internal-material mark (内部资料 注意保存)",
        validate: None,
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-classification-line",
        category: C,
        severity: H,
        regex: r"(绝密|机密|秘密)",
        trigger: Trigger::Literals(&["绝密", "机密", "秘密"]),
        group: 0,
        reach: (8, 16),
        explanation: "Chinese classification level standing alone on a line",
        validate: Some(alone_on_line),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-involves-secrets",
        category: C,
        severity: H,
        regex: r"涉密",
        trigger: Trigger::Literals(&["涉密"]),
        group: 0,
        reach: (8, 16),
        explanation: "涉密: text says it involves state secrets",
        validate: Some(involves_secrets),
        ocr_only: false,
    },
];

fn banner(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let level = c.group(1)?;
    let controls = c.group(2)?.trim();
    if level == "UNCLASSIFIED"
        && ![
            "FOUO",
            "FOR OFFICIAL USE ONLY",
            "LES",
            "SBU",
            "NOFORN",
            "PROPIN",
        ]
        .iter()
        .any(|k| controls.contains(k))
    {
        return None;
    }
    Verdict::explain(format!(
        "US classification banner {level} with controls {controls}"
    ))
}

fn alone_on_line(c: &Candidate<'_, '_>) -> Option<Verdict> {
    // Cheap test first: a mark inside running text has a letter right next to it.
    if c.before().is_some_and(char::is_alphanumeric) || c.after().is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    let line = c.original_line()?;
    let mark = c.original();
    // The line holds nothing but the mark (banners often repeat it: `SECRET    SECRET`).
    let rest = line.replace(mark, "");
    if !rest
        .chars()
        .all(|ch| ch.is_whitespace() || matches!(ch, '-' | '*' | '=' | '_'))
    {
        return None;
    }
    Verdict::explain(format!(
        "Classification level {} standing alone on a line, as a banner",
        c.matched()
    ))
}

fn portion_mark(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let level = c.group(1)?;
    let controls = c.group(2).unwrap_or("");
    let name = match level {
        "TS" => "TOP SECRET",
        "S" => "SECRET",
        "C" => "CONFIDENTIAL",
        "U" => "UNCLASSIFIED",
        "FOUO" => "FOUO",
        _ => "CUI",
    };
    if controls.is_empty() {
        // A bare mark is a portion mark only at the start of a paragraph, followed by text:
        // not `(C) 2024 Acme`, not `file(S)`.
        if level == "U" || !c.at_line_start() {
            return None;
        }
        let after = c.text_after(40);
        let next = after.trim_start().chars().next()?;
        if !(next.is_alphabetic() || next == '"' || next == '(') || after == after.trim_start() {
            return None;
        }
        if level == "C" && (after.to_ascii_lowercase().contains("copyright") || has_year(after)) {
            return None;
        }
    }
    Verdict::explain(format!("Portion mark {} ({name}{controls})", c.matched()))
}

fn has_year(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(4).enumerate().any(|(i, w)| {
        (w.starts_with(b"19") || w.starts_with(b"20"))
            && w.iter().all(u8::is_ascii_digit)
            && !b.get(i + 4).is_some_and(u8::is_ascii_digit)
            && !(i > 0 && b.get(i - 1).is_some_and(u8::is_ascii_digit))
    })
}

fn dissemination(c: &Candidate<'_, '_>) -> Option<Verdict> {
    Verdict::explain(format!("Dissemination control {}", c.matched()))
}

fn authority_block(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let label = c.group(1)?;
    let capitalised = label
        .split(' ')
        .all(|w| w.starts_with(|ch: char| ch.is_ascii_uppercase()));
    if !capitalised && !c.at_line_start() {
        return None;
    }
    // The value ends at the original line's end.
    let (os, _) = c.prep.to_original(c.start, c.end);
    let orig = c.prep.original();
    let span = match orig.get(os..).and_then(|t| t.find('\n')) {
        Some(nl) => {
            let cut = os + nl;
            let norm_cut = (c.start..c.end)
                .find(|&i| c.prep.to_original(i, i + 1).0 >= cut && c.text().is_char_boundary(i))
                .unwrap_or(c.end);
            Some((c.start, norm_cut))
        }
        None => None,
    };
    Some(Verdict {
        explanation: Some(format!("Classification authority block ({label}:)")),
        span,
        ..Verdict::default()
    })
}

fn cn_star(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let level = c.group(1)?;
    let term = match c.group(2).map(|t| t.replace(' ', "")) {
        None => "with no term stated".to_string(),
        Some(t) if t == "长期" => "with a long-term (长期) term".to_string(),
        Some(t) if t == "启用前" => "until opened (启用前)".to_string(),
        Some(t) if t.contains('月') && t.contains('年') => format!("until {t}"),
        Some(t) => match (t.strip_suffix("个月"), t.strip_suffix('年')) {
            (Some(n), _) => format!("with a {n}-month term"),
            (None, Some(n)) => format!("with a {n}-year term"),
            _ => format!("with term {t}"),
        },
    };
    Verdict::explain(format!("Chinese classification mark {level}★ {term}"))
}

/// `机密★5年` as OCR reads it: the Debian `chi_sim` model has no ★, so the star comes out as
/// one wrong ideograph (`机密女5年`, `机密文5年`, `机密码5年`) or not at all (`机密5年`). Only
/// OCR text is searched (`ocr_only`); the mark must not continue a word (`商业秘密5年`), and
/// `5年级` is a school grade, not a term.
fn cn_marking_ocr(c: &Candidate<'_, '_>) -> Option<Verdict> {
    // The char before in the original text: normalising joins a line that starts with the
    // mark to the Chinese line above it, but a line break is no word.
    let (os, _) = c.prep.to_original(c.start, c.end);
    let before = c
        .prep
        .original()
        .get(..os)
        .and_then(|h| h.chars().next_back());
    if before.is_some_and(is_han) || c.after() == Some('级') {
        return None;
    }
    let level = c.group(1)?;
    let term = c.group(3)?.replace(' ', "");
    let star = match c.group(2) {
        Some(x) => format!("read as \"{x}\""),
        None => "dropped".to_string(),
    };
    Verdict::explain(format!(
        "Chinese classification mark {level}★{term} read by OCR: the star (★) is not in the \
         OCR model's character set and was {star}"
    ))
}

/// A Han ideograph (not CJK punctuation).
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

fn cn_level(c: &Candidate<'_, '_>) -> Option<Verdict> {
    Verdict::explain(format!(
        "Chinese classification level label 密级: {}",
        c.group(1)?
    ))
}

fn cn_paragraph(c: &Candidate<'_, '_>) -> Option<Verdict> {
    Verdict::explain(format!(
        "Chinese paragraph classification mark {}",
        c.original()
    ))
}

fn involves_secrets(c: &Candidate<'_, '_>) -> Option<Verdict> {
    if matches!(c.before(), Some('非' | '不' | '无' | '未')) {
        return None;
    }
    Verdict::accept()
}

#[cfg(test)]
mod tests {
    use clearance_model::Source;

    use crate::pattern::run_on;

    fn run(text: &str) -> Vec<(&'static str, String)> {
        run_on(0, text)
    }

    /// `(rule, start, end, original text)` of every hit of this table, in text order.
    fn spans(text: &str, source: Source) -> Vec<(&'static str, usize, usize, String)> {
        let prep = crate::normalize::Prepared::with_source(text, source);
        let mut hits = Vec::new();
        crate::pattern::ENGINE.run_table(0, &prep, &mut hits);
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end), h.rule));
        hits.iter()
            .map(|h| (h.rule, h.start, h.end, text[h.start..h.end].to_string()))
            .collect()
    }

    /// A text and the (rule, start, end) spans expected in it.
    type SpanRow = (&'static str, &'static [(&'static str, usize, usize)]);

    fn assert_spans(table: &[SpanRow], source: Source) {
        for (text, want) in table {
            let got: Vec<(&str, usize, usize)> = spans(text, source)
                .into_iter()
                .map(|(r, s, e, _)| (r, s, e))
                .collect();
            assert_eq!(got, want.to_vec(), "{text:?}: {:?}", spans(text, source));
        }
    }

    #[test]
    fn overlapping_triggers_all_fire() {
        // `机密` and `密〕` overlap in `〔机密〕`, `绝密` and `密级` in `绝密级`: a
        // non-overlapping trigger scan reported only the first of each pair.
        let table: &[SpanRow] = &[
            ("〔机密〕本段说明", &[("cn-paragraph-mark", 0, 12)]),
            ("正文〔绝密〕", &[("cn-paragraph-mark", 6, 18)]),
            ("〔秘密〕", &[("cn-paragraph-mark", 0, 12)]),
            ("密级：绝密级", &[("cn-classification-level", 0, 15)]),
            ("绝密级文件", &[]),
        ];
        assert_spans(table, Source::Body);
        // The trigger of the `密级` label fires inside `绝密级` (its window is searched).
        let windows = crate::pattern::ENGINE.window_counts("绝密级文件");
        assert!(
            windows.contains(&("cn-classification-level", 1)),
            "{windows:?}"
        );
    }

    #[test]
    fn reads_star_marks_that_ocr_could_not_read() {
        let table: &[SpanRow] = &[
            ("机密女5年", &[("cn-marking-ocr", 0, 13)]),
            ("机密文5年", &[("cn-marking-ocr", 0, 13)]),
            ("机密太5年", &[("cn-marking-ocr", 0, 13)]),
            ("机密码5年", &[("cn-marking-ocr", 0, 13)]),
            ("机密5年", &[("cn-marking-ocr", 0, 10)]),
            ("绝密女长期", &[("cn-marking-ocr", 0, 15)]),
            ("秘密文6个月", &[("cn-marking-ocr", 0, 16)]),
            ("机密女2030年12月31日", &[("cn-marking-ocr", 0, 26)]),
            ("文件\n机密 女 5年\n正文", &[("cn-marking-ocr", 7, 22)]),
            (
                "密级：机密女5年",
                &[
                    ("cn-classification-level", 0, 15),
                    ("cn-marking-ocr", 9, 22),
                ],
            ),
            // Near misses: a word, not one char, after the level; a level inside a word; a
            // school grade; no term at all.
            ("会议采用秘密投票5年一次", &[]),
            ("秘密投票5年", &[]),
            ("保护商业秘密5年", &[]),
            ("商业秘密", &[]),
            ("机密5年级学生", &[]),
            ("机密女", &[]),
        ];
        assert_spans(table, Source::Ocr);
        // Only OCR text: typed text that says `机密文5年` is not a misread star.
        for text in ["机密文5年", "机密女5年", "机密5年"] {
            for source in [Source::Body, Source::Header, Source::Metadata] {
                assert!(
                    spans(text, source).iter().all(|h| h.0 != "cn-marking-ocr"),
                    "{text:?} from {source:?}"
                );
            }
        }
        let ocr = spans("机密女5年", Source::Ocr);
        let prep = crate::normalize::Prepared::with_source("机密女5年", Source::Ocr);
        let mut hits = Vec::new();
        crate::pattern::ENGINE.run_table(0, &prep, &mut hits);
        assert_eq!(ocr.len(), 1);
        assert_eq!(
            hits[0].explanation,
            "Chinese classification mark 机密★5年 read by OCR: the star (★) is not in the \
             OCR model's character set and was read as \"女\""
        );
    }

    #[test]
    fn flags_markings_with_their_original_text() {
        let table: &[(&str, &str, &str)] = &[
            (
                "TOP SECRET//SI//NOFORN",
                "us-classification-banner",
                "TOP SECRET//SI//NOFORN",
            ),
            (
                "Header SECRET//REL TO USA, GBR\nbody",
                "us-classification-banner",
                "SECRET//REL TO USA, GBR",
            ),
            (
                "TOP\nSECRET//NOFORN",
                "us-classification-banner",
                "TOP\nSECRET//NOFORN",
            ),
            (
                "UNCLASSIFIED//FOUO",
                "us-classification-banner",
                "UNCLASSIFIED//FOUO",
            ),
            (
                "(S//NF) The convoy leaves at dawn.",
                "portion-mark",
                "(S//NF)",
            ),
            ("(TS) The convoy leaves at dawn.", "portion-mark", "(TS)"),
            (
                "intro\n(C) Details of the site follow.",
                "portion-mark",
                "(C)",
            ),
            (
                "Marking: CUI//SP-PRVCY here",
                "cui-marking",
                "CUI//SP-PRVCY",
            ),
            ("this is FOUO material", "fouo", "FOUO"),
            (
                "Classified By: J. Smith, Director\nnext",
                "classification-authority-block",
                "Classified By: J. Smith, Director",
            ),
            (
                "Derived From: DoD SCG 2019",
                "classification-authority-block",
                "Derived From: DoD SCG 2019",
            ),
            (
                "Declassify On: 20451231",
                "classification-authority-block",
                "Declassify On: 20451231",
            ),
            ("NATO SECRET", "nato-classification", "NATO SECRET"),
            ("SECRET\nThe plan", "classification-banner-line", "SECRET"),
            ("绝密★长期", "cn-classification-star", "绝密★长期"),
            ("文件 机密★5年 正文", "cn-classification-star", "机密★5年"),
            ("秘密★6个月", "cn-classification-star", "秘密★6个月"),
            (
                "机密★2030年12月31日",
                "cn-classification-star",
                "机密★2030年12月31日",
            ),
            ("秘密★", "cn-classification-star", "秘密★"),
            ("機　密★5年", "cn-classification-star", "機　密★5年"),
            ("密级：机密", "cn-classification-level", "密级：机密"),
            ("（机密）本段说明", "cn-paragraph-mark", "（机密）"),
            ("(秘密)本段说明", "cn-paragraph-mark", "(秘密)"),
            (
                "内部资料 注意保存",
                "cn-internal-material",
                "内部资料 注意保存",
            ),
            ("本项目涉密，请注意", "cn-involves-secrets", "涉密"),
            ("机密", "cn-classification-line", "机密"),
        ];
        for (text, rule, want) in table {
            let got = run(text);
            assert!(
                got.iter().any(|(r, t)| r == rule && t == want),
                "{text:?}: expected {rule} on {want:?}, got {got:?}"
            );
        }
    }

    #[test]
    fn explains_the_term_of_a_chinese_mark() {
        let prep = crate::normalize::Prepared::new("机密★5年");
        let mut hits = Vec::new();
        crate::pattern::ENGINE.run_table(0, &prep, &mut hits);
        assert!(
            hits.iter()
                .any(|h| h.explanation == "Chinese classification mark 机密★ with a 5-year term"),
            "{:?}",
            hits.iter().map(|h| &h.explanation).collect::<Vec<_>>()
        );
    }

    #[test]
    fn leaves_prose_alone() {
        let table = [
            "The Secretary of State met the press.",
            "The Secret Service was there.",
            "Top Secret Recipes for a great cake",
            "CONFIDENTIALITY NOTICE: this e-mail is for the addressee only.",
            "Please keep this confidential between us.",
            "(C) 2024 Acme Corp. All rights reserved.",
            "(a) first (b) second (c) third",
            "See https://example.com/page for details",
            "秘书处发布通知",
            "保护商业秘密是企业的责任",
            "会议采用秘密投票方式",
            "揭秘航天工程",
            "加强内部控制和内部审计",
            "本项目为非涉密项目",
            "文件分为绝密、机密、秘密三级，分别说明如下",
            "DISTRIBUTION STATEMENT A. Approved for public release.",
            "UNCLASSIFIED",
            "a SECRET plan in prose",
        ];
        for text in table {
            assert_eq!(run(text), vec![], "{text:?} must not be flagged");
        }
    }
}
