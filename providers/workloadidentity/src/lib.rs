//! `workloadidentity`: a workload's own OIDC token, exchanged for an Entra ID token through a
//! federated identity credential; no secret is stored anywhere.
//!
//! * In a pod with Azure Workload Identity, the token is the service-account token the kubelet
//!   projects into `--federated-token-file` / `AZURE_FEDERATED_TOKEN_FILE`. The file is read on
//!   every exchange because the kubelet rotates it.
//! * In GitHub Actions (`ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN` both
//!   set, i.e. `permissions: id-token: write`), the token is fetched from GitHub with audience
//!   `api://AzureADTokenExchange`.
//!
//! Needs `--client-id` and `--tenant-id` (`AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, set by the
//! workload identity webhook); `AZURE_AUTHORITY_HOST` replaces the cloud's authority.

mod flow;
mod github;

pub use flow::WorkloadIdentityProvider;

use kubectl_aad_contract::{LoginMode, Registration};

inventory::submit! {
    Registration { login: LoginMode::WorkloadIdentity, provider: &WorkloadIdentityProvider }
}

#[cfg(feature = "cdylib")]
kubectl_aad_contract::export_provider!(
    kubectl_aad_contract::LoginMode::WorkloadIdentity,
    crate::WorkloadIdentityProvider
);
