//! Cross-reference repair for damaged files: lopdf has none, so when it cannot parse the
//! xref/trailer the objects are found by scanning for `N G obj`, and a fresh xref table and
//! trailer are appended for lopdf to load instead.

/// Most objects a rebuilt table may hold (20 bytes each in the table).
const MAX_OBJECTS: u32 = 2_000_000;

/// The file with a rebuilt xref section appended, or `None` when no catalog can be found.
pub(crate) fn rebuild(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut offsets: Vec<Option<usize>> = Vec::new();
    let mut root: Option<u32> = None;
    let mut i = 0;
    while let Some(rel) = find(bytes.get(i..)?, b"obj") {
        let at = i + rel;
        i = at + 3;
        let Some((num, gen_start)) = object_header(bytes, at) else {
            continue;
        };
        if num >= MAX_OBJECTS {
            continue;
        }
        let slot = usize::try_from(num).ok()?;
        if offsets.len() <= slot {
            offsets.resize(slot + 1, None);
        }
        // Later definitions win, as with incremental updates.
        *offsets.get_mut(slot)? = Some(gen_start);
        let body = bytes
            .get(at..bytes.len().min(at + 4096))
            .unwrap_or_default();
        let body = body
            .get(..find(body, b"endobj").unwrap_or(body.len()))
            .unwrap_or_default();
        let compact: Vec<u8> = body
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        if find(&compact, b"/Type/Catalog").is_some() {
            root = Some(num);
        }
    }
    let root = root?;
    let mut out = bytes.to_vec();
    out.extend_from_slice(b"\n");
    let xref_at = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n", offsets.len()).as_bytes());
    for (n, off) in offsets.iter().enumerate() {
        let line = match off {
            Some(o) if n > 0 => format!("{o:010} 00000 n \n"),
            _ => "0000000000 65535 f \n".to_string(),
        };
        out.extend_from_slice(line.as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root {root} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            offsets.len()
        )
        .as_bytes(),
    );
    Some(out)
}

/// For an `obj` keyword at `at`, the object number and the offset where `N G obj` starts.
fn object_header(bytes: &[u8], at: usize) -> Option<(u32, usize)> {
    let after = bytes.get(at + 3).copied();
    if after.is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut j = at;
    let skip_ws = |j: &mut usize| {
        while *j > 0 && bytes.get(*j - 1).is_some_and(u8::is_ascii_whitespace) {
            *j -= 1;
        }
    };
    let digits = |j: &mut usize| -> Option<u32> {
        let end = *j;
        while *j > 0 && bytes.get(*j - 1).is_some_and(u8::is_ascii_digit) && end - *j < 10 {
            *j -= 1;
        }
        std::str::from_utf8(bytes.get(*j..end)?).ok()?.parse().ok()
    };
    skip_ws(&mut j);
    digits(&mut j)?;
    skip_ws(&mut j);
    let num = digits(&mut j)?;
    if j > 0
        && !bytes
            .get(j - 1)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b']')
    {
        return None;
    }
    Some((num, j))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    #[test]
    fn rebuilt_table_points_at_each_object() {
        let broken = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nxref garbage\n";
        let fixed = rebuild(broken).unwrap();
        let text = String::from_utf8_lossy(&fixed);
        assert!(text.contains("0000000009 00000 n"), "{text}");
        assert!(text.contains("/Root 1 0 R"));
        assert!(lopdf::Document::load_mem(&fixed).is_ok());
    }

    #[test]
    fn no_catalog_no_rebuild() {
        assert_eq!(rebuild(b"%PDF-1.4\n1 0 obj << >> endobj"), None);
        assert_eq!(rebuild(b"robj obj 99999999999 0 obj"), None);
    }
}
