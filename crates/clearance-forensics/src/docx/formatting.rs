//! Text that formatting makes invisible: white text on a white (or unset) background and
//! text smaller than 2 pt. Run properties are resolved through the style chain (document
//! defaults, paragraph style, character style, direct formatting); the background through
//! run shading, highlight, paragraph and cell shading and the page background.

use std::collections::HashMap;

use clearance_model::{ExtractedDocument, Severity, Source};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::read_part;
use crate::package::Package;
use crate::report::{hidden, place, quote, Out};
use crate::xml::{attr, local, push_ref};

/// `w:sz` is in half-points: below 4 means under 2 pt.
const TINY_HALF_POINTS: u32 = 4;
/// Deepest `w:basedOn` chain followed.
const MAX_STYLE_CHAIN: usize = 16;

#[derive(Debug, Clone, Default, PartialEq)]
struct RunProps {
    color: Option<String>,
    sz: Option<u32>,
    shd: Option<String>,
    highlight: Option<String>,
    vanish: Option<bool>,
}

impl RunProps {
    /// `self` with every field `over` sets replaced.
    fn overlay(&self, over: &RunProps) -> RunProps {
        RunProps {
            color: over.color.clone().or_else(|| self.color.clone()),
            sz: over.sz.or(self.sz),
            shd: over.shd.clone().or_else(|| self.shd.clone()),
            highlight: over.highlight.clone().or_else(|| self.highlight.clone()),
            vanish: over.vanish.or(self.vanish),
        }
    }

    /// Applies one run-property element (`w:color`, `w:sz`, ...).
    fn apply(&mut self, e: &BytesStart) {
        match local(e.name().as_ref()) {
            b"color" => {
                let theme = attr(e, b"themeColor").unwrap_or_default();
                self.color = match attr(e, b"val") {
                    Some(v) if !v.eq_ignore_ascii_case("auto") => Some(v),
                    _ if theme == "background1" || theme == "light1" => Some("FFFFFF".into()),
                    _ => Some("auto".into()),
                };
            }
            b"sz" => self.sz = attr(e, b"val").and_then(|v| v.parse().ok()),
            b"shd" => self.shd = shading(e),
            b"highlight" => self.highlight = attr(e, b"val"),
            b"vanish" => {
                self.vanish = Some(
                    attr(e, b"val").is_none_or(|v| !matches!(v.as_str(), "0" | "false" | "off")),
                )
            }
            _ => {}
        }
    }
}

/// The colour a `w:shd` paints: its fill, or its pattern colour when the pattern is solid.
fn shading(e: &BytesStart) -> Option<String> {
    if attr(e, b"val").as_deref() == Some("solid") {
        if let Some(c) = attr(e, b"color").filter(|c| !c.eq_ignore_ascii_case("auto")) {
            return Some(c);
        }
    }
    attr(e, b"fill")
}

fn rgb(hex: &str) -> Option<(u8, u8, u8)> {
    let h = hex.trim_start_matches('#');
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let p = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
    Some((p(0)?, p(2)?, p(4)?))
}

fn near_white(hex: &str) -> bool {
    rgb(hex).is_some_and(|(r, g, b)| r >= 0xF0 && g >= 0xF0 && b >= 0xF0)
}

/// A background that white text would vanish into: none, automatic or near-white.
fn light_background(c: Option<&str>) -> bool {
    match c {
        None => true,
        Some(c) => {
            c.eq_ignore_ascii_case("auto")
                || c.eq_ignore_ascii_case("white")
                || c.eq_ignore_ascii_case("none")
                || near_white(c)
        }
    }
}

#[derive(Debug, Clone, Default)]
struct StyleDef {
    run: RunProps,
    para_shd: Option<String>,
    based_on: Option<String>,
}

#[derive(Debug, Default)]
struct Styles {
    defaults: RunProps,
    map: HashMap<String, StyleDef>,
}

impl Styles {
    fn parse(xml: &[u8]) -> Styles {
        let text = String::from_utf8_lossy(xml);
        let mut reader = Reader::from_str(&text);
        let mut styles = Styles::default();
        let mut current: Option<(String, StyleDef)> = None;
        let (mut in_defaults, mut in_rpr, mut in_ppr) = (false, false, false);
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match local(e.name().as_ref()) {
                    b"rPrDefault" => in_defaults = true,
                    b"style" => {
                        current = attr(&e, b"styleId").map(|id| (id, StyleDef::default()));
                    }
                    b"rPr" => in_rpr = true,
                    b"pPr" => in_ppr = true,
                    b"basedOn" => {
                        if let Some((_, d)) = current.as_mut() {
                            d.based_on = attr(&e, b"val");
                        }
                    }
                    b"shd" if in_ppr && !in_rpr => {
                        if let Some((_, d)) = current.as_mut() {
                            d.para_shd = shading(&e);
                        }
                    }
                    _ if in_rpr => {
                        if in_defaults {
                            styles.defaults.apply(&e);
                        } else if let Some((_, d)) = current.as_mut() {
                            d.run.apply(&e);
                        }
                    }
                    _ => {}
                },
                Ok(Event::End(e)) => match local(e.name().as_ref()) {
                    b"rPrDefault" => in_defaults = false,
                    b"rPr" => in_rpr = false,
                    b"pPr" => in_ppr = false,
                    b"style" => {
                        if let Some((id, d)) = current.take() {
                            styles.map.insert(id, d);
                        }
                    }
                    _ => {}
                },
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => {}
            }
        }
        styles
    }

    /// Run properties of style `id` with its `basedOn` chain applied.
    fn run(&self, id: Option<&str>) -> RunProps {
        let mut chain = Vec::new();
        let mut next = id;
        while let Some(i) = next {
            if chain.len() >= MAX_STYLE_CHAIN {
                break;
            }
            let Some(d) = self.map.get(i) else { break };
            chain.push(d);
            next = d.based_on.as_deref();
        }
        chain
            .iter()
            .rev()
            .fold(RunProps::default(), |acc, d| acc.overlay(&d.run))
    }

    fn para_shd(&self, id: Option<&str>) -> Option<String> {
        let mut next = id;
        for _ in 0..MAX_STYLE_CHAIN {
            let d = self.map.get(next?)?;
            if d.para_shd.is_some() {
                return d.para_shd.clone();
            }
            next = d.based_on.as_deref();
        }
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    White,
    Tiny(u32),
}

#[derive(Default)]
struct Para {
    style: Option<String>,
    shd: Option<String>,
    in_ppr: bool,
    in_ppr_rpr: bool,
    current: Option<(Kind, String)>,
    groups: Vec<(Kind, String)>,
}

impl Para {
    fn flush(&mut self) {
        if let Some(g) = self.current.take() {
            if !g.1.trim().is_empty() {
                self.groups.push(g);
            }
        }
    }
}

#[derive(Default)]
struct Run {
    style: Option<String>,
    direct: RunProps,
    in_rpr: bool,
    in_text: bool,
    text: String,
}

/// Invisible text of one part: `(kind, text)` groups, one per stretch of a paragraph.
fn scan_part(xml: &[u8], styles: &Styles) -> Vec<(Kind, String)> {
    let text = String::from_utf8_lossy(xml);
    let mut reader = Reader::from_str(&text);
    let mut paras: Vec<Para> = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    let mut cells: Vec<(Option<String>, bool)> = Vec::new();
    let mut page_bg: Option<String> = None;
    let mut out = Vec::new();
    loop {
        let ev = reader.read_event();
        match ev {
            Ok(Event::Start(ref e)) | Ok(Event::Empty(ref e)) => {
                let is_start = matches!(ev, Ok(Event::Start(_)));
                let name = local(e.name().as_ref()).to_vec();
                let run_rpr = runs.last().is_some_and(|r| r.in_rpr);
                match name.as_slice() {
                    b"p" if is_start => paras.push(Para::default()),
                    b"pPr" if is_start => {
                        if let Some(p) = paras.last_mut() {
                            p.in_ppr = true;
                        }
                    }
                    b"r" if is_start => runs.push(Run::default()),
                    b"rPr" if is_start => {
                        if let Some(p) = paras.last_mut().filter(|p| p.in_ppr) {
                            p.in_ppr_rpr = true;
                        } else if let Some(r) = runs.last_mut() {
                            r.in_rpr = true;
                        }
                    }
                    b"t" if is_start => {
                        if let Some(r) = runs.last_mut() {
                            r.in_text = true;
                        }
                    }
                    b"tab" | b"br" | b"cr" if !run_rpr => {
                        if let Some(r) = runs.last_mut() {
                            r.text.push(' ');
                        }
                    }
                    b"tc" if is_start => cells.push((None, false)),
                    b"tcPr" if is_start => {
                        if let Some(c) = cells.last_mut() {
                            c.1 = true;
                        }
                    }
                    b"background" => page_bg = attr(e, b"color"),
                    b"rStyle" if run_rpr => {
                        if let Some(r) = runs.last_mut() {
                            r.style = attr(e, b"val");
                        }
                    }
                    _ if run_rpr => {
                        if let Some(r) = runs.last_mut() {
                            r.direct.apply(e);
                        }
                    }
                    b"shd" => {
                        if let Some(c) = cells.last_mut().filter(|c| c.1) {
                            c.0 = shading(e);
                        } else if let Some(p) =
                            paras.last_mut().filter(|p| p.in_ppr && !p.in_ppr_rpr)
                        {
                            p.shd = shading(e);
                        }
                    }
                    b"pStyle" => {
                        if let Some(p) = paras.last_mut().filter(|p| p.in_ppr) {
                            p.style = attr(e, b"val");
                        }
                    }
                    _ => {}
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(r) = runs.last_mut().filter(|r| r.in_text) {
                    r.text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(g)) => {
                if let Some(r) = runs.last_mut().filter(|r| r.in_text) {
                    push_ref(&mut r.text, &g);
                }
            }
            Ok(Event::End(e)) => match local(e.name().as_ref()) {
                b"t" => {
                    if let Some(r) = runs.last_mut() {
                        r.in_text = false;
                    }
                }
                b"rPr" => {
                    if let Some(p) = paras.last_mut().filter(|p| p.in_ppr_rpr) {
                        p.in_ppr_rpr = false;
                    } else if let Some(r) = runs.last_mut() {
                        r.in_rpr = false;
                    }
                }
                b"pPr" => {
                    if let Some(p) = paras.last_mut() {
                        p.in_ppr = false;
                    }
                }
                b"tcPr" => {
                    if let Some(c) = cells.last_mut() {
                        c.1 = false;
                    }
                }
                b"tc" => {
                    cells.pop();
                }
                b"r" => {
                    let Some(run) = runs.pop() else { continue };
                    let Some(para) = paras.last_mut() else {
                        continue;
                    };
                    if run.text.is_empty() {
                        continue;
                    }
                    let para_style = para.style.as_deref();
                    let eff = styles
                        .defaults
                        .overlay(&styles.run(para_style))
                        .overlay(&styles.run(run.style.as_deref()))
                        .overlay(&run.direct);
                    let bg = eff
                        .shd
                        .clone()
                        .filter(|s| !s.eq_ignore_ascii_case("auto"))
                        .or_else(|| eff.highlight.clone().filter(|h| h != "none"))
                        .or_else(|| {
                            para.shd
                                .clone()
                                .or_else(|| styles.para_shd(para_style))
                                .filter(|s| !s.eq_ignore_ascii_case("auto"))
                        })
                        .or_else(|| {
                            cells
                                .iter()
                                .rev()
                                .find_map(|c| c.0.clone())
                                .filter(|s| !s.eq_ignore_ascii_case("auto"))
                        })
                        .or_else(|| page_bg.clone());
                    let kind = if eff.vanish == Some(true) {
                        None
                    } else if eff.color.as_deref().is_some_and(near_white)
                        && light_background(bg.as_deref())
                    {
                        Some(Kind::White)
                    } else {
                        eff.sz.filter(|&s| s < TINY_HALF_POINTS).map(Kind::Tiny)
                    };
                    match (kind, para.current.as_mut()) {
                        (Some(k), Some((ck, text))) if *ck == k => text.push_str(&run.text),
                        (Some(k), _) => {
                            para.flush();
                            para.current = Some((k, run.text));
                        }
                        (None, _) => para.flush(),
                    }
                }
                b"p" => {
                    if let Some(mut p) = paras.pop() {
                        p.flush();
                        out.append(&mut p.groups);
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

fn content_parts(pkg: &Package) -> Vec<String> {
    let mut parts: Vec<String> = pkg
        .names()
        .iter()
        .filter(|n| {
            let n = n.to_ascii_lowercase();
            n == "word/document.xml"
                || n == "word/footnotes.xml"
                || n == "word/endnotes.xml"
                || (n.starts_with("word/header") || n.starts_with("word/footer"))
                    && n.ends_with(".xml")
        })
        .cloned()
        .collect();
    parts.sort();
    parts
}

/// Adds white-text and tiny-text findings.
pub(super) fn check(pkg: &mut Package, doc: &ExtractedDocument, out: &mut Out) {
    let styles = read_part(pkg, "word/styles.xml", out)
        .map(|x| Styles::parse(&x))
        .unwrap_or_default();
    for part in content_parts(pkg) {
        let Some(xml) = read_part(pkg, &part, out) else {
            continue;
        };
        for (kind, text) in scan_part(&xml, &styles) {
            let (rule, why) = match kind {
                Kind::White => (
                    "docx-white-text",
                    format!("White text on a white background in {part} is invisible but still in the file: {}", quote(&text)),
                ),
                Kind::Tiny(hp) => (
                    "docx-tiny-text",
                    format!(
                        "Text in a {} pt font in {part} is too small to see but still in the file: {}",
                        f64::from(hp) / 2.0,
                        quote(&text)
                    ),
                ),
            };
            let mut f = hidden(rule, Severity::High, &text, Source::Hidden, why);
            f.part = Some(part.clone());
            let trimmed = text.trim().to_string();
            place(&mut f, doc, &trimmed, |s| {
                s.part.as_deref().is_none_or(|p| p == part)
            });
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(r#"<w:document xmlns:w="w"><w:body>{body}</w:body></w:document>"#)
    }

    fn run(rpr: &str, t: &str) -> String {
        format!("<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space=\"preserve\">{t}</w:t></w:r>")
    }

    #[test]
    fn white_and_tiny_text_with_traps() {
        let styles = Styles::parse(
            br#"<w:styles xmlns:w="w"><w:style w:styleId="Ghost"><w:rPr><w:color w:val="FFFFFF"/></w:rPr></w:style>
<w:style w:styleId="Ghost2"><w:basedOn w:val="Ghost"/></w:style>
<w:style w:styleId="Bar"><w:pPr><w:shd w:val="clear" w:fill="1F3864"/></w:pPr></w:style></w:styles>"#,
        );
        let cases: Vec<(String, Vec<(Kind, &str)>)> = vec![
            (doc(&format!("<w:p>{}{}</w:p>", run("", "Visible "), run("<w:color w:val=\"FFFFFF\"/>", "Project Nightjar"))), vec![(Kind::White, "Project Nightjar")]),
            (doc(&format!("<w:p>{}</w:p>", run("<w:sz w:val=\"2\"/>", "tiny secret"))), vec![(Kind::Tiny(2), "tiny secret")]),
            (doc(&format!("<w:p>{}</w:p>", run("<w:rStyle w:val=\"Ghost2\"/>", "styled white"))), vec![(Kind::White, "styled white")]),
            // Traps: white on a dark cell, on a dark paragraph style, highlighted, normal size.
            (doc(&format!("<w:tbl><w:tr><w:tc><w:tcPr><w:shd w:val=\"clear\" w:fill=\"000000\"/></w:tcPr><w:p>{}</w:p></w:tc></w:tr></w:tbl>", run("<w:color w:val=\"FFFFFF\"/>", "Header cell"))), vec![]),
            (doc(&format!("<w:p><w:pPr><w:pStyle w:val=\"Bar\"/></w:pPr>{}</w:p>", run("<w:color w:val=\"FFFFFF\"/>", "Banner"))), vec![]),
            (doc(&format!("<w:p>{}</w:p>", run("<w:color w:val=\"FFFFFF\"/><w:highlight w:val=\"black\"/>", "marked"))), vec![]),
            (doc(&format!("<w:p>{}</w:p>", run("<w:sz w:val=\"20\"/><w:color w:val=\"000000\"/>", "normal"))), vec![]),
            (doc(&format!("<w:p>{}</w:p>", run("<w:color w:val=\"FFFFFF\"/><w:vanish/>", "vanished"))), vec![]),
        ];
        for (xml, want) in cases {
            let got = scan_part(xml.as_bytes(), &styles);
            let got: Vec<(Kind, &str)> = got.iter().map(|(k, t)| (*k, t.as_str())).collect();
            assert_eq!(got, want, "{xml}");
        }
    }
}
