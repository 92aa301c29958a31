//! [`ModeDescriptor`]: every fact the host needs about a login mode, in one value.
//!
//! The nine built-in modes are described in [`BUILT_IN`]; a run-time provider library declares
//! the same value for a mode of its own (it crosses the ABI as JSON). Settings, the cache key,
//! the requirement check before a flow runs, convert-kubeconfig and the help text all read it,
//! so nobody else spells a mode's name or repeats what it needs.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::{Input, TokenRequest};

/// What a login mode is and needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeDescriptor {
    /// The `--login` value.
    pub name: Cow<'static, str>,
    /// Other accepted spellings.
    #[serde(default)]
    pub aliases: Cow<'static, [Cow<'static, str>]>,
    /// One line for `--help` and `kubectl aad providers`.
    pub summary: Cow<'static, str>,
    /// A person signs in: the flow may prompt or open a browser, gets refresh tokens, and other
    /// processes wait for it (up to a device code's lifetime) instead of the network timeout.
    #[serde(default)]
    pub user_flow: bool,
    /// Proof-of-possession tokens are supported (`--pop-enabled`).
    #[serde(default)]
    pub pop: bool,
    /// What must be set before the flow can run.
    #[serde(default)]
    pub requires: Cow<'static, [Requirement]>,
    /// The inputs, besides authority, tenant, client, resource, mode and legacy, that tell two
    /// users or identities of the same client apart in the token cache.
    #[serde(default)]
    pub identity: Cow<'static, [Input]>,
    /// The inputs convert-kubeconfig writes into the exec arguments, in this order, after
    /// `--login`, `--server-id` and `--cache-dir`.
    #[serde(default)]
    pub writes: Cow<'static, [Input]>,
}

/// One thing a mode cannot run without: at least one of `any_of` must be set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// The inputs, any one of which satisfies the requirement.
    pub any_of: Cow<'static, [Input]>,
    /// What is wrong when none is set, e.g. `client ID cannot be empty`.
    pub missing: Cow<'static, str>,
    /// How to fix it.
    pub hint: Cow<'static, str>,
    /// Whether convert-kubeconfig must write it too (it cannot come from the environment then).
    #[serde(default)]
    pub at_convert: bool,
}

/// A requirement that the request does not meet.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{missing}")]
pub struct Unmet {
    /// The unmet requirement's message.
    pub missing: String,
    /// Its hint.
    pub hint: String,
}

impl ModeDescriptor {
    /// The first requirement `request` does not meet, in the descriptor's order.
    pub fn check(&self, request: &TokenRequest) -> Result<(), Unmet> {
        match self
            .requires
            .iter()
            .find(|r| r.any_of.iter().all(|input| request.value(*input).is_none()))
        {
            Some(unmet) => Err(Unmet {
                missing: unmet.missing.to_string(),
                hint: unmet.hint.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// The text that tells identities apart in the cache key: the identity inputs' values
    /// joined with `|` (empty when the mode has none).
    pub fn cache_identity(&self, request: &TokenRequest) -> String {
        self.identity
            .iter()
            .map(|input| request.value(*input).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("|")
    }
}

const fn need(
    any_of: &'static [Input],
    missing: &'static str,
    hint: &'static str,
    at_convert: bool,
) -> Requirement {
    Requirement {
        any_of: Cow::Borrowed(any_of),
        missing: Cow::Borrowed(missing),
        hint: Cow::Borrowed(hint),
        at_convert,
    }
}

const CLIENT_ID: &str = "client ID cannot be empty";
const TENANT_ID: &str = "tenant ID cannot be empty";
const AKS_CLIENT_HINT: &str = "pass --client-id (AKS: 80faf920-1908-4b52-b5ef-a8e7bedfc67a)";
const TENANT_HINT: &str = "pass --tenant-id or set AZURE_TENANT_ID";

const fn mode(
    name: &'static str,
    summary: &'static str,
    user_flow: bool,
    pop: bool,
    requires: &'static [Requirement],
    identity: &'static [Input],
    writes: &'static [Input],
) -> ModeDescriptor {
    ModeDescriptor {
        name: Cow::Borrowed(name),
        aliases: Cow::Borrowed(&[]),
        summary: Cow::Borrowed(summary),
        user_flow,
        pop,
        requires: Cow::Borrowed(requires),
        identity: Cow::Borrowed(identity),
        writes: Cow::Borrowed(writes),
    }
}

use Input::*;

const DEVICECODE_NEEDS: &[Requirement] = &[
    need(&[ClientId], CLIENT_ID, AKS_CLIENT_HINT, true),
    need(&[TenantId], TENANT_ID, TENANT_HINT, true),
];
const INTERACTIVE_NEEDS: &[Requirement] = &[
    need(&[ClientId], CLIENT_ID, AKS_CLIENT_HINT, true),
    need(&[TenantId], TENANT_ID, TENANT_HINT, true),
];
const SPN_NEEDS: &[Requirement] = &[
    need(
        &[ClientId],
        CLIENT_ID,
        "pass --client-id or set AZURE_CLIENT_ID",
        true,
    ),
    need(&[TenantId], TENANT_ID, TENANT_HINT, true),
    need(
        &[ClientSecret, ClientCertificate],
        "no client secret or certificate for the service principal",
        "pass --client-secret or --client-certificate, or set AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH",
        false,
    ),
];
const ROPC_NEEDS: &[Requirement] = &[
    need(&[ClientId], CLIENT_ID, "pass --client-id", true),
    need(&[TenantId], TENANT_ID, TENANT_HINT, true),
    need(
        &[Username],
        "username cannot be empty",
        "pass --username or set AZURE_USERNAME",
        false,
    ),
];
const WORKLOADIDENTITY_NEEDS: &[Requirement] = &[
    need(
        &[ClientId],
        CLIENT_ID,
        "pass --client-id or set AZURE_CLIENT_ID (the workload identity webhook sets it from the service account's azure.workload.identity/client-id annotation)",
        false,
    ),
    need(&[TenantId], TENANT_ID, TENANT_HINT, false),
];
const AZUREPIPELINES_NEEDS: &[Requirement] = &[
    need(
        &[ServiceConnectionId],
        "the Azure Pipelines service connection id is not set",
        "pass --azure-pipelines-service-connection-id or run in an AzureCLI@2 task (it sets AZURESUBSCRIPTION_SERVICE_CONNECTION_ID)",
        false,
    ),
    need(
        &[TenantId],
        TENANT_ID,
        "pass --tenant-id or set AZURESUBSCRIPTION_TENANT_ID",
        true,
    ),
    need(
        &[ClientId],
        CLIENT_ID,
        "pass --client-id or set AZURESUBSCRIPTION_CLIENT_ID",
        false,
    ),
];

/// The built-in modes, in [`LoginMode::BUILT_IN`](crate::LoginMode::BUILT_IN) order.
pub static BUILT_IN: [ModeDescriptor; 9] = [
    mode(
        "devicecode",
        "device code: sign in on any device with a code (the default)",
        true,
        false,
        DEVICECODE_NEEDS,
        &[LoginHint],
        &[ClientId, TenantId, Environment, Legacy, LoginHint],
    ),
    mode(
        "interactive",
        "browser sign-in: authorization code with PKCE",
        true,
        true,
        INTERACTIVE_NEEDS,
        &[LoginHint],
        &[
            ClientId,
            TenantId,
            Environment,
            PopClaims,
            RedirectUrl,
            LoginHint,
        ],
    ),
    mode(
        "spn",
        "service principal: client secret or certificate",
        false,
        true,
        SPN_NEEDS,
        &[],
        &[
            ClientId,
            TenantId,
            Environment,
            ClientSecret,
            ClientCertificate,
            ClientCertificatePassword,
            Legacy,
            PopClaims,
            DisableEnvironmentOverride,
        ],
    ),
    mode(
        "ropc",
        "user name and password (no MFA)",
        true,
        true,
        ROPC_NEEDS,
        &[Username],
        &[
            ClientId,
            TenantId,
            Environment,
            Username,
            Password,
            Legacy,
            PopClaims,
        ],
    ),
    mode(
        "msi",
        "managed identity: IMDS, App Service, Cloud Shell",
        false,
        false,
        &[],
        &[IdentityResourceId],
        &[ClientId, IdentityResourceId, ImdsEndpoint],
    ),
    mode(
        "azurecli",
        "the signed-in Azure CLI's token (az login)",
        false,
        false,
        &[],
        &[Subscription, AzureConfigDir],
        &[TenantId, Subscription, AzureConfigDir],
    ),
    mode(
        "azd",
        "the signed-in Azure Developer CLI's token (azd auth login)",
        false,
        false,
        &[],
        &[],
        &[TenantId],
    ),
    mode(
        "workloadidentity",
        "workload identity: a federated token file or GitHub Actions OIDC",
        false,
        false,
        WORKLOADIDENTITY_NEEDS,
        &[],
        &[ClientId, TenantId, AuthorityHost, FederatedTokenFile],
    ),
    mode(
        "azurepipelines",
        "Azure Pipelines: a service connection's workload identity",
        false,
        false,
        AZUREPIPELINES_NEEDS,
        &[],
        &[TenantId, ServiceConnectionId, ClientId],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LoginMode;

    #[test]
    fn every_built_in_mode_has_its_descriptor() {
        for (mode, descriptor) in LoginMode::BUILT_IN.iter().zip(BUILT_IN.iter()) {
            assert_eq!(mode.descriptor(), Some(descriptor));
            assert_eq!(mode.as_str(), descriptor.name);
        }
    }

    #[test]
    fn requirements_are_checked_in_order_and_any_of_counts() {
        let spn = LoginMode::Spn.descriptor().expect("built in");
        let mut request = TokenRequest::new(LoginMode::Spn);
        assert_eq!(
            spn.check(&request).map_err(|u| u.missing),
            Err("client ID cannot be empty".into())
        );
        request.client_id = "c".into();
        request.tenant_id = "t".into();
        let unmet = spn.check(&request).expect_err("no credential");
        assert!(unmet.hint.contains("--client-certificate"));
        request.client_certificate = Some("sp.pem".into());
        assert_eq!(spn.check(&request), Ok(()));
    }

    #[test]
    fn the_cache_identity_joins_the_identity_inputs() {
        let azurecli = LoginMode::AzureCli.descriptor().expect("built in");
        let mut request = TokenRequest::new(LoginMode::AzureCli);
        assert_eq!(azurecli.cache_identity(&request), "|");
        request.subscription = Some("sub".into());
        request.azure_config_dir = Some("/home/u/.azure".into());
        assert_eq!(azurecli.cache_identity(&request), "sub|/home/u/.azure");
        let devicecode = LoginMode::DeviceCode.descriptor().expect("built in");
        assert_eq!(devicecode.cache_identity(&request), "");
    }

    #[test]
    fn descriptors_cross_the_abi_as_json() {
        for descriptor in BUILT_IN.iter() {
            let json = serde_json::to_string(descriptor).expect("encode");
            let back: ModeDescriptor = serde_json::from_str(&json).expect("decode");
            assert_eq!(&back, descriptor);
        }
    }
}
