//! `azurepipelines`: an Azure DevOps pipeline signs in through its service connection's
//! workload identity federation; no secret is stored in the pipeline.
//!
//! The pipeline's OIDC token comes from `POST $SYSTEM_OIDCREQUESTURI?api-version=7.1&
//! serviceConnectionId=<id>` with `SYSTEM_ACCESSTOKEN` as bearer, and is exchanged for an Entra
//! ID token. Needs the service connection id (`--azure-pipelines-service-connection-id` or
//! `AZURESUBSCRIPTION_SERVICE_CONNECTION_ID`), the client and tenant ids (flags, else
//! `AZURESUBSCRIPTION_CLIENT_ID` / `AZURESUBSCRIPTION_TENANT_ID`, set by the AzureCLI@2 task),
//! and `SYSTEM_ACCESSTOKEN` mapped into the step's environment.

mod flow;

pub use flow::AzurePipelinesProvider;

use kubectl_aad_contract::{LoginMode, Registration};

inventory::submit! {
    Registration { login: LoginMode::AzurePipelines, provider: &AzurePipelinesProvider }
}

#[cfg(feature = "cdylib")]
kubectl_aad_contract::export_provider!(
    kubectl_aad_contract::LoginMode::AzurePipelines,
    crate::AzurePipelinesProvider
);
