//! GitHub Actions' OIDC token: `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with the request
//! token as bearer; the answer is `{"value": "<jwt>"}`.

use kubectl_aad_contract::{ErrorKind, ProviderError, Secret, TokenRequest};
use serde::Deserialize;

/// The audience Entra ID expects in federated tokens.
const AUDIENCE: &str = "api://AzureADTokenExchange";

#[derive(Deserialize)]
struct Answer {
    value: Option<Secret>,
}

/// Fetches the job's ID token for Entra ID.
pub(crate) fn fetch_id_token(
    request: &TokenRequest,
    url: &str,
    request_token: &Secret,
) -> Result<Secret, ProviderError> {
    // Only the part before the query is ever shown: the rest identifies the job's run.
    let shown = url.split('?').next().unwrap_or_default();
    kubectl_aad_entra::http::require_https(url, "ACTIONS_ID_TOKEN_REQUEST_URL")?;
    let http = kubectl_aad_entra::http_client(request)?;
    let call = http
        .get(url)
        // GitHub's URL already has a query (api-version); reqwest appends to it.
        .query(&[("audience", AUDIENCE)])
        .header(
            "Authorization",
            format!("bearer {}", request_token.expose()),
        )
        .header("Accept", "application/json; api-version=2.0");
    let answer = kubectl_aad_entra::http::send(call, shown)?;
    if !answer.status.is_success() {
        let status = answer.status;
        return Err(ProviderError::new(
            ErrorKind::Authentication,
            format!("GitHub refused the OIDC token request ({status}) at {shown}"),
        )
        .with_hint("give the job `permissions: id-token: write`; ACTIONS_ID_TOKEN_REQUEST_TOKEN may have expired"));
    }
    let answer: Answer = serde_json::from_slice(&answer.body).map_err(|_| {
        ProviderError::new(
            ErrorKind::Internal,
            format!("GitHub's OIDC answer from {shown} is not JSON with a value"),
        )
    })?;
    answer.value.filter(|v| !v.is_empty()).ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Internal,
            format!("GitHub's OIDC answer from {shown} has no token"),
        )
    })
}
