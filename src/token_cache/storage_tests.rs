//! The storage rules with a fake OS store: sealed at rest, migration, lost and failing stores.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::TokenCache;
use super::super::tests::{entry, key};
use super::*;

/// An OS store in memory: shared contents, and a switch that makes it unusable.
#[derive(Clone, Default)]
struct FakeStore {
    secret: Rc<RefCell<Option<Vec<u8>>>>,
    broken: bool,
    calls: Rc<Cell<usize>>,
}

impl KeyStore for FakeStore {
    fn load(&self) -> Result<Option<Vec<u8>>, StoreError> {
        self.calls.set(self.calls.get() + 1);
        match self.broken {
            true => Err(StoreError("the fake store is broken".into())),
            false => Ok(self.secret.borrow().clone()),
        }
    }
    fn save(&self, secret: &[u8]) -> Result<(), StoreError> {
        self.load()?;
        *self.secret.borrow_mut() = Some(secret.to_vec());
        Ok(())
    }
    fn delete(&self) -> Result<bool, StoreError> {
        self.load()?;
        Ok(self.secret.borrow_mut().take().is_some())
    }
    fn describe(&self) -> &'static str {
        "the fake store"
    }
}

fn cache(dir: &Path, storage: Storage, store: &FakeStore) -> TokenCache {
    TokenCache::with_vault(
        dir,
        Vault::with_store(dir, storage, Box::new(store.clone())),
    )
}

fn on_disk(cache: &TokenCache) -> String {
    String::from_utf8_lossy(&std::fs::read(cache.entry_path(&key())).expect("entry")).into_owned()
}

#[test]
fn auto_seals_entries_and_reads_them_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FakeStore::default();
    let cache = cache(dir.path(), Storage::Auto, &store);
    cache.write(&key(), &entry()).expect("write");
    let text = on_disk(&cache);
    assert!(text.starts_with("kubectl-aad/sealed/v1"), "{text}");
    assert!(!text.contains("access-token") && !text.contains("refresh-token"));
    assert!(
        store.secret.borrow().is_some(),
        "the first write made the key"
    );
    let again = self::cache(dir.path(), Storage::Auto, &store);
    assert_eq!(again.read(&key()).expect("read"), Some(entry()));
    assert!(again.vault().fallback().is_none());
    assert!(again.vault().describe().contains("sealed with AES-256-GCM"));
}

#[test]
fn plain_entries_are_read_and_rewritten_sealed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FakeStore::default();
    let plain = self::cache(dir.path(), Storage::File, &store);
    plain.write(&key(), &entry()).expect("write");
    assert!(
        on_disk(&plain).contains("access-token"),
        "file storage is plain"
    );
    let sealing = self::cache(dir.path(), Storage::Auto, &store);
    assert_eq!(sealing.read(&key()).expect("read"), Some(entry()));
    assert!(
        on_disk(&sealing).starts_with("kubectl-aad/sealed/v1"),
        "migrated"
    );
    let later = self::cache(dir.path(), Storage::Auto, &store);
    assert_eq!(later.read(&key()).expect("read"), Some(entry()));
    let untouched = FakeStore::default();
    let file_again = self::cache(dir.path(), Storage::File, &untouched);
    assert_eq!(
        file_again.read(&key()).expect("no error"),
        None,
        "file storage never asks the OS store: a sealed entry is a miss"
    );
    file_again.write(&key(), &entry()).expect("written plain");
    assert_eq!(
        untouched.calls.get(),
        0,
        "file storage never asks the OS store"
    );
}

#[test]
fn a_lost_key_makes_sealed_entries_misses_never_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FakeStore::default();
    cache(dir.path(), Storage::Keyring, &store)
        .write(&key(), &entry())
        .expect("write");
    store.secret.borrow_mut().take();
    let after_reboot = cache(dir.path(), Storage::Keyring, &store);
    assert_eq!(after_reboot.read(&key()).expect("a miss"), None);
    // Signing in again writes a new key and an entry that opens with it.
    after_reboot.write(&key(), &entry()).expect("write");
    assert_eq!(
        cache(dir.path(), Storage::Keyring, &store)
            .read(&key())
            .expect("read"),
        Some(entry())
    );
}

#[test]
fn without_a_usable_store_auto_keeps_plain_files_and_keyring_refuses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = FakeStore {
        broken: true,
        ..FakeStore::default()
    };
    let auto = cache(dir.path(), Storage::Auto, &broken);
    auto.write(&key(), &entry()).expect("plain write");
    assert!(on_disk(&auto).contains("access-token"));
    let note = auto.vault().fallback().expect("a -v 1 note");
    assert!(note.contains("the fake store is broken"), "{note}");
    assert_eq!(auto.read(&key()).expect("read"), Some(entry()));
    assert!(auto.vault().describe().contains("no usable OS key store"));

    let keyring = cache(dir.path(), Storage::Keyring, &broken);
    let err = keyring
        .read(&key())
        .expect_err("refused before any sign-in");
    assert!(
        err.to_string().contains("the fake store is broken")
            && err.to_string().contains("--token-cache-storage auto"),
        "{err}"
    );
    assert!(keyring.write(&key(), &entry()).is_err());
}

#[test]
fn memory_only_storage_touches_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FakeStore::default();
    let cache = cache(&dir.path().join("cache"), Storage::Memory, &store);
    cache.prepare_dir().expect("nothing to prepare");
    cache.write(&key(), &entry()).expect("write");
    drop(cache.lock(&key(), Duration::from_secs(1)).expect("lock"));
    assert_eq!(cache.read(&key()).expect("read"), None);
    assert!(!dir.path().join("cache").exists());
    assert!(store.secret.borrow().is_none(), "no key either");
}

#[test]
fn remove_all_deletes_the_data_key_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FakeStore::default();
    let cache = cache(dir.path(), Storage::Auto, &store);
    cache.write(&key(), &entry()).expect("write");
    let removed = cache.remove_all().expect("removed");
    assert!(removed.key && removed.tokens == 1, "{removed:?}");
    assert!(store.secret.borrow().is_none());
}

#[test]
fn storage_names_parse_as_the_flag_spells_them() {
    for name in Storage::NAMES {
        assert_eq!(Storage::parse(name).map(Storage::as_str), Some(name));
    }
    assert_eq!(
        Storage::parse("disk"),
        Some(Storage::File),
        "int128/kubelogin's name"
    );
    assert_eq!(Storage::parse("vault"), None);
}
