//! Format detection from content. The extension is never consulted: a mislabelled file is
//! read as what it is.

use clearance_model::Format;

use crate::ExtractError;

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The format of `bytes`, decided from magic bytes (and, for text, from whether the bytes
/// decode cleanly). `None` for anything unsupported; [`explain_unknown`] says why.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Some(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return is_wordprocessing_zip(bytes).then_some(Format::Docx);
    }
    if image_kind(bytes).is_some() {
        return Some(Format::Image);
    }
    if !bytes.is_empty() && crate::text::looks_like_text(bytes) {
        return Some(Format::Text);
    }
    None
}

/// The container kind of an image, from its magic bytes.
pub fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("tiff")
    } else if bytes.starts_with(b"II+\0") || bytes.starts_with(b"MM\0+") {
        Some("bigtiff")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(
            &bytes[8..12],
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"avif"
        )
    {
        Some("heif")
    } else {
        None
    }
}

/// Why `bytes` is not a supported document: encrypted Office files are named as such, other
/// containers by what they are.
pub(crate) fn explain_unknown(bytes: &[u8]) -> ExtractError {
    let detail = if bytes.is_empty() {
        "empty file".to_string()
    } else if bytes.starts_with(OLE_MAGIC) {
        if find(bytes, &utf16le("EncryptedPackage")).is_some() {
            return ExtractError::encrypted("password-protected Office document");
        }
        "legacy Office (OLE2) file; only .docx is supported".to_string()
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        "ZIP archive that is not a Word document (no word/document.xml)".to_string()
    } else {
        let hex: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("binary data starting {}", hex.join(" "))
    };
    ExtractError::UnknownFormat { detail }
}

fn is_wordprocessing_zip(bytes: &[u8]) -> bool {
    // The entry names sit in plain text in the local headers and the central directory, so a
    // byte search decides without inflating anything; docx::extract validates properly.
    find(bytes, b"word/document.xml").is_some() || find(bytes, b"word/document2.xml").is_some()
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decides_by_content_not_name() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), Some(Format::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(Format::Image));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Image));
        assert_eq!(
            sniff(b"PK\x03\x04 junk"),
            None,
            "a zip without word/ is not a docx"
        );
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn explains_encrypted_office_files() {
        let mut b = OLE_MAGIC.to_vec();
        b.extend(utf16le("EncryptedPackage"));
        assert!(matches!(
            explain_unknown(&b),
            ExtractError::Encrypted { .. }
        ));
        assert!(matches!(
            explain_unknown(b""),
            ExtractError::UnknownFormat { .. }
        ));
    }
}
