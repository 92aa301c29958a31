//! [`InteractiveProvider`]: PKCE, loopback listener, browser, code redemption.

use std::net::TcpListener;
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
        let (listener, redirect_uri, path) = listen(request.redirect_url.as_deref())?;
        let verifier = random_token(32)?;
        let challenge = URL_SAFE_NO_PAD.encode(
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref(),
        );
        let state = random_token(16)?;
        let scope = user_scope(request);
        let mut authorize =
            url::Url::parse(&format!("{}/oauth2/v2.0/authorize", client.authority())).map_err(
                |_| {
                    ProviderError::new(ErrorKind::InvalidRequest, "the authority host is not a URL")
                },
            )?;
        {
            let mut query = authorize.query_pairs_mut();
            query
                .append_pair("client_id", &request.client_id)
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", &redirect_uri)
                .append_pair("scope", &scope)
                .append_pair("state", &state)
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256")
                .append_pair("response_mode", "form_post")
                .append_pair("prompt", "select_account");
            if let Some(hint) = &request.login_hint {
                query.append_pair("login_hint", hint);
            }
        }
        let url = authorize.to_string();
        if browser::open(&url, request.browser_command.as_deref(), host) {
            host.message(&format!(
                "Opened the browser for sign-in. If it did not open, visit:\n{url}"
            ));
        } else {
            host.message(&format!(
                "Could not open a browser. To sign in, open this URL:\n{url}"
            ));
        }
        let outcome = loopback::wait(&listener, &path, &state, Instant::now() + SIGN_IN_WINDOW)
            .ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::Timeout,
                    "the browser sign-in was not completed in time",
                )
                .with_hint("run the command again")
            })?;
        drop(listener);
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
        let endpoint = client.token_endpoint(false);
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", request.client_id.as_str()),
            ("code", code.expose()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", verifier.as_str()),
            ("scope", scope.as_str()),
        ];
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

/// Binds the loopback listener: `--redirect-url`'s port and path, else a free port on 127.0.0.1.
fn listen(redirect_url: Option<&str>) -> Result<(TcpListener, String, String), ProviderError> {
    let bad = |why: String| {
        ProviderError::new(ErrorKind::InvalidRequest, why)
            .with_hint("use --redirect-url http://localhost:<port>/ or leave it out")
    };
    match redirect_url {
        None => {
            let listener = TcpListener::bind("127.0.0.1:0")
                .map_err(|err| bad(format!("cannot listen on 127.0.0.1: {err}")))?;
            let port = listener
                .local_addr()
                .map_err(|err| bad(err.to_string()))?
                .port();
            Ok((
                listener,
                format!("http://localhost:{port}/"),
                "/".to_owned(),
            ))
        }
        Some(given) => {
            let parsed = url::Url::parse(given)
                .map_err(|_| bad(format!("--redirect-url {given:?} is not a URL")))?;
            let host = parsed.host_str().unwrap_or_default();
            if parsed.scheme() != "http" || !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
                return Err(bad(format!(
                    "--redirect-url {given:?} must be an http loopback address"
                )));
            }
            let port = parsed
                .port()
                .ok_or_else(|| bad(format!("--redirect-url {given:?} needs a port")))?;
            let listener = TcpListener::bind(("127.0.0.1", port))
                .map_err(|err| bad(format!("cannot listen on port {port}: {err}")))?;
            Ok((listener, given.to_owned(), parsed.path().to_owned()))
        }
    }
}
