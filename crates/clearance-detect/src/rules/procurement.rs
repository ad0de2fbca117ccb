//! `procurement-sensitive`: procurement and tender text that discloses a classified purpose,
//! buyer or site: 涉密采购, classified procurement, DD Form 254, and a military buyer named
//! together with an exact delivery site. An ordinary tender notice has none of these.

use std::sync::LazyLock;

use clearance_model::{Category, Severity};
use regex_automata::meta::Regex;

use crate::pattern::{
    ceil_char, compile, floor_char, Candidate, PatternSpec, Trigger, Verdict, REACH,
};

const C: Category = Category::ProcurementSensitive;
const H: Severity = Severity::High;

/// The rules.
pub static SPECS: &[PatternSpec] = &[
    PatternSpec {
        id: "cn-classified-procurement",
        category: C,
        severity: H,
        regex: r"涉密(?:采购|项目|招标|工程|合同|集成|资质|单位)",
        trigger: Trigger::Literals(&["涉密"]),
        group: 0,
        reach: (8, 24),
        explanation: "Procurement text naming a classified (涉密) purpose",
        validate: Some(cn_classified),
        ocr_only: false,
    },
    PatternSpec {
        id: "classified-procurement",
        category: C,
        severity: H,
        regex: r"(?i)\bclassified (?:procurement|contract|tender|acquisition|solicitation|bid|work)s?\b",
        trigger: Trigger::Literals(&["classified ", "Classified ", "CLASSIFIED "]),
        group: 0,
        reach: REACH,
        explanation: "Procurement text naming a classified purpose",
        validate: None,
        ocr_only: false,
    },
    PatternSpec {
        id: "dd-form-254",
        category: C,
        severity: H,
        regex: r"(?i)\bDD ?(?:Form ?)?-?254\b",
        trigger: Trigger::Literals(&["254"]),
        group: 0,
        reach: REACH,
        explanation: "DD Form 254: security classification specification of a classified contract",
        validate: None,
        ocr_only: false,
    },
    PatternSpec {
        id: "military-buyer-delivery-site",
        category: C,
        severity: H,
        regex: r"(?i)(?:交货地点|送货地址|交付地点|收货地址|交货地址|送货地点|收货地点|delivery (?:site|address|location|point)) ?:? ?([^ \n。;]{2,40}(?: [^ \n。;]{1,40}){0,3})",
        trigger: Trigger::Literals(&[
            "交货地",
            "送货地",
            "交付地点",
            "收货地",
            "delivery ",
            "Delivery ",
            "DELIVERY ",
        ]),
        group: 0,
        reach: (8, 320),
        explanation: "Military buyer with an exact delivery site",
        validate: Some(military_delivery),
        ocr_only: false,
    },
];

fn cn_classified(c: &Candidate<'_, '_>) -> Option<Verdict> {
    if matches!(c.before(), Some('非' | '不' | '无' | '未')) {
        return None;
    }
    Verdict::explain(format!(
        "Procurement text naming a classified purpose: {}",
        c.matched()
    ))
}

/// How far from the delivery site the buyer may be named, in bytes.
const BUYER_REACH: usize = 4096;

/// Words that name a military buyer.
static MILITARY_BUYER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(r"部队|军区|武警|装备部|后勤部|联勤保障|战区|舰队|解放军|军械|军事代表|(?i:\bPLA\b|\bmilitary\b|\barmy\b|\bnavy\b|\bair force\b|\bmarine corps\b)").ok()
});

fn military_delivery(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let address = c.group(1)?;
    // An exact site: a number or an address word (路, 号, 营区, 仓库...).
    let exact = address.bytes().any(|b| b.is_ascii_digit())
        || [
            "号", "路", "街", "营区", "仓库", "库房", "码头", "机场", "Road", "Street", "Building",
        ]
        .iter()
        .any(|w| address.contains(w));
    if !exact {
        return None;
    }
    // The buyer must be named near the site (same page or paragraph); the bound keeps a
    // hostile document with thousands of delivery lines linear.
    let re = MILITARY_BUYER.as_ref()?;
    let t = c.text();
    let from = floor_char(t, c.start.saturating_sub(BUYER_REACH));
    let to = ceil_char(t, c.end.saturating_add(BUYER_REACH));
    let m = re.search(&regex_automata::Input::new(t).span(from..to))?;
    let buyer = t.get(m.start()..m.end())?;
    Verdict::explain(format!(
        "Military buyer ({buyer}) with an exact delivery site"
    ))
}

#[cfg(test)]
mod tests {
    use crate::pattern::run_on;

    #[test]
    fn flags_classified_procurement() {
        let table: &[(&str, &str, &str)] = &[
            ("本次涉密采购项目", "cn-classified-procurement", "涉密采购"),
            ("属于涉密项目", "cn-classified-procurement", "涉密项目"),
            (
                "This is a classified procurement.",
                "classified-procurement",
                "classified procurement",
            ),
            ("Attach the DD Form 254.", "dd-form-254", "DD Form 254"),
            ("see DD 254", "dd-form-254", "DD 254"),
            (
                "采购人：中国人民解放军32011部队\n交货地点：新疆若羌县XX路18号营区",
                "military-buyer-delivery-site",
                "交货地点：新疆若羌县XX路18号营区",
            ),
        ];
        for (text, rule, want) in table {
            let got = run_on(4, text);
            assert!(
                got.iter().any(|(r, t)| r == rule && t == want),
                "{text:?}: expected {rule} on {want:?}, got {got:?}"
            );
        }
    }

    #[test]
    fn leaves_ordinary_tenders_alone() {
        for text in [
            "采购人：某市第一中学\n交货地点：某市人民路8号\n采购内容：课桌椅200套",
            "Tender notice: office chairs, delivery address 12 High Street",
            "本项目为非涉密项目",
            "The army of volunteers met; delivery is free.",
            "Room 254 is open",
        ] {
            assert_eq!(run_on(4, text), vec![], "{text:?} must not be flagged");
        }
    }
}
