//! `personal-id`: PRC resident ID numbers, passport numbers, mobile numbers and e-mail
//! addresses.
//!
//! Numbers are accepted only as whole digit runs (never the middle of a longer number), and
//! ID numbers only with a valid birth date and ISO 7064 MOD 11-2 check digit, so order
//! numbers of the same length stay out. Passport numbers need the word passport/护照 nearby.

use clearance_model::{Category, Severity};

use crate::pattern::{Candidate, PatternSpec, Trigger, Verdict, REACH};

const C: Category = Category::PersonalId;
const M: Severity = Severity::Medium;

/// The rules.
pub static SPECS: &[PatternSpec] = &[
    PatternSpec {
        id: "prc-resident-id",
        category: C,
        severity: M,
        regex: r"[0-9]{17}[0-9Xx]",
        trigger: Trigger::Digits(id_run),
        group: 0,
        reach: REACH,
        explanation: "Valid PRC resident ID (check digit and birth date valid)",
        validate: Some(prc_id),
        ocr_only: false,
    },
    PatternSpec {
        id: "cn-mobile",
        category: C,
        severity: M,
        regex: r"(?:\+86[- ]?|0086[- ]?)?1[3-9][0-9](?:[0-9]{8}|[- ][0-9]{4}[- ][0-9]{4})",
        trigger: Trigger::Digits(mobile_run),
        group: 0,
        reach: REACH,
        explanation: "Chinese mobile number",
        validate: Some(whole_number),
        ocr_only: false,
    },
    PatternSpec {
        id: "us-phone",
        category: C,
        severity: M,
        regex: r"(?:\+1[-. ]?)?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[-.])[2-9][0-9]{2}[-.][0-9]{4}",
        trigger: Trigger::Digits(phone_tail),
        group: 0,
        reach: REACH,
        explanation: "US phone number",
        validate: Some(whole_number),
        ocr_only: false,
    },
    PatternSpec {
        id: "passport-number",
        category: C,
        severity: M,
        regex: r"\b(?:[A-Z]{1,2}[0-9]{7,8}|[0-9]{9})\b",
        trigger: Trigger::Digits(passport_run),
        group: 0,
        reach: REACH,
        explanation: "Passport number",
        validate: Some(passport),
        ocr_only: false,
    },
    PatternSpec {
        id: "email-address",
        category: C,
        severity: M,
        regex: r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})*\.[A-Za-z]{2,24}\b",
        trigger: Trigger::Literals(&["@"]),
        group: 0,
        reach: (72, 160),
        explanation: "E-mail address",
        validate: Some(email),
        ocr_only: false,
    },
];

fn id_run(b: &[u8], s: usize, e: usize) -> bool {
    e - s == 18 || (e - s == 17 && matches!(b.get(e), Some(b'X' | b'x')))
}

fn mobile_run(b: &[u8], s: usize, e: usize) -> bool {
    b.get(s) == Some(&b'1')
        && (e - s == 11 || (e - s == 3 && matches!(b.get(e), Some(b'-' | b' '))))
}

/// The last four digits of `555-234-5678` / `(555) 234-5678`.
fn phone_tail(b: &[u8], s: usize, e: usize) -> bool {
    e - s == 4
        && s >= 4
        && matches!(b.get(s - 1), Some(b'-' | b'.'))
        && b.get(s - 4..s - 1)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

fn passport_run(_b: &[u8], s: usize, e: usize) -> bool {
    (7..=9).contains(&(e - s))
}

/// Not part of a longer number.
fn whole_number(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let digitish = |ch: char| ch.is_ascii_digit();
    if c.before().is_some_and(|ch| digitish(ch) || ch == '+') || c.after().is_some_and(digitish) {
        return None;
    }
    // `-` or `.` followed by more digits continues the number (`555-234-5678-99`).
    let tail = c.text_after(2).as_bytes();
    if matches!(tail.first(), Some(b'-' | b'.')) && tail.get(1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Verdict::accept()
}

/// ISO 7064 MOD 11-2 check character of the first 17 digits.
pub fn prc_check_char(first17: &[u8]) -> Option<u8> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (d, w) in first17.iter().zip(W) {
        if !d.is_ascii_digit() {
            return None;
        }
        sum += u32::from(d - b'0') * w;
    }
    b"10X98765432".get((sum % 11) as usize).copied()
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    let leap = (y & 3 == 0 && y.rem_euclid(100) != 0) || y.rem_euclid(400) == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2099).contains(&y) && (1..=days).contains(&d)
}

fn prc_id(c: &Candidate<'_, '_>) -> Option<Verdict> {
    if c.before().is_some_and(|ch| ch.is_ascii_alphanumeric())
        || c.after().is_some_and(|ch| ch.is_ascii_alphanumeric())
    {
        return None;
    }
    let b = c.matched().as_bytes();
    let num = |r: std::ops::Range<usize>| std::str::from_utf8(b.get(r)?).ok()?.parse::<u32>().ok();
    let (y, m, d) = (num(6..10)?, num(10..12)?, num(12..14)?);
    if !valid_date(y, m, d) {
        return None;
    }
    let check = prc_check_char(b.get(..17)?)?;
    (b.get(17).map(u8::to_ascii_uppercase) == Some(check)).then(Verdict::default)
}

fn passport(c: &Candidate<'_, '_>) -> Option<Verdict> {
    let before = c.text_before(60).to_ascii_lowercase();
    if !(before.contains("passport") || before.contains("护照")) {
        return None;
    }
    let m = c.matched();
    let kind = if m.starts_with(['E', 'G']) && m.len() == 9 {
        "Chinese passport number"
    } else if m.len() == 9 && m.bytes().all(|b| b.is_ascii_digit()) {
        "US passport number"
    } else {
        "Passport number"
    };
    Verdict::explain(format!("{kind} next to the word passport/护照"))
}

fn email(c: &Candidate<'_, '_>) -> Option<Verdict> {
    // The window may have cut the local part: the char before must not continue it.
    if c.before()
        .is_some_and(|ch| ch.is_ascii_alphanumeric() || "._%+-".contains(ch))
    {
        return None;
    }
    Verdict::explain(format!("E-mail address {}", c.matched()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::run_on;

    #[test]
    fn check_digit_matches_known_example() {
        // GB 11643-1999 example: 11010519491231002X.
        assert_eq!(prc_check_char(b"11010519491231002"), Some(b'X'));
        assert_eq!(prc_check_char(b"44052418800101001"), Some(b'4'));
    }

    #[test]
    fn flags_personal_ids() {
        let table: &[(&str, &str, &str)] = &[
            (
                "身份证号11010519491231002X。",
                "prc-resident-id",
                "11010519491231002X",
            ),
            (
                "ID 440304198506151237 on file",
                "prc-resident-id",
                "440304198506151237",
            ),
            ("手机：13812345678", "cn-mobile", "13812345678"),
            (
                "call +86 138-1234-5678 now",
                "cn-mobile",
                "+86 138-1234-5678",
            ),
            ("Phone (555) 234-5678 today", "us-phone", "(555) 234-5678"),
            ("Phone 555-234-5678.", "us-phone", "555-234-5678"),
            ("护照号码：E12345678", "passport-number", "E12345678"),
            (
                "Passport No. 123456789 issued",
                "passport-number",
                "123456789",
            ),
            (
                "mail alice.chen@example.gov.cn now",
                "email-address",
                "alice.chen@example.gov.cn",
            ),
        ];
        for (text, rule, want) in table {
            let got = run_on(3, text);
            assert!(
                got.iter().any(|(r, t)| r == rule && t == want),
                "{text:?}: expected {rule} on {want:?}, got {got:?}"
            );
        }
    }

    #[test]
    fn rejects_checksum_failures_and_inner_runs() {
        for text in [
            "订单号110105194912310021",
            "order 440304198506151238",
            "bad date 110105194913310028",
            "serial 9911010519491231002X77",
            "ref 2138123456789",
            "ref 138123456789",
            "number 123456789 without context",
            "E12345678 with no context",
            "account 1-555-234-5678-99",
        ] {
            let got = run_on(3, text);
            assert_eq!(got, vec![], "{text:?} must not be flagged");
        }
    }
}
