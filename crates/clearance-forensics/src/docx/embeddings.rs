//! Embedded objects and attached files (word/embeddings): each is reported, and its content
//! is scanned through the engine. OLE containers are opened to reach what they wrap: an
//! `Ole10Native` package (an attached file), an OOXML `Package` stream or a `CONTENTS` stream.

use std::io::{Cursor, Read};

use clearance_model::{Severity, Source};

use super::read_part;
use crate::package::Package;
use crate::report::{hidden, Out};
use crate::{embedded, Context};

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What an embedded object holds: a display name and the bytes to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Payload {
    pub name: Option<String>,
    pub bytes: Vec<u8>,
}

fn cstr(b: &[u8]) -> Option<(String, &[u8])> {
    let nul = b.iter().position(|&c| c == 0)?;
    Some((
        String::from_utf8_lossy(b.get(..nul)?).into_owned(),
        b.get(nul + 1..)?,
    ))
}

fn le32(b: &[u8]) -> Option<(usize, &[u8])> {
    let v = b.get(..4)?;
    Some((
        u32::from_le_bytes([v[0], v[1], v[2], v[3]]) as usize,
        b.get(4..)?,
    ))
}

/// The file inside an `\x01Ole10Native` stream: `(file name, contents)`.
pub(super) fn ole10_native(stream: &[u8]) -> Option<(String, Vec<u8>)> {
    let (_total, rest) = le32(stream)?;
    let rest = rest.get(2..)?;
    let (label, rest) = cstr(rest)?;
    let (path, rest) = cstr(rest)?;
    let rest = rest.get(4..)?;
    let (tmp_len, rest) = le32(rest)?;
    let rest = rest.get(tmp_len..)?;
    let (size, rest) = le32(rest)?;
    let data = rest.get(..size)?;
    let name = if label.is_empty() {
        path.rsplit(['\\', '/']).next().unwrap_or(&path).to_string()
    } else {
        label
    };
    Some((name, data.to_vec()))
}

fn read_stream<F: Read + std::io::Seek>(
    cf: &mut cfb::CompoundFile<F>,
    path: &str,
    cap: u64,
) -> Option<Vec<u8>> {
    let mut s = cf.open_stream(path).ok()?;
    let mut buf = Vec::new();
    (&mut s).take(cap).read_to_end(&mut buf).ok()?;
    Some(buf)
}

/// What to scan for an embedded object: the wrapped file for OLE containers that wrap one,
/// the bytes themselves otherwise (the engine sniffs the format).
pub(super) fn payload(bytes: &[u8], cap: u64) -> Payload {
    let raw = || Payload {
        name: None,
        bytes: bytes.to_vec(),
    };
    if !bytes.starts_with(OLE_MAGIC) {
        return raw();
    }
    let Ok(mut cf) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return raw();
    };
    if let Some(native) = read_stream(&mut cf, "/\u{1}Ole10Native", cap) {
        if let Some((name, data)) = ole10_native(&native) {
            return Payload {
                name: Some(name),
                bytes: data,
            };
        }
    }
    for inner in ["/Package", "/CONTENTS"] {
        if let Some(data) = read_stream(&mut cf, inner, cap).filter(|d| !d.is_empty()) {
            return Payload {
                name: None,
                bytes: data,
            };
        }
    }
    raw()
}

/// Reports and scans every entry of word/embeddings.
pub(super) fn check(pkg: &mut Package, ctx: &Context, out: &mut Out) {
    let names: Vec<String> = pkg
        .names()
        .iter()
        .filter(|n| n.to_ascii_lowercase().starts_with("word/embeddings/") && !n.ends_with('/'))
        .cloned()
        .collect();
    for name in names {
        let Some(bytes) = read_part(pkg, &name, out) else {
            continue;
        };
        let p = payload(&bytes, ctx.limits.max_inflated_bytes);
        let shown = match &p.name {
            Some(inner) => format!("{name} (\"{inner}\")"),
            None => name.clone(),
        };
        let scan_name = match &p.name {
            Some(inner) => format!("{name}/{inner}"),
            None => name.clone(),
        };
        let scanned = embedded::scan(ctx, &scan_name, &p.bytes);
        let tail = if scanned.is_some() {
            "its content was scanned too"
        } else {
            "it was not scanned: too deeply nested"
        };
        let why = format!("Embedded object {shown} ({} bytes) is inside the file and can be opened by anyone: {tail}", p.bytes.len());
        let mut f = hidden(
            "docx-embedded-object",
            Severity::Medium,
            &shown,
            Source::Hidden,
            why,
        );
        f.part = Some(name.clone());
        out.push(f);
        out.findings.extend(scanned.unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ole10_native() {
        let mut s = Vec::new();
        s.extend_from_slice(&0u32.to_le_bytes());
        s.extend_from_slice(&2u16.to_le_bytes());
        s.extend_from_slice(b"secret.txt\0C:\\x\\secret.txt\0");
        s.extend_from_slice(&0x0003_0000u32.to_le_bytes());
        s.extend_from_slice(&4u32.to_le_bytes());
        s.extend_from_slice(b"tmp\0");
        s.extend_from_slice(&3u32.to_le_bytes());
        s.extend_from_slice(b"abc");
        assert_eq!(
            ole10_native(&s),
            Some(("secret.txt".to_string(), b"abc".to_vec()))
        );
        assert_eq!(
            ole10_native(&s[..s.len() - 1]),
            None,
            "truncated data is refused"
        );
        assert_eq!(payload(b"PK\x03\x04", 10).bytes, b"PK\x03\x04".to_vec());
    }

    #[test]
    fn ole_container_yields_the_wrapped_file() {
        use std::io::Write;
        let mut native = Vec::new();
        native.extend_from_slice(&0u32.to_le_bytes());
        native.extend_from_slice(&2u16.to_le_bytes());
        native.extend_from_slice(b"notes.txt\0C:\\notes.txt\0");
        native.extend_from_slice(&0x0003_0000u32.to_le_bytes());
        native.extend_from_slice(&1u32.to_le_bytes());
        native.push(0);
        let body = "机密★5年".as_bytes();
        native.extend_from_slice(&(body.len() as u32).to_le_bytes());
        native.extend_from_slice(body);
        let mut cf =
            cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("create compound file");
        let mut s = cf
            .create_stream("/\u{1}Ole10Native")
            .expect("create stream");
        s.write_all(&native).expect("write stream");
        drop(s);
        cf.flush().expect("flush");
        let bytes = cf.into_inner().into_inner();
        let p = payload(&bytes, 1 << 20);
        assert_eq!(p.name.as_deref(), Some("notes.txt"));
        assert_eq!(p.bytes, body.to_vec());
        let garbage = [OLE_MAGIC, &[0u8; 64]].concat();
        assert_eq!(
            payload(&garbage, 1 << 20).bytes,
            garbage,
            "a broken container is scanned as it is"
        );
    }
}
