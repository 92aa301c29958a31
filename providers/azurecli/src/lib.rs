//! `azurecli`: the token of the signed-in Azure CLI (`az login`), for people and CI agents that
//! already use `az`.
//!
//! Runs `az account get-access-token --resource <server-id> [--tenant] [--subscription]
//! --output json` with the process environment (so `AZURE_CONFIG_DIR` selects the profile).
//! `az`'s stdout is parsed and never reaches ours; its stderr is passed on after a success and
//! summarised into the one error line after a failure; it is stopped after `--timeout`.
//!
//! Cache policy (kubelogin spawns `az`, ~0.5 s, on every kubectl call; its #358): the token is
//! reused for at most [`REUSE_SECS`] and only while `az`'s profile files (`azureProfile.json`,
//! the MSAL token cache, service principal entries, cloud config) are unchanged, so `az logout`,
//! `az login` and `az account set` take effect on the next kubectl call (kubelogin's #137).

mod flow;
mod profile;

pub use flow::{AzureCliProvider, REUSE_SECS};

/// Parses `az account get-access-token` output as the flow does, for the fuzzer: errors are
/// expected, panics are bugs.
#[doc(hidden)]
pub fn fuzz_parse_answer(stdout: &[u8]) -> bool {
    flow::parse_answer(stdout, 1_800_000_000).is_ok()
}

use kubectl_aad_contract::{LoginMode, Registration};

inventory::submit! { Registration { login: LoginMode::AzureCli, provider: &AzureCliProvider } }

#[cfg(feature = "cdylib")]
kubectl_aad_contract::export_provider!(
    kubectl_aad_contract::LoginMode::AzureCli,
    crate::AzureCliProvider
);
