//! The data key in the Linux kernel keyring.
//!
//! Kept in the user keyring (`@u`: shared by every session of the user, alive while the user
//! has a process) and linked into the user's persistent keyring (persistent-keyring(7)), which
//! outlives logout and is dropped after `/proc/sys/kernel/keys/persistent_keyring_expiry`
//! seconds unused (3 days by default; every write renews it). A key found only in the
//! persistent keyring (after a logout) is linked back into the user keyring. Neither survives a
//! reboot.
//!
//! Not keyring-core's keyutils store: it adds keys to the session keyring, which ends with the
//! login session, and its search through a session keyring linked to the persistent one fails
//! with EACCES in containers such as this project's CI (measured).

use linux_keyutils::{Key, KeyError, KeyRing, KeyRingIdentifier};

use super::{KeyStore, StoreError};

pub(super) fn store(name: String) -> Box<dyn KeyStore> {
    Box::new(KernelKeyring { name })
}

struct KernelKeyring {
    name: String,
}

fn error(err: KeyError) -> StoreError {
    StoreError(match err {
        KeyError::AccessDenied | KeyError::PermissionDenied => {
            "the kernel keyring refused access (containers often block it: Docker's default seccomp profile does)".into()
        }
        KeyError::OperationNotSupported => "this kernel has no keyring support".into(),
        KeyError::QuotaExceeded => "the kernel keyring quota of this user is full".into(),
        other => format!("the kernel keyring failed: {other:?}"),
    })
}

fn user_keyring() -> Result<KeyRing, StoreError> {
    KeyRing::from_special_id(KeyRingIdentifier::User, true).map_err(error)
}

/// The persistent keyring, linked into this process's own keyring (which ends with us), so
/// that nothing else of the user's keyrings changes.
fn persistent_keyring() -> Option<KeyRing> {
    KeyRing::from_special_id(KeyRingIdentifier::Process, true).ok()?;
    KeyRing::get_persistent(KeyRingIdentifier::Process).ok()
}

fn find(keyring: &KeyRing, name: &str) -> Result<Option<Key>, StoreError> {
    match keyring.search(name) {
        Ok(key) => Ok(Some(key)),
        Err(KeyError::KeyDoesNotExist | KeyError::KeyExpired | KeyError::KeyRevoked) => Ok(None),
        Err(err) => Err(error(err)),
    }
}

impl KeyStore for KernelKeyring {
    fn load(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let user = user_keyring()?;
        if let Some(key) = find(&user, &self.name)? {
            return key.read_to_vec().map(Some).map_err(error);
        }
        let Some(persistent) = persistent_keyring() else {
            return Ok(None);
        };
        let Some(key) = find(&persistent, &self.name)? else {
            return Ok(None);
        };
        // Back where the next lookup finds it first.
        let _ = user.link_key(key);
        key.read_to_vec().map(Some).map_err(error)
    }

    fn save(&self, secret: &[u8]) -> Result<(), StoreError> {
        let key = user_keyring()?.add_key(&self.name, secret).map_err(error)?;
        if let Some(persistent) = persistent_keyring() {
            let _ = persistent.link_key(key);
        }
        Ok(())
    }

    fn delete(&self) -> Result<bool, StoreError> {
        let mut found = false;
        let rings = [Some(user_keyring()?), persistent_keyring()];
        for ring in rings.iter().flatten() {
            if let Some(key) = find(ring, &self.name)? {
                key.invalidate().map_err(error)?;
                found = true;
            }
        }
        Ok(found)
    }

    fn describe(&self) -> &'static str {
        "the Linux kernel keyring (user keyring, linked into the persistent keyring)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_lives_in_the_user_keyring_and_survives_there_being_only_the_persistent_one() {
        let name = format!("kubectl-aad:data-key:unit-{}", std::process::id());
        let store = KernelKeyring { name: name.clone() };
        assert_eq!(store.load().expect("usable"), None);
        store.save(&[7; 32]).expect("saved");
        assert_eq!(store.load().expect("loaded"), Some(vec![7; 32]));
        // A logout ends the user keyring's link; the persistent keyring still has the key.
        let user = user_keyring().expect("user keyring");
        if let (Some(key), Some(persistent)) =
            (find(&user, &name).expect("found"), persistent_keyring())
            && find(&persistent, &name).expect("searchable").is_some()
        {
            user.unlink_key(key).expect("unlinked");
            assert_eq!(store.load().expect("from persistent"), Some(vec![7; 32]));
            assert!(find(&user, &name).expect("relinked").is_some());
        }
        assert!(store.delete().expect("deleted"));
        assert_eq!(store.load().expect("gone"), None);
        assert!(!store.delete().expect("nothing left"));
    }
}
