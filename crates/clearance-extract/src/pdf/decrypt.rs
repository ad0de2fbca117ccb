//! Finishes the decryption of AES-256 documents whose crypt filters lopdf could not read.
//!
//! lopdf 0.42 authenticates an AES-256 (V 5) document with the empty user password and
//! computes its file key, but reads the crypt filter dictionaries only when `/CF` is written
//! directly in the encryption dictionary. Producers that write `/CF 7 0 R` get no filter, and
//! lopdf then falls back to RC4 for every stream and string: it "decrypts" AES data with the
//! wrong cipher, without an error, so the page text comes out as nothing and the document
//! would look clean. RC4 is its own inverse, and V 5 has one crypt method, AESV3, so the file
//! key lopdf computed is enough to undo its RC4 pass and decrypt properly here.

use lopdf::encryption::crypt_filters::{Aes256CryptFilter, CryptFilter, Rc4CryptFilter};
use lopdf::xref::XrefEntry;
use lopdf::{Document, Object, ObjectStream};

/// Decrypts what lopdf mis-decrypted in an AES-256 document, and reads the objects of its
/// object streams (which lopdf could not parse while they were encrypted). Returns whether
/// anything was done: false for every other document.
pub(crate) fn finish_aes256(doc: &mut Document) -> bool {
    let Some(state) = doc.encryption_state.as_ref() else {
        return false;
    };
    let filters = state.crypt_filters();
    let pending = |name: &[u8]| name != b"Identity" && !filters.contains_key(name);
    let streams = pending(state.default_stream_filter());
    let strings = pending(state.default_string_filter());
    if state.version() != 5 || !(streams || strings) {
        return false;
    }
    let key = state.file_encryption_key().to_vec();
    let metadata_too = state.encrypt_metadata();
    let how = How {
        key: &key,
        streams,
        strings,
        metadata_too,
    };
    for (&id, obj) in doc.objects.iter_mut() {
        // The key lopdf's RC4 fallback used for this object.
        let rc4 = Rc4CryptFilter.compute_key(&key, id).ok();
        how.decrypt(obj, rc4.as_deref());
    }
    read_object_streams(doc);
    true
}

/// The file key and which kinds of object are still encrypted.
struct How<'a> {
    key: &'a [u8],
    streams: bool,
    strings: bool,
    metadata_too: bool,
}

impl How<'_> {
    /// Undoes lopdf's RC4 pass with `rc4` (where lopdf made one), then AES-decrypts `obj` and
    /// everything inside it.
    fn decrypt(&self, obj: &mut Object, rc4: Option<&[u8]>) {
        match obj {
            Object::String(bytes, _) if self.strings => {
                if let Some(plain) = self.open(bytes, rc4) {
                    *bytes = plain;
                }
            }
            Object::Array(items) => items.iter_mut().for_each(|o| self.decrypt(o, rc4)),
            Object::Dictionary(dict) => dict.iter_mut().for_each(|(_, o)| self.decrypt(o, rc4)),
            Object::Stream(stream) => {
                // As lopdf: the xref stream is never encrypted, metadata only when
                // EncryptMetadata is on.
                let skip = stream.dict.has_type(b"XRef")
                    || (stream.dict.has_type(b"Metadata") && !self.metadata_too);
                if skip {
                    return;
                }
                // lopdf leaves the strings of a stream's dictionary alone, and a stream naming
                // its own crypt filter got the identity filter.
                stream
                    .dict
                    .iter_mut()
                    .for_each(|(_, o)| self.decrypt(o, None));
                let own_filter = stream
                    .filters()
                    .is_ok_and(|f| f.iter().any(|n| *n == b"Crypt"));
                if self.streams && !own_filter {
                    if let Some(plain) = self.open(&stream.content, rc4) {
                        stream.set_content(plain);
                    }
                }
            }
            _ => {}
        }
    }

    /// The plain bytes of `data`; data that is not AES-encrypted after all (the producer
    /// left it plain) gets back what it was before lopdf's RC4 pass.
    fn open(&self, data: &[u8], rc4: Option<&[u8]>) -> Option<Vec<u8>> {
        let sealed = match rc4 {
            Some(k) => Rc4CryptFilter.decrypt(k, data).ok()?,
            None => data.to_vec(),
        };
        match Aes256CryptFilter.decrypt(self.key, &sealed) {
            Ok(plain) => Some(plain),
            Err(_) if rc4.is_some() => Some(sealed),
            Err(_) => None,
        }
    }
}

/// Adds the objects the xref places in object streams, now that those can be read.
fn read_object_streams(doc: &mut Document) {
    let mut wanted: Vec<(u32, u32)> = doc
        .reference_table
        .entries
        .iter()
        .filter_map(|(&id, entry)| match entry {
            XrefEntry::Compressed { container, .. } => Some((*container, id)),
            _ => None,
        })
        .collect();
    wanted.sort_unstable();
    let mut containers: Vec<u32> = wanted.iter().map(|&(c, _)| c).collect();
    containers.dedup();
    for container in containers {
        let Some(Ok(stream)) = doc
            .objects
            .get(&(container, 0))
            .map(|o| o.as_stream().cloned())
        else {
            continue;
        };
        let mut stream = stream;
        let Ok(parsed) = ObjectStream::new(&mut stream) else {
            continue;
        };
        for (id, obj) in parsed.objects {
            let listed = wanted.binary_search(&(container, id.0)).is_ok();
            if listed {
                doc.objects.entry(id).or_insert(obj);
            }
        }
    }
}
