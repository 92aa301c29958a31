//! A test-only HTTPS stand-in for kube-apiserver that validates Entra ID bearer tokens the way
//! its JWT authenticator does (`--authentication-config` / `--oidc-issuer-url`).
//!
//! At start it fetches the issuer's OpenID discovery document and JWKS (trusting the given CA).
//! Each request's bearer token must be an RS256 JWT signed by a key of that set (by `kid`), with
//! an accepted `iss`, an accepted `aud`, and valid `exp`/`nbf`. It serves `/version`, `/api`,
//! `/apis`, a namespace list and SelfSubjectReview (username from `upn`, else `oid`; groups from
//! `groups`), and a 401 `Status` otherwise. Request bodies are never parsed: kubectl sends
//! protobuf. A request log lets tests see who was authenticated.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::{Value, json};

/// How the server authenticates.
#[derive(Clone, Debug)]
pub struct ApiServerConfig {
    /// The issuer whose discovery document and JWKS are fetched.
    pub discovery_issuer: String,
    /// Issuers accepted in `iss`.
    pub issuers: Vec<String>,
    /// Audiences accepted in `aud`.
    pub audiences: Vec<String>,
    /// The CA (PEM) that signed the issuer's TLS certificate.
    pub issuer_ca_pem: String,
    /// This server's certificate chain and key (PEM).
    pub cert_pem: String,
    /// This server's key (PEM).
    pub key_pem: String,
    /// Require proof-of-possession tokens signed for this `u` claim; bearer tokens are refused.
    pub pop_u: Option<String>,
}

/// One request the server saw.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    /// Path.
    pub path: String,
    /// Answered status.
    pub status: u16,
    /// The authenticated user, if any.
    pub username: Option<String>,
    /// Why authentication failed, if it did.
    pub rejection: Option<String>,
}

struct Inner {
    config: ApiServerConfig,
    keys: Vec<(String, DecodingKey)>,
    log: Mutex<Vec<SeenRequest>>,
}

/// A running API server. Dropping it stops the server.
pub struct ApiServer {
    url: String,
    inner: Arc<Inner>,
    handle: axum_server::Handle,
    runtime: Option<tokio::runtime::Runtime>,
}

impl ApiServer {
    /// Fetches the issuer's keys and starts serving on 127.0.0.1.
    pub fn start(config: ApiServerConfig) -> anyhow::Result<ApiServer> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let keys = runtime.block_on(fetch_keys(&config))?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let url = format!("https://127.0.0.1:{}", listener.local_addr()?.port());
        let inner = Arc::new(Inner {
            config: config.clone(),
            keys,
            log: Mutex::new(vec![]),
        });
        let app = Router::new()
            .route("/version", get(version))
            .route("/api", get(api))
            .route("/apis", get(apis))
            .route("/api/v1", get(core_resources))
            .route(
                "/apis/authentication.k8s.io/v1",
                get(authentication_resources),
            )
            .route("/api/v1/namespaces", get(namespaces))
            .route(
                "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                post(self_subject_review),
            )
            .fallback(not_found)
            .with_state(inner.clone());
        let tls = runtime.block_on(axum_server::tls_rustls::RustlsConfig::from_pem(
            config.cert_pem.into_bytes(),
            config.key_pem.into_bytes(),
        ))?;
        let handle = axum_server::Handle::new();
        let server_handle = handle.clone();
        runtime.spawn(async move {
            // A serve error ends the server; the test then fails on its first request.
            let _ = axum_server::from_tcp_rustls(listener, tls)
                .handle(server_handle)
                .serve(app.into_make_service())
                .await;
        });
        Ok(ApiServer {
            url,
            inner,
            handle,
            runtime: Some(runtime),
        })
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.inner.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.handle.shutdown();
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn fetch_keys(config: &ApiServerConfig) -> anyhow::Result<Vec<(String, DecodingKey)>> {
    let ca = reqwest::Certificate::from_pem(config.issuer_ca_pem.as_bytes())?;
    let client = reqwest::Client::builder().tls_certs_merge([ca]).build()?;
    let discovery: Value = client
        .get(format!(
            "{}/.well-known/openid-configuration",
            config.discovery_issuer
        ))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let jwks_uri = discovery["jwks_uri"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("discovery has no jwks_uri"))?;
    let jwks: Value = client
        .get(jwks_uri)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let mut keys = vec![];
    for key in jwks["keys"].as_array().into_iter().flatten() {
        let (Some(kid), Some(n), Some(e)) =
            (key["kid"].as_str(), key["n"].as_str(), key["e"].as_str())
        else {
            continue;
        };
        keys.push((kid.to_owned(), DecodingKey::from_rsa_components(n, e)?));
    }
    anyhow::ensure!(!keys.is_empty(), "the issuer's JWKS has no RSA keys");
    Ok(keys)
}

/// The authenticated user, or why not.
struct UserInfo {
    username: String,
    groups: Vec<String>,
    tenant: Option<String>,
}

fn authenticate(inner: &Inner, headers: &HeaderMap) -> Result<UserInfo, String> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or("no bearer token")?;
    let claims = match &inner.config.pop_u {
        Some(u) => verify_pop(inner, token, u)?,
        None => verify_access_token(inner, token)?,
    };
    let username = claims["upn"]
        .as_str()
        .or(claims["oid"].as_str())
        .ok_or("no upn or oid claim")?
        .to_owned();
    let groups = claims["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g.as_str().map(str::to_owned))
        .collect();
    Ok(UserInfo {
        username,
        groups,
        tenant: claims["tid"].as_str().map(str::to_owned),
    })
}

/// kube-apiserver's JWT authenticator: signature by `kid`, `iss`, `aud`, `exp`/`nbf`.
fn verify_access_token(inner: &Inner, token: &str) -> Result<Value, String> {
    let header = decode_header(token).map_err(|e| format!("not a JWT: {e}"))?;
    if header.alg != Algorithm::RS256 {
        return Err(format!("unexpected alg {:?}", header.alg));
    }
    let kid = header.kid.ok_or("no kid")?;
    let key = inner
        .keys
        .iter()
        .find(|(k, _)| *k == kid)
        .map(|(_, key)| key)
        .ok_or("unknown kid")?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&inner.config.audiences);
    validation.set_issuer(&inner.config.issuers);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
    validation.leeway = 0;
    Ok(decode::<Value>(token, key, &validation)
        .map_err(|e| format!("invalid token: {e}"))?
        .claims)
}

/// A signed HTTP request (PoP): signed by the key in `cnf.jwk`, whose RFC 7638 thumbprint is the
/// inner access token's `cnf.kid`; `u` as configured; `ts` within five minutes; and the inner
/// access token valid as a bearer token would be.
fn verify_pop(inner: &Inner, token: &str, u: &str) -> Result<Value, String> {
    use base64::Engine as _;
    let header = decode_header(token).map_err(|e| format!("not a JWT: {e}"))?;
    if header.typ.as_deref() != Some("pop") {
        return Err("bearer tokens are refused: this cluster requires proof-of-possession".into());
    }
    let payload_b64 = token.split('.').nth(1).ok_or("no payload")?;
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| "payload not base64url")?,
    )
    .map_err(|_| "payload not JSON")?;
    let jwk = &payload["cnf"]["jwk"];
    let (n, e) = (
        jwk["n"].as_str().ok_or("no cnf.jwk.n")?,
        jwk["e"].as_str().ok_or("no cnf.jwk.e")?,
    );
    let key = DecodingKey::from_rsa_components(n, e).map_err(|e| format!("bad jwk: {e}"))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_required_spec_claims::<&str>(&[]);
    validation.validate_exp = false;
    validation.validate_aud = false;
    decode::<Value>(token, &key, &validation).map_err(|e| format!("PoP signature: {e}"))?;
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    let thumbprint = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()).as_ref(),
    );
    if payload["u"].as_str() != Some(u) {
        return Err(format!(
            "PoP u claim {:?} is not this cluster",
            payload["u"]
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let ts = payload["ts"].as_u64().ok_or("no ts")?;
    if ts.abs_diff(now) > 300 {
        return Err(format!("PoP ts {ts} is more than five minutes from now"));
    }
    let claims = verify_access_token(inner, payload["at"].as_str().ok_or("no at")?)?;
    if claims["cnf"]["kid"].as_str() != Some(thumbprint.as_str()) {
        return Err("the access token is bound to another key".into());
    }
    Ok(claims)
}

fn status(code: StatusCode, reason: &str, message: &str) -> Response {
    (code, axum::Json(json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code.as_u16()}))).into_response()
}

/// Authenticates, logs, and runs `ok` for an authenticated request.
fn guarded(
    inner: &Inner,
    headers: &HeaderMap,
    uri: &Uri,
    ok: impl FnOnce(&UserInfo) -> Response,
) -> Response {
    let (response, username, rejection) = match authenticate(inner, headers) {
        Ok(user) => (ok(&user), Some(user.username.clone()), None),
        Err(reason) => (
            status(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized"),
            None,
            Some(reason),
        ),
    };
    if let Ok(mut log) = inner.log.lock() {
        log.push(SeenRequest {
            path: uri.path().to_owned(),
            status: response.status().as_u16(),
            username,
            rejection,
        });
    }
    response
}

fn json_ok(code: StatusCode, body: Value) -> Response {
    (code, axum::Json(body)).into_response()
}

async fn version(State(inner): State<Arc<Inner>>, headers: HeaderMap, uri: Uri) -> Response {
    guarded(&inner, &headers, &uri, |_| {
        json_ok(
            StatusCode::OK,
            json!({"major": "1", "minor": "33", "gitVersion": "v1.33.0-kubectl-aad-test", "platform": "linux/amd64"}),
        )
    })
}

async fn api(State(inner): State<Arc<Inner>>, headers: HeaderMap, uri: Uri) -> Response {
    guarded(&inner, &headers, &uri, |_| {
        json_ok(
            StatusCode::OK,
            json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}),
        )
    })
}

async fn apis(State(inner): State<Arc<Inner>>, headers: HeaderMap, uri: Uri) -> Response {
    guarded(&inner, &headers, &uri, |_| {
        json_ok(
            StatusCode::OK,
            json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [{"name": "authentication.k8s.io", "versions": [{"groupVersion": "authentication.k8s.io/v1", "version": "v1"}], "preferredVersion": {"groupVersion": "authentication.k8s.io/v1", "version": "v1"}}]}),
        )
    })
}

async fn core_resources(State(inner): State<Arc<Inner>>, headers: HeaderMap, uri: Uri) -> Response {
    guarded(&inner, &headers, &uri, |_| {
        json_ok(
            StatusCode::OK,
            json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [{"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace", "verbs": ["get", "list"], "shortNames": ["ns"]}]}),
        )
    })
}

async fn authentication_resources(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    guarded(&inner, &headers, &uri, |_| {
        json_ok(
            StatusCode::OK,
            json!({"kind": "APIResourceList", "groupVersion": "authentication.k8s.io/v1", "resources": [{"name": "selfsubjectreviews", "singularName": "selfsubjectreview", "namespaced": false, "kind": "SelfSubjectReview", "verbs": ["create"]}]}),
        )
    })
}

async fn namespaces(State(inner): State<Arc<Inner>>, headers: HeaderMap, uri: Uri) -> Response {
    guarded(&inner, &headers, &uri, |_| {
        let ns = |name: &str| json!({"metadata": {"name": name, "uid": format!("uid-{name}"), "creationTimestamp": "2026-01-01T00:00:00Z"}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
        json_ok(
            StatusCode::OK,
            json!({"kind": "NamespaceList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": [ns("default"), ns("kube-system")]}),
        )
    })
}

async fn self_subject_review(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    guarded(&inner, &headers, &uri, |user| {
        let mut groups = user.groups.clone();
        groups.push("system:authenticated".into());
        let mut info = json!({"username": user.username, "groups": groups});
        if let Some(tid) = &user.tenant {
            info["extra"] = json!({"tid": [tid]});
        }
        json_ok(
            StatusCode::CREATED,
            json!({"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": null}, "status": {"userInfo": info}}),
        )
    })
}

async fn not_found(State(inner): State<Arc<Inner>>, headers: HeaderMap, uri: Uri) -> Response {
    guarded(&inner, &headers, &uri, |_| {
        status(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource",
        )
    })
}
