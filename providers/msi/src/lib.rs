//! `msi`: an Azure managed identity signs in without any secret on the machine.
//!
//! The token comes from the machine's managed-identity endpoint:
//! * App Service / Functions / Container Apps, when `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`
//!   are set (api-version 2019-08-01, header `X-IDENTITY-HEADER`);
//! * Azure Cloud Shell, when `MSI_ENDPOINT` is set (a form POST, the signed-in user's token);
//! * otherwise IMDS at `http://169.254.169.254` (VMs, VM scale sets, AKS nodes), or at the
//!   base given by `--imds-endpoint` / `AZURE_POD_IDENTITY_AUTHORITY_HOST` (api-version
//!   2018-02-01, header `Metadata: true`).
//!
//! A user-assigned identity is chosen by `--client-id` (preferred) or `--identity-resource-id`;
//! with neither, the system-assigned identity answers. IMDS is retried on 404/410/429/5xx with
//! exponential back-off (honouring `Retry-After`), as Azure's guidance asks, within `--timeout`.
//! Azure Arc, Service Fabric and the 2017 App Service endpoint are recognised and refused with
//! a pointer to what works there, rather than silently asking IMDS.

mod endpoint;
mod flow;
mod refusal;

pub use flow::MsiProvider;

/// Reads a managed-identity endpoint's answer (`status`, `body`) as the flow does, for the
/// fuzzer: errors are expected, panics are bugs.
#[doc(hidden)]
pub fn fuzz_answer(status: u16, body: &[u8]) -> bool {
    flow::read_answer(status, body, 1_800_000_000).is_ok()
}

use kubectl_aad_contract::{LoginMode, Registration};

inventory::submit! { Registration { login: LoginMode::Msi, provider: &MsiProvider } }

#[cfg(feature = "cdylib")]
kubectl_aad_contract::export_provider!(kubectl_aad_contract::LoginMode::Msi, crate::MsiProvider);
