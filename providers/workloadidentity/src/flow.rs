//! [`WorkloadIdentityProvider`]: find the federated token, then exchange it.

use kubectl_aad_contract::{
    ErrorKind, Host, Provider, ProviderError, Secret, TokenRequest, TokenSet,
};
use kubectl_aad_entra::exchange_federated_token;

use crate::github;

/// The workload identity grant.
pub struct WorkloadIdentityProvider;

impl Provider for WorkloadIdentityProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let assertion = match (
            host.var("ACTIONS_ID_TOKEN_REQUEST_URL"),
            host.var("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
        ) {
            (Some(url), Some(token)) => {
                host.debug("using the GitHub Actions OIDC token");
                github::fetch_id_token(request, &url, &Secret::new(token))?
            }
            _ => read_token_file(request, host)?,
        };
        exchange_federated_token(request, &assertion, host)
    }
}

fn read_token_file(request: &TokenRequest, host: &dyn Host) -> Result<Secret, ProviderError> {
    let Some(path) = &request.federated_token_file else {
        return Err(ProviderError::new(
            ErrorKind::InvalidRequest,
            "no federated token: --federated-token-file is not set and this is not a GitHub Actions job with id-token permission",
        )
        .with_hint("pass --federated-token-file or set AZURE_FEDERATED_TOKEN_FILE (the workload identity webhook sets it in the pod)"));
    };
    host.debug(&format!(
        "reading the federated token from {}",
        path.display()
    ));
    let text = std::fs::read_to_string(path).map_err(|err| {
        ProviderError::new(
            ErrorKind::InvalidRequest,
            format!("cannot read federated token file {}: {err}", path.display()),
        )
        .with_hint("check --federated-token-file / AZURE_FEDERATED_TOKEN_FILE and the pod's projected service account token volume")
    })?;
    if text.trim().is_empty() {
        return Err(ProviderError::new(
            ErrorKind::InvalidRequest,
            format!("federated token file {} is empty", path.display()),
        )
        .with_hint("check the pod's projected service account token volume"));
    }
    Ok(Secret::new(text.trim()))
}
