//! Where the data key lives: one OS-held secret per cache folder, which seals that folder's
//! entries and PoP keys. Each platform's store is in its own file:
//!
//! * Linux (`linux.rs`): the kernel keyring — the user keyring, with the key also linked into
//!   the user's persistent keyring, so it outlives logout. Nothing in the kernel outlives a
//!   reboot: then sealed entries are misses and the user signs in once more.
//! * macOS (`macos.rs`): the login Keychain (keyring-core's Apple store).
//! * Windows (`windows.rs`): the Credential Manager (keyring-core's Windows store), which
//!   DPAPI protects with the user's logon secret.
//!
//! A store that cannot be used (a container whose seccomp profile blocks the keyring calls, a
//! locked Keychain) is an error here; `storage.rs` decides what that means for the run.

use std::path::Path;

use sha2::{Digest, Sha256};

#[cfg(any(target_os = "macos", windows))]
mod credential_store;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as platform;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as platform;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as platform;

/// Why the OS store could not be used, in words for the one-line error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct StoreError(pub(crate) String);

/// An OS store holding one secret: the data key of one cache folder.
pub(crate) trait KeyStore {
    /// The secret, or `None` when there is none (never stored, deleted, lost in a reboot).
    fn load(&self) -> Result<Option<Vec<u8>>, StoreError>;
    /// Stores the secret, replacing any.
    fn save(&self, secret: &[u8]) -> Result<(), StoreError>;
    /// Deletes the secret; whether there was one.
    fn delete(&self) -> Result<bool, StoreError>;
    /// The store, for people: "the Linux kernel keyring (…)".
    fn describe(&self) -> &'static str;
}

/// The name the data key of `cache_dir` has in the OS store: one per folder, so that two
/// caches (or two test runs) never share or wipe each other's key.
pub(crate) fn key_name(cache_dir: &Path) -> String {
    let absolute = std::path::absolute(cache_dir).unwrap_or_else(|_| cache_dir.to_path_buf());
    let digest = Sha256::digest(absolute.as_os_str().as_encoded_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("kubectl-aad:data-key:{hex}")
}

/// This platform's OS store for the data key of `cache_dir`; `None` where there is none.
pub(crate) fn os_store(cache_dir: &Path) -> Option<Box<dyn KeyStore>> {
    #[cfg(any(target_os = "linux", target_os = "macos", windows))]
    {
        Some(platform::store(key_name(cache_dir)))
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    {
        let _ = cache_dir;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cache_folder_has_its_own_key_name() {
        let a = key_name(Path::new("/home/u/.kube/cache/kubelogin"));
        assert_eq!(a, key_name(Path::new("/home/u/.kube/cache/kubelogin")));
        assert_ne!(a, key_name(Path::new("/home/u/other-cache")));
        assert!(
            a.starts_with("kubectl-aad:data-key:") && a.len() == 21 + 16,
            "{a}"
        );
    }
}
