//! Walkers over JPEG segments, PNG chunks and Photoshop/IPTC resources: the metadata places
//! that kamadak-exif does not read. Every length is bounds-checked against the slice, so a
//! lying length ends the walk instead of reading past the end.

use std::io::Read;

use flate2::read::ZlibDecoder;

/// The XMP signature of a JPEG APP1 segment.
const JPEG_XMP_SIG: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
/// The signature of a JPEG APP1 extended-XMP chunk (XMP too large for one segment).
const JPEG_EXTENDED_XMP_SIG: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
/// Most bytes of extended XMP reassembled per image.
const MAX_EXTENDED_XMP: usize = 16 * 1024 * 1024;
/// The signature of a JPEG APP13 Photoshop segment.
const PHOTOSHOP_SIG: &[u8] = b"Photoshop 3.0\0";
/// PNG keyword of an XMP packet.
const PNG_XMP_KEYWORD: &str = "XML:com.adobe.xmp";
/// Most bytes one compressed PNG text chunk may inflate to.
const MAX_CHUNK_INFLATE: u64 = 4 * 1024 * 1024;
/// Most bytes all compressed PNG text chunks of one file may inflate to.
const MAX_TOTAL_INFLATE: u64 = 16 * 1024 * 1024;

/// Metadata-bearing segments of a JPEG, borrowed from the file.
#[derive(Debug, Default)]
pub(crate) struct JpegSegments<'a> {
    /// XMP packets (APP1 after the XMP signature).
    pub xmp: Vec<&'a [u8]>,
    /// Extended-XMP chunks: (GUID, offset in the full packet, data).
    pub extended_xmp: Vec<(&'a [u8], u32, &'a [u8])>,
    /// Photoshop image resource blocks (APP13 after its signature).
    pub photoshop: Vec<&'a [u8]>,
    /// COM segments.
    pub comments: Vec<&'a [u8]>,
}

/// Walks JPEG markers up to the first scan. Stops quietly at the first malformed marker.
pub(crate) fn jpeg_segments(bytes: &[u8]) -> JpegSegments<'_> {
    let mut out = JpegSegments::default();
    let mut pos = 2usize; // after SOI
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while bytes.get(pos) == Some(&0xFF) && bytes.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(pos), bytes.get(pos + 1)) else {
            return out;
        };
        pos += 2;
        match marker {
            0xD8 | 0x01 | 0xD0..=0xD7 => continue, // standalone markers
            0xD9 | 0xDA => return out,             // end of image, start of scan
            _ => {}
        }
        let Some(len) = read_u16_be(bytes, pos) else {
            return out;
        };
        let len = usize::from(len);
        if len < 2 {
            return out;
        }
        let Some(data) = bytes.get(pos + 2..pos + len) else {
            return out;
        };
        match marker {
            0xE1 => {
                if let Some(packet) = data.strip_prefix(JPEG_XMP_SIG) {
                    out.xmp.push(packet);
                } else if let Some(chunk) = data.strip_prefix(JPEG_EXTENDED_XMP_SIG) {
                    // GUID (32 hex chars), full length (4), offset of this chunk (4), data.
                    if let (Some(guid), Some(offset), Some(body)) =
                        (chunk.get(..32), read_u32_be(chunk, 36), chunk.get(40..))
                    {
                        out.extended_xmp.push((guid, offset, body));
                    }
                }
            }
            0xED => {
                if let Some(resources) = data.strip_prefix(PHOTOSHOP_SIG) {
                    out.photoshop.push(resources);
                }
            }
            0xFE => out.comments.push(data),
            _ => {}
        }
        pos += len;
    }
}

/// Reassembles extended-XMP packets from their chunks, per GUID, in offset order. Only
/// contiguous data is joined: the declared full length is never used to allocate.
pub(crate) fn extended_xmp(chunks: &[(&[u8], u32, &[u8])]) -> Vec<Vec<u8>> {
    let mut guids: Vec<&[u8]> = chunks.iter().map(|(g, _, _)| *g).collect();
    guids.sort();
    guids.dedup();
    let mut out = Vec::new();
    for guid in guids {
        let mut parts: Vec<(u32, &[u8])> = chunks
            .iter()
            .filter(|(g, _, _)| *g == guid)
            .map(|(_, o, d)| (*o, *d))
            .collect();
        parts.sort_by_key(|(offset, _)| *offset);
        let mut packet: Vec<u8> = Vec::new();
        for (offset, data) in parts {
            if usize::try_from(offset).ok() != Some(packet.len()) {
                continue; // a duplicate or a gap; what is contiguous so far is kept
            }
            if packet.len() + data.len() > MAX_EXTENDED_XMP {
                break;
            }
            packet.extend_from_slice(data);
        }
        if !packet.is_empty() {
            out.push(packet);
        }
    }
    out
}

/// Text found in PNG chunks.
#[derive(Debug, Default)]
pub(crate) struct PngText {
    /// `(keyword, text)` of tEXt, zTXt and iTXt chunks other than XMP.
    pub fields: Vec<(String, String)>,
    /// XMP packets from iTXt chunks with the XMP keyword.
    pub xmp: Vec<Vec<u8>>,
    /// Chunks that could not be read.
    pub warnings: Vec<String>,
}

/// Walks PNG chunks and decodes tEXt, zTXt and iTXt, inflating compressed text with a cap.
pub(crate) fn png_text_chunks(bytes: &[u8]) -> PngText {
    let mut out = PngText::default();
    let mut inflate_budget = MAX_TOTAL_INFLATE;
    let mut pos = 8usize; // after the signature
    while let (Some(len), Some(kind)) = (read_u32_be(bytes, pos), bytes.get(pos + 4..pos + 8)) {
        let Ok(len) = usize::try_from(len) else { break };
        let start = pos + 8;
        let Some(data) = start.checked_add(len).and_then(|end| bytes.get(start..end)) else {
            out.warnings
                .push(format!("chunk {} is truncated", lossy_text(kind)));
            break;
        };
        match kind {
            b"tEXt" => {
                if let Some((key, text)) = split_nul(data) {
                    out.fields.push((latin1(key), latin1(text)));
                }
            }
            b"zTXt" => {
                if let Some((key, rest)) = split_nul(data) {
                    // rest[0] is the compression method; only zlib (0) exists.
                    match inflate(rest.get(1..).unwrap_or_default(), &mut inflate_budget) {
                        Ok(text) => out.fields.push((latin1(key), latin1(&text))),
                        Err(e) => out.warnings.push(format!("zTXt {}: {e}", latin1(key))),
                    }
                }
            }
            b"iTXt" => read_itxt(data, &mut inflate_budget, &mut out),
            b"IEND" => break,
            _ => {}
        }
        pos = start + len + 4; // data + CRC
    }
    out
}

fn read_itxt(data: &[u8], budget: &mut u64, out: &mut PngText) {
    let Some((key, rest)) = split_nul(data) else {
        return;
    };
    let key = latin1(key);
    let (Some(&compressed), Some(rest)) = (rest.first(), rest.get(2..)) else {
        return;
    };
    let Some((_language, rest)) = split_nul(rest) else {
        return;
    };
    let Some((_translated, text)) = split_nul(rest) else {
        return;
    };
    let text = if compressed == 1 {
        match inflate(text, budget) {
            Ok(t) => t,
            Err(e) => {
                out.warnings.push(format!("iTXt {key}: {e}"));
                return;
            }
        }
    } else {
        text.to_vec()
    };
    if key == PNG_XMP_KEYWORD {
        out.xmp.push(text);
    } else {
        out.fields
            .push((key, String::from_utf8_lossy(&text).into_owned()));
    }
}

/// Inflates a zlib stream, refusing output beyond one chunk's cap or the file's budget.
fn inflate(data: &[u8], budget: &mut u64) -> Result<Vec<u8>, String> {
    let cap = MAX_CHUNK_INFLATE.min(*budget);
    let mut out = Vec::new();
    ZlibDecoder::new(data)
        .take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("compressed text is damaged ({e})"))?;
    let len = out.len() as u64;
    if len > cap {
        return Err(format!(
            "compressed text inflates beyond {cap} bytes; not read"
        ));
    }
    *budget -= len;
    Ok(out)
}

/// IPTC-IIM datasets of record 2 (application record) named as IPTC names them.
const IPTC_NAMES: &[(u8, &str)] = &[
    (5, "ObjectName"),
    (15, "Category"),
    (25, "Keywords"),
    (40, "SpecialInstructions"),
    (55, "DateCreated"),
    (80, "By-line"),
    (85, "By-lineTitle"),
    (90, "City"),
    (92, "Sub-location"),
    (95, "Province-State"),
    (101, "Country-PrimaryLocationName"),
    (103, "OriginalTransmissionReference"),
    (105, "Headline"),
    (110, "Credit"),
    (115, "Source"),
    (116, "CopyrightNotice"),
    (118, "Contact"),
    (120, "Caption-Abstract"),
    (122, "Writer-Editor"),
];

/// `(name, value)` of the IPTC datasets in Photoshop image resources (resource 0x0404).
pub(crate) fn iptc_fields(resources: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while resources.get(pos..pos + 4) == Some(b"8BIM") {
        let Some(id) = read_u16_be(resources, pos + 4) else {
            break;
        };
        // Pascal-string name, padded so that length byte + name is even.
        let Some(&name_len) = resources.get(pos + 6) else {
            break;
        };
        let name_field = (usize::from(name_len) + 2) & !1;
        let size_at = pos + 6 + name_field;
        let Some(size) = read_u32_be(resources, size_at).and_then(|s| usize::try_from(s).ok())
        else {
            break;
        };
        let start = size_at + 4;
        let Some(data) = start
            .checked_add(size)
            .and_then(|end| resources.get(start..end))
        else {
            break;
        };
        if id == 0x0404 {
            out.extend(iptc_datasets(data));
        }
        pos = start + ((size + 1) & !1);
    }
    out
}

fn iptc_datasets(data: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while data.get(pos) == Some(&0x1C) {
        let (Some(&record), Some(&dataset), Some(len)) = (
            data.get(pos + 1),
            data.get(pos + 2),
            read_u16_be(data, pos + 3),
        ) else {
            break;
        };
        if len & 0x8000 != 0 {
            break; // extended dataset lengths are only used for binary previews
        }
        let start = pos + 5;
        let Some(value) = data.get(start..start + usize::from(len)) else {
            break;
        };
        if record == 2 {
            if let Some((_, name)) = IPTC_NAMES.iter().find(|(d, _)| *d == dataset) {
                out.push((name.to_string(), lossy_text(value)));
            }
        }
        pos = start + usize::from(len);
    }
    out
}

/// The first `<x:xmpmeta ...>...</x:xmpmeta>` (or bare `<rdf:RDF>`) packet found anywhere in
/// the bytes: XMP in TIFF, WebP and GIF files sits in places not walked above.
pub(crate) fn find_xmp_packet(bytes: &[u8]) -> Option<&[u8]> {
    for (open, close) in [
        (&b"<x:xmpmeta"[..], &b"</x:xmpmeta>"[..]),
        (b"<rdf:RDF", b"</rdf:RDF>"),
    ] {
        if let Some(start) = find(bytes, open) {
            let rest = bytes.get(start..)?;
            if let Some(end) = find(rest, close) {
                return rest.get(..end + close.len());
            }
        }
    }
    None
}

/// Text of unknown encoding: UTF-8 when valid, else Latin-1 (the IPTC and COM default).
pub(crate) fn lossy_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s
            .trim_matches(|c: char| c == '\0' || c.is_whitespace())
            .to_string(),
        Err(_) => latin1(bytes)
            .trim_matches(|c: char| c == '\0' || c.is_whitespace())
            .to_string(),
    }
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn split_nul(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = data.iter().position(|&b| b == 0)?;
    Some((data.get(..at)?, data.get(at + 1..)?))
}

fn read_u16_be(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
}

fn read_u32_be(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    crate::sniff::find(haystack, needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn jpeg_with(segments: &[(u8, &[u8])]) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        for (marker, data) in segments {
            b.extend([0xFF, *marker]);
            b.extend(u16::try_from(data.len() + 2).unwrap().to_be_bytes());
            b.extend(*data);
        }
        b.extend([0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn finds_xmp_comments_and_photoshop_segments() {
        let xmp = [JPEG_XMP_SIG, b"<x:xmpmeta/>"].concat();
        let ps = [PHOTOSHOP_SIG, b"8BIM"].concat();
        let b = jpeg_with(&[
            (0xE0, b"JFIF\0"),
            (0xE1, &xmp),
            (0xED, &ps),
            (0xFE, b"hello"),
        ]);
        let s = jpeg_segments(&b);
        assert_eq!(s.xmp, vec![&b"<x:xmpmeta/>"[..]]);
        assert_eq!(s.photoshop, vec![&b"8BIM"[..]]);
        assert_eq!(s.comments, vec![&b"hello"[..]]);
    }

    #[test]
    fn a_lying_segment_length_ends_the_walk() {
        let mut b = jpeg_with(&[(0xFE, b"ok")]);
        b.truncate(4);
        b.extend([0xFF, 0x10]); // length far beyond the end
        assert!(jpeg_segments(&b).comments.is_empty());
        assert!(jpeg_segments(&[0xFF, 0xD8, 0xFF]).comments.is_empty());
        assert!(jpeg_segments(&[0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x01])
            .comments
            .is_empty());
    }

    #[test]
    fn joins_extended_xmp_in_offset_order_and_stops_at_gaps() {
        let g1 = [b'A'; 32];
        let g2 = [b'B'; 32];
        let chunks: Vec<(&[u8], u32, &[u8])> = vec![
            (&g1, 3, b"def"),
            (&g1, 0, b"abc"),
            (&g2, 0, b"xy"),
            (&g2, 10, b"after a gap"),
        ];
        assert_eq!(
            extended_xmp(&chunks),
            vec![b"abcdef".to_vec(), b"xy".to_vec()]
        );
        let mut segment = JPEG_EXTENDED_XMP_SIG.to_vec();
        segment.extend(g1);
        segment.extend(100u32.to_be_bytes());
        segment.extend(0u32.to_be_bytes());
        segment.extend(b"<x:xmpmeta/>");
        let b = jpeg_with(&[(0xE1, &segment)]);
        assert_eq!(
            jpeg_segments(&b).extended_xmp,
            vec![(&g1[..], 0, &b"<x:xmpmeta/>"[..])]
        );
    }

    #[test]
    fn reads_iptc_byline_and_caption() {
        let mut iptc = Vec::new();
        for (dataset, text) in [(80u8, &b"Wang Fang"[..]), (120, b"Test range"), (200, b"x")] {
            iptc.extend([0x1C, 2, dataset]);
            iptc.extend(u16::try_from(text.len()).unwrap().to_be_bytes());
            iptc.extend(text);
        }
        let mut res = b"8BIM\x04\x04\0\0".to_vec();
        res.extend(u32::try_from(iptc.len()).unwrap().to_be_bytes());
        res.extend(&iptc);
        let fields = iptc_fields(&res);
        assert_eq!(
            fields,
            vec![
                ("By-line".to_string(), "Wang Fang".to_string()),
                ("Caption-Abstract".to_string(), "Test range".to_string())
            ]
        );
        res.truncate(res.len() - 3);
        assert!(
            iptc_fields(&res).is_empty(),
            "a resource cut short is not read"
        );
    }

    fn png_chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend(kind);
        c.extend(data);
        c.extend([0, 0, 0, 0]);
        c
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        use flate2::write::ZlibEncoder;
        use std::io::Write;
        let mut e = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn reads_png_text_chunks_of_every_kind() {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend(png_chunk(b"tEXt", b"Author\0Li Na"));
        b.extend(png_chunk(
            b"zTXt",
            &[b"Comment\0\0".as_slice(), &zlib(b"Project Nightjar")].concat(),
        ));
        b.extend(png_chunk(b"iTXt", "Title\0\0\0zh\0\0机密".as_bytes()));
        b.extend(png_chunk(
            b"iTXt",
            b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta/>",
        ));
        b.extend(png_chunk(b"IEND", b""));
        let t = png_text_chunks(&b);
        assert_eq!(t.fields[0], ("Author".to_string(), "Li Na".to_string()));
        assert_eq!(
            t.fields[1],
            ("Comment".to_string(), "Project Nightjar".to_string())
        );
        assert_eq!(t.fields[2], ("Title".to_string(), "机密".to_string()));
        assert_eq!(t.xmp, vec![b"<x:xmpmeta/>".to_vec()]);
        assert!(t.warnings.is_empty());
    }

    #[test]
    fn refuses_a_text_chunk_bomb() {
        let bomb = zlib(&vec![b'a'; 5 * 1024 * 1024]);
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend(png_chunk(
            b"zTXt",
            &[b"Comment\0\0".as_slice(), &bomb].concat(),
        ));
        let t = png_text_chunks(&b);
        assert!(t.fields.is_empty());
        assert_eq!(
            t.warnings.len(),
            1,
            "the reviewer is told the chunk was not read"
        );
    }

    #[test]
    fn finds_a_raw_xmp_packet() {
        let b = b"junk<x:xmpmeta a='1'><rdf:RDF/></x:xmpmeta>junk";
        assert_eq!(
            find_xmp_packet(b),
            Some(&b"<x:xmpmeta a='1'><rdf:RDF/></x:xmpmeta>"[..])
        );
        assert_eq!(find_xmp_packet(b"<x:xmpmeta unterminated"), None);
    }
}
