//! Flags + environment → resolved settings, once, before a command runs (uv's `settings.rs`,
//! ripgrep's low/high arguments). Commands never see raw flags or read the environment.
//!
//! * [`token`]: the token flags → the contract's [`TokenRequest`](kubectl_aad_contract::TokenRequest)
//!   plus [`Given`], the record of what the user set explicitly.
//! * `overrides`: kubelogin's environment-over-flag precedence, one table.
//! * [`commands`]: one `XxxSettings::resolve` per subcommand.
//!
//! Two deliberate differences from kubelogin, both in the README: a variable that is set but
//! empty counts as unset, and an unknown `--environment` is an error listing the clouds.

pub(crate) mod arm;
pub(crate) mod commands;
mod overrides;
pub(crate) mod token;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) use arm::{ClustersSettings, GetCredentialsSettings, StatusSettings};
pub(crate) use commands::{
    ConvertSettings, GetTokenSettings, ProvidersSettings, RemoveTokensSettings, WhoamiSettings,
};
pub(crate) use token::TokenSettings;

use crate::env::EnvVars;

/// Why flags and environment do not make a valid request. Each message names the fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum SettingsError {
    /// `--login` / `AAD_LOGIN_METHOD` names no mode.
    #[error(transparent)]
    UnknownLogin(#[from] kubectl_aad_contract::UnknownLoginMode),
    /// A mode that no built-in provider has, and no library in the providers directory.
    #[error(
        "'{mode}' is not a supported login method: no provider library for it in {dir}; use one of: {names}, or put its library there",
        names = kubectl_aad_contract::built_in_names()
    )]
    NoLibraryMode {
        /// The mode.
        mode: String,
        /// The providers directory.
        dir: String,
    },
    /// `--environment` names no cloud.
    #[error(transparent)]
    UnknownEnvironment(#[from] kubectl_aad_entra::CloudError),
    /// `--authority-host` is not an absolute URL with a trailing slash.
    #[error(
        "--authority-host {0:?} must be an absolute URL with a scheme, a host and a trailing slash, e.g. https://login.microsoftonline.com/"
    )]
    AuthorityHost(String),
    /// `--authority-host` is not https.
    #[error(
        "--authority-host {0:?} is not https; secrets and grants are only sent to https authorities (Azure's SDKs refuse it too), so use its https:// address"
    )]
    PlainAuthority(String),
    /// `--tenant-id` cannot name a tenant.
    #[error(
        "--tenant-id {0:?} is not a tenant; use its GUID, a domain name such as contoso.onmicrosoft.com, or common / organizations"
    )]
    Tenant(String),
    /// No home directory and no cache directory given.
    #[error(
        "HOME is not set, so there is no default token cache directory; pass --cache-dir <dir> or set KUBECACHEDIR"
    )]
    NoHome,
    /// `--pop-enabled` without `--pop-claims`.
    #[error(
        "--pop-claims is required when specifying --pop-enabled; add --pop-claims \"u=<ARM ID of the cluster>\""
    )]
    PopClaimsMissing,
    /// `--pop-claims` without `--pop-enabled`.
    #[error("--pop-enabled is required when specifying --pop-claims; add --pop-enabled")]
    PopEnabledMissing,
    /// `--imds-endpoint` is not an http(s) URL.
    #[error(
        "managed identity endpoint {0:?} (--imds-endpoint or AZURE_POD_IDENTITY_AUTHORITY_HOST) must be an http:// or https:// URL, e.g. http://169.254.169.254"
    )]
    ImdsEndpoint(String),
    /// `--timeout` is not a positive duration of at most a day.
    #[error("--timeout {0:?} is not a positive duration of at most 24h; use e.g. 60s or 2m")]
    Timeout(String),
    /// `KUBECTL_AAD_TOKEN_CACHE_STORAGE` names no storage (the flag is checked by clap).
    #[error(
        "KUBECTL_AAD_TOKEN_CACHE_STORAGE={0:?} is not a token cache storage; use auto, keyring, file or none"
    )]
    Storage(String),
    /// `--arm-endpoint` is not https.
    #[error(
        "--arm-endpoint {0:?} must be an https URL, e.g. https://management.azure.com; tokens are only sent over https"
    )]
    ArmEndpoint(String),
    /// `--id` is not an AKS resource id.
    #[error(
        "--id {0:?} is not an AKS resource id; use /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>"
    )]
    ClusterId(String),
    /// A part of the cluster's name is missing.
    #[error(
        "{0} is required; name the cluster with --subscription, --resource-group and --name, or with --id"
    )]
    ClusterMissing(&'static str),
    /// A part of the cluster's name cannot be part of a resource id.
    #[error("{flag} {value:?} cannot name an Azure resource (letters, digits, - _ . ( ) only)")]
    ClusterPart {
        /// The flag.
        flag: &'static str,
        /// Its value.
        value: String,
    },
    /// No file to merge into.
    #[error(
        "HOME is not set and KUBECONFIG is empty, so there is no kubeconfig file to write; pass --file <file>"
    )]
    NoKubeconfigFile,
    /// No `--server-id`.
    #[error(
        "--server-id is required; pass the cluster's Entra ID server application id (AKS: 6dae42f8-4368-4678-94ff-3960e28e3630), or --context NAME for a converted kubeconfig context"
    )]
    ServerIdMissing,
}

/// The default timeout of kubelogin (its docs say 30 s; the code uses 60 s).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest `--timeout`: every deadline is computed from it, so it must stay small enough
/// to add to a clock.
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// Parses a Go-style duration (`60s`, `1m30s`, `500ms`), as `--timeout` and `AZURE_CLI_TIMEOUT`:
/// positive and at most [`MAX_TIMEOUT`].
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    humantime::parse_duration(text.trim())
        .ok()
        .filter(|d| !d.is_zero() && *d <= MAX_TIMEOUT)
}

/// The cache directory: `--cache-dir` (or the deprecated `--token-cache-dir`), else
/// `$KUBECACHEDIR`, else `~/.kube/cache/kubelogin` (kubelogin's own default, so existing
/// arguments keep working). `KUBECACHEDIR` is read even with `--disable-environment-override`,
/// as in kubelogin. Without a home directory there is no default: tokens never land in the
/// current folder.
pub(crate) fn resolve_cache_dir(
    cache_dir: Option<&str>,
    token_cache_dir: Option<&str>,
    env: &EnvVars,
    home: Option<&Path>,
) -> Result<PathBuf, SettingsError> {
    if let Some(dir) = cache_dir.or(token_cache_dir).filter(|d| !d.is_empty()) {
        return Ok(expand_home(dir, home));
    }
    if let Some(dir) = env.get("KUBECACHEDIR") {
        return Ok(expand_home(&dir, home));
    }
    home.map(|h| h.join(".kube").join("cache").join("kubelogin"))
        .ok_or(SettingsError::NoHome)
}

fn expand_home(dir: &str, home: Option<&Path>) -> PathBuf {
    match (dir.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(dir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_dir_precedence() {
        let home = Some(Path::new("/home/u"));
        let env: EnvVars = [("KUBECACHEDIR", "/env/cache")].into_iter().collect();
        let cases = [
            (Some("/flag"), Some("/old"), &env, "/flag"),
            (None, Some("/old"), &env, "/old"),
            (None, None, &env, "/env/cache"),
            (
                None,
                None,
                &EnvVars::default(),
                "/home/u/.kube/cache/kubelogin",
            ),
            (Some("~/c"), None, &EnvVars::default(), "/home/u/c"),
        ];
        for (flag, old, env, expected) in cases {
            assert_eq!(
                resolve_cache_dir(flag, old, env, home),
                Ok(PathBuf::from(expected))
            );
        }
        assert_eq!(
            resolve_cache_dir(None, None, &EnvVars::default(), None),
            Err(SettingsError::NoHome)
        );
    }
}
