//! Passwords, sealed signing keys and approval signatures.
//!
//! Each account has an Ed25519 key pair. The public half is a ledger fact (in `users` and in
//! the `account.created` event), so an export can be checked offline. The private half is
//! sealed with ChaCha20-Poly1305 under a key derived from the account's password with
//! Argon2id, so approving needs the password at that moment. The AEAD's associated data is the
//! public key, which binds the sealed blob to the account it belongs to.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use crate::canonical::{hex, unhex};
use crate::LedgerError;

/// Argon2id cost, used for both password hashes and key sealing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Parallelism.
    pub p: u32,
}

impl KdfParams {
    /// The argon2 crate's defaults (OWASP's Argon2id recommendation: 19 MiB, 2 passes).
    pub const PRODUCTION: KdfParams = KdfParams {
        m_kib: 19 * 1024,
        t: 2,
        p: 1,
    };

    /// Minimal cost, so tests that create many accounts stay fast. Never use for real data.
    pub const FAST_INSECURE_FOR_TESTS: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    fn argon2(self) -> Result<Argon2<'static>, LedgerError> {
        let params = Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|e| LedgerError::Crypto(format!("argon2 parameters: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::PRODUCTION
    }
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Refuses passwords too short to be worth hashing.
pub(crate) fn check_password_rules(password: &str) -> Result<(), LedgerError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(LedgerError::InvalidInput(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

/// An Argon2id PHC string (`$argon2id$v=19$m=...`) for the password.
pub(crate) fn hash_password(password: &str, kdf: KdfParams) -> Result<String, LedgerError> {
    let salt = SaltString::generate(&mut OsRng);
    kdf.argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| LedgerError::Crypto(format!("hashing password: {e}")))
}

/// Whether the password matches the PHC string (its own parameters are used).
pub(crate) fn password_matches(password: &str, phc: &str) -> Result<bool, LedgerError> {
    let parsed =
        PasswordHash::new(phc).map_err(|e| LedgerError::Crypto(format!("stored hash: {e}")))?;
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(LedgerError::Crypto(format!("checking password: {e}"))),
    }
}

/// A signing key sealed under a password, as stored in `credentials`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SealedKey {
    pub salt: String,
    pub kdf: KdfParams,
    pub nonce: String,
    pub ciphertext: String,
}

/// A new key pair: the signing key and its public key in hex.
pub(crate) fn new_key_pair() -> (SigningKey, String) {
    let key = SigningKey::generate(&mut OsRng);
    let public = hex(key.verifying_key().as_bytes());
    (key, public)
}

fn derive_seal_key(
    password: &str,
    salt: &[u8],
    kdf: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, LedgerError> {
    let mut out = Zeroizing::new([0u8; 32]);
    kdf.argon2()?
        .hash_password_into(password.as_bytes(), salt, out.as_mut())
        .map_err(|e| LedgerError::Crypto(format!("deriving sealing key: {e}")))?;
    Ok(out)
}

fn aad(public_hex: &str) -> Vec<u8> {
    format!("clearance-sealed-key-v1:{public_hex}").into_bytes()
}

/// Seals the signing key under the password.
pub(crate) fn seal(
    key: &SigningKey,
    password: &str,
    kdf: KdfParams,
) -> Result<SealedKey, LedgerError> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let seal_key = derive_seal_key(password, &salt, kdf)?;
    let cipher = ChaCha20Poly1305::new(seal_key.as_ref().into());
    let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
    let public = hex(key.verifying_key().as_bytes());
    let secret = Zeroizing::new(key.to_bytes());
    let ciphertext = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: secret.as_ref(),
                aad: &aad(&public),
            },
        )
        .map_err(|_| LedgerError::Crypto("sealing the signing key failed".into()))?;
    Ok(SealedKey {
        salt: hex(&salt),
        kdf,
        nonce: hex(&nonce),
        ciphertext: hex(&ciphertext),
    })
}

/// Opens a sealed key. `Ok(None)` means the password is wrong (the AEAD tag did not verify).
pub(crate) fn unseal(
    sealed: &SealedKey,
    password: &str,
    public_hex: &str,
) -> Result<Option<SigningKey>, LedgerError> {
    let bad = || LedgerError::Crypto("stored sealed key is malformed".into());
    let salt = unhex(&sealed.salt).ok_or_else(bad)?;
    let nonce = unhex(&sealed.nonce).ok_or_else(bad)?;
    let ciphertext = unhex(&sealed.ciphertext).ok_or_else(bad)?;
    if nonce.len() != 12 {
        return Err(bad());
    }
    let seal_key = derive_seal_key(password, &salt, sealed.kdf)?;
    let cipher = ChaCha20Poly1305::new(seal_key.as_ref().into());
    let Ok(plain) = cipher.decrypt(
        nonce.as_slice().into(),
        Payload {
            msg: &ciphertext,
            aad: &aad(public_hex),
        },
    ) else {
        return Ok(None);
    };
    let plain = Zeroizing::new(plain);
    let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| bad())?;
    let key = SigningKey::from_bytes(&bytes);
    if hex(key.verifying_key().as_bytes()) != public_hex {
        return Err(LedgerError::Crypto(
            "sealed key does not match the public key".into(),
        ));
    }
    Ok(Some(key))
}

/// Signs bytes; the signature in hex.
pub(crate) fn sign(key: &SigningKey, message: &[u8]) -> String {
    hex(&key.sign(message).to_bytes())
}

/// Checks a hex signature over `message` against a hex public key.
pub fn verify_signature(
    public_hex: &str,
    message: &[u8],
    signature_hex: &str,
) -> Result<(), String> {
    let public: [u8; 32] = unhex(public_hex)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "public key is not 32 bytes of hex".to_string())?;
    let sig: [u8; 64] = unhex(signature_hex)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "signature is not 64 bytes of hex".to_string())?;
    let key = VerifyingKey::from_bytes(&public).map_err(|e| format!("public key: {e}"))?;
    key.verify(message, &Signature::from_bytes(&sig))
        .map_err(|_| "signature mismatch".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams::FAST_INSECURE_FOR_TESTS;

    #[test]
    fn password_hash_accepts_only_the_password() {
        let phc = hash_password("correct horse", FAST).unwrap();
        assert!(phc.starts_with("$argon2id$"), "must be Argon2id: {phc}");
        assert!(password_matches("correct horse", &phc).unwrap());
        assert!(!password_matches("correct hors", &phc).unwrap());
    }

    #[test]
    fn production_params_are_the_crate_defaults() {
        let d = Params::default();
        assert_eq!(
            (
                KdfParams::PRODUCTION.m_kib,
                KdfParams::PRODUCTION.t,
                KdfParams::PRODUCTION.p
            ),
            (d.m_cost(), d.t_cost(), d.p_cost())
        );
    }

    /// Production cost really is used by default, and still takes well under a second.
    #[test]
    fn production_params_hash_and_verify() {
        let start = std::time::Instant::now();
        let phc = hash_password("correct horse", KdfParams::default()).unwrap();
        assert!(phc.contains("m=19456,t=2,p=1"), "{phc}");
        assert!(password_matches("correct horse", &phc).unwrap());
        eprintln!("argon2id production hash + verify: {:?}", start.elapsed());
    }

    #[test]
    fn sealed_key_opens_only_with_its_password_and_public_key() {
        let (key, public) = new_key_pair();
        let sealed = seal(&key, "s3cret-pass", FAST).unwrap();
        let opened = unseal(&sealed, "s3cret-pass", &public).unwrap().unwrap();
        assert_eq!(opened.to_bytes(), key.to_bytes());
        assert!(unseal(&sealed, "wrong-pass", &public).unwrap().is_none());
        let (_, other_public) = new_key_pair();
        assert!(
            unseal(&sealed, "s3cret-pass", &other_public)
                .unwrap()
                .is_none(),
            "the AAD binds the sealed key to its own public key"
        );
    }

    #[test]
    fn signatures_verify_and_detect_changes() {
        let (key, public) = new_key_pair();
        let sig = sign(&key, b"statement");
        assert!(verify_signature(&public, b"statement", &sig).is_ok());
        assert!(verify_signature(&public, b"statemenT", &sig).is_err());
        assert!(verify_signature(&public, b"statement", "00").is_err());
    }
}
