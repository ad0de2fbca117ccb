use super::*;
use clearance_model::Format;

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math""#;

fn body(inner: &str) -> String {
    format!(r#"<?xml version="1.0"?><w:document {W}><w:body>{inner}</w:body></w:document>"#)
}

fn read_with(xml: &str, kind: StoryKind, styles: &Styles, max_depth: usize) -> ExtractedDocument {
    let mut doc = ExtractedDocument::new(Format::Docx);
    let mut budget = TextBudget {
        chars_left: 1_000_000,
        exhausted: false,
    };
    read(
        xml.as_bytes(),
        "word/document.xml",
        kind,
        styles,
        max_depth,
        &mut budget,
        &mut doc,
    );
    doc
}

fn run(xml: &str) -> ExtractedDocument {
    read_with(xml, StoryKind::Body, &Styles::default(), 64)
}

fn texts(doc: &ExtractedDocument, source: Source) -> Vec<&str> {
    doc.segments
        .iter()
        .filter(|s| s.source == source)
        .map(|s| s.text.as_str())
        .collect()
}

#[test]
fn one_segment_per_paragraph_with_layout_characters() {
    let doc = run(&body(
        r#"<w:p><w:r><w:t xml:space="preserve">Project </w:t></w:r><w:r><w:t>Nightjar</w:t><w:tab/><w:t>x</w:t><w:br/><w:t>y</w:t><w:noBreakHyphen/><w:t>z &amp; &#x9ec4;</w:t></w:r></w:p>
           <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>second</w:t></w:r></w:p>"#,
    ));
    assert_eq!(
        texts(&doc, Source::Body),
        vec!["Project Nightjar\tx\ny-z & 黄", "second"]
    );
    assert!(doc
        .segments
        .iter()
        .all(|s| s.part.as_deref() == Some("word/document.xml")));
}

#[test]
fn table_cells_are_paragraphs() {
    let doc = run(&body(
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Unit 61398</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>11010519491231002X</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
    ));
    assert_eq!(
        texts(&doc, Source::Body),
        vec!["Unit 61398", "11010519491231002X"]
    );
}

#[test]
fn tracked_changes_leave_the_visible_text() {
    let doc = run(&body(
        r#"<w:p><w:r><w:t xml:space="preserve">Site at </w:t></w:r><w:del w:id="1" w:author="Li Na" w:date="2024-05-01T10:00:00Z"><w:r><w:delText>Falcon Ridge</w:delText></w:r></w:del><w:ins w:id="2" w:author="Li Na" w:date="2024-05-02T08:00:00Z"><w:r><w:t>Site B</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> was moved.</w:t></w:r></w:p>"#,
    ));
    assert_eq!(
        texts(&doc, Source::Body),
        vec!["Site at  was moved."],
        "neither the deletion nor the insertion is visible body text"
    );
    let tracked: Vec<(&str, Option<&str>)> = doc
        .segments
        .iter()
        .filter(|s| s.source == Source::TrackedChange)
        .map(|s| (s.text.as_str(), s.label.as_deref()))
        .collect();
    assert_eq!(
        tracked,
        vec![
            ("Falcon Ridge", Some("deleted by Li Na on 2024-05-01")),
            ("Site B", Some("inserted by Li Na on 2024-05-02")),
        ]
    );
}

#[test]
fn revision_marks_inside_properties_are_not_containers() {
    let doc = run(&body(
        r#"<w:p><w:pPr><w:rPr><w:ins w:id="3" w:author="X" w:date="2024-01-01T00:00:00Z"/></w:rPr></w:pPr><w:r><w:rPr><w:del w:id="4" w:author="Y"/></w:rPr><w:t>plain</w:t></w:r></w:p>"#,
    ));
    assert_eq!(texts(&doc, Source::Body), vec!["plain"]);
    assert!(texts(&doc, Source::TrackedChange).is_empty());
}

#[test]
fn hidden_runs_split_from_visible_ones() {
    let doc = run(&body(
        r#"<w:p><w:r><w:t xml:space="preserve">Before </w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>(S//NF) hidden portion</w:t></w:r><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t xml:space="preserve"> after</w:t></w:r><w:r><w:rPr><w:specVanish/></w:rPr><w:t>spec</w:t></w:r></w:p>"#,
    ));
    assert_eq!(texts(&doc, Source::Body), vec!["Before  after"]);
    let hidden: Vec<(&str, Option<&str>)> = doc
        .segments
        .iter()
        .filter(|s| s.source == Source::Hidden)
        .map(|s| (s.text.as_str(), s.label.as_deref()))
        .collect();
    assert_eq!(
        hidden,
        vec![
            ("(S//NF) hidden portion", Some("hidden text (w:vanish)")),
            ("spec", Some("hidden text (w:specVanish)"))
        ]
    );
}

#[test]
fn vanish_through_styles_and_not_through_paragraph_marks() {
    let styles_xml = format!(
        r#"<w:styles {W}><w:style w:type="character" w:styleId="Secret"><w:rPr><w:vanish/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="HiddenPara"><w:rPr><w:vanish/></w:rPr></w:style></w:styles>"#
    );
    let (styles, _) = Styles::parse(styles_xml.as_bytes());
    let doc = read_with(
        &body(
            r#"<w:p><w:r><w:rPr><w:rStyle w:val="Secret"/></w:rPr><w:t>by char style</w:t></w:r><w:r><w:t xml:space="preserve"> shown</w:t></w:r></w:p>
               <w:p><w:pPr><w:pStyle w:val="HiddenPara"/></w:pPr><w:r><w:t>by para style</w:t></w:r><w:r><w:rPr><w:vanish w:val="false"/></w:rPr><w:t>overridden</w:t></w:r></w:p>
               <w:p><w:pPr><w:rPr><w:vanish/></w:rPr></w:pPr><w:r><w:t>mark only</w:t></w:r></w:p>"#,
        ),
        StoryKind::Body,
        &styles,
        64,
    );
    assert_eq!(
        texts(&doc, Source::Body),
        vec![" shown", "overridden", "mark only"]
    );
    assert_eq!(
        texts(&doc, Source::Hidden),
        vec!["by char style", "by para style"]
    );
    assert_eq!(
        doc.segments
            .iter()
            .find(|s| s.text == "by para style")
            .and_then(|s| s.label.as_deref()),
        Some("hidden text (paragraph style HiddenPara)")
    );
}

#[test]
fn text_boxes_are_their_own_source_and_fallbacks_are_not_duplicated() {
    let doc = run(&body(
        r#"<w:p><w:r><w:t>outer</w:t><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>in the box</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>in the box</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t xml:space="preserve"> continues</w:t></w:r></w:p>"#,
    ));
    assert_eq!(
        texts(&doc, Source::TextBox),
        vec!["in the box"],
        "the mc:Fallback copy is skipped"
    );
    assert_eq!(texts(&doc, Source::Body), vec!["outer continues"]);
}

#[test]
fn alt_text_is_hidden_content() {
    let doc = run(&body(
        r#"<w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="Picture 1" descr="Aerial view of 黄羊试验场"/></wp:inline></w:drawing></w:r></w:p>"#,
    ));
    let alt = doc.segments.iter().find(|s| s.source == Source::Hidden);
    assert_eq!(
        alt.map(|s| s.text.as_str()),
        Some("Aerial view of 黄羊试验场")
    );
    assert_eq!(alt.and_then(|s| s.label.as_deref()), Some("image alt text"));
}

#[test]
fn comments_and_notes_carry_labels() {
    let comments = format!(
        r#"<w:comments {W}><w:comment w:id="0" w:author="Zhang Wei" w:date="2024-05-03T09:00:00Z" w:initials="ZW"><w:p><w:r><w:t>Budget line for 夜鹰工程</w:t></w:r></w:p></w:comment></w:comments>"#
    );
    let doc = read_with(&comments, StoryKind::Comments, &Styles::default(), 64);
    assert_eq!(doc.segments.len(), 1);
    assert_eq!(doc.segments[0].source, Source::Comment);
    assert_eq!(
        doc.segments[0].label.as_deref(),
        Some("comment by Zhang Wei, 2024-05-03")
    );

    let notes = format!(
        r#"<w:footnotes {W}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/><w:t>sep</w:t></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>Derived From: SCG 2019-03</w:t></w:r></w:p></w:footnote></w:footnotes>"#
    );
    let doc = read_with(&notes, StoryKind::Footnotes, &Styles::default(), 64);
    assert_eq!(
        texts(&doc, Source::Footnote),
        vec!["Derived From: SCG 2019-03"],
        "separator notes are skipped"
    );
    assert_eq!(doc.segments[0].label.as_deref(), Some("footnote 1"));
}

#[test]
fn math_text_is_read() {
    let doc = run(&body(
        r#"<w:p><m:oMath><m:r><m:t>x=61398</m:t></m:r></m:oMath></w:p>"#,
    ));
    assert_eq!(texts(&doc, Source::Body), vec!["x=61398"]);
}

#[test]
fn deep_nesting_is_skipped_with_a_warning() {
    let mut inner = String::from(r#"<w:p><w:r><w:t>top</w:t></w:r></w:p>"#);
    let deep = 5000;
    inner.push_str(&"<w:tbl><w:tr><w:tc>".repeat(deep));
    inner.push_str(r#"<w:p><w:r><w:t>bottom</w:t></w:r></w:p>"#);
    inner.push_str(&"</w:tc></w:tr></w:tbl>".repeat(deep));
    inner.push_str(r#"<w:p><w:r><w:t>after</w:t></w:r></w:p>"#);
    let doc = run(&body(&inner));
    assert_eq!(
        texts(&doc, Source::Body),
        vec!["top", "after"],
        "the walk resumes after the deep part"
    );
    assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
}

#[test]
fn entities_are_never_expanded() {
    let xml = format!(
        r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><w:document {W}><w:body><w:p><w:r><w:t>a&lol1;b</w:t></w:r></w:p></w:body></w:document>"#
    );
    let doc = run(&xml);
    assert_eq!(texts(&doc, Source::Body), vec!["ab"]);
    assert_eq!(
        doc.warnings.len(),
        2,
        "the DTD and the dropped entity are both reported: {:?}",
        doc.warnings
    );
}

#[test]
fn damaged_xml_keeps_what_was_read() {
    let doc = run(&format!(
        r#"<w:document {W}><w:body><w:p><w:r><w:t>kept</w:t></w:r></w:p><w:p><w:r><w:t>open</w:t></w:x>"#
    ));
    assert_eq!(texts(&doc, Source::Body), vec!["kept", "open"]);
    assert_eq!(doc.warnings.len(), 1);
}

#[test]
fn the_text_budget_truncates() {
    let mut doc = ExtractedDocument::new(Format::Docx);
    let mut budget = TextBudget {
        chars_left: 5,
        exhausted: false,
    };
    let xml = body(
        r#"<w:p><w:r><w:t>机密文件内容</w:t></w:r></w:p><w:p><w:r><w:t>more</w:t></w:r></w:p>"#,
    );
    read(
        xml.as_bytes(),
        "word/document.xml",
        StoryKind::Body,
        &Styles::default(),
        64,
        &mut budget,
        &mut doc,
    );
    assert_eq!(texts(&doc, Source::Body), vec!["机密文件内"]);
    assert!(budget.exhausted);
}

#[test]
fn short_dates_and_symbols() {
    assert_eq!(short_date("2024-05-01T10:00:00Z"), "2024-05-01");
    assert_eq!(short_date("yesterday"), "yesterday");
    assert_eq!(symbol_char(Some("2605")), Some('★'));
    assert_eq!(
        symbol_char(Some("F0B7")),
        None,
        "symbol-font private use has no meaning"
    );
    assert_eq!(symbol_char(Some("zz")), None);
}

#[test]
fn glossary_text_is_hidden_content() {
    let doc = read_with(
        &body(r#"<w:p><w:r><w:t>[SUBSIDIARY NAME]</w:t></w:r></w:p>"#),
        StoryKind::Glossary,
        &Styles::default(),
        64,
    );
    assert_eq!(texts(&doc, Source::Hidden), vec!["[SUBSIDIARY NAME]"]);
    assert_eq!(
        doc.segments[0].label.as_deref(),
        Some("glossary building block (not shown)")
    );
}
