//! The category table of issue #2, both columns: every "flag" example gives a finding of its
//! category, and every "must NOT flag" example gives none of its category.
#![allow(clippy::unwrap_used)]

use clearance_detect::{DetectorSet, Watchlist};
use clearance_model::{Category, ExtractedDocument, Format, GpsPoint, MetaField};

const RULES: &str = include_str!("../../../fixtures/rules.toml");

fn set() -> DetectorSet {
    DetectorSet::builtin()
        .with_watchlist(Watchlist::from_toml(RULES, "rules.toml").expect("sample rules parse"))
}

fn of(set: &DetectorSet, text: &str, c: Category) -> Vec<String> {
    set.detect_text(text)
        .into_iter()
        .filter(|f| f.category == c)
        .map(|f| f.text)
        .collect()
}

#[test]
fn flag_column() {
    use Category::*;
    let table: &[(Category, &str, &str)] = &[
        (
            ClassificationMarking,
            "TOP SECRET//SI//NOFORN",
            "TOP SECRET//SI//NOFORN",
        ),
        (
            ClassificationMarking,
            "SECRET//REL TO USA, GBR",
            "SECRET//REL TO USA, GBR",
        ),
        (
            ClassificationMarking,
            "(S//NF) The convoy moves at dawn.",
            "(S//NF)",
        ),
        (
            ClassificationMarking,
            "(TS) The convoy moves at dawn.",
            "(TS)",
        ),
        (
            ClassificationMarking,
            "Banner: CUI//SP-PRVCY",
            "CUI//SP-PRVCY",
        ),
        (
            ClassificationMarking,
            "UNCLASSIFIED//FOUO",
            "UNCLASSIFIED//FOUO",
        ),
        (
            ClassificationMarking,
            "Classified By: Director, J2",
            "Classified By: Director, J2",
        ),
        (
            ClassificationMarking,
            "Derived From: SCG 2019",
            "Derived From: SCG 2019",
        ),
        (
            ClassificationMarking,
            "Declassify On: 20451231",
            "Declassify On: 20451231",
        ),
        (ClassificationMarking, "绝密★长期", "绝密★长期"),
        (ClassificationMarking, "机密★5年", "机密★5年"),
        (ClassificationMarking, "秘密★6个月", "秘密★6个月"),
        (
            ClassificationMarking,
            "机密★2030年12月31日",
            "机密★2030年12月31日",
        ),
        (ClassificationMarking, "正文秘密★正文", "秘密★"),
        (ClassificationMarking, "密级：机密", "密级：机密"),
        (ClassificationMarking, "（机密）本段内容", "（机密）"),
        (
            ClassificationMarking,
            "内部资料 注意保存",
            "内部资料 注意保存",
        ),
        (ClassificationMarking, "该文件涉密", "涉密"),
        (
            ClassificationMarking,
            "TOP\nSECRET//NOFORN",
            "TOP\nSECRET//NOFORN",
        ),
        (ClassificationMarking, "机　密★5年", "机　密★5年"),
        (Coordinates, "at 40.5120, 89.4510 now", "40.5120, 89.4510"),
        (
            Coordinates,
            "at 40°30'12\"N 89°30'00\"E now",
            "40°30'12\"N 89°30'00\"E",
        ),
        (
            Coordinates,
            "位于北纬40度30分 东经89度27分",
            "北纬40度30分 东经89度27分",
        ),
        (Coordinates, "grid 18S UJ 23371 06519", "18S UJ 23371 06519"),
        (RestrictedSite, "近黄羊试验场的道路", "黄羊试验场"),
        (
            RestrictedSite,
            "at 40.5120, 89.4510 now",
            "40.5120, 89.4510",
        ),
        (WatchlistTerm, "Project Nightjar starts", "Project Nightjar"),
        (WatchlistTerm, "关于夜鹰工程的说明", "夜鹰工程"),
        (WatchlistTerm, "关于夜鹰\n工程的说明", "夜鹰\n工程"),
        (
            WatchlistTerm,
            "Project\nNightjar starts",
            "Project\nNightjar",
        ),
        (MilitaryUnit, "61398部队", "61398部队"),
        (MilitaryUnit, "Unit 61398 exists", "Unit 61398"),
        (MilitaryUnit, "PLA Unit 32011 exists", "PLA Unit 32011"),
        (MilitaryUnit, "舷号175", "舷号175"),
        (MilitaryUnit, "hull number 175", "hull number 175"),
        (MilitaryUnit, "USS Zumwalt (DDG-1000)", "DDG-1000"),
        (MilitaryUnit, "第71集团军", "第71集团军"),
        (
            PersonalId,
            "身份证 11010519491231002X",
            "11010519491231002X",
        ),
        (PersonalId, "护照号码 E12345678", "E12345678"),
        (PersonalId, "手机 13812345678", "13812345678"),
        (PersonalId, "call (555) 234-5678", "(555) 234-5678"),
        (
            PersonalId,
            "write to a.chen@example.gov.cn",
            "a.chen@example.gov.cn",
        ),
        (ProcurementSensitive, "本次涉密采购", "涉密采购"),
        (ProcurementSensitive, "属于涉密项目", "涉密项目"),
        (
            ProcurementSensitive,
            "a classified procurement",
            "classified procurement",
        ),
        (ProcurementSensitive, "attach DD Form 254", "DD Form 254"),
        (
            ProcurementSensitive,
            "采购人：32011部队\n交货地点：若羌县XX路18号营区",
            "交货地点：若羌县XX路18号营区",
        ),
    ];
    let set = set();
    for (c, text, want) in table {
        let got = of(&set, text, *c);
        assert!(
            got.iter().any(|t| t == want),
            "{c}: {text:?} should flag {want:?}, got {got:?}"
        );
    }
}

#[test]
fn must_not_flag_column() {
    use Category::*;
    let table: &[(Category, &[&str])] = &[
        (
            ClassificationMarking,
            &[
                "The Secretary of State arrived.",
                "The Secret Service said no.",
                "Top Secret Recipes: the best cakes",
                "CONFIDENTIALITY NOTICE: This e-mail and any attachments are for the addressee only.",
                "Please treat this as confidential, as we agreed.",
                "(C) 2024 Acme Corporation",
                "Choose (a) tea, (b) coffee or (c) water.",
                "秘书处负责会务",
                "保护商业秘密",
                "采用秘密投票",
                "揭秘太空探索",
                "内部控制制度",
                "内部审计报告",
                "本项目为非涉密项目",
                "国家秘密分为绝密、机密、秘密三级",
                "DISTRIBUTION STATEMENT A. Approved for public release; distribution is unlimited.",
            ],
        ),
        (
            Coordinates,
            &["It is 25°C today.", "Tilt it at a 45° angle.", "Install v31.2304 now.", "Sales of 121.47 million.", "Her pace was 5′30″."],
        ),
        (
            MilitaryUnit,
            &[
                "营业执照",
                "旅游线路",
                "团购优惠",
                "师范大学",
                "律师事务所",
                "某部开展训练",
                "Unit 4 of the exhibition",
                "Booth 175, Room 175 and Berth 175",
            ],
        ),
        (
            PersonalId,
            &["订单号 110105194912310021", "order 123456789012345678", "serial 99913812345678999", "ref 2138123456789"],
        ),
        (
            ProcurementSensitive,
            &["招标公告：某市第一中学采购课桌椅200套，交货地点：某市人民路8号，联系电话见附件。"],
        ),
        (RestrictedSite, &["at 10.1234, 10.1234 far away", "Huangyang is a common name"]),
    ];
    let set = set();
    for (c, texts) in table {
        for text in *texts {
            let got = of(&set, text, *c);
            assert!(
                got.is_empty(),
                "{c}: {text:?} must not be flagged, got {got:?}"
            );
        }
    }
}

#[test]
fn gps_and_metadata_rows() {
    let set = set();
    let mut doc = ExtractedDocument::new(Format::Image);
    doc.gps.push(GpsPoint {
        lat: 40.512,
        lon: 89.451,
        part: "EXIF".into(),
        page: None,
    });
    doc.metadata.push(MetaField {
        part: "EXIF".into(),
        key: "BodySerialNumber".into(),
        value: "0123456".into(),
        page: None,
    });
    doc.metadata.push(MetaField {
        part: "EXIF".into(),
        key: "Software".into(),
        value: "GIMP 2.10".into(),
        page: None,
    });
    let f = set.detect(&doc);
    let cats: Vec<(Category, &str)> = f.iter().map(|f| (f.category, f.text.as_str())).collect();
    assert!(
        cats.contains(&(Category::GpsMetadata, "40.512000, 89.451000")),
        "{cats:?}"
    );
    assert!(
        cats.contains(&(Category::RestrictedSite, "40.512000, 89.451000")),
        "{cats:?}"
    );
    assert!(
        cats.contains(&(Category::DocumentMetadata, "0123456")),
        "{cats:?}"
    );
    assert!(
        !cats.iter().any(|(_, t)| t.contains("GIMP")),
        "software names are not flagged: {cats:?}"
    );

    // An empty GPS directory yields no point, and a point outside every geofence is GPS only.
    let mut doc = ExtractedDocument::new(Format::Image);
    doc.gps.push(GpsPoint {
        lat: 10.0,
        lon: 10.0,
        part: "EXIF".into(),
        page: None,
    });
    let f = set.detect(&doc);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].category, Category::GpsMetadata);
    assert!(set
        .detect(&ExtractedDocument::new(Format::Image))
        .is_empty());
}
