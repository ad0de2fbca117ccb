//! The text of one WordprocessingML "story" part (document body, header, footer, footnotes,
//! endnotes, comments) in one streaming pass.
//!
//! Design decision: each paragraph is split by what a reader of the printed page sees. Text
//! in ordinary runs forms the paragraph's segment (Body, Header, ...); text in tracked
//! insertions or deletions and text hidden by `w:vanish`/`w:specVanish` (directly or through
//! a style) goes to separate TrackedChange and Hidden segments and never into the visible
//! one, so that "found in the visible text" and "found in hidden content" stay distinct
//! findings. Nesting is bounded by [`crate::Limits::max_depth`]: content nested deeper is
//! skipped with a warning instead of being walked.

use clearance_model::{ExtractedDocument, Segment, Source};
use quick_xml::events::{BytesStart, Event};

use super::styles::Styles;
use super::xml::{self, Ns};

/// What kind of story a part holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StoryKind {
    /// `word/document.xml`.
    Body,
    /// `word/glossary/document.xml`: building blocks and AutoText stored with the document
    /// but not shown in it.
    Glossary,
    /// `word/header*.xml`.
    Header,
    /// `word/footer*.xml`.
    Footer,
    /// `word/footnotes.xml`.
    Footnotes,
    /// `word/endnotes.xml`.
    Endnotes,
    /// `word/comments.xml`.
    Comments,
}

impl StoryKind {
    /// The label of paragraphs that have no more specific one.
    fn label(self) -> Option<String> {
        (self == StoryKind::Glossary).then(|| "glossary building block (not shown)".to_string())
    }

    fn source(self) -> Source {
        match self {
            StoryKind::Body => Source::Body,
            StoryKind::Glossary => Source::Hidden,
            StoryKind::Header => Source::Header,
            StoryKind::Footer => Source::Footer,
            StoryKind::Footnotes => Source::Footnote,
            StoryKind::Endnotes => Source::Endnote,
            StoryKind::Comments => Source::Comment,
        }
    }
}

/// Shared state of the whole document's text extraction.
pub(super) struct TextBudget {
    /// Characters that may still be added.
    pub chars_left: usize,
    /// Set once text was dropped for lack of budget.
    pub exhausted: bool,
}

/// The element kinds the walker reacts to; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    P,
    R,
    RPr,
    PPr,
    /// Any other `*Pr` / `*PrChange` property container.
    Props,
    T,
    DelText,
    MathT,
    /// A tracked-change container: `w:ins`, `w:del`, `w:moveFrom`, `w:moveTo`.
    Revision,
    TxbxContent,
    Note,
    Comment,
    /// Content never read: `mc:Fallback` (a duplicate of `mc:Choice`), separator notes.
    Skipped,
    Other,
}

/// How a piece of paragraph text is seen.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Class {
    Visible,
    Tracked(String),
    Hidden(String),
}

#[derive(Debug, Default)]
struct Run {
    /// Direct `w:vanish` / `w:specVanish`: (hidden?, which element).
    vanish: Option<(bool, &'static str)>,
    /// `w:rStyle` and whether that style hides text.
    style: Option<(String, Option<bool>)>,
}

#[derive(Debug)]
struct Paragraph {
    source: Source,
    label: Option<String>,
    /// `w:pStyle` and whether that style hides text.
    style: Option<(String, Option<bool>)>,
    run: Run,
    pieces: Vec<(Class, String)>,
}

struct Walker<'a> {
    part: &'a str,
    kind: StoryKind,
    styles: &'a Styles,
    max_depth: usize,
    stack: Vec<Tag>,
    /// Elements open beyond `max_depth`, not on the stack.
    overflow: usize,
    /// Stack depth at which a skipped element was opened.
    skip_at: Option<usize>,
    paragraphs: Vec<Paragraph>,
    revisions: Vec<String>,
    text_boxes: usize,
    note_label: Option<String>,
    segments: Vec<Segment>,
    warnings: Vec<String>,
    deep_warned: bool,
    entity_warned: bool,
}

/// Reads one story part into `doc`. XML damage ends the part with a warning; what was read
/// before it is kept.
pub(super) fn read(
    xml: &[u8],
    part: &str,
    kind: StoryKind,
    styles: &Styles,
    max_depth: usize,
    budget: &mut TextBudget,
    doc: &mut ExtractedDocument,
) {
    let mut w = Walker {
        part,
        kind,
        styles,
        max_depth,
        stack: Vec::new(),
        overflow: 0,
        skip_at: None,
        paragraphs: Vec::new(),
        revisions: Vec::new(),
        text_boxes: 0,
        note_label: None,
        segments: Vec::new(),
        warnings: Vec::new(),
        deep_warned: false,
        entity_warned: false,
    };
    let mut reader = xml::reader(xml);
    let mut buf = Vec::new();
    loop {
        let (ns, event) = match reader.read_resolved_event_into(&mut buf) {
            Ok((ns, event)) => (Ns::of(&ns), event),
            Err(e) => {
                w.warnings.push(format!(
                    "{part}: XML damaged, the rest of the part was not read ({e})"
                ));
                break;
            }
        };
        match event {
            Event::Start(e) => w.open(ns, &e, true, budget),
            Event::Empty(e) => w.open(ns, &e, false, budget),
            Event::End(_) => w.close(),
            Event::Text(t) if w.in_text() => w.add(&t.xml10_content(), budget),
            Event::CData(t) if w.in_text() => w.add(&t.xml10_content(), budget),
            Event::GeneralRef(r) => match xml::resolve_ref(&r) {
                Some(text) => {
                    if w.in_text() {
                        w.add(&text, budget);
                    }
                }
                None => {
                    if !w.entity_warned {
                        w.entity_warned = true;
                        w.warnings.push(format!(
                            "{part}: entity reference &{}; was not expanded",
                            r.as_ref().chars().take(40).collect::<String>()
                        ));
                    }
                }
            },
            Event::DocType(_) => w.warnings.push(format!(
                "{part}: declares a DTD; its entities were not expanded"
            )),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    // Paragraphs left open by damaged XML still hold text a reviewer must see.
    while !w.paragraphs.is_empty() {
        w.flush_paragraph();
    }
    doc.segments.append(&mut w.segments);
    doc.warnings.append(&mut w.warnings);
}

impl Walker<'_> {
    fn ignoring(&self) -> bool {
        self.overflow > 0 || self.skip_at.is_some()
    }

    fn in_text(&self) -> bool {
        !self.ignoring() && matches!(self.stack.last(), Some(Tag::T | Tag::DelText | Tag::MathT))
    }

    fn parent(&self) -> Option<Tag> {
        self.stack.last().copied()
    }

    fn grandparent(&self) -> Option<Tag> {
        self.stack
            .len()
            .checked_sub(2)
            .and_then(|i| self.stack.get(i))
            .copied()
    }

    fn open(&mut self, ns: Ns, e: &BytesStart<'_>, has_content: bool, budget: &mut TextBudget) {
        if has_content && self.stack.len() >= self.max_depth {
            self.overflow += 1;
            if !self.deep_warned && self.skip_at.is_none() {
                self.deep_warned = true;
                self.warnings.push(format!(
                    "{}: content nested deeper than {} XML levels was skipped",
                    self.part, self.max_depth
                ));
            }
            return;
        }
        if self.ignoring() {
            if has_content {
                self.stack.push(Tag::Other);
            }
            return;
        }
        let local = e.local_name();
        let tag = match (ns, local.as_ref()) {
            (Ns::W, name) => self.open_w(name, e, has_content, budget),
            (Ns::Math, "t") => Tag::MathT,
            (Ns::Mc, "Fallback") => Tag::Skipped,
            (Ns::Wp, "docPr") => {
                self.alt_text(e);
                Tag::Other
            }
            _ => Tag::Other,
        };
        if has_content {
            if tag == Tag::Skipped {
                self.skip_at = Some(self.stack.len());
            }
            self.stack.push(tag);
        }
    }

    /// Handles a WordprocessingML element and says how to remember it on the stack.
    fn open_w(
        &mut self,
        name: &str,
        e: &BytesStart<'_>,
        has_content: bool,
        budget: &mut TextBudget,
    ) -> Tag {
        let parent = self.parent();
        match name {
            "p" => {
                if has_content {
                    self.paragraphs.push(Paragraph {
                        source: if self.text_boxes > 0 {
                            Source::TextBox
                        } else {
                            self.kind.source()
                        },
                        label: self.note_label.clone().or_else(|| self.kind.label()),
                        style: None,
                        run: Run::default(),
                        pieces: Vec::new(),
                    });
                }
                Tag::P
            }
            "r" => {
                if let Some(p) = self.paragraphs.last_mut() {
                    p.run = Run::default();
                }
                Tag::R
            }
            "rPr" => Tag::RPr,
            "pPr" => Tag::PPr,
            "t" => Tag::T,
            "delText" => Tag::DelText,
            "vanish" | "specVanish"
                if parent == Some(Tag::RPr) && self.grandparent() == Some(Tag::R) =>
            {
                let which = if name == "vanish" {
                    "w:vanish"
                } else {
                    "w:specVanish"
                };
                let on = xml::is_on(xml::attr(e, "val").as_deref());
                if let Some(p) = self.paragraphs.last_mut() {
                    p.run.vanish = Some((on, which));
                }
                Tag::Other
            }
            "rStyle" if parent == Some(Tag::RPr) && self.grandparent() == Some(Tag::R) => {
                if let (Some(p), Some(id)) = (self.paragraphs.last_mut(), xml::attr(e, "val")) {
                    let hides = self.styles.hides(&id);
                    p.run.style = Some((id, hides));
                }
                Tag::Other
            }
            "pStyle" if parent == Some(Tag::PPr) && self.grandparent() == Some(Tag::P) => {
                if let (Some(p), Some(id)) = (self.paragraphs.last_mut(), xml::attr(e, "val")) {
                    let hides = self.styles.hides(&id);
                    p.style = Some((id, hides));
                }
                Tag::Other
            }
            "ins" | "del" | "moveFrom" | "moveTo"
                if !matches!(parent, Some(Tag::RPr | Tag::PPr | Tag::Props)) =>
            {
                if has_content {
                    self.revisions.push(revision_label(name, e));
                }
                Tag::Revision
            }
            "txbxContent" => {
                if has_content {
                    self.text_boxes += 1;
                }
                Tag::TxbxContent
            }
            "tab" | "ptab" if parent == Some(Tag::R) => {
                self.add("\t", budget);
                Tag::Other
            }
            "br" | "cr" if parent == Some(Tag::R) => {
                self.add("\n", budget);
                Tag::Other
            }
            "noBreakHyphen" if parent == Some(Tag::R) => {
                self.add("-", budget);
                Tag::Other
            }
            "sym" if parent == Some(Tag::R) => {
                if let Some(c) = symbol_char(xml::attr(e, "char").as_deref()) {
                    self.add(&c.to_string(), budget);
                }
                Tag::Other
            }
            "footnote" | "endnote" => {
                let kind = xml::attr(e, "type").unwrap_or_default();
                if matches!(
                    kind.as_str(),
                    "separator" | "continuationSeparator" | "continuationNotice"
                ) {
                    return Tag::Skipped;
                }
                let id = xml::attr(e, "id").unwrap_or_default();
                self.note_label = Some(format!("{name} {id}"));
                Tag::Note
            }
            "comment" => {
                let author = xml::attr(e, "author").filter(|a| !a.trim().is_empty());
                let date = xml::attr(e, "date").map(|d| short_date(&d));
                self.note_label = Some(match (author, date) {
                    (Some(a), Some(d)) => format!("comment by {a}, {d}"),
                    (Some(a), None) => format!("comment by {a}"),
                    (None, Some(d)) => format!("comment by unknown author, {d}"),
                    (None, None) => "comment by unknown author".to_string(),
                });
                Tag::Comment
            }
            n if n.ends_with("Pr") || n.ends_with("PrChange") || n.ends_with("PrEx") => Tag::Props,
            _ => Tag::Other,
        }
    }

    fn close(&mut self) {
        if self.overflow > 0 {
            self.overflow -= 1;
            return;
        }
        let Some(tag) = self.stack.pop() else { return };
        if let Some(at) = self.skip_at {
            if self.stack.len() == at {
                self.skip_at = None;
            }
            return;
        }
        match tag {
            Tag::P => self.flush_paragraph(),
            Tag::Revision => {
                self.revisions.pop();
            }
            Tag::TxbxContent => self.text_boxes = self.text_boxes.saturating_sub(1),
            Tag::Note | Tag::Comment => self.note_label = None,
            _ => {}
        }
    }

    /// Adds text to the open paragraph, classified by revision and visibility.
    fn add(&mut self, text: &str, budget: &mut TextBudget) {
        if self.ignoring() || text.is_empty() {
            return;
        }
        let class = self.classify();
        let Some(p) = self.paragraphs.last_mut() else {
            return;
        };
        let text = take_budget(text, budget);
        if text.is_empty() {
            return;
        }
        match p.pieces.last_mut() {
            Some((last, s)) if *last == class => s.push_str(text),
            _ => p.pieces.push((class, text.to_string())),
        }
    }

    fn classify(&self) -> Class {
        if let Some(label) = self.revisions.last() {
            return Class::Tracked(label.clone());
        }
        let Some(p) = self.paragraphs.last() else {
            return Class::Visible;
        };
        if let Some((hidden, which)) = p.run.vanish {
            return if hidden {
                Class::Hidden(format!("hidden text ({which})"))
            } else {
                Class::Visible
            };
        }
        if let Some((id, Some(hidden))) = &p.run.style {
            return if *hidden {
                Class::Hidden(format!("hidden text (style {id})"))
            } else {
                Class::Visible
            };
        }
        if let Some((id, Some(hidden))) = &p.style {
            return if *hidden {
                Class::Hidden(format!("hidden text (paragraph style {id})"))
            } else {
                Class::Visible
            };
        }
        if self.styles.default_hidden() {
            return Class::Hidden("hidden text (document default)".to_string());
        }
        Class::Visible
    }

    fn flush_paragraph(&mut self) {
        let Some(p) = self.paragraphs.pop() else {
            return;
        };
        let visible: String = p
            .pieces
            .iter()
            .filter(|(c, _)| *c == Class::Visible)
            .map(|(_, s)| s.as_str())
            .collect();
        if !visible.trim().is_empty() {
            let mut seg = Segment::new(p.source, visible).with_part(self.part);
            seg.label = p.label.clone();
            self.segments.push(seg);
        }
        for (class, text) in p.pieces {
            if text.trim().is_empty() {
                continue;
            }
            let (source, label) = match class {
                Class::Visible => continue,
                Class::Tracked(label) => (Source::TrackedChange, label),
                Class::Hidden(label) => (Source::Hidden, label),
            };
            self.segments.push(
                Segment::new(source, text)
                    .with_part(self.part)
                    .with_label(label),
            );
        }
    }

    /// Alt text and title of a drawing (`wp:docPr descr/title`): not shown on the page.
    fn alt_text(&mut self, e: &BytesStart<'_>) {
        for (attr, what) in [("descr", "image alt text"), ("title", "image title")] {
            if let Some(text) = xml::attr(e, attr).filter(|t| !t.trim().is_empty()) {
                self.segments.push(
                    Segment::new(Source::Hidden, text)
                        .with_part(self.part)
                        .with_label(what),
                );
            }
        }
    }
}

fn revision_label(name: &str, e: &BytesStart<'_>) -> String {
    let verb = match name {
        "ins" => "inserted",
        "del" => "deleted",
        "moveFrom" => "moved away",
        _ => "moved here",
    };
    let author = xml::attr(e, "author")
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "unknown author".to_string());
    match xml::attr(e, "date") {
        Some(date) => format!("{verb} by {author} on {}", short_date(&date)),
        None => format!("{verb} by {author}"),
    }
}

/// `2024-05-01T10:00:00Z` → `2024-05-01`; anything else as written.
fn short_date(date: &str) -> String {
    let day = date.get(..10).unwrap_or(date);
    let looks_iso = day.len() == 10
        && day.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if looks_iso {
        day.to_string()
    } else {
        date.to_string()
    }
}

/// `w:sym w:char`: the character when it is a real code point; symbol-font private-use
/// codes (F000–F0FF) have no portable meaning and are dropped.
fn symbol_char(code: Option<&str>) -> Option<char> {
    let code = u32::from_str_radix(code?, 16).ok()?;
    if (0xE000..=0xF8FF).contains(&code) {
        return None;
    }
    char::from_u32(code).filter(|c| !c.is_control())
}

/// The longest prefix of `text` that fits the budget, on a char boundary.
fn take_budget<'t>(text: &'t str, budget: &mut TextBudget) -> &'t str {
    match text.char_indices().nth(budget.chars_left) {
        Some((cut, _)) => {
            budget.chars_left = 0;
            budget.exhausted = true;
            text.get(..cut).unwrap_or_default()
        }
        None => {
            budget.chars_left -= text.chars().count();
            text
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
