//! Entra ID error answers → one typed provider error that says why in words and how to fix it.
//!
//! Entra answers failures with `{"error", "error_description": "AADSTS…: …", "error_codes",
//! "suberror", "claims", "trace_id", "correlation_id", …}`. The class of a failure — and so
//! what the host does next — comes from the AADSTS code first (the OAuth `error` alone misleads:
//! a refresh token expired by a sign-in frequency policy, AADSTS70043, arrives as
//! `interaction_required`), then from `suberror`, then from `error`. [`TABLE`] is the one place
//! every flow reads a code's meaning and fix from. The service's own first sentence is kept,
//! stripped of control characters and bounded, before the fix; trace and correlation ids, the
//! `claims` challenge and raw JSON never reach the user.

use kubectl_aad_contract::{ErrorKind, ProviderError};
use serde::Deserialize;

/// What kind of failure a code is: decides the host's next step and the shape of the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The refresh token (or device code, auth code) is dead: drop it and sign in again.
    DeadGrant,
    /// A person must act (MFA, consent, a Conditional Access challenge): sign in interactively.
    NeedsInteraction,
    /// Conditional Access blocks this sign-in (device, location, platform).
    ConditionalAccess,
    /// The application's credential (secret, certificate) is wrong or expired.
    ClientCredential,
    /// The user's credential or account is wrong, locked or disabled.
    UserCredential,
    /// The application or resource is unknown, or not set up for this flow.
    Application,
    /// The tenant does not exist in this cloud.
    Tenant,
    /// A federated (workload identity) credential does not match the token.
    Federation,
    /// Entra ID is unavailable right now: retry.
    Transient,
    /// Anything else.
    Other,
}

/// How the failed request was made: some fixes depend on it (a password grant cannot do MFA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// A refresh token was redeemed.
    Refresh,
    /// User name and password (ropc).
    Password,
    /// Device code, authorization code: a person signing in.
    UserSignIn,
    /// Client credentials (secret, certificate, federated assertion).
    Client,
}

/// One known code.
pub struct Code {
    /// The AADSTS number.
    pub code: u64,
    /// Its class.
    pub class: Class,
    /// What it means, in words.
    pub meaning: &'static str,
    /// How to fix it (for [`Class::NeedsInteraction`] and [`Class::ConditionalAccess`] the
    /// grant-specific fix comes first).
    pub fix: &'static str,
}

const fn code(code: u64, class: Class, meaning: &'static str, fix: &'static str) -> Code {
    Code {
        code,
        class,
        meaning,
        fix,
    }
}

use Class::*;

/// The AADSTS codes kubectl-aad users meet, with their meaning and fix.
pub const TABLE: &[Code] = &[
    code(
        50076,
        NeedsInteraction,
        "multi-factor authentication is required",
        "sign in again with a person at the browser",
    ),
    code(
        50079,
        NeedsInteraction,
        "the user must register for multi-factor authentication",
        "sign in once with -l interactive to register, then retry",
    ),
    code(
        50078,
        NeedsInteraction,
        "the multi-factor authentication presented has expired",
        "sign in again with a person at the browser",
    ),
    code(
        50158,
        NeedsInteraction,
        "an external security challenge (Conditional Access) was not satisfied",
        "sign in again with a person at the browser",
    ),
    code(
        65001,
        NeedsInteraction,
        "the user or an administrator has not consented to the application",
        "grant consent for the application (an administrator may have to), or sign in with -l interactive to consent",
    ),
    code(
        53000,
        ConditionalAccess,
        "Conditional Access requires a compliant or managed device",
        "use -l interactive (browser sign-in on a compliant device)",
    ),
    code(
        53001,
        ConditionalAccess,
        "Conditional Access requires a domain-joined device",
        "use -l interactive (browser sign-in on a compliant device)",
    ),
    code(
        53003,
        ConditionalAccess,
        "Conditional Access blocked this sign-in",
        "use -l interactive (browser sign-in on a compliant device), or ask an administrator which policy applies",
    ),
    code(
        530003,
        ConditionalAccess,
        "Conditional Access requires a managed device",
        "use -l interactive (browser sign-in on a compliant device)",
    ),
    code(
        50126,
        UserCredential,
        "the user name or password is wrong",
        "check --username and --password",
    ),
    code(
        50034,
        UserCredential,
        "the user account does not exist in this tenant",
        "check --username and --tenant-id",
    ),
    code(
        50053,
        UserCredential,
        "the account is locked after too many failed sign-ins, or the sign-in came from a blocked address",
        "wait and retry, or ask an administrator to unlock the account",
    ),
    code(
        50057,
        UserCredential,
        "the user account is disabled",
        "ask an administrator to enable the account",
    ),
    code(
        50055,
        UserCredential,
        "the password has expired",
        "change the password (in a browser), then sign in again",
    ),
    code(
        50173,
        DeadGrant,
        "the sign-in is no longer valid: the password was changed or the session revoked",
        "sign in again",
    ),
    code(
        700082,
        DeadGrant,
        "the refresh token expired after too long without use",
        "sign in again",
    ),
    code(
        70043,
        DeadGrant,
        "the refresh token expired under a Conditional Access sign-in frequency policy",
        "sign in again",
    ),
    code(
        70008,
        DeadGrant,
        "the refresh token or authorization code expired",
        "sign in again",
    ),
    code(
        70000,
        DeadGrant,
        "the grant is invalid or malformed",
        "sign in again",
    ),
    code(
        9002313,
        DeadGrant,
        "the refresh token is invalid or malformed",
        "sign in again",
    ),
    code(
        54005,
        DeadGrant,
        "the authorization code was already redeemed",
        "sign in again",
    ),
    code(
        700016,
        Application,
        "the application is not found in this tenant",
        "check --client-id and --tenant-id",
    ),
    code(
        7000218,
        Application,
        "the application needs a client credential (it is not a public client)",
        "pass --client-secret or --client-certificate, or enable 'Allow public client flows' on the app registration",
    ),
    code(
        70011,
        Application,
        "the requested scope is invalid",
        "check --server-id",
    ),
    code(
        500011,
        Application,
        "the server application (resource) is not found in this tenant",
        "check --server-id (AKS: 6dae42f8-4368-4678-94ff-3960e28e3630) and --tenant-id",
    ),
    code(
        50011,
        Application,
        "the redirect URL does not match the application's",
        "check --redirect-url against the app registration's redirect URIs",
    ),
    code(
        900144,
        Application,
        "the request lacks a required parameter",
        "check --client-id and --server-id",
    ),
    code(
        7000215,
        ClientCredential,
        "the client secret is wrong",
        "check --client-secret (or AZURE_CLIENT_SECRET): it is wrong or has expired",
    ),
    code(
        7000222,
        ClientCredential,
        "the client secret has expired",
        "check --client-secret (or AZURE_CLIENT_SECRET): it is wrong or has expired; create a new one",
    ),
    code(
        700027,
        ClientCredential,
        "the certificate assertion does not match a certificate registered on the application, or the certificate has expired",
        "check --client-certificate",
    ),
    code(
        90002,
        Tenant,
        "the tenant does not exist in this cloud",
        "check --tenant-id and --environment",
    ),
    code(
        90023,
        Tenant,
        "the tenant is not valid in this cloud",
        "check --tenant-id and --environment",
    ),
    code(
        70021,
        Federation,
        "no federated identity credential matches the token",
        "add a federated identity credential to the application whose issuer, subject and audience (api://AzureADTokenExchange) match this token",
    ),
    code(
        700211,
        Federation,
        "no federated identity credential has the token's issuer",
        "add a federated identity credential to the application whose issuer, subject and audience (api://AzureADTokenExchange) match this token",
    ),
    code(
        700212,
        Federation,
        "no federated identity credential has the token's audience",
        "add a federated identity credential to the application whose issuer, subject and audience (api://AzureADTokenExchange) match this token",
    ),
    code(
        700213,
        Federation,
        "no federated identity credential has the token's subject",
        "add a federated identity credential to the application whose issuer, subject and audience (api://AzureADTokenExchange) match this token",
    ),
    code(
        700024,
        Federation,
        "the federated token is expired or not yet valid",
        "check the token file or its issuer",
    ),
    code(
        50013,
        Federation,
        "the federated token's signature could not be verified with its issuer's keys",
        "check the issuer URL of the federated identity credential",
    ),
    code(
        50166,
        Federation,
        "the federated token's issuer could not be reached for its keys",
        "check the issuer URL of the federated identity credential",
    ),
    code(90033, Transient, "Entra ID had a transient error", "retry"),
    code(
        50196,
        Transient,
        "Entra ID stopped a request loop",
        "wait a minute and retry",
    ),
];

/// The device-code polling answers that end a sign-in (RFC 8628), with their meaning and fix.
pub fn device_code_ending(error: &str) -> Option<(&'static str, &'static str)> {
    Some(match error {
        "authorization_declined" => (
            "the sign-in was declined",
            "run the command again and approve the sign-in",
        ),
        "bad_verification_code" => (
            "the device code was not recognised",
            "run the command again and enter the new code",
        ),
        "expired_token" | "code_expired" => (
            "the device code expired before the sign-in was completed",
            "run the command again and enter the new code",
        ),
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<serde_json::Value>,
    #[serde(default)]
    suberror: Option<String>,
}

/// The AADSTS code of an error body (`error_codes[0]`, else `AADSTS7000215: …` → 7000215).
fn code_of(body: &ErrorBody) -> Option<u64> {
    body.error_codes
        .first()
        .and_then(serde_json::Value::as_u64)
        .or_else(|| {
            let rest = body.error_description.split("AADSTS").nth(1)?;
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })
}

/// The class of a failure: by code first, then `suberror`, then `error`.
pub fn classify(error: &str, code: Option<u64>, suberror: Option<&str>, status: u16) -> Class {
    if let Some(known) = code.and_then(|c| TABLE.iter().find(|k| k.code == c)) {
        return known.class;
    }
    match (suberror, error) {
        (Some("bad_token" | "token_expired"), _) | (_, "invalid_grant") => DeadGrant,
        (Some("consent_required" | "basic_action" | "additional_action"), _)
        | (_, "interaction_required" | "consent_required") => NeedsInteraction,
        (_, "invalid_client" | "unauthorized_client") => ClientCredential,
        (_, "temporarily_unavailable" | "server_error") => Transient,
        _ if status >= 500 || status == 429 => Transient,
        _ => Other,
    }
}

/// The OAuth `error` code of a body, if it has one.
pub fn oauth_error(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| b.error)
        .filter(|e| !e.is_empty())
}

/// The first sentence of the description, without Entra's trace and correlation lines, safe
/// for the terminal and bounded.
fn summary(description: &str) -> String {
    let first = description.lines().next().unwrap_or_default().trim();
    let first = first.split(" Trace ID:").next().unwrap_or(first);
    crate::text::one_line(first, 300)
        .trim_end_matches('.')
        .to_owned()
}

/// The fix for a class and grant, when the table has none that fits better.
fn fix_for(class: Class, grant: Grant, known: Option<&Code>) -> Option<String> {
    let interactive = "use -l interactive (or -l devicecode where Conditional Access allows it): a password sign-in cannot do multi-factor authentication or Conditional Access";
    match (class, grant) {
        (NeedsInteraction | ConditionalAccess, Grant::Password) => Some(interactive.to_owned()),
        (DeadGrant, Grant::Refresh) => Some("sign in again".to_owned()),
        (Transient, _) => Some(known.map_or("retry in a minute", |k| k.fix).to_owned()),
        _ => known.map(|k| k.fix.to_owned()),
    }
}

/// Builds the provider error for a failed token request to `endpoint`, made with `grant`.
pub fn to_provider_error(status: u16, body: &[u8], endpoint: &str, grant: Grant) -> ProviderError {
    let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) else {
        let kind = match status {
            500.. | 429 => ErrorKind::Network,
            _ => ErrorKind::Authentication,
        };
        return ProviderError::new(kind, format!("{endpoint} answered HTTP {status}"))
            .with_hint("check --authority-host: the answer is not Entra ID's");
    };
    let code = code_of(&parsed);
    let class = classify(&parsed.error, code, parsed.suberror.as_deref(), status);
    let known = code.and_then(|c| TABLE.iter().find(|k| k.code == c));
    let kind = match class {
        DeadGrant => ErrorKind::InvalidGrant,
        NeedsInteraction => ErrorKind::InteractionRequired,
        Transient => ErrorKind::Network,
        _ => ErrorKind::Authentication,
    };
    let said = match parsed.error_description.is_empty() {
        true => crate::text::one_line(&parsed.error, 100),
        false => summary(&parsed.error_description),
    };
    let error = match parsed.error.is_empty() {
        true => "error".to_owned(),
        false => crate::text::one_line(&parsed.error, 60),
    };
    let message = match known {
        Some(known) => format!(
            "Entra ID refused the token request ({error}): {} — {said}",
            known.meaning
        ),
        None => format!("Entra ID refused the token request ({error}): {said}"),
    };
    let mut err = ProviderError::new(kind, message);
    if let Some(fix) = fix_for(class, grant, known) {
        err = err.with_hint(fix);
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(error: &str, code: u64, suberror: Option<&str>) -> Vec<u8> {
        serde_json::json!({
            "error": error,
            "error_description": format!("AADSTS{code}: Something happened.\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: 2026-12-01 20:00:00Z"),
            "error_codes": [code],
            "timestamp": "2026-12-01 20:00:00Z",
            "trace_id": "t",
            "correlation_id": "c",
            "error_uri": "https://login.microsoftonline.com/error?code=1",
            "suberror": suberror,
            "claims": "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"x\"]}}}",
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn classification_by_code_then_suberror_then_error() {
        let cases = [
            ("interaction_required", 70043, None, DeadGrant),
            ("invalid_grant", 700082, None, DeadGrant),
            ("invalid_grant", 50173, None, DeadGrant),
            ("invalid_grant", 70008, None, DeadGrant),
            ("interaction_required", 50076, None, NeedsInteraction),
            ("invalid_grant", 50079, None, NeedsInteraction),
            ("invalid_grant", 50158, None, NeedsInteraction),
            ("invalid_grant", 53003, None, ConditionalAccess),
            ("invalid_grant", 53000, None, ConditionalAccess),
            ("invalid_client", 7000215, None, ClientCredential),
            ("invalid_client", 7000222, None, ClientCredential),
            ("invalid_grant", 50126, None, UserCredential),
            ("invalid_grant", 50034, None, UserCredential),
            ("invalid_grant", 50053, None, UserCredential),
            ("invalid_grant", 50057, None, UserCredential),
            ("invalid_client", 7000218, None, Application),
            ("unauthorized_client", 700016, None, Application),
            ("invalid_scope", 70011, None, Application),
            ("invalid_resource", 500011, None, Application),
            ("invalid_request", 900144, None, Application),
            ("invalid_grant", 65001, None, NeedsInteraction),
            ("invalid_request", 90002, None, Tenant),
            ("unauthorized_client", 700211, None, Federation),
            ("invalid_client", 700213, None, Federation),
            ("invalid_client", 70021, None, Federation),
            ("temporarily_unavailable", 90033, None, Transient),
            ("interaction_required", 1, Some("bad_token"), DeadGrant),
            (
                "interaction_required",
                1,
                Some("consent_required"),
                NeedsInteraction,
            ),
            ("server_error", 1, None, Transient),
            ("unknown", 1, None, Other),
        ];
        for (error, code, suberror, class) in cases {
            assert_eq!(
                classify(error, Some(code), suberror, 400),
                class,
                "{error} {code} {suberror:?}"
            );
        }
        assert_eq!(classify("", None, None, 503), Transient);
    }

    #[test]
    fn a_dead_refresh_token_is_invalid_grant_whatever_error_says() {
        let err = to_provider_error(
            400,
            &body("interaction_required", 70043, None),
            "e",
            Grant::Refresh,
        );
        assert_eq!(err.kind, ErrorKind::InvalidGrant);
        assert!(err.message.contains("AADSTS70043"), "{}", err.message);
        assert!(
            err.message.contains("sign-in frequency policy"),
            "{}",
            err.message
        );
        assert_eq!(err.hint.as_deref(), Some("sign in again"));
    }

    #[test]
    fn a_password_grant_is_told_to_sign_in_interactively_for_mfa() {
        for code in [50076, 50079, 53003] {
            let err = to_provider_error(
                400,
                &body("invalid_grant", code, None),
                "e",
                Grant::Password,
            );
            let hint = err.hint.unwrap_or_default();
            assert!(
                hint.contains("-l interactive") && !hint.contains("-l ropc"),
                "{code}: {hint}"
            );
        }
        let err = to_provider_error(
            400,
            &body("invalid_grant", 50079, None),
            "e",
            Grant::UserSignIn,
        );
        assert!(
            err.message.contains("register for multi-factor"),
            "{}",
            err.message
        );
    }

    #[test]
    fn raw_json_trace_ids_and_claims_never_reach_the_message() {
        let err = to_provider_error(
            401,
            &body("invalid_client", 7000215, None),
            "https://login/t/oauth2/v2.0/token",
            Grant::Client,
        );
        assert_eq!(err.kind, ErrorKind::Authentication);
        assert_eq!(
            err.message,
            "Entra ID refused the token request (invalid_client): the client secret is wrong — AADSTS7000215: Something happened"
        );
        assert!(
            err.hint
                .as_deref()
                .is_some_and(|h| h.contains("--client-secret"))
        );
        for text in [
            err.message.as_str(),
            err.hint.as_deref().unwrap_or_default(),
        ] {
            assert!(
                !text.contains("Trace ID") && !text.contains("capolids") && !text.contains('{'),
                "{text}"
            );
        }
    }

    #[test]
    fn non_json_bodies_and_server_errors() {
        assert_eq!(
            to_provider_error(503, b"<html>", "e", Grant::Client).kind,
            ErrorKind::Network
        );
        assert_eq!(
            to_provider_error(500, br#"{"error":"server_error"}"#, "e", Grant::Client).kind,
            ErrorKind::Network
        );
        assert!(device_code_ending("authorization_declined").is_some());
        assert!(device_code_ending("authorization_pending").is_none());
    }
}
