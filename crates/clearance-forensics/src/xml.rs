//! Small helpers over quick-xml shared by the OOXML and XMP readers.

use quick_xml::events::{BytesRef, BytesStart};

/// The local part of a qualified name: `w:color` → `color`.
pub(crate) fn local<S: AsRef<[u8]> + ?Sized>(name: &S) -> &[u8] {
    let name = name.as_ref();
    match name.iter().position(|&b| b == b':') {
        Some(i) => name.get(i + 1..).unwrap_or(name),
        None => name,
    }
}

/// The qualified name of an element as text.
pub(crate) fn qname(e: &BytesStart) -> String {
    let n = e.name();
    let b: &[u8] = n.as_ref().as_ref();
    String::from_utf8_lossy(b).into_owned()
}

/// The value of the attribute whose local name is `key`, unescaped.
pub(crate) fn attr(e: &BytesStart, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| local(a.key.as_ref()) == key)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// Every attribute as `(qualified name, value)`.
pub(crate) fn attrs(e: &BytesStart) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .filter_map(|a| {
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()?
                .into_owned();
            let k: &[u8] = a.key.as_ref().as_ref();
            Some((String::from_utf8_lossy(k).into_owned(), v))
        })
        .collect()
}

/// Appends the text an entity or character reference stands for (`&amp;`, `&#x4E2D;`).
/// Entities other than the five predefined ones are dropped: DTDs are never expanded.
pub(crate) fn push_ref(buf: &mut String, r: &BytesRef) {
    if let Ok(Some(ch)) = r.resolve_char_ref() {
        buf.push(ch);
        return;
    }
    let s: &str = match r.xml_content(quick_xml::XmlVersion::Implicit1_0).as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "apos" => "'",
        "quot" => "\"",
        _ => "",
    };
    buf.push_str(s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_strips_prefix() {
        assert_eq!(local(b"w:color"), b"color");
        assert_eq!(local(b"color"), b"color");
        assert_eq!(local(b"a:"), b"");
    }
}
