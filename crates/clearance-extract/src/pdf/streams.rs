//! Stream decoding with a hard cap on output size.
//!
//! lopdf's own `decompressed_content` reads to the end of any zlib stream, so a 2 MB file can
//! ask for gigabytes; every stream this module reads stops at `cap` bytes instead.

use std::io::{Read, Write};

use lopdf::{Object, Stream};

/// Why a stream's bytes could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StreamError {
    /// Decoding would produce more than the cap.
    TooLarge(u64),
    /// A filter this reader does not implement (image codecs, unknown names).
    Unsupported(String),
    /// Compressed data that decodes to nothing (damaged, or still encrypted).
    Damaged,
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::TooLarge(cap) => write!(f, "stream inflates past the {cap}-byte limit"),
            StreamError::Unsupported(name) => write!(f, "unsupported stream filter {name}"),
            StreamError::Damaged => write!(f, "compressed data is damaged or still encrypted"),
        }
    }
}

/// The filter names of a stream in decoding order (empty when unfiltered).
pub(crate) fn filters(stream: &Stream) -> Vec<Vec<u8>> {
    match stream.dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    }
}

/// The decoded bytes of `stream`, at most `cap` of them.
pub(crate) fn decoded(stream: &Stream, cap: u64) -> Result<Vec<u8>, StreamError> {
    let mut data = stream.content.clone();
    for filter in filters(stream) {
        data = match filter.as_slice() {
            b"FlateDecode" | b"Fl" => inflate(&data, cap)?,
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(&data),
            b"ASCII85Decode" | b"A85" => ascii85(&data),
            b"LZWDecode" | b"LZW" => lzw_via_lopdf(stream, &data, cap)?,
            other => {
                return Err(StreamError::Unsupported(
                    String::from_utf8_lossy(other).into(),
                ))
            }
        };
        if data.len() as u64 > cap {
            return Err(StreamError::TooLarge(cap));
        }
    }
    Ok(data)
}

/// How many bytes `stream` decodes to, without keeping them; `Err(TooLarge)` past `cap`.
/// Used to vet streams before handing the document to a parser that has no cap of its own.
pub(crate) fn decoded_len(stream: &Stream, cap: u64) -> Result<u64, StreamError> {
    let filters = filters(stream);
    match filters.as_slice() {
        [] => Ok(stream.content.len() as u64),
        [f] if f == b"FlateDecode" || f == b"Fl" => {
            let mut sink = CountingSink(0);
            let mut reader =
                flate2::read::ZlibDecoder::new(stream.content.as_slice()).take(cap + 1);
            // A corrupt tail still counts what came before it, as readers keep that part.
            let _ = std::io::copy(&mut reader, &mut sink);
            if sink.0 > cap {
                Err(StreamError::TooLarge(cap))
            } else {
                Ok(sink.0)
            }
        }
        _ => decoded(stream, cap).map(|d| d.len() as u64),
    }
}

struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// zlib inflate capped at `cap` bytes. A damaged stream keeps the bytes decoded before the
/// damage (as viewers do); a stream without a valid zlib header is retried as raw deflate.
pub(crate) fn inflate(input: &[u8], cap: u64) -> Result<Vec<u8>, StreamError> {
    let mut out = Vec::new();
    let zlib = flate2::read::ZlibDecoder::new(input)
        .take(cap + 1)
        .read_to_end(&mut out);
    if zlib.is_err() && out.is_empty() {
        let raw = input.get(2..).unwrap_or_default();
        let deflate = flate2::read::DeflateDecoder::new(raw)
            .take(cap + 1)
            .read_to_end(&mut out);
        if deflate.is_err() && out.is_empty() {
            return Err(StreamError::Damaged);
        }
    }
    if out.len() as u64 > cap {
        return Err(StreamError::TooLarge(cap));
    }
    Ok(out)
}

fn ascii_hex(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2);
    let mut high: Option<u8> = None;
    for &b in input {
        if b == b'>' {
            break;
        }
        let Some(v) = (b as char).to_digit(16) else {
            continue;
        };
        let v = v as u8;
        match high.take() {
            Some(h) => out.push(h << 4 | v),
            None => high = Some(v),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    out
}

fn ascii85(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut group = [0u32; 5];
    let mut n = 0;
    let body = input.strip_prefix(b"<~").unwrap_or(input);
    for &b in body {
        match b {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0, 0, 0, 0]),
            b'!'..=b'u' => {
                if let Some(slot) = group.get_mut(n) {
                    *slot = u32::from(b - b'!');
                }
                n += 1;
                if n == 5 {
                    out.extend_from_slice(&a85_value(&group).to_be_bytes());
                    n = 0;
                }
            }
            _ => {}
        }
    }
    if n > 1 {
        for slot in group.iter_mut().skip(n) {
            *slot = 84;
        }
        let bytes = a85_value(&group).to_be_bytes();
        out.extend_from_slice(bytes.get(..n - 1).unwrap_or_default());
    }
    out
}

fn a85_value(group: &[u32; 5]) -> u32 {
    group
        .iter()
        .fold(0u32, |acc, &d| acc.wrapping_mul(85).wrapping_add(d))
}

/// LZW is rare in modern files; lopdf decodes it, and its output is bounded by the input
/// (at most 4096 bytes per 9-bit code), so it is only trusted when even that bound fits.
fn lzw_via_lopdf(stream: &Stream, data: &[u8], cap: u64) -> Result<Vec<u8>, StreamError> {
    if (data.len() as u64).saturating_mul(3641) > cap {
        return Err(StreamError::TooLarge(cap));
    }
    let mut single = Stream::new(lopdf::Dictionary::new(), data.to_vec());
    single
        .dict
        .set("Filter", Object::Name(b"LZWDecode".to_vec()));
    if let Ok(p) = stream.dict.get(b"DecodeParms") {
        single.dict.set("DecodeParms", p.clone());
    }
    single
        .decompressed_content()
        .map_err(|e| StreamError::Unsupported(format!("LZW ({e})")))
}

/// Re-reads a stream whose body the parser lost (a missing or wrong /Length leaves it
/// empty) straight from the file: the bytes between `stream` and `endstream` after the
/// object's xref offset. Searches at most 64 MiB.
pub(crate) fn recover_raw(
    doc: &lopdf::Document,
    file: &[u8],
    id: lopdf::ObjectId,
    dict: Option<&lopdf::Dictionary>,
) -> Option<Stream> {
    let lopdf::xref::XrefEntry::Normal { offset, .. } = doc.reference_table.get(id.0)? else {
        return None;
    };
    let start = usize::try_from(*offset).ok()?;
    let window = file.get(start..)?;
    let window = window.get(..window.len().min(64 << 20))?;
    let stream_at = find(window, b"stream")?;
    let header = window.get(..stream_at)?;
    let body_at = stream_at + b"stream".len();
    let mut body = window.get(body_at..)?;
    body = body
        .strip_prefix(b"\r\n")
        .or_else(|| body.strip_prefix(b"\n"))
        .or_else(|| body.strip_prefix(b"\r"))
        .unwrap_or(body);
    let end = find(body, b"endstream")?;
    let mut content = body.get(..end)?;
    content = content.strip_suffix(b"\n").unwrap_or(content);
    content = content.strip_suffix(b"\r").unwrap_or(content);
    if content.is_empty() {
        return None;
    }
    let dict = match dict {
        Some(d) => d.clone(),
        None => {
            // The object did not parse at all: take the filter from the raw header.
            let mut d = lopdf::Dictionary::new();
            if find(header, b"/FlateDecode").is_some() {
                d.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            }
            d
        }
    };
    Some(Stream::new(dict, content.to_vec()))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;
    use flate2::{write::ZlibEncoder, Compression};

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn inflate_stops_at_the_cap() {
        let bomb = zlib(&vec![b'A'; 1_000_000]);
        assert_eq!(inflate(&bomb, 1000), Err(StreamError::TooLarge(1000)));
        assert_eq!(inflate(&bomb, 2_000_000).map(|v| v.len()), Ok(1_000_000));
        let mut s = Stream::new(lopdf::Dictionary::new(), bomb);
        s.dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        assert_eq!(decoded_len(&s, 10), Err(StreamError::TooLarge(10)));
        assert_eq!(decoded_len(&s, 1 << 30), Ok(1_000_000));
    }

    #[test]
    fn undecodable_flate_is_an_error_not_empty_content() {
        assert_eq!(
            inflate(b"\xb1Y\xfd_\xe5\x01\x10\x85\xa6-k", 1000),
            Err(StreamError::Damaged)
        );
        assert_eq!(inflate(&zlib(b""), 1000), Ok(Vec::new()));
    }

    #[test]
    fn ascii_filters_decode() {
        assert_eq!(ascii_hex(b"48 65 6C6c 6>"), b"Hell`".to_vec());
        assert_eq!(ascii85(b"<~87cURDZ~>"), b"Hello".to_vec());
        assert_eq!(ascii85(b"z~>"), vec![0, 0, 0, 0]);
    }
}
