//! Reading PDF objects safely: dereferencing, text strings, rectangles, capped stream
//! decoding and name trees, all with cycle and size limits.

use std::collections::HashSet;
use std::io::Read;

use clearance_model::Rect;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

/// Most entries read from one name tree or array walk.
pub(crate) const MAX_ITEMS: usize = 10_000;
/// Deepest tree (name tree, outline, field hierarchy) followed.
pub(crate) const MAX_TREE_DEPTH: usize = 64;

/// The object `o` refers to (or `o` itself), following reference chains.
pub(crate) fn resolve<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    doc.dereference(o).ok().map(|(_, o)| o)
}

/// The dictionary `o` is or refers to (a stream's dictionary counts).
pub(crate) fn dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    match resolve(doc, o)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// Entry `key` of `d`, dereferenced.
pub(crate) fn get<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    resolve(doc, d.get(key).ok()?)
}

/// Entry `key` of `d` as a dictionary.
pub(crate) fn get_dict<'a>(
    doc: &'a Document,
    d: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Dictionary> {
    dict(doc, d.get(key).ok()?)
}

/// Entry `key` of `d` as a name.
pub(crate) fn get_name<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    get(doc, d, key)?.as_name().ok()
}

/// Entry `key` of `d` as a text string.
pub(crate) fn get_text(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<String> {
    text(get(doc, d, key)?)
}

/// The id of the object entry `key` refers to, if it is a reference.
pub(crate) fn get_ref(d: &Dictionary, key: &[u8]) -> Option<ObjectId> {
    d.get(key).ok()?.as_reference().ok()
}

/// PDFDocEncoding bytes 0x80–0x9F differ from Latin-1; 0xA0–0xFF match it.
const PDF_DOC_HIGH: [char; 32] = [
    '•', '†', '‡', '…', '—', '–', 'ƒ', '⁄', '‹', '›', '−', '‰', '„', '“', '”', '‘', '’', '‚', '™',
    'ﬁ', 'ﬂ', 'Ł', 'Œ', 'Š', 'Ÿ', 'Ž', 'ı', 'ł', 'œ', 'š', 'ž', '\u{FFFD}',
];

/// A PDF text string: UTF-16BE or UTF-8 with a byte-order mark, else PDFDocEncoding.
pub(crate) fn decode_text(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = b.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    b.iter()
        .map(|&c| match c {
            0x80..=0x9F => PDF_DOC_HIGH
                .get(usize::from(c - 0x80))
                .copied()
                .unwrap_or('\u{FFFD}'),
            _ => char::from(c),
        })
        .collect()
}

/// The text of a string or name object.
pub(crate) fn text(o: &Object) -> Option<String> {
    match o {
        Object::String(b, _) => Some(decode_text(b)),
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

/// A rectangle from a 4-number array.
pub(crate) fn rect(doc: &Document, o: &Object) -> Option<Rect> {
    let a = resolve(doc, o)?.as_array().ok()?;
    let n: Vec<f32> = a
        .iter()
        .filter_map(|x| resolve(doc, x).and_then(number))
        .collect();
    match n.as_slice() {
        [a, b, c, d] if n.iter().all(|v| v.is_finite()) => Some(Rect::new(*a, *b, *c, *d)),
        _ => None,
    }
}

/// The bounding box of each quadrilateral of a `/QuadPoints` array (8 numbers per quad).
pub(crate) fn quads(doc: &Document, o: &Object) -> Vec<Rect> {
    let Some(a) = resolve(doc, o).and_then(|o| o.as_array().ok()) else {
        return Vec::new();
    };
    let n: Vec<f32> = a
        .iter()
        .take(8 * MAX_ITEMS)
        .filter_map(|x| resolve(doc, x).and_then(number))
        .collect();
    n.chunks_exact(8)
        .filter(|q| q.iter().all(|v| v.is_finite()))
        .filter_map(|q| {
            let xs = [q[0], q[2], q[4], q[6]];
            let ys = [q[1], q[3], q[5], q[7]];
            let (x0, x1) = (
                xs.iter().copied().fold(f32::MAX, f32::min),
                xs.iter().copied().fold(f32::MIN, f32::max),
            );
            let (y0, y1) = (
                ys.iter().copied().fold(f32::MAX, f32::min),
                ys.iter().copied().fold(f32::MIN, f32::max),
            );
            (x1 > x0 && y1 > y0).then(|| Rect::new(x0, y0, x1, y1))
        })
        .collect()
}

/// The decoded bytes of a stream, at most `cap`; only unfiltered and Flate streams are read.
pub(crate) fn stream_bytes(s: &Stream, cap: u64) -> Result<Vec<u8>, String> {
    let filters: Vec<Vec<u8>> = match s.dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    };
    match filters.as_slice() {
        [] => Ok(s
            .content
            .iter()
            .take(usize::try_from(cap).unwrap_or(usize::MAX))
            .copied()
            .collect()),
        [f] if f == b"FlateDecode" || f == b"Fl" => {
            let mut out = Vec::new();
            let r = flate2::read::ZlibDecoder::new(s.content.as_slice())
                .take(cap.saturating_add(1))
                .read_to_end(&mut out);
            if out.len() as u64 > cap {
                return Err(format!("stream inflates past the {cap}-byte limit"));
            }
            if r.is_err() && out.is_empty() {
                return Err("stream could not be inflated".into());
            }
            Ok(out)
        }
        other => Err(format!(
            "unsupported stream filter {}",
            other
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        )),
    }
}

/// Every `(key, value)` leaf of a name tree, depth- and cycle-limited.
pub(crate) fn name_tree<'a>(doc: &'a Document, root: &'a Dictionary) -> Vec<(String, &'a Object)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(&Dictionary, usize)> = vec![(root, 0)];
    while let Some((node, depth)) = stack.pop() {
        if out.len() >= MAX_ITEMS {
            break;
        }
        if let Some(Object::Array(names)) = get(doc, node, b"Names") {
            for pair in names.chunks(2) {
                if let [k, v] = pair {
                    let key = resolve(doc, k).and_then(text).unwrap_or_default();
                    out.push((key, v));
                }
            }
        }
        if depth >= MAX_TREE_DEPTH {
            continue;
        }
        if let Some(Object::Array(kids)) = get(doc, node, b"Kids") {
            for kid in kids.iter().take(MAX_ITEMS) {
                if let Ok(id) = kid.as_reference() {
                    if !seen.insert(id) {
                        continue;
                    }
                }
                if let Some(d) = dict(doc, kid) {
                    stack.push((d, depth + 1));
                }
            }
        }
    }
    out
}

/// `D:20240501093000+08'00'` → `2024-05-01`.
pub(crate) fn pdf_date(s: &str) -> Option<String> {
    let d = s.trim().strip_prefix("D:").unwrap_or(s.trim());
    let digits: String = d.chars().take(8).collect();
    (digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_text_strings() {
        assert_eq!(decode_text(b"\xFE\xFF\x67\x3A\x5B\xC6"), "机密");
        assert_eq!(decode_text(b"caf\xE9 \x8Dq\x8E \x93"), "café “q” ﬁ");
        assert_eq!(decode_text(b"\xEF\xBB\xBFok"), "ok");
    }

    #[test]
    fn dates() {
        assert_eq!(
            pdf_date("D:20240501093000+08'00'").as_deref(),
            Some("2024-05-01")
        );
        assert_eq!(pdf_date("yesterday"), None);
    }
}
