//! Workload identity federation: external OIDC issuers, their token endpoints, and the check
//! Entra runs on a federated client assertion.
//!
//! Three issuers are registered at start, each with its own signing key (the emulator knows
//! their JWKS, as Entra knows a federated credential's issuer keys):
//! * a Kubernetes service-account issuer, whose tokens tests write to a projected-token file;
//! * a GitHub Actions-like issuer behind `GET /_github/idtoken` (bearer
//!   `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, `audience` query, answers `{"value": <jwt>}`);
//! * an Azure DevOps-like issuer behind `POST /_devops/oidctoken` (bearer `SYSTEM_ACCESSTOKEN`,
//!   `serviceConnectionId` query, answers `{"oidcToken": <jwt>}`).
//!
//! A client assertion without a certificate thumbprint is checked against the application's
//! federated identity credentials: known issuer, signature by that issuer's key, time range,
//! then audience and subject, with Entra's AADSTS codes for each mismatch.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::config::Client;
use crate::handler::{Shared, aad_error, lock, log, now};
use crate::keys::SigningKey;
use crate::state::{OidcIssuer, State};

/// The issuer of the emulated Kubernetes cluster's service-account tokens.
pub const KUBERNETES_ISSUER: &str = "https://eastus.oic.prod-aks.azure.com/tenant1/cluster1/";
/// The issuer of GitHub Actions OIDC tokens.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The issuer of Azure DevOps service-connection OIDC tokens (per organization).
pub const DEVOPS_ISSUER: &str =
    "https://vstoken.dev.azure.com/5b0d7b5c-0d9e-4d28-9f37-f2b1d4c4a2e7";
/// The audience Entra expects in federated tokens.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

/// The issuers registered at start.
pub(crate) fn default_issuers() -> anyhow::Result<Vec<OidcIssuer>> {
    [KUBERNETES_ISSUER, GITHUB_ISSUER, DEVOPS_ISSUER]
        .into_iter()
        .map(|issuer| {
            Ok(OidcIssuer {
                issuer: issuer.to_owned(),
                key: SigningKey::generate()?,
            })
        })
        .collect()
}

/// Signs an external token as `issuer` (which must be registered).
pub(crate) fn mint(
    state: &State,
    issuer: &str,
    subject: &str,
    audience: &str,
    lifetime: i64,
) -> String {
    let now = now() as i64;
    let claims = json!({
        "iss": issuer, "sub": subject, "aud": [audience],
        "iat": now, "nbf": now, "exp": now + lifetime,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    state
        .issuers
        .iter()
        .find(|i| i.issuer == issuer)
        .map(|i| i.key.sign(&claims))
        .unwrap_or_default()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// GitHub Actions' ID token endpoint.
pub(crate) async fn github_idtoken(
    AxumState(shared): AxumState<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    let response = {
        let state = lock(&shared);
        let expected = state.config.github_request_token.as_deref();
        if expected.is_none() || bearer(&headers) != expected {
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({"message": "Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable or the token is invalid"})),
            )
                .into_response()
        } else {
            let audience = query
                .get("audience")
                .cloned()
                .unwrap_or_else(|| "https://github.com/contoso".to_owned());
            let subject = state.config.github_subject.clone();
            let token = mint(&state, GITHUB_ISSUER, &subject, &audience, 300);
            Json(json!({"count": token.len(), "value": token})).into_response()
        }
    };
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

/// Azure DevOps' service-connection OIDC endpoint.
pub(crate) async fn devops_oidctoken(
    AxumState(shared): AxumState<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    let response = {
        let state = lock(&shared);
        let expected = state.config.devops_access_token.as_deref();
        let connection = query.get("serviceConnectionId").and_then(|id| {
            state
                .config
                .service_connections
                .iter()
                .find(|(known, _)| known == id)
        });
        if expected.is_none() || bearer(&headers) != expected {
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({"message": "TF400813: The user is not authorized to access this resource."})),
            )
                .into_response()
        } else if !query.contains_key("api-version") {
            (
                StatusCode::BAD_REQUEST,
                Json(json!({"message": "No api-version was supplied for the POST request."})),
            )
                .into_response()
        } else {
            match connection {
                Some((_, subject)) => {
                    let token = mint(&state, DEVOPS_ISSUER, subject, TOKEN_EXCHANGE_AUDIENCE, 600);
                    Json(json!({"oidcToken": token})).into_response()
                }
                None => (
                    StatusCode::NOT_FOUND,
                    Json(json!({"message": format!("Service connection {} not found.", query.get("serviceConnectionId").map(String::as_str).unwrap_or_default())})),
                )
                    .into_response(),
            }
        }
    };
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

/// Whether an assertion claims to be federated (no certificate thumbprint in its header).
pub(crate) fn is_federated(assertion: &str) -> bool {
    jsonwebtoken::decode_header(assertion)
        .map(|h| h.x5t.is_none() && h.x5t_s256.is_none())
        .unwrap_or(false)
}

/// Verifies a federated client assertion as Entra does.
pub(crate) fn verify(state: &State, client: &Client, assertion: &str) -> Result<(), Box<Response>> {
    let invalid = |code: u64, description: String| {
        Box::new(aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            code,
            &description,
        ))
    };
    let claims = unverified_claims(assertion)
        .ok_or_else(|| invalid(50027, "JWT token is invalid or malformed.".into()))?;
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let issuer = text("iss");
    let subject = text("sub");
    let audiences: Vec<String> = match claims.get("aud") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => vec![],
    };
    let candidates: Vec<_> = client
        .federated_credentials
        .iter()
        .filter(|c| c.issuer == issuer)
        .collect();
    if candidates.is_empty() {
        return Err(invalid(
            700211,
            format!(
                "No matching federated identity record found for presented assertion issuer '{issuer}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."
            ),
        ));
    }
    let key = state
        .issuers
        .iter()
        .find(|i| i.issuer == issuer)
        .and_then(|i| i.key.decoding_key())
        .ok_or_else(|| {
            invalid(
                50166,
                format!("Request to External OIDC endpoint failed for issuer '{issuer}'."),
            )
        })?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    validation.leeway = 0;
    jsonwebtoken::decode::<Value>(assertion, &key, &validation).map_err(|err| {
        use jsonwebtoken::errors::ErrorKind as K;
        match err.kind() {
            K::ExpiredSignature | K::ImmatureSignature => invalid(
                700024,
                "Client assertion is not within its valid time range.".into(),
            ),
            _ => invalid(
                50013,
                format!("Assertion failed signature validation. Issuer '{issuer}'."),
            ),
        }
    })?;
    let candidates: Vec<_> = candidates
        .into_iter()
        .filter(|c| audiences.contains(&c.audience))
        .collect();
    if candidates.is_empty() {
        return Err(invalid(
            700212,
            format!(
                "No matching federated identity record found for presented assertion audience '{}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
                audiences.join(",")
            ),
        ));
    }
    if !candidates.iter().any(|c| c.subject == subject) {
        return Err(invalid(
            700213,
            format!(
                "No matching federated identity record found for presented assertion subject '{subject}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."
            ),
        ));
    }
    Ok(())
}

fn unverified_claims(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}
