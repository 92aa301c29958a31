//! Windows: the data key in the Credential Manager (keyring-core's Windows store), a generic
//! credential that DPAPI protects with the user's logon secret.

use super::KeyStore;
use super::credential_store::CredentialStore;

pub(super) fn store(name: String) -> Box<dyn KeyStore> {
    let store = windows_native_keyring_store::Store::new()
        .ok()
        .map(|store| store as std::sync::Arc<keyring_core::CredentialStore>);
    Box::new(CredentialStore {
        store,
        name,
        label: "the Windows Credential Manager (DPAPI)",
    })
}
