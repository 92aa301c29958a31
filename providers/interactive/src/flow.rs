//! [`InteractiveProvider`]: PKCE, loopback listener, browser, code redemption.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, TcpListener};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kubectl_aad_contract::{
    ErrorKind, Host, Provider, ProviderError, Secret, TokenRequest, TokenSet,
};
use kubectl_aad_entra::{EntraClient, browser, user_scope};

use crate::loopback::{self, Outcome};

/// How long a person has to finish signing in (not the network timeout: kubelogin's #641).
const SIGN_IN_WINDOW: Duration = Duration::from_secs(10 * 60);

/// The browser sign-in.
pub struct InteractiveProvider;

fn random_token(bytes: usize) -> Result<String, ProviderError> {
    let mut buffer = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buffer)
        .map_err(|_| ProviderError::new(ErrorKind::Internal, "no randomness for PKCE"))?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

impl Provider for InteractiveProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        if !request.interactive {
            return Err(ProviderError::new(
                ErrorKind::InteractionRequired,
                "interactive sign-in needs a person at a browser, but this run is not interactive",
            ));
        }
        let client = EntraClient::new(request)?;
        let (listeners, redirect_uri, path) = listen(request.redirect_url.as_deref())?;
        let verifier = random_token(32)?;
        let challenge = URL_SAFE_NO_PAD.encode(
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref(),
        );
        let state = random_token(16)?;
        let scope = user_scope(request);
        let mut authorize = url::Url::parse(&client.endpoint("authorize")).map_err(|_| {
            ProviderError::new(ErrorKind::InvalidRequest, "the authority host is not a URL")
        })?;
        {
            let mut query = authorize.query_pairs_mut();
            query
                .append_pair("client_id", &request.client_id)
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", &redirect_uri)
                .append_pair("state", &state)
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256")
                .append_pair("response_mode", "form_post")
                .append_pair("prompt", "select_account");
            match client.v1() {
                true => query.append_pair("resource", &request.server_id),
                false => query.append_pair("scope", &scope),
            };
            if let Some(hint) = &request.login_hint {
                query.append_pair("login_hint", hint);
            }
        }
        let url = authorize.to_string();
        match browser::open(&url, request.browser_command.as_deref(), host) {
            Ok(()) => host.message(&format!(
                "Opened the browser for sign-in. If it did not open, visit:\n{url}"
            )),
            Err(why) => host.message(&format!(
                "Could not open a browser: {why}. To sign in, open this URL:\n{url}"
            )),
        }
        let outcome = loopback::wait(&listeners, &path, &state, Instant::now() + SIGN_IN_WINDOW)
            .ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::Timeout,
                    "the browser sign-in was not completed in time",
                )
                .with_hint("run the command again")
            })?;
        drop(listeners);
        let code = match outcome {
            Outcome::Code(code) => Secret::new(code),
            Outcome::Error { error, description } => {
                return Err(ProviderError::new(
                    ErrorKind::Authentication,
                    format!(
                        "the sign-in failed ({}): {}",
                        kubectl_aad_entra::text::one_line(&error, 60),
                        kubectl_aad_entra::text::one_line(
                            description.lines().next().unwrap_or_default(),
                            300
                        )
                    ),
                ));
            }
        };
        let endpoint = client.token_endpoint();
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", request.client_id.as_str()),
            ("code", code.expose()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", verifier.as_str()),
        ];
        match client.v1() {
            true => form.push(("resource", request.server_id.as_str())),
            false => form.push(("scope", scope.as_str())),
        }
        form.extend(request.pop_params());
        client
            .post_token(&endpoint, &form)?
            .into_token_set(host.now_secs())
    }

    fn refresh(
        &self,
        request: &TokenRequest,
        refresh_token: &Secret,
        host: &dyn Host,
    ) -> Result<TokenSet, ProviderError> {
        EntraClient::new(request)?.refresh(request, refresh_token, host.now_secs())
    }
}

/// Binds the loopback listeners for the redirect URI. Without `--redirect-url`: a free port,
/// named `http://localhost:<port>/` as MSAL (and so kubelogin) sends it, on both 127.0.0.1 and
/// ::1 because a browser may resolve `localhost` to either. With it: the port and path it names,
/// on the address it names (`localhost`: both again).
fn listen(redirect_url: Option<&str>) -> Result<(Vec<TcpListener>, String, String), ProviderError> {
    let bad = |why: String| {
        ProviderError::new(ErrorKind::InvalidRequest, why)
            .with_hint("use --redirect-url http://localhost:<port>/ or leave it out")
    };
    let v4 = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let v6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
    let Some(given) = redirect_url else {
        let first = TcpListener::bind((v4, 0))
            .map_err(|err| bad(format!("cannot listen on 127.0.0.1: {err}")))?;
        let port = first
            .local_addr()
            .map_err(|err| bad(err.to_string()))?
            .port();
        let mut listeners = vec![first];
        // Best effort: a machine without IPv6 still has 127.0.0.1.
        listeners.extend(TcpListener::bind((v6, port)).ok());
        return Ok((
            listeners,
            format!("http://localhost:{port}/"),
            "/".to_owned(),
        ));
    };
    let parsed = url::Url::parse(given)
        .map_err(|_| bad(format!("--redirect-url {given:?} is not a URL")))?;
    let addresses = match parsed.host() {
        Some(url::Host::Domain("localhost")) => vec![v4, v6],
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => vec![IpAddr::V4(ip)],
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => vec![IpAddr::V6(ip)],
        _ => Vec::new(),
    };
    if parsed.scheme() != "http" || addresses.is_empty() {
        return Err(bad(format!(
            "--redirect-url {given:?} must be an http loopback address (localhost, 127.0.0.1 or [::1])"
        )));
    }
    let port = parsed
        .port()
        .ok_or_else(|| bad(format!("--redirect-url {given:?} needs a port")))?;
    let mut listeners = Vec::new();
    let mut failure = None;
    for address in addresses {
        match TcpListener::bind((address, port)) {
            Ok(listener) => listeners.push(listener),
            Err(err) => failure = Some(format!("cannot listen on {address} port {port}: {err}")),
        }
    }
    match (listeners.is_empty(), failure) {
        (true, Some(why)) => Err(bad(why)),
        _ => Ok((listeners, given.to_owned(), parsed.path().to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("port")
    }

    #[test]
    fn the_listeners_are_on_the_address_the_url_names() {
        let (listeners, uri, path) = listen(None).expect("default");
        assert!(uri.starts_with("http://localhost:") && path == "/", "{uri}");
        assert!(listeners[0].local_addr().expect("addr").ip().is_loopback());

        let port = free_port();
        let url = format!("http://[::1]:{port}/callback");
        if let Ok((listeners, uri, path)) = listen(Some(&url)) {
            // Only where the machine has IPv6 loopback.
            let addresses: Vec<_> = listeners
                .iter()
                .filter_map(|l| l.local_addr().ok())
                .collect();
            assert!(
                addresses.iter().all(|a| a.is_ipv6() && a.port() == port),
                "{addresses:?}"
            );
            assert_eq!((uri.as_str(), path.as_str()), (url.as_str(), "/callback"));
        }
        let port = free_port();
        let (listeners, _, _) = listen(Some(&format!("http://127.0.0.1:{port}/"))).expect("v4");
        assert_eq!(listeners.len(), 1);
        assert!(listeners[0].local_addr().expect("addr").is_ipv4());
    }

    #[test]
    fn only_http_loopback_urls_with_a_port_are_taken() {
        for url in [
            "https://localhost:8400/",
            "http://example.com:8400/",
            "http://10.0.0.1:8400/",
            "http://localhost/",
            "not a url",
        ] {
            let err = listen(Some(url)).expect_err(url);
            assert!(err.hint.is_some(), "{url}: {}", err.message);
        }
    }
}
