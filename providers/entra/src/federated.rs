//! The client-credentials grant with a federated token as the client assertion, shared by
//! workload identity (Kubernetes, GitHub Actions) and Azure Pipelines.

use kubectl_aad_contract::{ErrorKind, Host, ProviderError, Secret, TokenRequest, TokenSet};

use crate::EntraClient;

/// The `client_assertion_type` of a JWT assertion.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Exchanges an external OIDC token for an Entra ID token of `request.client_id`.
pub fn exchange_federated_token(
    request: &TokenRequest,
    assertion: &Secret,
    host: &dyn Host,
) -> Result<TokenSet, ProviderError> {
    if assertion.expose().trim().is_empty() {
        return Err(ProviderError::new(
            ErrorKind::InvalidRequest,
            "the federated token is empty",
        ));
    }
    let client = EntraClient::new(request)?;
    // Federated credentials exist only in the v2.0 protocol, whatever `--legacy` says.
    let endpoint = format!("{}/oauth2/v2.0/token", client.authority());
    let scope = request.scope();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", request.client_id.as_str()),
        ("scope", scope.as_str()),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion.expose().trim()),
    ];
    host.debug(&format!(
        "exchanging a federated token at {endpoint} for client {}",
        request.client_id
    ));
    // An authority that echoes the assertion back must not get it printed.
    let scrub = |mut err: ProviderError| {
        let assertion = assertion.expose().trim();
        err.message = err.message.replace(assertion, "****");
        err.hint = err.hint.map(|hint| hint.replace(assertion, "****"));
        err
    };
    client
        .post_token(&endpoint, &form)
        .map_err(scrub)?
        .into_token_set(host.now_secs())
}
