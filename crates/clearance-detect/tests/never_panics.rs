//! Property tests: detectors never panic on arbitrary text, and every span falls on char
//! boundaries of the original text and holds exactly the finding's text.
#![allow(clippy::unwrap_used)]

use clearance_detect::{DetectorSet, Prepared, Watchlist};
use proptest::prelude::*;

const RULES: &str = include_str!("../../../fixtures/rules.toml");

/// Text built from pieces that exercise the normaliser and the rules, plus arbitrary chars.
fn texty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>().prop_map(|c| c.to_string()),
        Just("机密★5年".to_string()),
        Just("ＴＯＰ　ＳＥＣＲＥＴ//NF".to_string()),
        Just("\n".to_string()),
        Just("　".to_string()),
        Just("-\n".to_string()),
        Just("40.5120, 89.4510".to_string()),
        Just("北纬40度30分东经89度27分".to_string()),
        Just("夜鷹\n工程".to_string()),
        Just("11010519491231002X".to_string()),
        Just("18S UJ 23371 06519".to_string()),
        Just("\u{0301}".to_string()),
        Just("ﬁ①㊙".to_string()),
        Just("Project Night".to_string()),
        Just(" ".to_string()),
        "[0-9]{1,20}".prop_map(|s| s),
        "[A-Za-z/()]{1,8}".prop_map(|s| s),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn check(set: &DetectorSet, text: &str) {
    for f in set.detect_text(text) {
        let span = f.span.expect("detect_text sets spans");
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "{f:?} in {text:?}"
        );
        assert_eq!(text.get(span.start..span.end), Some(f.text.as_str()));
        assert!(!f.context.contains('\n'));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_utf8_never_panics(text in any::<String>()) {
        let set = DetectorSet::builtin().with_watchlist(Watchlist::from_toml(RULES, "rules.toml").unwrap());
        check(&set, &text);
    }

    #[test]
    fn rule_shaped_text_never_panics(text in texty()) {
        let set = DetectorSet::builtin().with_watchlist(Watchlist::from_toml(RULES, "rules.toml").unwrap());
        check(&set, &text);
    }

    #[test]
    fn offset_map_lands_on_char_boundaries(text in texty(), a in 0usize..200, b in 0usize..200) {
        let p = Prepared::new(&text);
        let (s, e) = p.to_original(a.min(b), a.max(b));
        prop_assert!(s <= e && e <= text.len());
        prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
    }

    #[test]
    fn watchlist_parser_never_panics(text in "[\\[\\]a-z_=\" 0-9.\n\\-]{0,200}") {
        let _ = Watchlist::from_toml(&text, "fuzz.toml");
    }
}
