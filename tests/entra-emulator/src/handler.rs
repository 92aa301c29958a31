//! The HTTP handlers: Entra's URL layout under `/{tenant}/`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Form, Path, State as AxumState};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::config::Client;
use crate::state::{Fault, LoggedRequest, State};

pub(crate) type Shared = Arc<Mutex<State>>;

pub(crate) fn router(shared: Shared) -> Router {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route("/{tenant}/discovery/keys", get(keys))
        .route("/{tenant}/oauth2/v2.0/token", post(token_v2))
        .route("/{tenant}/oauth2/token", post(token_v1))
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(crate::user_flows::devicecode_v2),
        )
        .route(
            "/{tenant}/oauth2/devicecode",
            post(crate::user_flows::devicecode_v1),
        )
        .route(
            "/devicelogin",
            get(crate::user_flows::device_page).post(crate::user_flows::device_submit),
        )
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(crate::user_flows::authorize_page).post(crate::user_flows::authorize_submit),
        )
        .route(
            "/{tenant}/oauth2/v2.0/consent",
            post(crate::user_flows::consent_submit),
        )
        .route("/_github/idtoken", get(crate::federation::github_idtoken))
        .route(
            "/_devops/oidctoken",
            post(crate::federation::devops_oidctoken),
        )
        .route("/subscriptions", get(crate::arm::subscriptions))
        .route("/tenants", get(crate::arm::tenants))
        .route(
            "/subscriptions/{subscription}/providers/Microsoft.ContainerService/managedClusters",
            get(crate::aks::list_clusters),
        )
        .route(
            "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.ContainerService/managedClusters/{name}/{action}",
            post(crate::aks::list_credential),
        )
        .fallback(not_found)
        .with_state(shared)
}

pub(crate) fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, State> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub(crate) fn log(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    form: Option<&HashMap<String, String>>,
    status: u16,
) {
    lock(shared).log.push(LoggedRequest {
        method: method.to_string(),
        path: uri.path().to_owned(),
        grant_type: form.and_then(|f| f.get("grant_type").cloned()),
        client_id: form.and_then(|f| f.get("client_id").cloned()),
        status,
    });
}

async fn not_found(AxumState(shared): AxumState<Shared>, method: Method, uri: Uri) -> Response {
    log(&shared, &method, &uri, None, 404);
    (StatusCode::NOT_FOUND, Json(json!({"error": "not_found"}))).into_response()
}

async fn discovery(
    AxumState(shared): AxumState<Shared>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
) -> Response {
    log(&shared, &method, &uri, None, 200);
    let url = lock(&shared).url.clone();
    Json(json!({
        "issuer": format!("{url}/{tenant}/v2.0"),
        "jwks_uri": format!("{url}/{tenant}/discovery/v2.0/keys"),
        "token_endpoint": format!("{url}/{tenant}/oauth2/v2.0/token"),
        "authorization_endpoint": format!("{url}/{tenant}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{url}/{tenant}/oauth2/v2.0/devicecode"),
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "tenant_region_scope": "EU",
    }))
    .into_response()
}

async fn keys(AxumState(shared): AxumState<Shared>, method: Method, uri: Uri) -> Response {
    log(&shared, &method, &uri, None, 200);
    Json(lock(&shared).key.jwks()).into_response()
}

/// An Entra-shaped error answer.
/// The PoP key id of a token request (`token_type=pop`, `req_cnf`), if it asks for PoP.
pub(crate) fn pop_kid(form: &HashMap<String, String>) -> Result<Option<String>, Response> {
    if form.get("token_type").map(String::as_str) != Some("pop") {
        return Ok(None);
    }
    let invalid = || {
        aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50146,
            "The req_cnf parameter is missing or malformed.",
        )
    };
    let raw = form.get("req_cnf").ok_or_else(invalid)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(raw.trim_end_matches('='))
        .map_err(|_| invalid())?;
    let cnf: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let kid = cnf
        .get("kid")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .ok_or_else(invalid)?;
    Ok(Some(kid.to_owned()))
}

/// A redirect to `location`.
pub(crate) fn redirect(status: u16, location: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::TEMPORARY_REDIRECT);
    (
        status,
        [(axum::http::header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// Exactly this status and JSON body.
pub(crate) fn raw(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// 200 with a chunked body that never ends.
pub(crate) fn endless() -> Response {
    let chunk = axum::body::Bytes::from(vec![b' '; 64 * 1024]);
    let stream = futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
    (StatusCode::OK, axum::body::Body::from_stream(stream)).into_response()
}

/// A successful JSON answer with some top-level fields replaced (`null` removes one).
pub(crate) async fn patched(response: Response, fields: &Value) -> Response {
    let status = response.status();
    let Ok(bytes) = axum::body::to_bytes(response.into_body(), 1 << 20).await else {
        return raw(500, "{}".into());
    };
    let mut body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if let (true, Some(object), Some(fields)) = (
        status.is_success(),
        body.as_object_mut(),
        fields.as_object(),
    ) {
        for (name, value) in fields {
            match value {
                Value::Null => object.remove(name),
                _ => object.insert(name.clone(), value.clone()),
            };
        }
    }
    (status, Json(body)).into_response()
}

pub(crate) fn aad_error(status: StatusCode, error: &str, code: u64, description: &str) -> Response {
    let trace = uuid::Uuid::new_v4();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {description} Trace ID: {trace} Correlation ID: {trace} Timestamp: {}", now()),
        "error_codes": [code],
        "timestamp": now().to_string(),
        "trace_id": trace.to_string(),
        "correlation_id": trace.to_string(),
    });
    (status, Json(body)).into_response()
}

async fn token_v2(
    AxumState(shared): AxumState<Shared>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let response = token(&shared, &tenant, &form, false).await;
    log(
        &shared,
        &method,
        &uri,
        Some(&form),
        response.status().as_u16(),
    );
    response
}

async fn token_v1(
    AxumState(shared): AxumState<Shared>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let response = token(&shared, &tenant, &form, true).await;
    log(
        &shared,
        &method,
        &uri,
        Some(&form),
        response.status().as_u16(),
    );
    response
}

async fn token(
    shared: &Shared,
    tenant: &str,
    form: &HashMap<String, String>,
    v1: bool,
) -> Response {
    let fault = lock(shared).faults.pop_front();
    let mut patch = None;
    match fault {
        Some(Fault::Redirect { status, location }) => return redirect(status, &location),
        Some(Fault::Raw { status, body }) => return raw(status, body),
        Some(Fault::Endless) => return endless(),
        Some(Fault::Patch(fields)) => patch = Some(fields),
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return aad_error(
                status,
                "server_error",
                500011,
                "The service is temporarily unavailable (injected fault).",
            );
        }
        Some(Fault::Error {
            error,
            code,
            description,
        }) => {
            return aad_error(StatusCode::BAD_REQUEST, &error, code, &description);
        }
        None => {}
    }
    let response = answer(shared, tenant, form, v1);
    match patch {
        Some(fields) => patched(response, &fields).await,
        None => response,
    }
}

fn answer(shared: &Shared, tenant: &str, form: &HashMap<String, String>, v1: bool) -> Response {
    let mut state = lock(shared);
    if !state.config.tenants.iter().any(|t| t == tenant) {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    let endpoint = format!(
        "{}/{tenant}/oauth2/{}token",
        state.url,
        if v1 { "" } else { "v2.0/" }
    );
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => client_credentials(&mut state, tenant, form, v1, &endpoint),
        Some(
            grant @ ("urn:ietf:params:oauth:grant-type:device_code"
            | "device_code"
            | "password"
            | "authorization_code"
            | "refresh_token"),
        ) => crate::user_flows::user_grant(&mut state, tenant, grant, form, v1),
        Some(other) => aad_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{other}'."),
        ),
        None => aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        ),
    }
}

fn client_credentials(
    state: &mut State,
    tenant: &str,
    form: &HashMap<String, String>,
    v1: bool,
    endpoint: &str,
) -> Response {
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let Some(client) = state
        .config
        .clients
        .iter()
        .find(|c| c.id == client_id)
        .cloned()
    else {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
            ),
        );
    };
    let resource = if v1 {
        match form.get("resource") {
            Some(resource) => resource.clone(),
            None => {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'resource'.",
                );
            }
        }
    } else {
        match form.get("scope").and_then(|s| s.strip_suffix("/.default")) {
            Some(resource) => resource.to_owned(),
            None => {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    1002012,
                    "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
                );
            }
        }
    };
    if let Some(assertion) = form.get("client_assertion") {
        if form.get("client_assertion_type").map(String::as_str)
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return aad_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                50027,
                "Invalid client_assertion_type.",
            );
        }
        let verified = if crate::federation::is_federated(assertion) {
            crate::federation::verify(state, &client, assertion)
        } else {
            verify_assertion(state, &client, assertion, endpoint)
        };
        if let Err(response) = verified {
            return *response;
        }
    } else if let Some(secret) = form.get("client_secret") {
        if client.secret.as_deref() != Some(secret.as_str()) {
            return aad_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                &format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                ),
            );
        }
    } else {
        return aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000216,
            "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        );
    }
    let now = now();
    let lifetime = state.config.token_lifetime_secs;
    let audience = if v1 && !resource.contains("://") {
        format!("spn:{resource}")
    } else {
        resource.clone()
    };
    let mut claims = json!({
        "aud": audience,
        "iss": if v1 { format!("{}/{tenant}/", state.url) } else { format!("{}/{tenant}/v2.0", state.url) },
        "iat": now, "nbf": now, "exp": now + lifetime,
        "tid": tenant, "oid": client.object_id, "sub": client.object_id,
        "idtyp": "app", "ver": if v1 { "1.0" } else { "2.0" },
        "uti": uuid::Uuid::new_v4().simple().to_string(),
    });
    claims[if v1 { "appid" } else { "azp" }] = json!(client.id);
    claims[if v1 { "appidacr" } else { "azpacr" }] =
        json!(if form.contains_key("client_assertion") {
            "2"
        } else {
            "1"
        });
    if !client.groups.is_empty() {
        claims["groups"] = json!(client.groups);
    }
    let pop = match pop_kid(form) {
        Ok(pop) => pop,
        Err(response) => return response,
    };
    if let Some(kid) = &pop {
        claims["cnf"] = json!({"kid": kid});
    }
    let access_token = state.key.sign(&claims);
    if v1 {
        Json(json!({"token_type": "Bearer", "expires_in": lifetime.to_string(), "ext_expires_in": lifetime.to_string(), "expires_on": (now + lifetime).to_string(), "not_before": now.to_string(), "resource": resource, "access_token": access_token})).into_response()
    } else {
        let token_type = if pop.is_some() { "pop" } else { "Bearer" };
        Json(json!({"token_type": token_type, "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access_token})).into_response()
    }
}

/// Verifies a certificate client assertion as Entra does.
fn verify_assertion(
    state: &mut State,
    client: &Client,
    assertion: &str,
    endpoint: &str,
) -> Result<(), Box<Response>> {
    let invalid = |code: u64, description: &str| {
        Box::new(aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            code,
            description,
        ))
    };
    let Some(registered) = &client.certificate_der else {
        return Err(invalid(
            700027,
            &format!(
                "The certificate with identifier used to sign the client assertion is not registered on application '{}'.",
                client.id
            ),
        ));
    };
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| invalid(50012, "The client assertion is not a valid JWT."))?;
    let sha1 = URL_SAFE_NO_PAD.encode(
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, registered)
            .as_ref(),
    );
    let sha256 = URL_SAFE_NO_PAD
        .encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, registered).as_ref());
    let thumbprint_matches = header.x5t.as_deref() == Some(sha1.as_str())
        || header.x5t_s256.as_deref() == Some(sha256.as_str());
    if !thumbprint_matches {
        return Err(invalid(
            700027,
            &format!(
                "The certificate with identifier used to sign the client assertion is not registered on application '{}'.",
                client.id
            ),
        ));
    }
    let (_, cert) = X509Certificate::from_der(registered)
        .map_err(|_| invalid(500011, "The registered certificate cannot be parsed."))?;
    let validity = cert.validity();
    let now = now() as i64;
    if validity.not_after.timestamp() < now {
        return Err(invalid(
            700027,
            &format!(
                "The certificate used to sign the client assertion expired on {}. Upload a new certificate to application '{}'.",
                validity.not_after, client.id
            ),
        ));
    }
    let public_key =
        jsonwebtoken::DecodingKey::from_rsa_der(cert.public_key().subject_public_key.data.as_ref());
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[endpoint]);
    validation.set_issuer(&[client.id.as_str()]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    validation.leeway = 0;
    let data = jsonwebtoken::decode::<Value>(assertion, &public_key, &validation).map_err(|err| {
        use jsonwebtoken::errors::ErrorKind as K;
        match err.kind() {
            K::ExpiredSignature | K::ImmatureSignature => invalid(700024, "Client assertion is not within its valid time range."),
            K::InvalidAudience => invalid(700212, &format!("The client assertion audience does not match the token endpoint {endpoint}.")),
            K::InvalidIssuer => invalid(700021, "Client assertion application identifier doesn't match 'client_id' parameter."),
            _ => invalid(50012, "Client assertion failed signature validation."),
        }
    })?;
    if data.claims.get("sub").and_then(Value::as_str) != Some(client.id.as_str()) {
        return Err(invalid(
            700021,
            "Client assertion subject doesn't match 'client_id' parameter.",
        ));
    }
    let jti = data
        .claims
        .get("jti")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if jti.is_empty() || !state.used_jti.insert(jti) {
        return Err(invalid(
            700023,
            "The client assertion was already used (jti replay).",
        ));
    }
    Ok(())
}
