//! [`TokenCacheKey`]: what makes two token requests share a cache entry.
//!
//! Everything that changes which token the authority would issue is part of the key (authority
//! host, tenant, client, resource, login mode, the user or identity, legacy, PoP key id), so two
//! tenants, clouds, users or identities never share an entry (kubelogin's single `auth.json`
//! mixed them up: its #652, #243, #159). Secrets are not part of the key.

use kubectl_aad_contract::{Input, TokenRequest};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The identity inputs of a mode a library adds: every non-secret input that could tell two
/// users apart. The hit path must not load the library to read its descriptor, so its key
/// takes them all (a finer key only costs an extra sign-in, never a wrong token).
const LIBRARY_IDENTITY: [Input; 8] = [
    Input::Username,
    Input::LoginHint,
    Input::IdentityResourceId,
    Input::Subscription,
    Input::AzureConfigDir,
    Input::FederatedTokenFile,
    Input::ServiceConnectionId,
    Input::ProviderOptions,
];

/// The fields that identify a cached token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct TokenCacheKey {
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
    /// The key of a request: its authority, tenant, client, resource, mode and legacy flag,
    /// the mode's identity inputs (from its descriptor), and the PoP key it is bound to.
    pub(crate) fn for_request(request: &TokenRequest, pop_key_id: Option<&str>) -> TokenCacheKey {
        let identity = match request.login.descriptor() {
            Some(descriptor) => descriptor.cache_identity(request),
            None => LIBRARY_IDENTITY
                .iter()
                .map(|input| request.value(*input).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("|"),
        };
        TokenCacheKey {
            authority_host: request.authority_host.clone(),
            tenant_id: request.tenant_id.clone(),
            client_id: request.client_id.clone(),
            resource: request.server_id.clone(),
            login: request.login.as_str().to_owned(),
            identity,
            legacy: request.legacy,
            pop_key_id: pop_key_id.unwrap_or_default().to_owned(),
        }
    }

    /// The stable file stem for this key: `kubectl-aad-` and 32 hex digits of a SHA-256.
    pub(crate) fn file_stem(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&canonical);
        let mut stem = String::with_capacity(super::FILE_PREFIX.len() + 32);
        stem.push_str(super::FILE_PREFIX);
        for byte in &digest[..16] {
            stem.push(char::from(HEX[usize::from(byte >> 4)]));
            stem.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        stem
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

#[cfg(test)]
mod pinned {
    use super::*;

    /// Cache files written by earlier releases must keep their names, or every user signs in
    /// again after an upgrade. These stems were computed by the release before the redesign.
    #[test]
    fn existing_cache_files_keep_their_names() {
        let base = TokenCacheKey {
            authority_host: "https://login.microsoftonline.com/".into(),
            tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
            client_id: "80faf920-1908-4b52-b5ef-a8e7bedfc67a".into(),
            resource: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
            login: "devicecode".into(),
            ..TokenCacheKey::default()
        };
        let ropc = TokenCacheKey {
            login: "ropc".into(),
            identity: "alice@contoso.com".into(),
            ..base.clone()
        };
        let azurecli = TokenCacheKey {
            login: "azurecli".into(),
            client_id: String::new(),
            identity: "sub|/home/u/.azure".into(),
            ..base.clone()
        };
        let spn = TokenCacheKey {
            login: "spn".into(),
            legacy: true,
            pop_key_id: "kid".into(),
            ..base.clone()
        };
        assert_eq!(
            base.file_stem(),
            "kubectl-aad-2b47b32a61bf1279472a2d7635890789"
        );
        assert_eq!(
            ropc.file_stem(),
            "kubectl-aad-9d1703ea6a92f542338f0e7a7b0e254d"
        );
        assert_eq!(
            azurecli.file_stem(),
            "kubectl-aad-d80df0a782a70aa23538e27b49f52e7b"
        );
        assert_eq!(
            spn.file_stem(),
            "kubectl-aad-dafcd54a1b3514e02ae4624134298e8c"
        );

        // The same stems, derived from requests as get-token derives them.
        use kubectl_aad_contract::LoginMode;
        let request = |login: LoginMode| TokenRequest {
            authority_host: base.authority_host.clone(),
            tenant_id: base.tenant_id.clone(),
            client_id: base.client_id.clone(),
            server_id: base.resource.clone(),
            ..TokenRequest::new(login)
        };
        let stem =
            |r: &TokenRequest, pop: Option<&str>| TokenCacheKey::for_request(r, pop).file_stem();
        assert_eq!(
            stem(&request(LoginMode::DeviceCode), None),
            base.file_stem()
        );
        let mut ropc_request = request(LoginMode::Ropc);
        ropc_request.username = Some("alice@contoso.com".into());
        assert_eq!(stem(&ropc_request, None), ropc.file_stem());
        let mut az = request(LoginMode::AzureCli);
        az.client_id = String::new();
        az.subscription = Some("sub".into());
        az.azure_config_dir = Some("/home/u/.azure".into());
        assert_eq!(stem(&az, None), azurecli.file_stem());
        let mut spn_request = request(LoginMode::Spn);
        spn_request.legacy = true;
        assert_eq!(stem(&spn_request, Some("kid")), spn.file_stem());
    }
}
