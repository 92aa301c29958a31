//! A managed-identity endpoint's refusal → one line: the service's own words (in whichever
//! shape the platform uses) and what they mean for the user.
//!
//! * IMDS: `{"error": "invalid_request", "error_description": "Identity not found"}`;
//! * App Service: `{"statusCode": 400, "message": "No MSI found for specified ClientId/ResourceId.", "correlationId": …}`;
//! * Cloud Shell: `{"error": {"code": "AudienceNotSupported", "message": …}}` (`error` is an object);
//! * a proxy that answers for 169.254.169.254 where there is no Azure (Docker Desktop): plain
//!   text, e.g. a 403 about an unreachable network.

use kubectl_aad_contract::{ErrorKind, ProviderError, TokenRequest};
use kubectl_aad_entra::text;
use serde_json::Value;

/// The service's code (when it gives one) and message.
fn service_words(body: &[u8]) -> (Option<String>, String) {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        // Not JSON: a proxy's or a platform's plain text.
        let plain = String::from_utf8_lossy(body);
        return (
            None,
            text::one_line(plain.lines().next().unwrap_or_default(), 300),
        );
    };
    let field =
        |value: &Value, name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    let (code, message) = match json.get("error") {
        Some(Value::Object(_)) => {
            let inner = &json["error"];
            (field(inner, "code"), field(inner, "message"))
        }
        Some(Value::String(error)) => (
            Some(error.clone()),
            field(&json, "error_description").or_else(|| field(&json, "message")),
        ),
        _ => (
            None,
            field(&json, "message").or_else(|| field(&json, "Message")),
        ),
    };
    let message = message.or_else(|| code.clone()).unwrap_or_default();
    (
        code.map(|c| text::one_line(&c, 60)),
        text::one_line(message.lines().next().unwrap_or_default(), 300),
    )
}

/// The user's identity as the request names it.
fn named(request: &TokenRequest) -> String {
    if !request.client_id.is_empty() {
        format!("client id {}", request.client_id)
    } else if let Some(id) = &request.identity_resource_id {
        format!("resource id {id}")
    } else {
        "the system-assigned identity".to_owned()
    }
}

/// The one line for an endpoint (`what`) that refused with `status` and `body`.
pub(crate) fn refusal(
    what: &str,
    status: u16,
    body: &[u8],
    request: &TokenRequest,
    transient: bool,
) -> ProviderError {
    let (code, said) = service_words(body);
    let message = match said.is_empty() {
        true => format!("{what} answered {status}"),
        false => format!("{what} answered {status}: {said}"),
    };
    let lower = said.to_ascii_lowercase();
    let hint = if lower.contains("identity not found")
        || lower.contains("no msi found")
        || lower.contains("no managed identity")
    {
        Some(format!(
            "{} is not assigned to this machine: assign it, or pass the --client-id of an identity that is (a stray AZURE_CLIENT_ID also selects one; --disable-environment-override ignores it)",
            named(request)
        ))
    } else if code.as_deref() == Some("AudienceNotSupported") {
        Some(format!(
            "Cloud Shell issues managed-identity tokens only for some audiences, not {}; in Cloud Shell use -l azurecli (az is signed in there)",
            request.server_id
        ))
    } else if status == 403 && (lower.contains("unreachable") || lower.contains("connect")) {
        Some("there is no managed identity here: something (Docker Desktop, a proxy) answered for 169.254.169.254 on a machine that is not in Azure; use another --login, e.g. azurecli".to_owned())
    } else if status == 401 || status == 403 {
        Some("the identity endpoint refused the request: IDENTITY_HEADER may be stale (restart the app) or the request was not from this machine".to_owned())
    } else if transient {
        Some("the identity endpoint is busy or unavailable; retry in a minute".to_owned())
    } else {
        None
    };
    let kind = if transient {
        ErrorKind::Network
    } else {
        ErrorKind::Authentication
    };
    let err = ProviderError::new(kind, message);
    match hint {
        Some(hint) => err.with_hint(hint),
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> TokenRequest {
        TokenRequest {
            client_id: "55555555-5555-5555-5555-555555555555".into(),
            server_id: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
            ..TokenRequest::new(kubectl_aad_contract::LoginMode::Msi)
        }
    }

    #[test]
    fn every_platforms_shape_keeps_its_words_and_gets_its_meaning() {
        let cases: [(u16, &str, &str, &str); 4] = [
            (
                400,
                r#"{"error":"invalid_request","error_description":"Identity not found"}"#,
                "Identity not found",
                "client id 55555555-5555-5555-5555-555555555555 is not assigned",
            ),
            (
                400,
                r#"{"statusCode":400,"message":"No MSI found for specified ClientId/ResourceId.","correlationId":"c"}"#,
                "No MSI found for specified ClientId/ResourceId.",
                "is not assigned to this machine",
            ),
            (
                400,
                r#"{"error":{"code":"AudienceNotSupported","message":"Audience x is not a supported MSI token audience."}}"#,
                "Audience x is not a supported MSI token audience.",
                "use -l azurecli",
            ),
            (
                403,
                "connecting to 169.254.169.254:80: dial tcp 169.254.169.254:80: connectex: A socket operation was attempted to an unreachable network.",
                "A socket operation was attempted to an unreachable network",
                "there is no managed identity here",
            ),
        ];
        for (status, body, said, hint) in cases {
            let err = refusal("IMDS", status, body.as_bytes(), &request(), false);
            assert!(err.message.contains(said), "{}", err.message);
            assert!(!err.message.contains('{'), "no raw JSON: {}", err.message);
            assert!(
                err.hint.as_deref().is_some_and(|h| h.contains(hint)),
                "{:?}",
                err.hint
            );
        }
    }
}
