//! The sealed file format: a cache entry or PoP key encrypted with AES-256-GCM under the data
//! key the OS holds.
//!
//! `kubectl-aad/sealed/v1\n` ‖ 12-byte random nonce ‖ ciphertext ‖ 16-byte tag. The file's name
//! is the associated data, so a sealed file copied over another entry's name does not open.
//! A file without the header is a plain (older, or `--token-cache-storage file`) one.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

/// What every sealed file starts with.
pub(crate) const MAGIC: &[u8] = b"kubectl-aad/sealed/v1\n";

/// The data key's length: AES-256.
pub(crate) const KEY_LEN: usize = 32;

/// A data key (32 bytes), zeroed when dropped.
pub(crate) struct DataKey([u8; KEY_LEN]);

impl DataKey {
    /// A key from the OS store's bytes; `None` when they are not a key of ours.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<DataKey> {
        <[u8; KEY_LEN]>::try_from(bytes).ok().map(DataKey)
    }

    /// A new random key.
    pub(crate) fn generate() -> Option<DataKey> {
        let mut key = [0u8; KEY_LEN];
        SystemRandom::new().fill(&mut key).ok()?;
        Some(DataKey(key))
    }

    /// The bytes to put in the OS store.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    fn aead(&self) -> Option<LessSafeKey> {
        UnboundKey::new(&AES_256_GCM, &self.0)
            .ok()
            .map(LessSafeKey::new)
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// Whether `bytes` are a sealed file (by their header).
pub(crate) fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Seals `plain` for the file called `name`.
pub(crate) fn seal(key: &DataKey, name: &str, plain: &[u8]) -> Option<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).ok()?;
    let mut sealed = plain.to_vec();
    key.aead()?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(name.as_bytes()),
            &mut sealed,
        )
        .ok()?;
    let mut file = Vec::with_capacity(MAGIC.len() + NONCE_LEN + sealed.len());
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&nonce);
    file.extend_from_slice(&sealed);
    Some(file)
}

/// Opens a sealed file called `name`; `None` when it is not one, was sealed under another key
/// or name, or was changed.
pub(crate) fn open(key: &DataKey, name: &str, file: &[u8]) -> Option<Vec<u8>> {
    let body = file.strip_prefix(MAGIC)?;
    let (nonce, sealed) = body.split_at_checked(NONCE_LEN)?;
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut buffer = sealed.to_vec();
    let plain = key
        .aead()?
        .open_in_place(nonce, Aad::from(name.as_bytes()), &mut buffer)
        .ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_files_open_only_with_their_key_and_name_and_unchanged() {
        let key = DataKey::generate().expect("key");
        let plain = br#"{"access_token":"eyJ-secret","refresh_token":"0.rt-secret"}"#;
        let file = seal(&key, "kubectl-aad-0123.json", plain).expect("sealed");
        assert!(is_sealed(&file));
        let text = String::from_utf8_lossy(&file);
        assert!(!text.contains("secret") && !text.contains("eyJ"), "{text}");
        assert_eq!(
            open(&key, "kubectl-aad-0123.json", &file).as_deref(),
            Some(&plain[..])
        );
        assert!(
            open(&key, "kubectl-aad-4567.json", &file).is_none(),
            "moved"
        );
        let other = DataKey::generate().expect("key");
        assert!(open(&other, "kubectl-aad-0123.json", &file).is_none());
        let mut flipped = file.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(open(&key, "kubectl-aad-0123.json", &flipped).is_none());
        for short in [&file[..MAGIC.len()], &file[..MAGIC.len() + 5], b"plain"] {
            assert!(open(&key, "kubectl-aad-0123.json", short).is_none());
        }
        assert_ne!(
            seal(&key, "n", plain),
            seal(&key, "n", plain),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn only_32_byte_keys_are_keys() {
        assert!(DataKey::from_bytes(&[1; 32]).is_some());
        assert!(DataKey::from_bytes(&[1; 31]).is_none());
        assert!(DataKey::from_bytes(b"").is_none());
    }
}
