//! [`TokenCacheKey`]: what makes two token requests share a cache entry.
//!
//! Everything that changes which token the authority would issue is part of the key (authority
//! host, tenant, client, resource, login mode, the user or identity, legacy, PoP key id), so two
//! tenants, clouds, users or identities never share an entry (kubelogin's single `auth.json`
//! mixed them up: its #652, #243, #159). Secrets are not part of the key.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The fields that identify a cached token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TokenCacheKey {
    /// The authority host, e.g. `https://login.microsoftonline.com/`.
    pub authority_host: String,
    /// The tenant.
    pub tenant_id: String,
    /// The client (application) id.
    pub client_id: String,
    /// The server id / resource.
    pub resource: String,
    /// The login mode.
    pub login: String,
    /// The user or identity the token is for, when known before signing in (username, login
    /// hint, managed identity resource id, az config dir and subscription …).
    pub identity: String,
    /// ADAL v1 / `spn:` audience.
    pub legacy: bool,
    /// The PoP key's thumbprint, when PoP tokens are requested.
    pub pop_key_id: String,
}

impl TokenCacheKey {
    /// The stable file stem for this key: `kubectl-aad-` and 32 hex digits of a SHA-256.
    pub fn file_stem(&self) -> String {
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&canonical);
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("{}{hex}", super::FILE_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenCacheKey {
        TokenCacheKey {
            authority_host: "https://login.microsoftonline.com/".into(),
            tenant_id: "t1".into(),
            client_id: "c".into(),
            resource: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
            login: "spn".into(),
            ..TokenCacheKey::default()
        }
    }

    #[test]
    fn every_field_changes_the_file() {
        let base = key().file_stem();
        assert_eq!(base, key().file_stem(), "stable");
        assert!(base.starts_with("kubectl-aad-") && base.len() == "kubectl-aad-".len() + 32);
        let variants = [
            TokenCacheKey {
                authority_host: "https://login.chinacloudapi.cn/".into(),
                ..key()
            },
            TokenCacheKey {
                tenant_id: "t2".into(),
                ..key()
            },
            TokenCacheKey {
                client_id: "d".into(),
                ..key()
            },
            TokenCacheKey {
                resource: "other".into(),
                ..key()
            },
            TokenCacheKey {
                login: "msi".into(),
                ..key()
            },
            TokenCacheKey {
                identity: "alice@contoso.com".into(),
                ..key()
            },
            TokenCacheKey {
                legacy: true,
                ..key()
            },
            TokenCacheKey {
                pop_key_id: "kid".into(),
                ..key()
            },
        ];
        for variant in variants {
            assert_ne!(variant.file_stem(), base, "{variant:?}");
        }
    }
}
