//! [`AzdProvider`]: run `azd auth token` and read its answer.

use std::time::Duration;

use kubectl_aad_contract::{
    ErrorKind, Host, Provider, ProviderError, Reuse, Secret, TokenRequest, TokenSet,
};
use kubectl_aad_entra::external_tool::SignInTool;
use kubectl_aad_entra::{expiry, expiry_of, identity_of};
use serde::Deserialize;

const AZD: SignInTool = SignInTool {
    program: "azd",
    name: "Azure Developer CLI (azd)",
    install_url: "https://aka.ms/azd",
    login_command: "azd auth login",
};

/// The Azure Developer CLI grant.
pub struct AzdProvider;

/// `azd auth token --output json`.
#[derive(Deserialize)]
struct Answer {
    token: Secret,
    /// RFC 3339, e.g. `2026-11-28T20:41:03Z`.
    #[serde(rename = "expiresOn", default)]
    expires_on: Option<String>,
}

impl Provider for AzdProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let scope = request.scope();
        let mut args = vec![
            "auth",
            "token",
            "--output",
            "json",
            "--scope",
            scope.as_str(),
        ];
        if !request.tenant_id.is_empty() {
            args.extend(["--tenant-id", request.tenant_id.as_str()]);
        }
        let timeout = Duration::from_secs(request.timeout_secs.max(1));
        let stdout = AZD.run(&args, timeout, host)?;
        let (token, expires_on) = parse_answer(&stdout, host.now_secs())?;
        Ok(TokenSet {
            identity: identity_of(token.expose()).unwrap_or_default(),
            access_token: token,
            expires_on,
            refresh_token: None,
            // Never cached by us: see the crate documentation.
            reuse: Some(Reuse::default()),
        })
    }
}

/// `azd auth token --output json`'s answer: the token and its checked expiry.
pub(crate) fn parse_answer(stdout: &[u8], now: u64) -> Result<(Secret, u64), ProviderError> {
    let answer: Answer = serde_json::from_slice(stdout).map_err(|_| {
        ProviderError::new(
            ErrorKind::Internal,
            "azd auth token printed something that is not a token as JSON",
        )
        .with_hint("update the Azure Developer CLI")
    })?;
    let expires_on = match answer.expires_on.as_deref() {
        Some(text) => expiry::rfc3339(now, text),
        None => expiry_of(answer.token.expose())
            .ok_or_else(|| expiry::ExpiryError::NotATime("missing".into()))
            .and_then(|secs| expiry::at(now, secs)),
    }
    .map_err(|err| {
        ProviderError::new(
            ErrorKind::Internal,
            format!("azd auth token gave an unusable expiry: {err}"),
        )
        .with_hint("update the Azure Developer CLI")
    })?;
    Ok((answer.token, expires_on))
}
