//! The user sign-in flows: device code (with its verification page), the authorize endpoint
//! (sign-in form, consent, PKCE S256 enforced, loopback redirect checked, `query` or
//! `form_post` answers), ROPC, authorization code and refresh tokens (single use, rotated).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Form, Path, Query, State as AxumState};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use crate::config::{Client, User};
use crate::handler::{Shared, aad_error, lock, log, now};
use crate::state::{AuthCode, DeviceCode, RefreshGrant, State};

/// The resource of a v2.0 scope list (`<res>/.default offline_access …`) or a v1 `resource`.
fn resource_of(form: &HashMap<String, String>, v1: bool) -> Option<String> {
    if v1 {
        return form.get("resource").cloned();
    }
    form.get("scope")?
        .split_whitespace()
        .find_map(|s| s.strip_suffix("/.default"))
        .map(str::to_owned)
}

fn public_client(state: &State, tenant: &str, client_id: &str) -> Result<Client, Response> {
    match state.config.clients.iter().find(|c| c.id == client_id) {
        Some(client) if client.public => Ok(client.clone()),
        Some(_) => Err(aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )),
        None => Err(aad_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
            ),
        )),
    }
}

fn known_tenant(state: &State, tenant: &str) -> Result<(), Response> {
    if state.config.tenants.iter().any(|t| t == tenant) {
        Ok(())
    } else {
        Err(aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        ))
    }
}

fn check_password(state: &State, username: &str, password: &str) -> Option<User> {
    state
        .config
        .users
        .iter()
        .find(|u| u.username.eq_ignore_ascii_case(username) && u.password == password)
        .cloned()
}

pub(crate) async fn devicecode_v2(
    AxumState(shared): AxumState<Shared>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let response = devicecode(&shared, &tenant, &form, false);
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

pub(crate) async fn devicecode_v1(
    AxumState(shared): AxumState<Shared>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let response = devicecode(&shared, &tenant, &form, true);
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

fn devicecode(shared: &Shared, tenant: &str, form: &HashMap<String, String>, v1: bool) -> Response {
    let mut state = lock(shared);
    if let Err(response) = known_tenant(&state, tenant) {
        return response;
    }
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    if let Err(response) = public_client(&state, tenant, &client_id) {
        return response;
    }
    let Some(resource) = resource_of(form, v1) else {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            "The provided value for the input parameter 'scope' is not valid.",
        );
    };
    let device_code = uuid::Uuid::new_v4().simple().to_string();
    let user_code: String = uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(9)
        .collect::<String>()
        .to_ascii_uppercase();
    let verification = format!("{}/devicelogin", state.url);
    state.device_codes.insert(
        device_code.clone(),
        DeviceCode {
            user_code: user_code.clone(),
            client_id,
            resource,
            tenant: tenant.to_owned(),
            expires_at: now() + 900,
            approved_user: None,
        },
    );
    let message = format!(
        "To sign in, use a web browser to open the page {verification} and enter the code {user_code} to authenticate."
    );
    let interval = state.device_interval_secs;
    if v1 {
        Json(json!({"user_code": user_code, "device_code": device_code, "verification_url": verification, "expires_in": "900", "interval": interval.to_string(), "message": message})).into_response()
    } else {
        Json(json!({"user_code": user_code, "device_code": device_code, "verification_uri": verification, "expires_in": 900, "interval": interval, "message": message})).into_response()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Response {
    Html(format!("<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>")).into_response()
}

pub(crate) async fn device_page(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    uri: Uri,
) -> Response {
    log(&shared, &method, &uri, None, 200);
    page(
        "Enter code",
        "<form method=\"post\" action=\"/devicelogin\"><input id=\"otc\" name=\"user_code\"><input id=\"username\" name=\"username\"><input id=\"password\" name=\"password\" type=\"password\"><button id=\"idSIButton9\" type=\"submit\">Next</button></form>",
    )
}

pub(crate) async fn device_submit(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let code = form
        .get("user_code")
        .map(|c| c.trim().to_ascii_uppercase())
        .unwrap_or_default();
    let username = form.get("username").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let response = {
        let mut state = lock(&shared);
        let user = check_password(&state, &username, &password);
        let now = now();
        let pending = state
            .device_codes
            .values_mut()
            .find(|d| d.user_code == code && d.expires_at > now);
        match (pending, user) {
            (None, _) => (
                StatusCode::BAD_REQUEST,
                page(
                    "Code expired",
                    "<p>That code didn't work. Check the code and try again.</p>",
                ),
            )
                .into_response(),
            (Some(_), None) => (
                StatusCode::BAD_REQUEST,
                page(
                    "Sign in",
                    "<p id=\"error\">Your account or password is incorrect.</p>",
                ),
            )
                .into_response(),
            (Some(device), Some(user)) => {
                device.approved_user = Some(user.username.clone());
                state.sign_ins.push(user.username);
                page(
                    "Signed in",
                    "<p id=\"done\">You have signed in to the kubectl-aad application on your device. You may now close this window.</p>",
                )
            }
        }
    };
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

/// Whether a redirect URI is a loopback address (any port, as Entra allows for public clients).
fn loopback(redirect_uri: &str) -> bool {
    ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"]
        .iter()
        .any(|p| redirect_uri.starts_with(p))
        || [
            "http://127.0.0.1",
            "http://localhost",
            "http://127.0.0.1/",
            "http://localhost/",
        ]
        .contains(&redirect_uri)
}

fn hidden_fields(params: &HashMap<String, String>, skip: &[&str]) -> String {
    params
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect()
}

fn sign_in_form(tenant: &str, params: &HashMap<String, String>, error: Option<&str>) -> Response {
    let hint = params
        .get("login_hint")
        .map(String::as_str)
        .unwrap_or_default();
    let error = error
        .map(|e| format!("<p id=\"error\">{}</p>", escape(e)))
        .unwrap_or_default();
    page(
        "Sign in",
        &format!(
            "{error}<form method=\"post\" action=\"/{tenant}/oauth2/v2.0/authorize\">{}<input id=\"i0116\" name=\"username\" value=\"{}\"><input id=\"i0118\" name=\"password\" type=\"password\"><button id=\"idSIButton9\" type=\"submit\">Sign in</button></form>",
            hidden_fields(params, &["username", "password"]),
            escape(hint)
        ),
    )
}

/// Validates an authorize request; an error before the redirect URI is trusted is a page.
fn check_authorize(
    state: &State,
    tenant: &str,
    params: &HashMap<String, String>,
) -> Result<(), Response> {
    known_tenant(state, tenant)?;
    let client_id = params.get("client_id").cloned().unwrap_or_default();
    public_client(state, tenant, &client_id)?;
    let redirect_uri = params
        .get("redirect_uri")
        .map(String::as_str)
        .unwrap_or_default();
    if !loopback(redirect_uri) {
        return Err((StatusCode::BAD_REQUEST, page("Sign in error", &format!("<p id=\"error\">AADSTS50011: The redirect URI '{}' specified in the request does not match the redirect URIs configured for the application.</p>", escape(redirect_uri)))).into_response());
    }
    if params.get("response_type").map(String::as_str) != Some("code") {
        return Err((
            StatusCode::BAD_REQUEST,
            page(
                "Sign in error",
                "<p id=\"error\">AADSTS900144: response_type must be code.</p>",
            ),
        )
            .into_response());
    }
    if params.get("code_challenge").is_none_or(String::is_empty)
        || params.get("code_challenge_method").map(String::as_str) != Some("S256")
    {
        return Err((StatusCode::BAD_REQUEST, page("Sign in error", "<p id=\"error\">AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption (S256).</p>")).into_response());
    }
    if resource_of(params, false).is_none() {
        return Err((StatusCode::BAD_REQUEST, page("Sign in error", "<p id=\"error\">AADSTS70011: The provided value for the input parameter 'scope' is not valid.</p>")).into_response());
    }
    Ok(())
}

pub(crate) async fn authorize_page(
    AxumState(shared): AxumState<Shared>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let response = {
        let state = lock(&shared);
        match check_authorize(&state, &tenant, &params) {
            Ok(()) => sign_in_form(&tenant, &params, None),
            Err(response) => response,
        }
    };
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

pub(crate) async fn authorize_submit(
    AxumState(shared): AxumState<Shared>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let response = {
        let state = lock(&shared);
        match check_authorize(&state, &tenant, &form) {
            Err(response) => response,
            Ok(()) => {
                let username = form.get("username").cloned().unwrap_or_default();
                match check_password(
                    &state,
                    &username,
                    form.get("password").map(String::as_str).unwrap_or_default(),
                ) {
                    None => sign_in_form(
                        &tenant,
                        &form,
                        Some("Your account or password is incorrect."),
                    ),
                    Some(user) => page(
                        "Permissions requested",
                        &format!(
                            "<p>kubectl-aad wants to sign you in as {}.</p><form method=\"post\" action=\"/{tenant}/oauth2/v2.0/consent\">{}<input type=\"hidden\" name=\"username\" value=\"{}\"><button id=\"idBtn_Accept\" type=\"submit\">Accept</button></form>",
                            escape(&user.username),
                            hidden_fields(&form, &["username", "password"]),
                            escape(&user.username)
                        ),
                    ),
                }
            }
        }
    };
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

pub(crate) async fn consent_submit(
    AxumState(shared): AxumState<Shared>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let response = {
        let mut state = lock(&shared);
        match check_authorize(&state, &tenant, &form) {
            Err(response) => response,
            Ok(()) => {
                let username = form.get("username").cloned().unwrap_or_default();
                let code = uuid::Uuid::new_v4().simple().to_string();
                let redirect_uri = form.get("redirect_uri").cloned().unwrap_or_default();
                state.auth_codes.insert(
                    code.clone(),
                    AuthCode {
                        client_id: form.get("client_id").cloned().unwrap_or_default(),
                        redirect_uri: redirect_uri.clone(),
                        challenge: form.get("code_challenge").cloned().unwrap_or_default(),
                        resource: resource_of(&form, false).unwrap_or_default(),
                        tenant: tenant.clone(),
                        user: username.clone(),
                    },
                );
                state.sign_ins.push(username);
                let state_param = form.get("state").cloned().unwrap_or_default();
                if form.get("response_mode").map(String::as_str) == Some("form_post") {
                    page(
                        "Working",
                        &format!(
                            "<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"code\" value=\"{}\"><input type=\"hidden\" name=\"state\" value=\"{}\"></form><script>document.forms[0].submit()</script>",
                            escape(&redirect_uri),
                            escape(&code),
                            escape(&state_param)
                        ),
                    )
                } else {
                    let mut target = url::Url::parse(&redirect_uri).unwrap_or_else(|_| {
                        url::Url::parse("http://127.0.0.1/").expect("static url")
                    });
                    target
                        .query_pairs_mut()
                        .append_pair("code", &code)
                        .append_pair("state", &state_param);
                    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
                }
            }
        }
    };
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

/// The token endpoint's user grants.
pub(crate) fn user_grant(
    state: &mut State,
    tenant: &str,
    grant: &str,
    form: &HashMap<String, String>,
    v1: bool,
) -> Response {
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    if let Err(response) = public_client(state, tenant, &client_id) {
        return response;
    }
    let bad_grant = |code: u64, description: &str| {
        aad_error(StatusCode::BAD_REQUEST, "invalid_grant", code, description)
    };
    let (username, resource) = match grant {
        "urn:ietf:params:oauth:grant-type:device_code" | "device_code" => {
            let code = form
                .get(if v1 { "code" } else { "device_code" })
                .cloned()
                .unwrap_or_default();
            let now = now();
            match state.device_codes.get(&code) {
                None => return bad_grant(70000, "The provided device code is not valid."),
                Some(device) if device.expires_at <= now => {
                    return aad_error(
                        StatusCode::BAD_REQUEST,
                        "expired_token",
                        70019,
                        "Verification code expired.",
                    );
                }
                Some(device) if device.client_id != client_id || device.tenant != tenant => {
                    return bad_grant(70000, "The device code was issued to another client.");
                }
                Some(DeviceCode {
                    approved_user: None,
                    ..
                }) => {
                    return aad_error(
                        StatusCode::BAD_REQUEST,
                        "authorization_pending",
                        70016,
                        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                    );
                }
                Some(_) => {}
            }
            let device = state.device_codes.remove(&code).expect("checked above");
            (device.approved_user.unwrap_or_default(), device.resource)
        }
        "password" => {
            let username = form.get("username").cloned().unwrap_or_default();
            let Some(user) = check_password(
                state,
                &username,
                form.get("password").map(String::as_str).unwrap_or_default(),
            ) else {
                return bad_grant(
                    50126,
                    "Error validating credentials due to invalid username or password.",
                );
            };
            let Some(resource) = resource_of(form, v1) else {
                return bad_grant(
                    70011,
                    "The provided value for the input parameter 'scope' is not valid.",
                );
            };
            state.sign_ins.push(user.username.clone());
            (user.username, resource)
        }
        "authorization_code" => {
            let code = form.get("code").cloned().unwrap_or_default();
            let Some(auth) = state.auth_codes.remove(&code) else {
                return bad_grant(
                    70008,
                    "The provided authorization code or refresh token has expired or was already used.",
                );
            };
            if auth.client_id != client_id || auth.tenant != tenant {
                return bad_grant(
                    70000,
                    "The authorization code was issued to another client.",
                );
            }
            if form.get("redirect_uri") != Some(&auth.redirect_uri) {
                return bad_grant(
                    50011,
                    "The redirect URI does not match the one in the authorization request.",
                );
            }
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let computed = URL_SAFE_NO_PAD.encode(
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref(),
            );
            if computed != auth.challenge {
                return bad_grant(
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                );
            }
            (auth.user, auth.resource)
        }
        _ => {
            let token = form.get("refresh_token").cloned().unwrap_or_default();
            let Some(grant) = state.refresh_tokens.remove(&token) else {
                return bad_grant(
                    700082,
                    "The refresh token has expired due to inactivity or was revoked.",
                );
            };
            if grant.client_id != client_id || grant.tenant != tenant {
                return bad_grant(70000, "The refresh token was issued to another client.");
            }
            (grant.user, resource_of(form, v1).unwrap_or(grant.resource))
        }
    };
    let Some(user) = state
        .config
        .users
        .iter()
        .find(|u| u.username == username)
        .cloned()
    else {
        return bad_grant(50034, "The user account does not exist in this directory.");
    };
    let pop = match crate::handler::pop_kid(form) {
        Ok(pop) => pop,
        Err(response) => return response,
    };
    issue_user_tokens(
        state,
        Issue {
            tenant,
            client_id: &client_id,
            user: &user,
            resource: &resource,
            v1,
            client_info: form.contains_key("client_info"),
            pop,
        },
    )
}

/// Who gets tokens, for what.
struct Issue<'a> {
    tenant: &'a str,
    client_id: &'a str,
    user: &'a User,
    resource: &'a str,
    v1: bool,
    client_info: bool,
    pop: Option<String>,
}

fn issue_user_tokens(state: &mut State, issue: Issue<'_>) -> Response {
    let Issue {
        tenant,
        client_id,
        user,
        resource,
        v1,
        client_info,
        pop,
    } = issue;
    let now = now();
    let lifetime = state.config.token_lifetime_secs;
    let issuer = if v1 {
        format!("{}/{tenant}/", state.url)
    } else {
        format!("{}/{tenant}/v2.0", state.url)
    };
    let audience = if v1 && !resource.contains("://") {
        format!("spn:{resource}")
    } else {
        resource.to_owned()
    };
    let mut claims = json!({
        "aud": audience, "iss": issuer, "iat": now, "nbf": now, "exp": now + lifetime,
        "tid": tenant, "oid": user.object_id, "sub": user.object_id, "upn": user.username,
        "name": user.username, "scp": "user.read", "ver": if v1 { "1.0" } else { "2.0" },
        "uti": uuid::Uuid::new_v4().simple().to_string(),
    });
    claims[if v1 { "appid" } else { "azp" }] = json!(client_id);
    if user.groups.len() > 200 {
        claims["_claim_names"] = json!({"groups": "src1"});
        claims["_claim_sources"] = json!({"src1": {"endpoint": format!("https://graph.microsoft.com/v1.0/users/{}/getMemberObjects", user.object_id)}});
    } else if !user.groups.is_empty() {
        claims["groups"] = json!(user.groups);
    }
    if let Some(kid) = &pop {
        claims["cnf"] = json!({"kid": kid});
    }
    let access_token = state.key.sign(&claims);
    let id_token = state.key.sign(&json!({
        "aud": client_id, "iss": format!("{}/{tenant}/v2.0", state.url), "iat": now, "nbf": now, "exp": now + lifetime,
        "tid": tenant, "oid": user.object_id, "sub": user.object_id, "preferred_username": user.username, "name": user.username, "ver": "2.0",
    }));
    let refresh_token = format!("rt-{}", uuid::Uuid::new_v4().simple());
    state.refresh_tokens.insert(
        refresh_token.clone(),
        RefreshGrant {
            client_id: client_id.to_owned(),
            user: user.username.clone(),
            resource: resource.to_owned(),
            tenant: tenant.to_owned(),
        },
    );
    let mut body = if v1 {
        json!({"token_type": "Bearer", "expires_in": lifetime.to_string(), "expires_on": (now + lifetime).to_string(), "resource": resource, "access_token": access_token, "refresh_token": refresh_token, "id_token": id_token})
    } else {
        json!({"token_type": if pop.is_some() { "pop" } else { "Bearer" }, "scope": format!("{resource}/.default"), "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access_token, "refresh_token": refresh_token, "id_token": id_token})
    };
    if client_info {
        body["client_info"] = json!(
            URL_SAFE_NO_PAD.encode(json!({"uid": user.object_id, "utid": tenant}).to_string())
        );
    }
    Json(body).into_response()
}
