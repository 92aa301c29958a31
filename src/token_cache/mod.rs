//! The token cache: one small JSON file per [`TokenCacheKey`], a lock file per key, atomic
//! writes, owner-only permissions.
//!
//! Layout inside the cache directory (kubelogin's `~/.kube/cache/kubelogin` by default):
//! `kubectl-aad-<hash>.json` holds an entry and `kubectl-aad-<hash>.lock` is held (OS file lock)
//! across "read → refresh or sign in → write", so N parallel kubectl processes cause one token
//! request and one prompt; the others wait and then re-read. Reading needs no lock: entries are
//! replaced by rename, so a reader sees a whole old or a whole new file.
//!
//! A corrupt, truncated or foreign-format entry is a miss (and is replaced), never an error. A
//! file or folder that cannot be trusted (see `private_file`) is refused on every path.
//!
//! What the files hold at rest — sealed under an OS-held key, plain, or nothing at all — is the
//! [`Vault`]'s business (`storage.rs`); names, locks and atomic writes are the same for all.

mod data_key;
mod decide;
mod key;
mod seal;
mod storage;

use std::fs::{self, File};
use std::io::{self, Read};
#[cfg(test)]
use std::path::Path;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kubectl_aad_contract::{Identity, Reuse, Secret};
use serde::{Deserialize, Serialize};

pub(crate) use decide::{Decision, Facts, Moment, decide, reported_expiry, worth_storing};
pub(crate) use key::TokenCacheKey;
pub(crate) use storage::{Storage, Vault};

use crate::atomic_file;
use crate::private_file::{self, PrivateFileError};

/// Every file we own in the cache directory starts with this.
pub(crate) const FILE_PREFIX: &str = "kubectl-aad-";

/// The format tag of an entry; anything else is treated as a miss.
const FORMAT: &str = "kubectl-aad/token/v1";

/// Entries are small; a larger file is not ours.
const MAX_ENTRY_BYTES: u64 = 1 << 20;

/// One cached token set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CacheEntry {
    /// The access token.
    pub access_token: Secret,
    /// Its expiry, seconds since the epoch.
    pub expires_on: u64,
    /// When it was obtained, seconds since the epoch.
    pub obtained_at: u64,
    /// The refresh token, for user flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Whom it belongs to.
    #[serde(default)]
    pub identity: Identity,
    /// Limits on serving it again (tokens of another tool's session, such as `az`'s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse: Option<Reuse>,
}

#[derive(Serialize, Deserialize)]
struct StoredEntry {
    format: String,
    #[serde(flatten)]
    entry: CacheEntry,
}

impl CacheEntry {
    /// Whether the files its reuse stamps name are unchanged (always, without stamps).
    pub(crate) fn stamps_hold(&self) -> bool {
        self.reuse.as_ref().is_none_or(Reuse::files_unchanged)
    }
}

/// Parses an entry file's bytes; anything that is not a whole entry of our format is `None`.
pub(crate) fn parse_entry(bytes: &[u8]) -> Option<CacheEntry> {
    serde_json::from_slice::<StoredEntry>(bytes)
        .ok()
        .filter(|stored| stored.format == FORMAT)
        .map(|stored| stored.entry)
        // Times nobody could have stored: a tampered or corrupt entry, so a miss.
        .filter(|entry| {
            entry.obtained_at <= entry.expires_on
                && entry.expires_on <= crate::exec_credential::LAST_RFC3339_SECOND
                && !entry.access_token.is_empty()
        })
}

/// Why the cache could not be used. Each names the path and the fix.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CacheError {
    /// A file or folder that cannot be trusted (another user's, readable by others, a link, not
    /// a regular file): refused on every path, hit included.
    #[error(transparent)]
    Unsafe(PrivateFileError),
    /// Waited too long for another process.
    #[error(
        "waited {secs}s for another kubectl-aad process holding {lock} to finish signing in; try again, or stop that process"
    )]
    LockTimeout {
        /// The lock file.
        lock: PathBuf,
        /// How long we waited.
        secs: u64,
    },
    /// The OS key store cannot be used (`--token-cache-storage keyring`), or sealing failed.
    #[error(
        "token cache: the OS key store cannot be used: {0}; pass --token-cache-storage auto (plain 0600 files where there is no store) or file"
    )]
    KeyStore(String),
    /// An I/O failure.
    #[error("token cache {path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

impl From<PrivateFileError> for CacheError {
    fn from(err: PrivateFileError) -> CacheError {
        match err {
            PrivateFileError::Io { path, source } => CacheError::Io { path, source },
            other => CacheError::Unsafe(other),
        }
    }
}

/// The token cache in one directory.
#[derive(Debug)]
pub(crate) struct TokenCache {
    dir: PathBuf,
    vault: Vault,
}

/// A held per-key lock; released when dropped (and by the OS if the process dies). Memory-only
/// storage holds none.
#[derive(Debug)]
pub(crate) struct CacheLock {
    _file: Option<File>,
}

/// Takes the OS lock on the private file `path`, waiting at most `wait`. Never through a link
/// (root would otherwise create files wherever it points).
pub(crate) fn lock_file(path: &std::path::Path, wait: Duration) -> Result<CacheLock, CacheError> {
    let file = private_file::open_or_create(path)?;
    let deadline = Instant::now() + wait;
    let mut pause = Duration::from_millis(5);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(CacheLock { _file: Some(file) }),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(CacheError::LockTimeout {
                    lock: path.to_path_buf(),
                    secs: wait.as_secs(),
                });
            }
            Err(fs::TryLockError::Error(source)) => {
                return Err(CacheError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    }
}

impl TokenCache {
    /// A cache rooted at `dir`, keeping its files as `storage` says. No I/O.
    pub(crate) fn new(dir: impl Into<PathBuf>, storage: Storage) -> TokenCache {
        let dir = dir.into();
        let vault = Vault::new(&dir, storage);
        TokenCache { dir, vault }
    }

    /// A cache with a given vault (tests).
    #[cfg(test)]
    pub(crate) fn with_vault(dir: impl Into<PathBuf>, vault: Vault) -> TokenCache {
        TokenCache {
            dir: dir.into(),
            vault,
        }
    }

    /// How the files are kept at rest.
    pub(crate) fn vault(&self) -> &Vault {
        &self.vault
    }

    fn memory_only(&self) -> bool {
        self.vault.storage() == Storage::Memory
    }

    /// The directory.
    #[cfg(test)]
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry file for a key.
    pub(crate) fn entry_path(&self, key: &TokenCacheKey) -> PathBuf {
        self.dir.join(format!("{}.json", key.file_stem()))
    }

    fn lock_path(&self, key: &TokenCacheKey) -> PathBuf {
        self.dir.join(format!("{}.lock", key.file_stem()))
    }

    /// Reads an entry. Missing, corrupt or foreign-format files are `None`; a folder or file
    /// that cannot be trusted is an error (checked on the hit path too: one `stat` of the
    /// folder, the opened file's own metadata).
    pub(crate) fn read(&self, key: &TokenCacheKey) -> Result<Option<CacheEntry>, CacheError> {
        if self.memory_only() {
            return Ok(None);
        }
        self.vault.check()?;
        let Some(bytes) = self.read_file(&self.entry_path(key))? else {
            return Ok(None);
        };
        let name = format!("{}.json", key.file_stem());
        let Some(opened) = self.vault.open(&name, bytes)? else {
            return Ok(None);
        };
        let entry = parse_entry(&opened.plain);
        if opened.migrate && entry.is_some() {
            self.migrate(key, &opened.plain);
        }
        Ok(entry)
    }

    /// Rewrites a plain entry sealed, if no other process is at work on it and it is unchanged;
    /// otherwise (or on any failure) it stays as it is until the next write.
    fn migrate(&self, key: &TokenCacheKey, plain: &[u8]) {
        let Ok(_lock) = self.lock(key, Duration::ZERO) else {
            return;
        };
        let path = self.entry_path(key);
        if self.read_file(&path).ok().flatten().as_deref() == Some(plain) {
            let name = format!("{}.json", key.file_stem());
            if let Ok(sealed) = self.vault.seal(&name, plain) {
                let _ = atomic_file::write(&path, &sealed, 0o600);
            }
        }
    }

    /// A private file's bytes (at most [`MAX_ENTRY_BYTES`]); `None` when there is none or it is
    /// too large to be ours.
    fn read_file(&self, path: &std::path::Path) -> Result<Option<Vec<u8>>, CacheError> {
        if !private_file::check_dir(&self.dir)? {
            return Ok(None);
        }
        let Some(file) = private_file::open_existing(path)? else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        if file
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut bytes)
            .is_err()
            || bytes.len() as u64 > MAX_ENTRY_BYTES
        {
            return Ok(None);
        }
        Ok(Some(bytes))
    }

    /// Creates the directory (0700) if needed; refuses one that is not ours or that others can
    /// write to, and tightens one of ours that others can read.
    pub(crate) fn prepare_dir(&self) -> Result<(), CacheError> {
        if self.memory_only() {
            return Ok(());
        }
        if !private_file::check_dir(&self.dir)? {
            private_file::create_dir(&self.dir).map_err(|source| CacheError::Io {
                path: self.dir.clone(),
                source,
            })?;
            private_file::check_dir(&self.dir)?;
        }
        Ok(())
    }

    /// Takes the key's lock, waiting at most `wait`.
    pub(crate) fn lock(
        &self,
        key: &TokenCacheKey,
        wait: Duration,
    ) -> Result<CacheLock, CacheError> {
        if self.memory_only() {
            return Ok(CacheLock { _file: None });
        }
        lock_file(&self.lock_path(key), wait)
    }

    /// Writes an entry atomically with mode 0600, sealed as the storage says.
    pub(crate) fn write(&self, key: &TokenCacheKey, entry: &CacheEntry) -> Result<(), CacheError> {
        if self.memory_only() {
            return Ok(());
        }
        let path = self.entry_path(key);
        let stored = StoredEntry {
            format: FORMAT.to_owned(),
            entry: entry.clone(),
        };
        let bytes = serde_json::to_vec(&stored).map_err(|err| CacheError::Io {
            path: path.clone(),
            source: io::Error::other(err),
        })?;
        let bytes = self
            .vault
            .seal(&format!("{}.json", key.file_stem()), &bytes)?;
        atomic_file::write(&path, &bytes, 0o600).map_err(|source| CacheError::Io { path, source })
    }

    /// Deletes an entry (a no-op when there is none).
    pub(crate) fn remove(&self, key: &TokenCacheKey) -> Result<(), CacheError> {
        let path = self.entry_path(key);
        match fs::remove_file(&path) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => {
                Err(CacheError::Io { path, source: err })
            }
            _ => Ok(()),
        }
    }

    /// Deletes every file this tool wrote in the directory (entries, locks, stray temp files)
    /// and nothing else, and the folder's data key in the OS store. Returns what went.
    pub(crate) fn remove_all(&self) -> Result<Removed, CacheError> {
        let key = self
            .vault
            .delete_key()
            .map_err(|err| CacheError::KeyStore(err.0))?;
        let mut removed = self.remove_files()?;
        removed.key = key;
        Ok(removed)
    }

    fn remove_files(&self) -> Result<Removed, CacheError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Removed::default()),
            Err(source) => {
                return Err(CacheError::Io {
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        let mut removed = Removed::default();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let token = name.starts_with(FILE_PREFIX) && name.ends_with(".json");
            let ours =
                name.starts_with(FILE_PREFIX) || name.starts_with(&format!(".{FILE_PREFIX}"));
            if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
                let path = entry.path();
                fs::remove_file(&path).map_err(|source| CacheError::Io { path, source })?;
                if token {
                    removed.tokens += 1;
                } else {
                    removed.other += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// What `remove_all` deleted: token entries, and the lock and staging files beside them.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Removed {
    /// Cached tokens (`kubectl-aad-<hash>.json`).
    pub(crate) tokens: usize,
    /// Locks, PoP keys and left-over staging files, which hold no token.
    pub(crate) other: usize,
    /// Whether the folder's data key was deleted from the OS store.
    pub(crate) key: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry whose tokens are easy to find in a file (storage tests grep for them).
    pub(super) fn entry() -> CacheEntry {
        CacheEntry {
            access_token: Secret::new("eyJ-access-token"),
            expires_on: 2000,
            obtained_at: 1000,
            refresh_token: Some(Secret::new("0.refresh-token")),
            identity: Identity::default(),
            reuse: None,
        }
    }

    pub(super) fn key() -> TokenCacheKey {
        TokenCacheKey {
            tenant_id: "t".into(),
            ..TokenCacheKey::default()
        }
    }

    #[test]
    fn round_trips_and_uses_owner_only_permissions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = TokenCache::new(dir.path().join("cache"), Storage::File);
        cache.prepare_dir().expect("dir");
        cache.write(&key(), &entry()).expect("write");
        assert_eq!(cache.read(&key()).expect("read"), Some(entry()));
        #[cfg(unix)]
        {
            assert_eq!(
                atomic_file::mode_of(&fs::metadata(cache.dir()).expect("meta")),
                0o700
            );
            assert_eq!(
                atomic_file::mode_of(&fs::metadata(cache.entry_path(&key())).expect("meta")),
                0o600
            );
        }
    }

    #[test]
    fn corrupt_and_foreign_entries_are_misses() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = TokenCache::new(dir.path(), Storage::File);
        for junk in [
            &b""[..],
            b"{",
            b"{\"format\":\"other\",\"access_token\":\"x\",\"expires_on\":1,\"obtained_at\":0}",
            b"\xff\xfe",
            b"[1,2]",
        ] {
            atomic_file::write(&cache.entry_path(&key()), junk, 0o600).expect("seed");
            assert_eq!(cache.read(&key()).expect("no error"), None);
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_files_and_directories_others_can_read() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = TokenCache::new(dir.path(), Storage::File);
        cache.write(&key(), &entry()).expect("write");
        fs::set_permissions(cache.entry_path(&key()), fs::Permissions::from_mode(0o644))
            .expect("chmod");
        let err = cache.read(&key()).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        cache
            .prepare_dir()
            .expect("a folder of ours that others can read is tightened");
        assert_eq!(
            atomic_file::mode_of(&fs::metadata(dir.path()).expect("meta")),
            0o700
        );
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o770)).expect("chmod");
        let err = cache.prepare_dir().unwrap_err();
        assert!(err.to_string().contains("chmod 700"), "{err}");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).expect("chmod");
    }

    #[test]
    fn the_lock_is_exclusive_and_bounded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = TokenCache::new(dir.path(), Storage::File);
        let held = cache.lock(&key(), Duration::from_secs(1)).expect("first");
        let err = cache.lock(&key(), Duration::from_millis(50)).unwrap_err();
        assert!(matches!(err, CacheError::LockTimeout { .. }));
        drop(held);
        cache
            .lock(&key(), Duration::from_millis(50))
            .expect("free again");
    }

    #[test]
    fn remove_all_takes_only_our_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = TokenCache::new(dir.path(), Storage::File);
        cache.write(&key(), &entry()).expect("write");
        drop(cache.lock(&key(), Duration::from_secs(1)).expect("lock"));
        fs::write(dir.path().join("auth.json"), "{}").expect("kubelogin file");
        let removed = cache.remove_all().expect("remove");
        assert_eq!(
            removed,
            Removed {
                tokens: 1,
                other: 1,
                key: false
            }
        );
        assert!(dir.path().join("auth.json").exists());
    }
}
