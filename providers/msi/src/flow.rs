//! [`MsiProvider`]: one token request to the managed-identity endpoint, retried as IMDS asks.

use std::time::{Duration, Instant};

use kubectl_aad_contract::{ErrorKind, Host, Provider, ProviderError, TokenRequest, TokenSet};
use kubectl_aad_entra::{TokenResponse, http};

use crate::endpoint::{self, DEFAULT_IMDS, Endpoint};
use crate::refusal::refusal;

/// The managed identity grant.
pub struct MsiProvider;

/// Attempts in all (IMDS guidance: retry transient answers with exponential back-off).
const MAX_ATTEMPTS: u32 = 5;
/// The first back-off; it doubles each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The most a `Retry-After` may make us wait.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
/// Connecting to a link-local or loopback endpoint takes milliseconds; a longer wait means there
/// is no endpoint (not an Azure machine), which should fail fast.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

impl Provider for MsiProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let endpoint = endpoint::detect(request, |name| host.var(name))?;
        let timeout = Duration::from_secs(request.timeout_secs.max(1));
        let http = kubectl_aad_entra::http::client_builder()
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            // Managed-identity endpoints are link-local or loopback: never through a proxy.
            .no_proxy()
            .user_agent(concat!("kubectl-aad/", env!("CARGO_PKG_VERSION")))
            // The identity header is a secret: never sent on to wherever a redirect points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| {
                ProviderError::new(ErrorKind::Internal, format!("cannot set up HTTP: {err}"))
            })?;
        let (url, what) = match &endpoint {
            Endpoint::Imds { base } => (format!("{base}/metadata/identity/oauth2/token"), "IMDS"),
            Endpoint::AppService { url, .. } => (url.clone(), "the App Service identity endpoint"),
            Endpoint::CloudShell { url } => (url.clone(), "the Cloud Shell identity endpoint"),
        };
        let query = query(request, &endpoint)?;
        let deadline = Instant::now() + timeout;
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=MAX_ATTEMPTS {
            host.debug(&format!(
                "asking {what} at {url} for {} (attempt {attempt})",
                request.server_id
            ));
            let call = match &endpoint {
                Endpoint::Imds { .. } => http.get(&url).query(&query).header("Metadata", "true"),
                Endpoint::AppService { header, .. } => http
                    .get(&url)
                    .query(&query)
                    .header("X-IDENTITY-HEADER", header),
                Endpoint::CloudShell { .. } => {
                    http.post(&url).form(&query).header("Metadata", "true")
                }
            };
            let answer = http::send_with(call, &url, |err| transport_error(&url, &endpoint, err))?;
            let (status, body) = (answer.status, answer.body);
            let retry_after = answer.retry_after.map(|wait| wait.min(MAX_RETRY_AFTER));
            if status.is_success() {
                return success(what, &body, host.now_secs());
            }
            let transient = matches!(status.as_u16(), 404 | 408 | 410 | 429 | 500..=599);
            let wait = retry_after.unwrap_or(backoff);
            if transient && attempt < MAX_ATTEMPTS && Instant::now() + wait < deadline {
                host.debug(&format!("{what} answered {status}; retrying in {wait:?}"));
                std::thread::sleep(wait);
                backoff *= 2;
                continue;
            }
            return Err(refusal(what, status.as_u16(), &body, request, transient));
        }
        Err(ProviderError::new(
            ErrorKind::Internal,
            "managed identity retries ended without an answer",
        ))
    }
}

/// A successful answer: the token set.
fn success(what: &str, body: &[u8], now: u64) -> Result<TokenSet, ProviderError> {
    let tokens: TokenResponse = serde_json::from_slice(body).map_err(|_| {
        ProviderError::new(
            ErrorKind::Internal,
            format!("{what} answered with a body that is not a token"),
        )
    })?;
    tokens.into_token_set(now)
}

/// An answer of any status read as the flow reads it (for the fuzzer).
pub(crate) fn read_answer(status: u16, body: &[u8], now: u64) -> Result<TokenSet, ProviderError> {
    match status {
        200..=299 => success("the endpoint", body, now),
        _ => Err(refusal(
            "the endpoint",
            status,
            body,
            &TokenRequest::new(kubectl_aad_contract::LoginMode::Msi),
            matches!(status, 404 | 408 | 410 | 429 | 500..=599),
        )),
    }
}

/// The parameters of a token request: api-version, resource, and the user-assigned identity.
fn query(
    request: &TokenRequest,
    endpoint: &Endpoint,
) -> Result<Vec<(&'static str, String)>, ProviderError> {
    let (version, resource_id_param) = match endpoint {
        Endpoint::Imds { .. } => ("2018-02-01", "msi_res_id"),
        Endpoint::AppService { .. } => ("2019-08-01", "mi_res_id"),
        Endpoint::CloudShell { .. } => {
            let user_assigned = !request.client_id.is_empty()
                || request
                    .identity_resource_id
                    .as_ref()
                    .is_some_and(|id| !id.is_empty());
            if user_assigned {
                return Err(ProviderError::new(
                    ErrorKind::InvalidRequest,
                    "Cloud Shell's identity endpoint serves only the signed-in user, not a user-assigned identity",
                )
                .with_hint("drop --client-id / --identity-resource-id (and unset AZURE_CLIENT_ID, or pass --disable-environment-override)"));
            }
            return Ok(vec![("resource", request.server_id.clone())]);
        }
    };
    let mut query = vec![
        ("api-version", version.to_owned()),
        ("resource", request.server_id.clone()),
    ];
    // kubelogin: the client id wins; the resource id is used only without one.
    if !request.client_id.is_empty() {
        query.push(("client_id", request.client_id.clone()));
    } else if let Some(id) = request
        .identity_resource_id
        .as_ref()
        .filter(|id| !id.is_empty())
    {
        query.push((resource_id_param, id.clone()));
    }
    Ok(query)
}

fn transport_error(url: &str, endpoint: &Endpoint, err: &reqwest::Error) -> ProviderError {
    let on_azure_default = matches!(endpoint, Endpoint::Imds { base } if base == DEFAULT_IMDS);
    let kind = if err.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    let hint = if on_azure_default {
        "msi works on Azure VMs, VM scale sets and AKS nodes with a managed identity; elsewhere use another --login (or --imds-endpoint for a proxy such as aad-pod-identity)"
    } else {
        "check --imds-endpoint / AZURE_POD_IDENTITY_AUTHORITY_HOST or IDENTITY_ENDPOINT"
    };
    let what = if err.is_timeout() {
        "did not answer"
    } else if err.is_connect() {
        "cannot be reached"
    } else {
        "failed"
    };
    ProviderError::new(kind, format!("managed identity endpoint {url} {what}")).with_hint(hint)
}
