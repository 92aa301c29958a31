//! [`AzureCliProvider`]: run `az account get-access-token` and read its answer.

use std::time::Duration;

use kubectl_aad_contract::{
    ErrorKind, FileStamp, Host, Provider, ProviderError, Reuse, Secret, TokenRequest, TokenSet,
};
use kubectl_aad_entra::external_tool::SignInTool;
use kubectl_aad_entra::{expiry, expiry_of, identity_of};
use serde::Deserialize;

use crate::profile;

/// How long an `az` token is served from our cache at most, while `az`'s session is unchanged.
pub const REUSE_SECS: u64 = 5 * 60;

const AZ: SignInTool = SignInTool {
    program: "az",
    name: "Azure CLI (az)",
    install_url: "https://aka.ms/azure-cli",
    login_command: "az login",
};

/// The Azure CLI grant.
pub struct AzureCliProvider;

/// `az account get-access-token -o json`.
#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "accessToken")]
    access_token: Secret,
    /// Seconds since the epoch (az 2.54 and later).
    #[serde(default)]
    expires_on: Option<serde_json::Value>,
}

impl Provider for AzureCliProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let mut args = vec![
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            request.server_id.as_str(),
        ];
        // az refuses --tenant together with --subscription; the subscription names its tenant.
        match request.subscription.as_deref().filter(|s| !s.is_empty()) {
            Some(subscription) => {
                if !request.tenant_id.is_empty() {
                    host.debug("--subscription given: not passing --tenant to az (it takes one or the other)");
                }
                args.extend(["--subscription", subscription]);
            }
            None if !request.tenant_id.is_empty() => {
                args.extend(["--tenant", request.tenant_id.as_str()]);
            }
            None => {}
        }
        let dir = profile::config_dir(request, host);
        let profile_before = dir
            .as_ref()
            .map(|d| FileStamp::of(&d.join(profile::PROFILE_FILE)));
        let timeout = Duration::from_secs(request.timeout_secs.max(1));
        let stdout = AZ.run(&args, timeout, host)?;
        let (access_token, expires_on) = parse_answer(&stdout, host.now_secs())?;
        // If az's profile changed while az ran (a concurrent `az logout`), do not cache at all.
        let reuse = match (&dir, &profile_before) {
            (Some(dir), Some(before)) if before.holds() => Reuse {
                max_age_secs: REUSE_SECS,
                while_unchanged: profile::stamp_session(dir),
            },
            _ => Reuse::default(),
        };
        Ok(TokenSet {
            identity: identity_of(access_token.expose()).unwrap_or_default(),
            access_token,
            expires_on,
            refresh_token: None,
            reuse: Some(reuse),
        })
    }
}

/// `az account get-access-token -o json`'s answer: the token and its checked expiry.
pub(crate) fn parse_answer(stdout: &[u8], now: u64) -> Result<(Secret, u64), ProviderError> {
    let answer: Answer = serde_json::from_slice(stdout).map_err(|_| {
        ProviderError::new(
            ErrorKind::Internal,
            "az account get-access-token printed something that is not a token as JSON",
        )
        .with_hint("update the Azure CLI (`az upgrade`)")
    })?;
    let expires_on = match &answer.expires_on {
        Some(value) => expiry::seconds(value).and_then(|secs| expiry::at(now, secs)),
        None => expiry_of(answer.access_token.expose())
            .ok_or_else(|| expiry::ExpiryError::NotATime("missing".into()))
            .and_then(|secs| expiry::at(now, secs)),
    }
    .map_err(|err| {
        ProviderError::new(
            ErrorKind::Internal,
            format!("az account get-access-token gave an unusable expiry: {err}"),
        )
        .with_hint("update the Azure CLI (`az upgrade`)")
    })?;
    Ok((answer.access_token, expires_on))
}
