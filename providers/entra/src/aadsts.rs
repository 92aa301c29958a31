//! Entra ID error bodies → typed provider errors with hints.
//!
//! Entra answers failures with `{"error": "...", "error_description": "AADSTS…: …",
//! "error_codes": [...]}`. The description's first sentence is safe to show (it names the
//! problem, never the secret we sent); trace and correlation ids are dropped.

use kubectl_aad_contract::{ErrorKind, ProviderError};
use serde::Deserialize;

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<u64>,
}

/// The AADSTS code of an error description (`AADSTS7000215: ...` → 7000215).
fn code_of(body: &ErrorBody) -> Option<u64> {
    body.error_codes.first().copied().or_else(|| {
        let rest = body.error_description.split("AADSTS").nth(1)?;
        rest.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    })
}

/// The first line of the description, without Entra's trace/correlation lines, safe for the
/// terminal.
fn summary(description: &str) -> String {
    let first = description.lines().next().unwrap_or_default().trim();
    let first = first.split(" Trace ID:").next().unwrap_or(first);
    crate::text::one_line(first, 400)
        .trim_end_matches('.')
        .to_owned()
}

/// What to tell the user for well-known codes.
fn hint_for(code: u64) -> Option<&'static str> {
    Some(match code {
        7000215 | 7000222 => {
            "check --client-secret (or AZURE_CLIENT_SECRET): it is wrong or has expired"
        }
        700027 => {
            "the certificate does not match one registered on the application, or it has expired; check --client-certificate"
        }
        700016 => "check --client-id and --tenant-id: the application is not in this tenant",
        90002 | 90023 => {
            "check --tenant-id: the tenant does not exist in this cloud (--environment)"
        }
        50034 | 50126 => "check --username and --password",
        53003 | 53000 | 53001 | 530003 => {
            "Conditional Access blocked this sign-in; use `-l interactive` (browser sign-in on a compliant device)"
        }
        50173 | 70043 | 700082 | 50078 | 50079 => "the sign-in session expired; sign in again",
        700024 => {
            "the federated token is expired or not yet valid; check the token file or its issuer"
        }
        70021 | 700211 | 700212 | 700213 => {
            "add a federated identity credential to the application whose issuer, subject and audience (api://AzureADTokenExchange) match this token"
        }
        50013 | 50166 => {
            "Entra ID could not verify the federated token with its issuer's keys; check the issuer URL of the federated identity credential"
        }
        _ => return None,
    })
}

/// The OAuth `error` code of a body, if it has one.
pub fn oauth_error(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| b.error)
        .filter(|e| !e.is_empty())
}

/// Builds the provider error for a failed token request.
pub fn to_provider_error(status: u16, body: &[u8], endpoint: &str) -> ProviderError {
    let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) else {
        let kind = if status >= 500 || status == 429 {
            ErrorKind::Network
        } else {
            ErrorKind::Authentication
        };
        return ProviderError::new(kind, format!("{endpoint} answered HTTP {status}"));
    };
    let code = code_of(&parsed);
    let kind = match parsed.error.as_str() {
        "invalid_grant"
            if matches!(
                code,
                Some(50173 | 70043 | 700082 | 70008 | 50078 | 50079 | 9002313)
            ) || parsed.error_description.contains("refresh token") =>
        {
            ErrorKind::InvalidGrant
        }
        "interaction_required" => ErrorKind::InteractionRequired,
        "temporarily_unavailable" | "server_error" => ErrorKind::Network,
        _ if status >= 500 || status == 429 => ErrorKind::Network,
        _ => ErrorKind::Authentication,
    };
    let what = if parsed.error_description.is_empty() {
        crate::text::one_line(&parsed.error, 100)
    } else {
        summary(&parsed.error_description)
    };
    let mut err = ProviderError::new(
        kind,
        format!(
            "Entra ID refused the token request ({}): {what}",
            if parsed.error.is_empty() {
                "error".to_owned()
            } else {
                crate::text::one_line(&parsed.error, 60)
            }
        ),
    );
    if let Some(hint) = code.and_then(hint_for) {
        err = err.with_hint(hint);
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_a_wrong_secret_with_a_hint() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.\r\nTrace ID: x\r\nCorrelation ID: y","error_codes":[7000215]}"#;
        let err = to_provider_error(401, body, "https://login/t/oauth2/v2.0/token");
        assert_eq!(err.kind, ErrorKind::Authentication);
        assert!(err.message.starts_with("Entra ID refused the token request (invalid_client): AADSTS7000215: Invalid client secret provided"), "{}", err.message);
        assert!(!err.message.contains("Trace ID"));
        assert!(
            err.hint
                .as_deref()
                .is_some_and(|h| h.contains("--client-secret"))
        );
    }

    #[test]
    fn dead_refresh_tokens_are_invalid_grant_and_conditional_access_gets_its_hint() {
        let body = br#"{"error":"invalid_grant","error_description":"AADSTS70043: The refresh token has expired"}"#;
        assert_eq!(
            to_provider_error(400, body, "e").kind,
            ErrorKind::InvalidGrant
        );
        let body = br#"{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies."}"#;
        assert!(
            to_provider_error(400, body, "e")
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("-l interactive"))
        );
    }

    #[test]
    fn non_json_bodies_and_server_errors() {
        assert_eq!(
            to_provider_error(503, b"<html>", "e").kind,
            ErrorKind::Network
        );
        assert_eq!(
            to_provider_error(500, br#"{"error":"server_error"}"#, "e").kind,
            ErrorKind::Network
        );
    }
}
