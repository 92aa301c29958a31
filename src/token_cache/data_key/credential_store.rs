//! A data key in a keyring-core credential store (the macOS Keychain, the Windows Credential
//! Manager): one generic secret, service `kubectl-aad`, account = the key's name.
//!
//! Compiled and tested by the CI workflow's macOS and Windows jobs.

use std::sync::Arc;

use super::{KeyStore, StoreError};

pub(super) struct CredentialStore {
    /// The store, when it could be opened.
    pub(super) store: Option<Arc<keyring_core::CredentialStore>>,
    /// The key's name.
    pub(super) name: String,
    /// The store, for people.
    pub(super) label: &'static str,
}

impl CredentialStore {
    fn error(&self, err: keyring_core::Error) -> StoreError {
        StoreError(format!("{} failed: {err}", self.label))
    }

    fn entry(&self) -> Result<keyring_core::Entry, StoreError> {
        let store = self
            .store
            .as_ref()
            .ok_or_else(|| StoreError(format!("{} is not available", self.label)))?;
        store
            .build("kubectl-aad", &self.name, None)
            .map_err(|err| self.error(err))
    }
}

impl KeyStore for CredentialStore {
    fn load(&self) -> Result<Option<Vec<u8>>, StoreError> {
        match self.entry()?.get_secret() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(err) => Err(self.error(err)),
        }
    }

    fn save(&self, secret: &[u8]) -> Result<(), StoreError> {
        self.entry()?
            .set_secret(secret)
            .map_err(|err| self.error(err))
    }

    fn delete(&self) -> Result<bool, StoreError> {
        match self.entry()?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(err) => Err(self.error(err)),
        }
    }

    fn describe(&self) -> &'static str {
        self.label
    }
}
