//! Every HTTP exchange the flows make goes through [`send`]: a request never follows a redirect
//! (each one carries a secret or a grant, and Entra ID never redirects token requests, so a 3xx
//! is one error line naming where it pointed), and an answer is read up to
//! [`MAX_ANSWER_BYTES`] only (an endless or huge body is one error line, not a memory blow-up).
//! [`require_https`] refuses plain-HTTP authorities before the first byte is sent.

use std::io::Read as _;
use std::time::Duration;

use kubectl_aad_contract::{ErrorKind, ProviderError};
use reqwest::blocking::RequestBuilder;
use reqwest::header::{LOCATION, RETRY_AFTER};

use crate::network_error;

/// The largest answer read from any endpoint (token answers are a few KiB).
pub const MAX_ANSWER_BYTES: u64 = 1 << 20;

/// An endpoint's answer.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: reqwest::StatusCode,
    /// The body, at most [`MAX_ANSWER_BYTES`].
    pub body: Vec<u8>,
    /// `Retry-After` in seconds, when present and numeric.
    pub retry_after: Option<Duration>,
}

/// A blocking client builder with the lookups every client of ours uses: on Linux, hickory over
/// `/etc/hosts` and `/etc/resolv.conf` (the static binary has no NSS); elsewhere the system's.
pub fn client_builder() -> reqwest::blocking::ClientBuilder {
    let builder = reqwest::blocking::Client::builder();
    #[cfg(target_os = "linux")]
    let builder = builder.dns_resolver(crate::resolver::SystemResolver::shared());
    builder
}

/// Sends a request and reads the answer, refusing redirects and oversized bodies.
pub fn send(request: RequestBuilder, endpoint: &str) -> Result<Answer, ProviderError> {
    send_with(request, endpoint, |err| network_error(endpoint, err))
}

/// [`send`], with the flow's own message for a request that could not be sent.
pub fn send_with(
    request: RequestBuilder,
    endpoint: &str,
    transport: impl Fn(&reqwest::Error) -> ProviderError,
) -> Result<Answer, ProviderError> {
    let response = request.send().map_err(|err| transport(&err))?;
    let status = response.status();
    if status.is_redirection() {
        let target = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(host_of)
            .unwrap_or_else(|| "nowhere (no Location)".to_owned());
        return Err(ProviderError::new(
            ErrorKind::Network,
            format!(
                "{endpoint} answered HTTP {} redirecting to {target}; requests that carry a secret are never redirected, so it was not followed",
                status.as_u16()
            ),
        )
        .with_hint("check --authority-host (or the endpoint variable): it must name the service itself, not a proxy or a sign-in page"));
    }
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let mut body = Vec::new();
    response
        .take(MAX_ANSWER_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|err| {
            ProviderError::new(
                ErrorKind::Network,
                format!("reading the answer of {endpoint} failed: {err}"),
            )
            .with_hint("check the network, or raise --timeout")
        })?;
    if body.len() as u64 > MAX_ANSWER_BYTES {
        return Err(ProviderError::new(
            ErrorKind::Network,
            format!(
                "{endpoint} answered with more than {} KiB; no token answer is that large, so it was not read",
                MAX_ANSWER_BYTES / 1024
            ),
        )
        .with_hint("check --authority-host (or the endpoint variable) and any proxy in between"));
    }
    Ok(Answer {
        status,
        body,
        retry_after,
    })
}

/// The scheme and host of a URL, for messages (never its path or query, which may hold codes).
pub fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{}://{host}:{port}", parsed.scheme()),
            (Some(host), None) => format!("{}://{host}", parsed.scheme()),
            (None, _) => parsed.scheme().to_owned(),
        },
        Err(_) => "an unparsable location".to_owned(),
    }
}

/// Refuses anything but an absolute `https` URL for an endpoint that receives a secret.
pub fn require_https(url: &str, what: &str) -> Result<(), ProviderError> {
    match url::Url::parse(url) {
        Ok(parsed) if parsed.scheme() == "https" && parsed.host_str().is_some() => Ok(()),
        _ => Err(ProviderError::new(
            ErrorKind::InvalidRequest,
            format!(
                "{what} {} is not an https URL; secrets are only sent over https",
                host_of(url)
            ),
        )
        .with_hint("use the https address of the service")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_shown_without_paths_and_only_https_is_accepted() {
        assert_eq!(
            host_of("http://evil.test:8080/steal?code=x"),
            "http://evil.test:8080"
        );
        assert_eq!(
            host_of("https://login.microsoftonline.com/t/oauth2"),
            "https://login.microsoftonline.com"
        );
        assert_eq!(host_of("::"), "an unparsable location");
        assert!(require_https("https://login.microsoftonline.com/", "the authority").is_ok());
        for bad in [
            "http://login.microsoftonline.com/",
            "ftp://x/",
            "login.microsoftonline.com",
            "https:///",
        ] {
            let err = require_https(bad, "the authority").expect_err(bad);
            assert!(
                err.message.contains("is not an https URL"),
                "{}",
                err.message
            );
        }
    }
}
