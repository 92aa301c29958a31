//! How the cache keeps tokens and PoP keys at rest (`--token-cache-storage`):
//!
//! * `auto` (default): sealed (AES-256-GCM, `seal.rs`) under a data key the OS holds
//!   (`data_key/`) when the OS store can be used; otherwise plain 0600 files, as before, with
//!   one line at `-v 1` — containers without a keyring keep working.
//! * `keyring`: sealed, and an unusable OS store is an error.
//! * `file`: plain 0600 files; the OS store is never touched (sealed files are misses).
//! * `none`: memory only; nothing is read or written, every run signs in.
//!
//! Reading never creates a key: a sealed file whose key is gone (a reboot cleared the kernel
//! keyring, a wiped Keychain) or that does not open is a miss, so the user signs in once. A
//! plain file read while sealing is wanted is reported, so the caller rewrites it sealed.
//! The first writer creates the key under `kubectl-aad-data-key.lock`, so processes that start
//! together end up with one key.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::data_key::{self, KeyStore, StoreError};
use super::seal::{self, DataKey};
use super::{CacheError, FILE_PREFIX, lock_file};

/// `--token-cache-storage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Storage {
    /// Sealed when an OS store is usable, else plain files.
    #[default]
    Auto,
    /// Sealed; an error without a usable OS store.
    Keyring,
    /// Plain 0600 files.
    File,
    /// Nothing on disk.
    Memory,
}

impl Storage {
    /// The values, as the flag spells them.
    pub(crate) const NAMES: [&'static str; 4] = ["auto", "keyring", "file", "none"];

    /// Parses a flag or variable value.
    pub(crate) fn parse(text: &str) -> Option<Storage> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Storage::Auto),
            "keyring" => Some(Storage::Keyring),
            "file" | "disk" => Some(Storage::File),
            "none" | "memory" => Some(Storage::Memory),
            _ => None,
        }
    }

    /// The flag's spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Storage::Auto => "auto",
            Storage::Keyring => "keyring",
            Storage::File => "file",
            Storage::Memory => "none",
        }
    }
}

/// How long a writer waits for another one creating the data key.
const KEY_LOCK_WAIT: Duration = Duration::from_secs(30);

/// Seals and opens one cache folder's files as the chosen storage says.
pub(crate) struct Vault {
    storage: Storage,
    dir: PathBuf,
    store: OnceCell<Option<Box<dyn KeyStore>>>,
    key: OnceCell<DataKey>,
    failed: OnceCell<StoreError>,
    fallback: OnceCell<StoreError>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

/// A file's content as read: what to parse, and whether it should be rewritten sealed.
pub(crate) struct Opened {
    /// The plain bytes.
    pub(crate) plain: Vec<u8>,
    /// A plain file while sealing is wanted (an older cache): rewrite it.
    pub(crate) migrate: bool,
}

impl Vault {
    /// A vault for `dir`'s files; no I/O until a file is sealed or opened.
    pub(crate) fn new(dir: &Path, storage: Storage) -> Vault {
        Vault {
            storage,
            dir: dir.to_path_buf(),
            store: OnceCell::new(),
            key: OnceCell::new(),
            failed: OnceCell::new(),
            fallback: OnceCell::new(),
        }
    }

    /// A vault with a given OS store (tests).
    #[cfg(test)]
    pub(crate) fn with_store(dir: &Path, storage: Storage, store: Box<dyn KeyStore>) -> Vault {
        let vault = Vault::new(dir, storage);
        let _ = vault.store.set(Some(store));
        vault
    }

    /// The chosen storage.
    pub(crate) fn storage(&self) -> Storage {
        self.storage
    }

    fn store(&self) -> Result<&dyn KeyStore, StoreError> {
        self.store
            .get_or_init(|| data_key::os_store(&self.dir))
            .as_deref()
            .ok_or_else(|| StoreError("this platform has no OS key store".into()))
    }

    /// The data key as the store holds it. A key, or the store's failure, is remembered for the
    /// run; "no key yet" is not, since a peer we waited for may have just created it.
    fn existing_key(&self) -> Result<Option<&DataKey>, StoreError> {
        if let Some(key) = self.key.get() {
            return Ok(Some(key));
        }
        if let Some(err) = self.failed.get() {
            return Err(err.clone());
        }
        let loaded = self.store().and_then(|store| store.load());
        match loaded {
            Ok(bytes) => Ok(bytes
                .as_deref()
                .and_then(DataKey::from_bytes)
                .map(|key| self.key.get_or_init(|| key))),
            Err(err) => Err(self.failed.get_or_init(|| err).clone()),
        }
    }

    /// The data key for a write: the existing one, else one created by the first writer (under
    /// the key lock, re-read after taking it), stored, and read back to prove the store keeps it.
    fn key_for_write(&self) -> Result<&DataKey, CacheError> {
        let keyring = |err: StoreError| CacheError::KeyStore(err.0);
        if let Some(key) = self.existing_key().map_err(keyring)? {
            return Ok(key);
        }
        let _lock = lock_file(
            &self.dir.join(format!("{FILE_PREFIX}data-key.lock")),
            KEY_LOCK_WAIT,
        )?;
        let store = self.store().map_err(keyring)?;
        let key = match store
            .load()
            .map_err(keyring)?
            .as_deref()
            .and_then(DataKey::from_bytes)
        {
            Some(peers) => peers,
            None => {
                let new = DataKey::generate()
                    .ok_or_else(|| CacheError::KeyStore("no random numbers for a key".into()))?;
                store.save(new.bytes()).map_err(keyring)?;
                match store.load().map_err(keyring)? {
                    Some(kept) if kept == new.bytes() => new,
                    _ => {
                        return Err(CacheError::KeyStore(format!(
                            "{} did not keep the data key",
                            store.describe()
                        )));
                    }
                }
            }
        };
        Ok(self.key.get_or_init(|| key))
    }

    /// What to write for the file called `name`: sealed, or plain where the storage says so
    /// (or, in `auto`, where the OS store cannot be used).
    pub(crate) fn seal(&self, name: &str, plain: &[u8]) -> Result<Vec<u8>, CacheError> {
        let key = match self.storage {
            Storage::File | Storage::Memory => return Ok(plain.to_vec()),
            Storage::Keyring => self.key_for_write()?,
            Storage::Auto => match self.key_for_write() {
                Ok(key) => key,
                Err(CacheError::KeyStore(reason)) => {
                    let _ = self.fallback.set(StoreError(reason));
                    return Ok(plain.to_vec());
                }
                Err(other) => return Err(other),
            },
        };
        seal::seal(key, name, plain)
            .ok_or_else(|| CacheError::KeyStore("AES-256-GCM sealing failed".into()))
    }

    /// With `keyring`, fails when the OS store cannot be used — before any sign-in, so that a
    /// token is never obtained only to be thrown away.
    pub(crate) fn check(&self) -> Result<(), CacheError> {
        if self.storage != Storage::Keyring {
            return Ok(());
        }
        match self.existing_key() {
            Err(err) => Err(CacheError::KeyStore(err.0)),
            Ok(_) => Ok(()),
        }
    }

    /// What the file called `name` holds; `None` when it is sealed and cannot be opened here.
    pub(crate) fn open(&self, name: &str, bytes: Vec<u8>) -> Result<Option<Opened>, CacheError> {
        let sealing = matches!(self.storage, Storage::Auto | Storage::Keyring);
        if !seal::is_sealed(&bytes) {
            let migrate = sealing
                && match self.existing_key() {
                    Ok(_) => true,
                    Err(err) => {
                        let _ = self.fallback.set(err);
                        false
                    }
                };
            return Ok(Some(Opened {
                plain: bytes,
                migrate,
            }));
        }
        if !sealing {
            return Ok(None);
        }
        match self.existing_key() {
            Ok(Some(key)) => Ok(seal::open(key, name, &bytes).map(|plain| Opened {
                plain,
                migrate: false,
            })),
            Ok(None) => Ok(None),
            Err(err) if self.storage == Storage::Keyring => Err(CacheError::KeyStore(err.0)),
            Err(err) => {
                let _ = self.fallback.set(err);
                Ok(None)
            }
        }
    }

    /// In `auto`, why the OS store could not be used this run (for `-v 1`).
    pub(crate) fn fallback(&self) -> Option<String> {
        self.fallback.get().map(|err| {
            format!(
                "token cache {}: plain 0600 files, since no OS key store is usable ({err}); pass --token-cache-storage file to say so, or keyring to require one",
                self.dir.display()
            )
        })
    }

    /// How this folder's files are protected, for `whoami`.
    pub(crate) fn describe(&self) -> String {
        match self.storage {
            Storage::Memory => {
                "memory only (--token-cache-storage none): nothing is written, each run signs in"
                    .into()
            }
            Storage::File => {
                "plain files, 0600 in a 0700 folder (--token-cache-storage file)".into()
            }
            Storage::Auto | Storage::Keyring => {
                match self.store().and_then(|s| s.load().map(|_| s)) {
                    Ok(store) => format!(
                        "sealed with AES-256-GCM; the data key is in {}",
                        store.describe()
                    ),
                    Err(err) if self.storage == Storage::Auto => format!(
                        "plain files, 0600 in a 0700 folder: no usable OS key store ({err})"
                    ),
                    Err(err) => format!("unusable: --token-cache-storage keyring, but {err}"),
                }
            }
        }
    }

    /// The OS store's name ("the Linux kernel keyring (…)"), or "no OS key store".
    pub(crate) fn store_name(&self) -> &'static str {
        self.store()
            .map_or("no OS key store", |store| store.describe())
    }

    /// Deletes the data key (remove-tokens); whether there was one. Without a usable store there
    /// is nothing to delete.
    pub(crate) fn delete_key(&self) -> Result<bool, StoreError> {
        match self.store() {
            Ok(store) => store.delete(),
            Err(_) => Ok(false),
        }
    }
}

#[cfg(test)]
#[path = "storage_tests.rs"]
mod tests;
