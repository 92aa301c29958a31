//! macOS: the data key in the user's login Keychain (keyring-core's Apple store), which the
//! login password unlocks.

use super::KeyStore;
use super::credential_store::CredentialStore;

pub(super) fn store(name: String) -> Box<dyn KeyStore> {
    let store = apple_native_keyring_store::keychain::Store::new()
        .ok()
        .map(|store| store as std::sync::Arc<keyring_core::CredentialStore>);
    Box::new(CredentialStore {
        store,
        name,
        label: "the macOS login Keychain",
    })
}
