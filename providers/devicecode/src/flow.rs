//! [`DeviceCodeProvider`]: request a code, show the message, poll.

use std::time::{Duration, Instant};

use kubectl_aad_contract::{
    ErrorKind, Host, Provider, ProviderError, Secret, TokenRequest, TokenSet,
};
use kubectl_aad_entra::{EntraClient, browser, http, user_scope};
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

/// v2.0 sends numbers, v1 sends strings.
fn seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::Number(n) => n.as_u64().unwrap_or(0),
        serde_json::Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

impl Provider for DeviceCodeProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let client = EntraClient::new(request)?;
        let scope = user_scope(request);
        let (code_endpoint, code_form): (String, Vec<(&str, &str)>) = if request.legacy {
            (
                format!("{}/oauth2/devicecode", client.authority()),
                vec![
                    ("client_id", &request.client_id),
                    ("resource", &request.server_id),
                ],
            )
        } else {
            (
                format!("{}/oauth2/v2.0/devicecode", client.authority()),
                vec![("client_id", &request.client_id), ("scope", &scope)],
            )
        };
        let answer = http::send(
            client.http().post(&code_endpoint).form(&code_form),
            &code_endpoint,
        )?;
        let (status, body) = (answer.status, answer.body);
        if !status.is_success() {
            return Err(kubectl_aad_entra::aadsts::to_provider_error(
                status.as_u16(),
                &body,
                &code_endpoint,
            ));
        }
        let authorization: DeviceAuthorization = serde_json::from_slice(&body).map_err(|_| {
            ProviderError::new(
                ErrorKind::Internal,
                format!("{code_endpoint} answered with a body that is not a device authorization"),
            )
        })?;
        host.message(authorization.message.as_deref().unwrap_or(&format!(
            "To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
            authorization.verification_uri, authorization.user_code
        ))); // A person is at this terminal: open the page for them; the code is on their screen.
        if request.interactive
            && browser::open(
                &authorization.verification_uri,
                request.browser_command.as_deref(),
                host,
            )
        {
            host.message(&format!(
                "Opened {} in the browser; enter the code there.",
                authorization.verification_uri
            ));
        }

        let token_endpoint = client.token_endpoint(request.legacy);
        let mut form: Vec<(&str, &str)> = vec![("client_id", &request.client_id)];
        if request.legacy {
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
        let deadline = Instant::now() + Duration::from_secs(authorization.expires_in.max(1));
        let mut interval = Duration::from_secs(authorization.interval.max(1));
        loop {
            std::thread::sleep(interval);
            if Instant::now() >= deadline {
                return Err(expired());
            }
            match client.post_token_detailed(&token_endpoint, &form) {
                Ok(tokens) => return tokens.into_token_set(host.now_secs()),
                Err(failure) => match failure.oauth_error.as_deref() {
                    Some("authorization_pending") => {
                        host.debug("waiting for the sign-in to complete")
                    }
                    Some("slow_down") => interval += Duration::from_secs(5),
                    Some("expired_token" | "code_expired") => return Err(expired()),
                    _ => return Err(failure.error),
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

fn expired() -> ProviderError {
    ProviderError::new(
        ErrorKind::Timeout,
        "the device code expired before the sign-in was completed",
    )
    .with_hint("run the command again and enter the new code")
}
