//! A fake Azure Resource Manager, just enough for the real Azure CLI's `az login`: it lists the
//! tenants and the subscriptions of the caller's tenant (read from the bearer token's `tid`).
//! The token's signature is not checked: this stands in for ARM's listing, not its security.

use axum::Json;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::handler::{Shared, lock, log};

fn caller_tenant(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?;
    let payload = URL_SAFE_NO_PAD.decode(token.split('.').nth(1)?).ok()?;
    let claims: Value = serde_json::from_slice(&payload).ok()?;
    claims.get("tid")?.as_str().map(str::to_owned)
}

/// `GET /subscriptions`.
pub(crate) async fn subscriptions(
    AxumState(shared): AxumState<Shared>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    let response = match caller_tenant(&headers) {
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"code": "AuthenticationFailed", "message": "Authentication failed. The 'Authorization' header is missing."}})),
        )
            .into_response(),
        Some(tenant) => {
            let state = lock(&shared);
            let value: Vec<Value> = state
                .config
                .subscriptions
                .iter()
                .filter(|s| s.tenant == tenant)
                .map(|s| {
                    json!({
                        "id": format!("/subscriptions/{}", s.id),
                        "authorizationSource": "RoleBased",
                        "managedByTenants": [],
                        "subscriptionId": s.id,
                        "tenantId": s.tenant,
                        "displayName": s.name,
                        "state": "Enabled",
                        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
                    })
                })
                .collect();
            Json(json!({"value": value, "count": {"type": "Total", "value": value.len()}})).into_response()
        }
    };
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

/// `GET /tenants`.
pub(crate) async fn tenants(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    uri: Uri,
) -> Response {
    let value: Vec<Value> = lock(&shared)
        .config
        .tenants
        .iter()
        .map(|t| json!({"id": format!("/tenants/{t}"), "tenantId": t, "tenantCategory": "Home", "displayName": t, "defaultDomain": format!("{t}.onmicrosoft.test")}))
        .collect();
    log(&shared, &method, &uri, None, 200);
    Json(json!({"value": value})).into_response()
}
