//! DOCX extraction: every place a Word document keeps text or metadata, each segment tagged
//! with where it lives (body, header, footer, footnote, endnote, text box, comment, tracked
//! change, hidden text) and which part holds it.
//!
//! Design decision: one streaming quick-xml pass per part instead of a DOCX object model.
//! docx-rs (the probe's candidate) drops footnotes, docProps and all but the last section's
//! headers and overflows the stack on deep nesting; a flat event walker with an explicit depth
//! bound reads all parts the same way and cannot recurse. The zip is pre-flighted against
//! [`Limits`] before any part is inflated ([`package`]), and XML entities are never expanded.

mod package;
mod props;
mod story;
mod styles;
mod xml;

use clearance_model::{ExtractedDocument, Format, ImageInfo, MetaField};

use crate::{ExtractError, Limits};
use package::Package;
use story::{StoryKind, TextBudget};
use styles::Styles;

/// Extracts a DOCX (or DOCM) document.
///
/// Damaged optional parts (a header with broken XML, an unreadable image) become warnings;
/// the rest of the document is still read.
///
/// # Errors
/// [`ExtractError::TooLarge`] when the zip breaks a budget of `limits` (entry count, sizes,
/// compression ratio), whatever its headers declare; [`ExtractError::Corrupt`] for a damaged
/// zip or main part; [`ExtractError::Encrypted`] for password-protected entries;
/// [`ExtractError::UnknownFormat`] for a zip without a Word main document.
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<ExtractedDocument, ExtractError> {
    let mut pkg = Package::open(bytes, limits)?;
    let mut doc = ExtractedDocument::new(Format::Docx);
    let main = main_part(&mut pkg, &mut doc)?;
    let dir = main
        .rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default();
    let main_file = main.rsplit_once('/').map_or(main.as_str(), |(_, f)| f);
    let rels = match read_optional(
        &mut pkg,
        &in_dir(&dir, &format!("_rels/{main_file}.rels")),
        &mut doc,
    )? {
        Some(xml) => props::relationships(&xml),
        None => Vec::new(),
    };
    let targets = |kind: &str| -> Vec<String> {
        rels.iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, t)| xml::resolve_target(&dir, t))
            .collect()
    };

    let styles_part = targets("styles")
        .into_iter()
        .next()
        .unwrap_or_else(|| in_dir(&dir, "styles.xml"));
    let styles = match read_optional(&mut pkg, &styles_part, &mut doc)? {
        Some(xml) => {
            let (styles, error) = Styles::parse(&xml);
            if let Some(e) = error {
                doc.warnings.push(format!(
                    "{styles_part}: XML damaged, styles read only in part ({e})"
                ));
            }
            styles
        }
        None => Styles::default(),
    };

    let mut budget = TextBudget {
        chars_left: limits.max_text_chars,
        exhausted: false,
    };
    let main_xml = pkg.read(&main)?;
    story::read(
        &main_xml,
        &main,
        StoryKind::Body,
        &styles,
        limits.max_depth,
        &mut budget,
        &mut doc,
    );
    drop(main_xml);

    let mut stories: Vec<(String, StoryKind)> = Vec::new();
    for (rel, prefix, kind) in [
        ("header", "header", StoryKind::Header),
        ("footer", "footer", StoryKind::Footer),
    ] {
        let mut parts = targets(rel);
        parts.extend(parts_named(&pkg, &dir, prefix));
        parts.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
        parts.dedup();
        stories.extend(parts.into_iter().map(|p| (p, kind)));
    }
    for (rel, file, kind) in [
        ("footnotes", "footnotes.xml", StoryKind::Footnotes),
        ("endnotes", "endnotes.xml", StoryKind::Endnotes),
        ("comments", "comments.xml", StoryKind::Comments),
    ] {
        let part = targets(rel)
            .into_iter()
            .next()
            .unwrap_or_else(|| in_dir(&dir, file));
        stories.push((part, kind));
    }
    stories.push((in_dir(&dir, "glossary/document.xml"), StoryKind::Glossary));
    for (part, kind) in stories {
        if let Some(xml) = read_optional(&mut pkg, &part, &mut doc)? {
            story::read(
                &xml,
                &part,
                kind,
                &styles,
                limits.max_depth,
                &mut budget,
                &mut doc,
            );
        }
    }
    if budget.exhausted {
        doc.warnings.push(format!(
            "only the first {} characters of text were read; the rest was not checked",
            limits.max_text_chars
        ));
    }

    read_properties(&mut pkg, &dir, &mut doc)?;
    read_media(&mut pkg, &dir, limits, &mut doc)?;
    record_embedded_objects(&pkg, &dir, &mut doc);
    Ok(doc)
}

/// The main document part, from the package relationships or the usual names.
fn main_part(pkg: &mut Package<'_>, doc: &mut ExtractedDocument) -> Result<String, ExtractError> {
    if let Some(xml) = read_optional(pkg, "_rels/.rels", doc)? {
        let from_rels = props::relationships(&xml)
            .into_iter()
            .find(|(kind, _)| kind == "officeDocument")
            .map(|(_, target)| xml::resolve_target("", &target))
            .filter(|name| pkg.contains(name));
        if let Some(name) = from_rels {
            return Ok(name);
        }
    }
    ["word/document.xml", "word/document2.xml"]
        .iter()
        .find_map(|name| pkg.find(name))
        .ok_or_else(|| ExtractError::UnknownFormat {
            detail: "ZIP archive that is not a Word document (no word/document.xml)".to_string(),
        })
}

/// `dir/file`, or `file` for a part at the package root.
fn in_dir(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// Entries `dir/<prefix>*.xml` directly in `dir`, compared without ASCII case.
fn parts_named(pkg: &Package<'_>, dir: &str, prefix: &str) -> Vec<String> {
    pkg.entries()
        .iter()
        .filter_map(|e| {
            let file = e.name.strip_prefix(&in_dir(dir, ""))?;
            let lower = file.to_ascii_lowercase();
            (!file.contains('/') && lower.starts_with(prefix) && lower.ends_with(".xml"))
                .then(|| e.name.clone())
        })
        .collect()
}

/// Reads a part if it exists. A budget breach is an error for the whole document; damage
/// of an optional part is a warning.
fn read_optional(
    pkg: &mut Package<'_>,
    name: &str,
    doc: &mut ExtractedDocument,
) -> Result<Option<Vec<u8>>, ExtractError> {
    let Some(name) = pkg.find(name) else {
        return Ok(None);
    };
    match pkg.read(&name) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e @ ExtractError::TooLarge { .. }) => Err(e),
        Err(e) => {
            doc.warnings.push(format!("{name}: not read ({e})"));
            Ok(None)
        }
    }
}

/// docProps core/app/custom, settings.xml document variables, external relationship
/// targets and customXml items.
fn read_properties(
    pkg: &mut Package<'_>,
    dir: &str,
    doc: &mut ExtractedDocument,
) -> Result<(), ExtractError> {
    for (part, key_attr) in [
        ("docProps/core.xml", None),
        ("docProps/app.xml", None),
        ("docProps/custom.xml", Some("name")),
    ] {
        if let Some(xml) = read_optional(pkg, part, doc)? {
            let result = props::root_children(&xml, key_attr);
            push_fields(doc, part, result);
        }
    }
    let settings = in_dir(dir, "settings.xml");
    if let Some(xml) = read_optional(pkg, &settings, doc)? {
        let result = props::doc_vars(&xml);
        push_fields(doc, &settings, result);
    }
    let names: Vec<String> = pkg.entries().iter().map(|e| e.name.clone()).collect();
    for name in names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".rels"))
    {
        if let Some(xml) = read_optional(pkg, name, doc)? {
            let result = props::external_targets(&xml);
            push_fields(doc, name, result);
        }
    }
    for name in names.iter().filter(|n| {
        let lower = n.to_ascii_lowercase();
        lower.starts_with("customxml/item")
            && lower.ends_with(".xml")
            && !lower.contains("itemprops")
    }) {
        if let Some(xml) = read_optional(pkg, name, doc)? {
            let result = props::leaf_texts(&xml);
            push_fields(doc, name, result);
        }
    }
    Ok(())
}

fn push_fields(
    doc: &mut ExtractedDocument,
    part: &str,
    (fields, error): (Vec<(String, String)>, Option<String>),
) {
    for (key, value) in fields {
        doc.metadata.push(MetaField {
            part: part.to_string(),
            key,
            value,
            page: None,
        });
    }
    if let Some(e) = error {
        doc.warnings
            .push(format!("{part}: XML damaged, read only in part ({e})"));
    }
}

/// Every file in `dir/media/`, the glossary's media and the package thumbnail: an
/// [`ImageInfo`] with its header dimensions, and its EXIF, XMP, IPTC and PNG text under the
/// part name.
fn read_media(
    pkg: &mut Package<'_>,
    dir: &str,
    limits: &Limits,
    doc: &mut ExtractedDocument,
) -> Result<(), ExtractError> {
    // The glossary's media and the package thumbnail (a picture of the first page) are as
    // revealing as the document's own images.
    let prefixes = [
        in_dir(dir, "media/").to_ascii_lowercase(),
        in_dir(dir, "glossary/media/").to_ascii_lowercase(),
        "docprops/thumbnail".to_string(),
    ];
    let media: Vec<String> = pkg
        .entries()
        .iter()
        .filter(|e| {
            let lower = e.name.to_ascii_lowercase();
            prefixes.iter().any(|p| lower.starts_with(p.as_str()))
        })
        .map(|e| e.name.clone())
        .collect();
    for name in media {
        let Some(bytes) = read_optional(pkg, &name, doc)? else {
            continue;
        };
        let kind = crate::sniff::image_kind(&bytes);
        let (mut width, mut height) = (None, None);
        if kind.is_some() {
            match crate::image::header_dimensions(&bytes, limits) {
                Ok(Some((w, h))) => {
                    (width, height) = (Some(w), Some(h));
                    if let Err(e) = crate::image::check_pixel_budget(w, h, limits) {
                        doc.warnings
                            .push(format!("{name}: {e}; its pixels will not be decoded"));
                    }
                }
                Ok(None) => doc
                    .warnings
                    .push(format!("{name}: pixels not decoded (format not supported)")),
                Err(e) => doc.warnings.push(format!("{name}: {e}")),
            }
            crate::image::read_metadata(&bytes, &name, None, doc);
        }
        let kind = kind.map(str::to_string).or_else(|| {
            name.rsplit_once('.')
                .map(|(_, ext)| ext.to_ascii_lowercase())
        });
        doc.images.push(ImageInfo {
            part: name,
            page: None,
            width,
            height,
            kind,
        });
    }
    Ok(())
}

/// Embedded OLE objects and packages (`word/embeddings/*`) and VBA macro projects are listed
/// as metadata for later inspection; they are not opened here.
fn record_embedded_objects(pkg: &Package<'_>, dir: &str, doc: &mut ExtractedDocument) {
    let prefix = in_dir(dir, "embeddings/");
    for entry in pkg.entries() {
        if let Some(file) = entry.name.strip_prefix(&prefix) {
            doc.metadata.push(MetaField {
                part: in_dir(dir, "embeddings"),
                key: file.to_string(),
                value: format!("embedded object, {} bytes", entry.size),
                page: None,
            });
        }
        if entry.name.to_ascii_lowercase().ends_with("vbaproject.bin") {
            doc.metadata.push(MetaField {
                part: entry.name.clone(),
                key: "vbaProject".to_string(),
                value: format!("VBA macro project, {} bytes", entry.size),
                page: None,
            });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
