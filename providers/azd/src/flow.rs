//! [`AzdProvider`]: run `azd auth token` and read its answer.

use std::time::Duration;

use kubectl_aad_contract::{
    ErrorKind, Provider, ProviderError, Reuse, Secret, TokenRequest, TokenSet, Ui,
};
use kubectl_aad_entra::external_tool::{ToolError, error_summary, run_tool};
use kubectl_aad_entra::{expiry_of, identity_of};
use serde::Deserialize;

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

/// azd's JSON console message (what it prints on stdout for some errors with `--output json`).
#[derive(Deserialize)]
struct ConsoleMessage {
    data: ConsoleData,
}

#[derive(Deserialize)]
struct ConsoleData {
    message: String,
}

impl Provider for AzdProvider {
    fn acquire(&self, request: &TokenRequest, ui: &dyn Ui) -> Result<TokenSet, ProviderError> {
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
        ui.debug(&format!("running azd {}", args.join(" ")));
        let timeout = Duration::from_secs(request.timeout_secs.max(1));
        let output = run_tool("azd", &args, timeout).map_err(tool_error)?;
        if !output.status.success() {
            let summary = if output.stderr.trim().is_empty() {
                console_message(&output.stdout).unwrap_or_else(|| "no error output".to_owned())
            } else {
                error_summary(&output.stderr)
            };
            let logged_out = summary.contains("azd auth login");
            return Err(ProviderError::new(
                if logged_out {
                    ErrorKind::Authentication
                } else {
                    ErrorKind::Internal
                },
                format!("azd auth token failed: {summary}"),
            )
            .with_hint(if logged_out {
                "run `azd auth login`, then retry".to_owned()
            } else {
                format!("run `azd {}` to see why", args.join(" "))
            }));
        }
        for line in output.stderr.lines().filter(|l| !l.trim().is_empty()) {
            ui.message(&format!("azd: {line}"));
        }
        let answer: Answer = serde_json::from_slice(&output.stdout).map_err(|_| {
            ProviderError::new(
                ErrorKind::Internal,
                "azd auth token printed something that is not a token as JSON",
            )
            .with_hint("update the Azure Developer CLI")
        })?;
        let expires_on = answer
            .expires_on
            .as_deref()
            .and_then(|text| humantime::parse_rfc3339_weak(text.trim_end_matches('Z')).ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
            .or_else(|| expiry_of(answer.token.expose()))
            .ok_or_else(|| {
                ProviderError::new(ErrorKind::Internal, "cannot tell when azd's token expires")
            })?;
        Ok(TokenSet {
            identity: identity_of(answer.token.expose()).unwrap_or_default(),
            access_token: answer.token,
            expires_on,
            refresh_token: None,
            // Never cached by us: see the crate documentation.
            reuse: Some(Reuse::default()),
        })
    }
}

fn console_message(stdout: &[u8]) -> Option<String> {
    let message: ConsoleMessage = serde_json::from_slice(stdout).ok()?;
    Some(error_summary(&message.data.message))
}

fn tool_error(err: ToolError) -> ProviderError {
    match err {
        ToolError::NotFound(_) => ProviderError::new(
            ErrorKind::InvalidRequest,
            "Azure Developer CLI (azd) not found on PATH",
        )
        .with_hint(
            "install it (https://aka.ms/azd) and run `azd auth login`, or use another --login",
        ),
        ToolError::Timeout { secs, .. } => ProviderError::new(
            ErrorKind::Timeout,
            format!("azd auth token did not finish within {secs}s and was stopped"),
        )
        .with_hint("raise --timeout, or check that `azd auth token` works"),
        other => ProviderError::new(ErrorKind::Internal, other.to_string()),
    }
}
