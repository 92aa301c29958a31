//! [`DeviceCodeProvider`]: request a code, show the message, poll.

use std::time::{Duration, Instant};

use kubectl_aad_contract::{
    ErrorKind, Host, Provider, ProviderError, Secret, TokenRequest, TokenSet,
};
use kubectl_aad_entra::{EntraClient, aadsts, browser, http, text, user_scope};
use serde::Deserialize;

/// The device code grant.
pub struct DeviceCodeProvider;

#[derive(Deserialize)]
struct DeviceAuthorization {
    device_code: Secret,
    user_code: String,
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(deserialize_with = "seconds")]
    expires_in: u64,
    #[serde(default, deserialize_with = "seconds")]
    interval: u64,
    #[serde(default)]
    message: Option<String>,
}

/// v2.0 sends numbers, v1 sends strings; anything else counts as absent (0), and the bounds
/// below decide.
fn seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(kubectl_aad_entra::expiry::seconds(&value).unwrap_or(0))
}

/// The longest a code is polled for, whatever the authority says (Entra ID's live 15 minutes):
/// no endless wait holding the cache lock.
const MAX_CODE_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// The polling interval: at least a second (no hammering), at most half a minute (no sleeping
/// past a code's life), whatever the authority or `slow_down` says.
const INTERVAL: std::ops::RangeInclusive<Duration> =
    Duration::from_secs(1)..=Duration::from_secs(30);

/// A device authorization, bounded and ready to show.
pub(crate) struct Authorization {
    pub(crate) device_code: Secret,
    pub(crate) verification_uri: String,
    /// The line for the user, safe for the terminal.
    pub(crate) message: String,
    /// How long to poll.
    pub(crate) lifetime: Duration,
    /// How often to poll.
    pub(crate) interval: Duration,
}

/// Reads the `/devicecode` answer; `None` when it is not one.
pub(crate) fn parse_authorization(body: &[u8]) -> Option<Authorization> {
    let raw: DeviceAuthorization = serde_json::from_slice(body).ok()?;
    // The authority's words reach the user's terminal: no escape sequences, one line.
    let message = raw.message.clone().unwrap_or_else(|| {
        format!(
            "To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
            raw.verification_uri, raw.user_code
        )
    });
    Some(Authorization {
        message: text::one_line(&message, 500),
        lifetime: Duration::from_secs(raw.expires_in.max(1)).min(MAX_CODE_LIFETIME),
        interval: bounded_interval(Duration::from_secs(raw.interval)),
        device_code: raw.device_code,
        verification_uri: raw.verification_uri,
    })
}

fn bounded_interval(interval: Duration) -> Duration {
    interval.clamp(*INTERVAL.start(), *INTERVAL.end())
}

impl Provider for DeviceCodeProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let client = EntraClient::new(request)?;
        let scope = user_scope(request);
        let code_endpoint = client.endpoint("devicecode");
        let code_form: Vec<(&str, &str)> = match client.v1() {
            true => vec![
                ("client_id", &request.client_id),
                ("resource", &request.server_id),
            ],
            false => vec![("client_id", &request.client_id), ("scope", &scope)],
        };
        let answer = http::send(
            client.http().post(&code_endpoint).form(&code_form),
            &code_endpoint,
        )?;
        let (status, body) = (answer.status, answer.body);
        if !status.is_success() {
            return Err(aadsts::to_provider_error(
                status.as_u16(),
                &body,
                &code_endpoint,
                aadsts::Grant::UserSignIn,
            ));
        }
        let authorization = parse_authorization(&body).ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Internal,
                format!("{code_endpoint} answered with a body that is not a device authorization"),
            )
        })?;
        host.message(&authorization.message);
        // A person is at this terminal: open the page for them; the code is on their screen.
        if request.interactive {
            let page = text::one_line(&authorization.verification_uri, 200);
            match browser::open(
                &authorization.verification_uri,
                request.browser_command.as_deref(),
                host,
            ) {
                Ok(()) => host.message(&format!(
                    "Opened {page} in the browser; enter the code there."
                )),
                Err(why) => host.message(&format!(
                    "Could not open a browser: {why}; open {page} yourself."
                )),
            }
        }

        let token_endpoint = client.token_endpoint();
        let mut form: Vec<(&str, &str)> = vec![("client_id", &request.client_id)];
        if client.v1() {
            form.extend([
                ("grant_type", "device_code"),
                ("code", authorization.device_code.expose()),
                ("resource", request.server_id.as_str()),
            ]);
        } else {
            form.extend([
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", authorization.device_code.expose()),
            ]);
        }
        // Nobody sees the code in an unattended run (kubectl under a script or a TUI): wait only
        // `--timeout`, then name the command that shows it to a person.
        let unattended_wait = Duration::from_secs(request.timeout_secs.max(1));
        let deadline = match request.attended {
            true => Instant::now() + authorization.lifetime,
            false => Instant::now() + authorization.lifetime.min(unattended_wait),
        };
        let mut interval = authorization.interval;
        loop {
            std::thread::sleep(interval);
            if Instant::now() >= deadline {
                return Err(match request.attended {
                    true => expired(),
                    false => unattended(unattended_wait),
                });
            }
            match client.post_token_detailed(&token_endpoint, &form) {
                Ok(tokens) => return tokens.into_token_set(host.now_secs()),
                Err(failure) => match failure.oauth_error.as_deref() {
                    Some("authorization_pending") => {
                        host.debug("waiting for the sign-in to complete")
                    }
                    Some("slow_down") => {
                        interval = bounded_interval(interval + Duration::from_secs(5))
                    }
                    Some(ending) => match aadsts::device_code_ending(ending) {
                        Some((meaning, fix)) => {
                            return Err(ProviderError::new(ErrorKind::Authentication, meaning)
                                .with_hint(fix));
                        }
                        None => return Err(failure.error),
                    },
                    None => return Err(failure.error),
                },
            }
        }
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

/// The host adds the `login` command to run in a terminal.
fn unattended(waited: Duration) -> ProviderError {
    ProviderError::new(
        ErrorKind::InteractionRequired,
        format!(
            "nobody entered the device code within {}s, and this run has no terminal to show it on",
            waited.as_secs()
        ),
    )
}

fn expired() -> ProviderError {
    ProviderError::new(
        ErrorKind::Timeout,
        "the device code expired before the sign-in was completed",
    )
    .with_hint("run the command again and enter the new code")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authoritys_numbers_and_words_are_bounded() {
        let hostile = br#"{"device_code":"d","user_code":"u","verification_uri":"https://x","expires_in":99999999999999,"interval":86400,"message":"\u001b[2Jopen https://x\u0007 now"}"#;
        let authorization = parse_authorization(hostile).expect("parses");
        assert_eq!(authorization.lifetime, MAX_CODE_LIFETIME);
        assert_eq!(authorization.interval, Duration::from_secs(30));
        assert_eq!(authorization.message, "open https://x now");
        let shy = br#"{"device_code":"d","user_code":"u","verification_uri":"https://x","expires_in":-1,"interval":"zero"}"#;
        let authorization = parse_authorization(shy).expect("parses");
        assert_eq!(
            (authorization.lifetime, authorization.interval),
            (Duration::from_secs(1), Duration::from_secs(1))
        );
        assert!(parse_authorization(b"[]").is_none());
    }
}
