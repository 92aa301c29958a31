//! [`EntraClient`]: the HTTP side of token requests.

use std::time::Duration;

use kubectl_aad_contract::{ErrorKind, ProviderError, Secret, TokenRequest, TokenSet};
use serde::Deserialize;

use crate::aadsts;
use crate::jwt::identity_of;

/// A client for one tenant of one authority.
pub struct EntraClient {
    http: reqwest::blocking::Client,
    authority: String,
    v1: bool,
}

/// The fields of a successful token response we use (v2.0 and v1 shapes).
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: Secret,
    /// Lifetime in seconds (a number in v2.0, a string in v1).
    #[serde(default)]
    pub expires_in: Option<serde_json::Value>,
    /// Absolute expiry, seconds since the epoch (v1, managed identity).
    #[serde(default)]
    pub expires_on: Option<serde_json::Value>,
    /// The refresh token.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// The ID token (user flows), read for the identity.
    #[serde(default)]
    pub id_token: Option<Secret>,
}

impl TokenResponse {
    /// The token set, with the expiry made absolute against `now` (seconds since the epoch)
    /// through the one checked conversion, and the identity read from the tokens. `expires_on`
    /// wins over `expires_in` (v1 sends both); with neither, the token's own `exp` counts.
    pub fn into_token_set(self, now: u64) -> Result<TokenSet, ProviderError> {
        let unusable = |field: &str, err: crate::expiry::ExpiryError| {
            ProviderError::new(
                ErrorKind::Internal,
                format!("the token answer has an unusable {field}: {err}"),
            )
            .with_hint("the authority (or something posing as it) sent a broken answer; nothing was cached")
        };
        let expires_on = match (&self.expires_on, &self.expires_in) {
            (Some(on), _) => crate::expiry::seconds(on)
                .and_then(|secs| crate::expiry::at(now, secs))
                .map_err(|err| unusable("expires_on", err))?,
            (None, Some(within)) => crate::expiry::seconds(within)
                .and_then(|secs| crate::expiry::after(now, secs))
                .map_err(|err| unusable("expires_in", err))?,
            (None, None) => {
                let exp = crate::jwt::expiry_of(self.access_token.expose()).ok_or_else(|| {
                    ProviderError::new(
                        ErrorKind::Internal,
                        "the token answer says neither when the token expires (expires_in, expires_on) nor has the token an exp claim",
                    )
                })?;
                crate::expiry::at(now, exp).map_err(|err| unusable("exp claim", err))?
            }
        };
        let identity = self
            .id_token
            .as_ref()
            .and_then(|t| identity_of(t.expose()))
            .or_else(|| identity_of(self.access_token.expose()))
            .unwrap_or_default();
        Ok(TokenSet {
            access_token: self.access_token,
            expires_on,
            refresh_token: self.refresh_token.filter(|t| !t.is_empty()),
            identity,
            reuse: None,
        })
    }
}

impl EntraClient {
    /// A client for the request's authority and tenant, with its timeout and CA files.
    pub fn new(request: &TokenRequest) -> Result<EntraClient, ProviderError> {
        crate::http::require_https(&request.authority_host, "the authority host")?;
        if request.tenant_id.is_empty() {
            return Err(
                ProviderError::new(ErrorKind::InvalidRequest, "tenant ID cannot be empty")
                    .with_hint("pass --tenant-id or set AZURE_TENANT_ID"),
            );
        }
        let host = if request.authority_host.ends_with('/') {
            request.authority_host.clone()
        } else {
            format!("{}/", request.authority_host)
        };
        // ADFS (Azure Stack Hub): `--tenant-id adfs` names the `/adfs` authority, which speaks
        // the v1 protocol (`resource`, no `/v2.0` paths), as MSAL treats it.
        let adfs = request.tenant_id.eq_ignore_ascii_case("adfs");
        Ok(EntraClient {
            http: http_client(request)?,
            authority: format!("{host}{}", if adfs { "adfs" } else { &request.tenant_id }),
            v1: request.legacy || adfs,
        })
    }

    /// `<host><tenant>`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// Whether requests use the v1 protocol: `--legacy` (ADAL), or an ADFS authority. v1 names
    /// the resource (`resource=`) where v2.0 names a scope, and has no `/v2.0` in its paths.
    pub fn v1(&self) -> bool {
        self.v1
    }

    /// The `oauth2` endpoint `name` (`token`, `devicecode`, `authorize`) in this protocol.
    pub fn endpoint(&self, name: &str) -> String {
        match self.v1 {
            true => format!("{}/oauth2/{name}", self.authority),
            false => format!("{}/oauth2/v2.0/{name}", self.authority),
        }
    }

    /// The token endpoint.
    pub fn token_endpoint(&self) -> String {
        self.endpoint("token")
    }

    /// The underlying HTTP client, for flows with other endpoints (device code …).
    pub fn http(&self) -> &reqwest::blocking::Client {
        &self.http
    }

    /// Posts a form to a token endpoint and parses the answer.
    pub fn post_token(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, ProviderError> {
        self.post_token_detailed(endpoint, form)
            .map_err(|failure| failure.error)
    }

    /// Like [`EntraClient::post_token`], keeping the OAuth `error` code of a refusal, which
    /// polling flows need (`authorization_pending`, `slow_down`, `expired_token`).
    pub fn post_token_detailed(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, TokenFailure> {
        let failure = |error: ProviderError| TokenFailure {
            oauth_error: None,
            error,
        };
        let answer =
            crate::http::send(self.http.post(endpoint).form(form), endpoint).map_err(failure)?;
        let (status, body) = (answer.status, answer.body);
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|_| {
                failure(ProviderError::new(
                    ErrorKind::Internal,
                    format!(
                        "{endpoint} answered {status} with a body that is not a token response"
                    ),
                ))
            });
        }
        let grant = match form
            .iter()
            .find(|(name, _)| *name == "grant_type")
            .map(|(_, g)| *g)
        {
            Some("refresh_token") => aadsts::Grant::Refresh,
            Some("password") => aadsts::Grant::Password,
            Some("client_credentials") => aadsts::Grant::Client,
            _ => aadsts::Grant::UserSignIn,
        };
        Err(TokenFailure {
            oauth_error: aadsts::oauth_error(&body),
            error: aadsts::to_provider_error(status.as_u16(), &body, endpoint, grant),
        })
    }

    /// Redeems a refresh token of a user flow (v2.0, or v1 for `--legacy`).
    pub fn refresh(
        &self,
        request: &TokenRequest,
        refresh_token: &Secret,
        now: u64,
    ) -> Result<TokenSet, ProviderError> {
        let endpoint = self.token_endpoint();
        let scope = user_scope(request);
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", request.client_id.as_str()),
            ("refresh_token", refresh_token.expose()),
        ];
        if self.v1 {
            form.push(("resource", &request.server_id));
        } else {
            form.push(("scope", &scope));
        }
        form.extend(request.pop_params());
        self.post_token(&endpoint, &form)?.into_token_set(now)
    }
}

/// A refused token request: the OAuth `error` (when the body had one) and the provider error.
#[derive(Debug)]
pub struct TokenFailure {
    /// `error` of the body, e.g. `authorization_pending`.
    pub oauth_error: Option<String>,
    /// The typed error to report.
    pub error: ProviderError,
}

/// The v2.0 scope of a user sign-in: the resource's `.default` plus a refresh token and the
/// identity of the user.
pub fn user_scope(request: &TokenRequest) -> String {
    format!("{} offline_access openid profile", request.scope())
}

/// The blocking HTTP client: bounded by the request's timeout, trusting the system store plus
/// the request's extra CA files, and honouring HTTPS_PROXY / NO_PROXY.
pub fn http_client(request: &TokenRequest) -> Result<reqwest::blocking::Client, ProviderError> {
    let timeout = Duration::from_secs(request.timeout_secs.max(1));
    let mut builder = crate::http::client_builder()
        // Every request carries a secret or a grant: a redirect is refused, never followed.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("kubectl-aad/", env!("CARGO_PKG_VERSION")));
    let mut extra = Vec::new();
    for path in &request.extra_ca_files {
        let pem = std::fs::read(path).map_err(|err| {
            ProviderError::new(
                ErrorKind::InvalidRequest,
                format!("cannot read CA file {}: {err}", path.display()),
            )
            .with_hint("fix SSL_CERT_FILE or unset it")
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| {
            ProviderError::new(
                ErrorKind::InvalidRequest,
                format!("CA file {} holds no PEM certificates", path.display()),
            )
        })?;
        extra.extend(certs);
    }
    if !extra.is_empty() {
        builder = builder.tls_certs_merge(extra);
    }
    builder.build().map_err(|err| {
        ProviderError::new(
            ErrorKind::Internal,
            format!("cannot set up the HTTPS client: {err}"),
        )
    })
}

/// A transport failure, with the endpoint but never the request body: the root cause (refused,
/// TLS, timeout …) and a hint.
pub fn network_error(endpoint: &str, err: &reqwest::Error) -> ProviderError {
    let kind = if err.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    let mut source: Option<&dyn std::error::Error> = Some(err);
    let mut reason = String::new();
    while let Some(cause) = source {
        reason = cause.to_string();
        source = cause.source();
    }
    let what = if err.is_timeout() {
        "timed out"
    } else {
        "failed"
    };
    ProviderError::new(kind, format!("request to {endpoint} {what}: {reason}"))
        .with_hint(if err.is_timeout() {
            "check the network or raise --timeout"
        } else {
            "check the network, HTTPS_PROXY/NO_PROXY, and that the authority's TLS certificate is trusted (SSL_CERT_FILE)"
        })
}
