//! [`AzurePipelinesProvider`]: fetch the service connection's OIDC token, then exchange it.

use kubectl_aad_contract::{
    ErrorKind, Host, Provider, ProviderError, Secret, TokenRequest, TokenSet,
};
use kubectl_aad_entra::exchange_federated_token;
use serde::Deserialize;

/// The Azure DevOps REST version of the OIDC token call.
const API_VERSION: &str = "7.1";

/// The Azure Pipelines grant.
pub struct AzurePipelinesProvider;

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "oidcToken")]
    oidc_token: Option<Secret>,
}

#[derive(Deserialize)]
struct Refusal {
    message: Option<String>,
}

impl Provider for AzurePipelinesProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let var = |name: &str| host.var(name);
        let missing = |what: &str, hint: &str| {
            ProviderError::new(ErrorKind::InvalidRequest, what.to_owned())
                .with_hint(hint.to_owned())
        };
        // The host checked the mode's requirements: connection, tenant and client ids are set.
        let connection = request.service_connection_id.as_deref().unwrap_or_default();
        let access_token = var("SYSTEM_ACCESSTOKEN").map(Secret::new).ok_or_else(|| {
            missing(
                "SYSTEM_ACCESSTOKEN environment variable not set",
                "map it into the step: env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)",
            )
        })?;
        let url = var("SYSTEM_OIDCREQUESTURI").ok_or_else(|| {
            missing(
                "SYSTEM_OIDCREQUESTURI environment variable not set",
                "run this inside an Azure Pipelines job (the agent sets it)",
            )
        })?;
        host.debug(&format!(
            "requesting the OIDC token of service connection {connection} from {url}"
        ));
        let assertion = fetch_oidc_token(request, &url, connection, &access_token)?;
        exchange_federated_token(request, &assertion, host)
    }
}

fn fetch_oidc_token(
    request: &TokenRequest,
    url: &str,
    connection: &str,
    access_token: &Secret,
) -> Result<Secret, ProviderError> {
    kubectl_aad_entra::http::require_https(url, "SYSTEM_OIDCREQUESTURI")?;
    let http = kubectl_aad_entra::http_client(request)?;
    let request = http
        .post(url)
        .query(&[
            ("api-version", API_VERSION),
            ("serviceConnectionId", connection),
        ])
        .header("Authorization", format!("Bearer {}", access_token.expose()))
        .header("Content-Type", "application/json")
        // Without it a refused token is answered with a redirect to a sign-in page (HTML).
        .header("X-TFS-FedAuthRedirect", "Suppress");
    let answer = kubectl_aad_entra::http::send(request, url)?;
    let (status, body) = (answer.status, answer.body);
    if !status.is_success() {
        let message = serde_json::from_slice::<Refusal>(&body)
            .ok()
            .and_then(|r| r.message)
            .map(|m| {
                format!(
                    ": {}",
                    kubectl_aad_entra::text::one_line(m.lines().next().unwrap_or_default(), 300)
                )
            })
            .unwrap_or_default();
        let hint = match status.as_u16() {
            401 | 403 => {
                "SYSTEM_ACCESSTOKEN was refused; map $(System.AccessToken) into the step and allow the pipeline to use the service connection"
            }
            404 => {
                "check --azure-pipelines-service-connection-id: no such service connection in this project"
            }
            _ => "retry; Azure DevOps may be unavailable",
        };
        return Err(ProviderError::new(
            ErrorKind::Authentication,
            format!("Azure DevOps refused the OIDC token request for service connection {connection} ({status}){message}"),
        )
        .with_hint(hint));
    }
    let answer: Answer = serde_json::from_slice(&body).map_err(|_| {
        ProviderError::new(
            ErrorKind::Internal,
            format!("the Azure DevOps OIDC answer from {url} is not JSON with an oidcToken"),
        )
    })?;
    answer.oidc_token.filter(|t| !t.is_empty()).ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Internal,
            format!("the Azure DevOps OIDC answer from {url} has no oidcToken"),
        )
    })
}
