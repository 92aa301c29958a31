//! The managed-identity endpoints of an Azure machine, over plain HTTP on loopback:
//! IMDS (`GET /metadata/identity/oauth2/token`, header `Metadata: true`, `api-version`,
//! `resource`, and `client_id` / `msi_res_id` / `object_id` for a user-assigned identity), the
//! App Service / Functions endpoint (`GET /msi/token`, header `X-IDENTITY-HEADER`, `mi_res_id` /
//! `principal_id`) and Cloud Shell's (`POST /cloudshell/oauth2/token`, a form). Answers are
//! shaped like Azure's, including its error bodies; queued
//! [`identity faults`](crate::Emulator::push_identity_fault) answer first (429, 500, 503 …).

use std::collections::HashMap;

use axum::extract::{Form, Query, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::config::ManagedIdentity;
use crate::handler::{Shared, lock, log, now};

pub(crate) fn router(shared: Shared) -> Router {
    Router::new()
        .route("/metadata/identity/oauth2/token", get(imds_token))
        .route("/msi/token", get(app_service_token))
        .route("/cloudshell/oauth2/token", post(cloud_shell_token))
        .route("/capture", axum::routing::any(capture))
        .route("/capture/{*rest}", axum::routing::any(capture))
        .with_state(shared)
}

/// A plain-HTTP sink that records whatever reaches it: the target of a hostile redirect.
async fn capture(
    axum::extract::State(shared): axum::extract::State<Shared>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    body: String,
) -> Response {
    lock(&shared)
        .captured
        .push(format!("{method} {} {body}", uri.path()));
    (
        axum::http::StatusCode::OK,
        axum::Json(serde_json::json!({"access_token": "captured", "expires_in": 3600})),
    )
        .into_response()
}

/// How IMDS (and Cloud Shell) name a user-assigned identity.
const IMDS_SELECTORS: [(&str, Selector); 3] = [
    ("client_id", Selector::Client),
    ("msi_res_id", Selector::Resource),
    ("object_id", Selector::Object),
];

/// IMDS and Cloud Shell refuse requests without `Metadata: true` (an SSRF guard).
fn require_metadata(headers: &HeaderMap) -> Result<(), Response> {
    if headers.get("metadata").and_then(|v| v.to_str().ok()) == Some("true") {
        Ok(())
    } else {
        Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required metadata header not specified",
        ))
    }
}

fn error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn imds_token(
    AxumState(shared): AxumState<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    let response = answer(
        &shared,
        &query,
        || {
            require_metadata(&headers)?;
            Ok(IMDS_SELECTORS)
        },
        Flavor::Imds,
    );
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

async fn app_service_token(
    AxumState(shared): AxumState<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    let expected = lock(&shared).identity_header.clone();
    let response = answer(
        &shared,
        &query,
        || {
            if headers
                .get("x-identity-header")
                .and_then(|v| v.to_str().ok())
                != Some(expected.as_str())
            {
                return Err(error(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.",
                ));
            }
            Ok([
                ("client_id", Selector::Client),
                ("mi_res_id", Selector::Resource),
                ("principal_id", Selector::Object),
            ])
        },
        Flavor::AppService,
    );
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

/// How a request names a user-assigned identity.
#[derive(Clone, Copy)]
enum Selector {
    Client,
    Resource,
    Object,
}

/// Cloud Shell's endpoint (`MSI_ENDPOINT`): a form POST with `Metadata: true`, no api-version,
/// no user-assigned identities. Here it answers for the system-assigned identity, standing in
/// for the signed-in Cloud Shell user.
async fn cloud_shell_token(
    AxumState(shared): AxumState<Shared>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let response = answer(
        &shared,
        &form,
        || {
            require_metadata(&headers)?;
            if ["client_id", "msi_res_id", "object_id"]
                .iter()
                .any(|p| form.contains_key(*p))
            {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "User-assigned managed identities are not supported in Cloud Shell",
                ));
            }
            Ok(IMDS_SELECTORS)
        },
        Flavor::CloudShell,
    );
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

/// The audiences Cloud Shell issues tokens for (a few first-party ones; here also AKS).
const CLOUD_SHELL_AUDIENCES: [&str; 4] = [
    "https://management.core.windows.net",
    "https://management.azure.com",
    "https://graph.microsoft.com",
    crate::AKS_SERVER_ID,
];

#[derive(Clone, Copy, PartialEq)]
enum Flavor {
    Imds,
    AppService,
    CloudShell,
}

/// Shared by the endpoints: fault, header check, parameters, identity, token.
fn answer(
    shared: &Shared,
    query: &HashMap<String, String>,
    check_headers: impl FnOnce() -> Result<[(&'static str, Selector); 3], Response>,
    flavor: Flavor,
) -> Response {
    let mut state = lock(shared);
    if let Some((status, body)) = state.identity_faults.pop_front() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return match body {
            None => error(status, "temporarily_unavailable", "injected fault"),
            Some(body) => {
                let json = serde_json::from_str::<Value>(&body).is_ok();
                let kind = if json {
                    "application/json"
                } else {
                    "text/plain; charset=utf-8"
                };
                (status, [(axum::http::header::CONTENT_TYPE, kind)], body).into_response()
            }
        };
    }
    let selectors = match check_headers() {
        Ok(selectors) => selectors,
        Err(response) => return response,
    };
    if flavor != Flavor::CloudShell && !query.contains_key("api-version") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required query variable 'api-version' is missing",
        );
    }
    let Some(resource) = query.get("resource").filter(|r| !r.is_empty()).cloned() else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required query variable 'resource' is missing",
        );
    };
    let identities = &state.config.managed_identities;
    let named: Vec<(&str, Selector)> = selectors
        .iter()
        .filter_map(|(param, kind)| query.get(*param).map(|v| (v.as_str(), *kind)))
        .collect();
    let identity: Option<ManagedIdentity> = match named.as_slice() {
        [] => identities.iter().find(|i| i.system_assigned).cloned(),
        [(value, kind)] => identities
            .iter()
            .find(|i| match kind {
                Selector::Client => i.client_id == *value,
                Selector::Resource => i.resource_id.eq_ignore_ascii_case(value),
                Selector::Object => i.object_id == *value,
            })
            .cloned(),
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Only one of client_id, object_id or msi_res_id may be specified",
            );
        }
    };
    let Some(identity) = identity else {
        // Each platform words it its own way.
        return match flavor {
            Flavor::AppService => (
                StatusCode::BAD_REQUEST,
                Json(json!({
                    "statusCode": 400,
                    "message": "No MSI found for specified ClientId/ResourceId.",
                    "correlationId": uuid::Uuid::new_v4().to_string(),
                })),
            )
                .into_response(),
            _ => error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Identity not found",
            ),
        };
    };
    if flavor == Flavor::CloudShell
        && !CLOUD_SHELL_AUDIENCES.contains(&resource.trim_end_matches('/'))
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {
                "code": "AudienceNotSupported",
                "message": format!("Audience {resource} is not a supported MSI token audience. Supported audiences: {}.", CLOUD_SHELL_AUDIENCES.join(", ")),
            }})),
        )
            .into_response();
    }
    let now = now();
    let lifetime = state.config.token_lifetime_secs;
    let mut claims = json!({
        "aud": resource, "iss": format!("{}/{}/", state.url, identity.tenant),
        "iat": now, "nbf": now, "exp": now + lifetime,
        "tid": identity.tenant, "oid": identity.object_id, "sub": identity.object_id,
        "appid": identity.client_id, "appidacr": "2", "idtyp": "app", "ver": "1.0",
        "uti": uuid::Uuid::new_v4().simple().to_string(),
    });
    if !identity.resource_id.is_empty() {
        claims["xms_mirid"] = json!(identity.resource_id);
    }
    let access_token = state.key.sign(&claims);
    let mut body: Value = json!({
        "access_token": access_token,
        "client_id": identity.client_id,
        "expires_on": (now + lifetime).to_string(),
        "resource": resource,
        "token_type": "Bearer",
    });
    if flavor != Flavor::AppService {
        body["expires_in"] = json!(lifetime.to_string());
        body["ext_expires_in"] = json!(lifetime.to_string());
        body["not_before"] = json!(now.to_string());
    }
    Json(body).into_response()
}
