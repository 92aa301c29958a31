//! Flags + environment → resolved options, in Azure/kubelogin's order of precedence.
//!
//! kubelogin applies environment variables *after* the flags, so a variable overrides a flag
//! (`UpdateFromEnv`), unless `--disable-environment-override` is given; `AZURESUBSCRIPTION_*`
//! only fill values that are still empty. We keep that order for compatibility, with two
//! deliberate differences, both documented in the README:
//! * a variable that is set but empty counts as unset (kubelogin would blank the flag);
//! * an unknown `--environment` is an error listing the valid names (kubelogin silently falls
//!   back to the public cloud).
//!
//! Every override is recorded so that `-v 1` can say which variable replaced which flag.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kubectl_aad_contract::{LoginMode, Secret};

use crate::cli::TokenFlags;

/// A snapshot of the process environment (or a test's).
#[derive(Debug, Clone, Default)]
pub struct EnvVars(BTreeMap<String, String>);

impl EnvVars {
    /// The current process environment; non-UTF-8 values are skipped.
    pub fn from_process() -> EnvVars {
        EnvVars(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        )
    }

    /// A value, treating set-but-empty as unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EnvVars {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        EnvVars(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// The Azure clouds kubelogin knows, by authority host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// Azure public cloud.
    Public,
    /// Azure US Government.
    UsGovernment,
    /// Azure China (21Vianet).
    China,
}

impl Cloud {
    /// The names kubelogin accepts, case-insensitively.
    pub const NAMES: &'static str = "AzurePublicCloud (AzureCloud, AzurePublic), AzureUSGovernmentCloud (AzureUSGovernment), AzureChinaCloud";

    /// Looks a name up like kubelogin, but refuses names it does not know.
    pub fn from_name(name: &str) -> Result<Cloud, SettingsError> {
        match name.to_ascii_lowercase().as_str() {
            "azurecloud" | "azurepublic" | "azurepubliccloud" => Ok(Cloud::Public),
            "azureusgovernment" | "azureusgovernmentcloud" => Ok(Cloud::UsGovernment),
            "azurechinacloud" => Ok(Cloud::China),
            _ => Err(SettingsError::UnknownEnvironment(name.to_owned())),
        }
    }

    /// The Entra ID authority host, with a trailing slash.
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com/",
            Cloud::UsGovernment => "https://login.microsoftonline.us/",
            Cloud::China => "https://login.chinacloudapi.cn/",
        }
    }
}

/// Why flags and environment do not make a valid request. Each message names the fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    /// `--login` / `AAD_LOGIN_METHOD` names no mode.
    #[error(transparent)]
    UnknownLogin(#[from] kubectl_aad_contract::UnknownLoginMode),
    /// `--environment` names no cloud.
    #[error("unknown --environment {0:?}; use one of {names}", names = Cloud::NAMES)]
    UnknownEnvironment(String),
    /// `--authority-host` is not an absolute https URL with a trailing slash.
    #[error(
        "--authority-host {0:?} must be an absolute URL with a scheme, a host and a trailing slash, e.g. https://login.microsoftonline.com/"
    )]
    AuthorityHost(String),
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
    /// `--timeout` is not a positive duration.
    #[error("--timeout {0:?} is not a positive duration; use e.g. 60s or 2m")]
    Timeout(String),
}

/// The resolved token options of `get-token` and `convert-kubeconfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOptions {
    pub login: LoginMode,
    pub server_id: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub client_certificate: Option<String>,
    pub client_certificate_password: Option<Secret>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub identity_resource_id: Option<String>,
    pub federated_token_file: Option<String>,
    pub authority_host: Option<String>,
    /// The managed-identity endpoint: `--imds-endpoint`, else `AZURE_POD_IDENTITY_AUTHORITY_HOST`.
    pub imds_endpoint: Option<String>,
    pub service_connection_id: Option<String>,
    pub cache_dir: PathBuf,
    pub tenant_id: String,
    pub subscription: Option<String>,
    /// The `--environment` spelling as given (written back by convert).
    pub environment: Option<String>,
    pub cloud: Cloud,
    pub legacy: bool,
    pub pop_claims: Option<String>,
    pub timeout: Duration,
    pub disable_environment_override: bool,
    pub disable_instance_discovery: bool,
    pub redirect_url: Option<String>,
    pub login_hint: Option<String>,
    /// The command that opens the interactive sign-in page.
    pub browser_command: Option<String>,
    /// `AZURE_CONFIG_DIR` (read by `az` itself).
    pub azure_config_dir: Option<String>,
    /// Which variables replaced which flags, for `-v 1`.
    pub overrides: Vec<(&'static str, &'static str)>,
}

impl TokenOptions {
    /// The authority host requests go to: `--authority-host` if given, else the cloud's.
    pub fn effective_authority_host(&self) -> &str {
        self.authority_host
            .as_deref()
            .unwrap_or_else(|| self.cloud.authority_host())
    }

    /// The Azure CLI profile directory the token comes from (azurecli caches per profile).
    pub fn azure_config_dir_hint(&self) -> String {
        self.azure_config_dir.clone().unwrap_or_default()
    }

    /// Whether PoP tokens are requested (both PoP flags were validated together).
    pub fn pop_enabled(&self) -> bool {
        self.pop_claims.is_some()
    }
}

/// The default timeout of kubelogin (its docs say 30 s; the code uses 60 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The cache directory: `--cache-dir` (or the deprecated `--token-cache-dir`), else
/// `$KUBECACHEDIR`, else `~/.kube/cache/kubelogin` (kubelogin's own default, so existing
/// arguments keep working). `KUBECACHEDIR` is read even with `--disable-environment-override`,
/// as in kubelogin.
pub fn resolve_cache_dir(
    cache_dir: Option<&str>,
    token_cache_dir: Option<&str>,
    env: &EnvVars,
    home: Option<&Path>,
) -> PathBuf {
    if let Some(dir) = cache_dir.or(token_cache_dir).filter(|d| !d.is_empty()) {
        return expand_home(dir, home);
    }
    if let Some(dir) = env.get("KUBECACHEDIR") {
        return expand_home(dir, home);
    }
    home.map(|h| h.join(".kube").join("cache").join("kubelogin"))
        .unwrap_or_else(|| PathBuf::from(".kube/cache/kubelogin"))
}

fn expand_home(dir: &str, home: Option<&Path>) -> PathBuf {
    match (dir.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(dir),
    }
}

/// Parses a Go-style duration (`60s`, `1m30s`, `500ms`), as `--timeout` and `AZURE_CLI_TIMEOUT`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    humantime::parse_duration(text.trim())
        .ok()
        .filter(|d| !d.is_zero())
}

/// Resolves token flags and environment into options, then validates them like kubelogin's
/// `Validate` (login, authority host, PoP pair, timeout) plus the cloud name.
pub fn resolve_token_options(
    flags: &TokenFlags,
    env: &EnvVars,
    home: Option<&Path>,
) -> Result<TokenOptions, SettingsError> {
    let mut overrides = Vec::new();
    let mut login_name = flags.login.clone();
    let mut client_id = flags.client_id.clone();
    let mut client_secret = flags.client_secret.clone();
    let mut client_certificate = flags.client_certificate.clone();
    let mut client_certificate_password = flags.client_certificate_password.clone();
    let mut tenant_id = flags.tenant_id.clone();
    let mut username = flags.username.clone();
    let mut password = flags.password.clone();
    let mut federated_token_file = flags.federated_token_file.clone();
    let mut authority_host = flags.authority_host.clone();
    let mut service_connection_id = flags.azure_pipelines_service_connection_id.clone();
    let mut timeout_text = flags.timeout.clone();
    let disable_override = flags.disable_environment_override.unwrap_or(false);

    if !disable_override {
        let mut apply = |target: &mut Option<String>, var: &'static str, field: &'static str| {
            if let Some(value) = env.get(var) {
                *target = Some(value.to_owned());
                overrides.push((var, field));
            }
        };
        if flags.use_azurerm_env_vars.unwrap_or(false) {
            apply(&mut client_id, "ARM_CLIENT_ID", "--client-id");
            apply(&mut client_secret, "ARM_CLIENT_SECRET", "--client-secret");
            apply(
                &mut client_certificate,
                "ARM_CLIENT_CERTIFICATE_PATH",
                "--client-certificate",
            );
            apply(
                &mut client_certificate_password,
                "ARM_CLIENT_CERTIFICATE_PASSWORD",
                "--client-certificate-password",
            );
            apply(&mut tenant_id, "ARM_TENANT_ID", "--tenant-id");
        } else {
            // AAD_SERVICE_PRINCIPAL_* first, then AZURE_*: the AZURE_ value wins.
            apply(
                &mut client_id,
                "AAD_SERVICE_PRINCIPAL_CLIENT_ID",
                "--client-id",
            );
            apply(&mut client_id, "AZURE_CLIENT_ID", "--client-id");
            apply(
                &mut client_secret,
                "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET",
                "--client-secret",
            );
            apply(&mut client_secret, "AZURE_CLIENT_SECRET", "--client-secret");
            apply(
                &mut client_certificate,
                "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE",
                "--client-certificate",
            );
            apply(
                &mut client_certificate,
                "AZURE_CLIENT_CERTIFICATE_PATH",
                "--client-certificate",
            );
            apply(
                &mut client_certificate_password,
                "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD",
                "--client-certificate-password",
            );
            apply(
                &mut client_certificate_password,
                "AZURE_CLIENT_CERTIFICATE_PASSWORD",
                "--client-certificate-password",
            );
            apply(&mut tenant_id, "AZURE_TENANT_ID", "--tenant-id");
        }
        apply(&mut username, "AAD_USER_PRINCIPAL_NAME", "--username");
        apply(&mut username, "AZURE_USERNAME", "--username");
        apply(&mut password, "AAD_USER_PRINCIPAL_PASSWORD", "--password");
        apply(&mut password, "AZURE_PASSWORD", "--password");
        apply(&mut login_name, "AAD_LOGIN_METHOD", "--login");

        let login_so_far = login_name.as_deref().unwrap_or("devicecode");
        if login_so_far == LoginMode::WorkloadIdentity.as_str() {
            apply(&mut client_id, "AZURE_CLIENT_ID", "--client-id");
            apply(
                &mut federated_token_file,
                "AZURE_FEDERATED_TOKEN_FILE",
                "--federated-token-file",
            );
            apply(
                &mut authority_host,
                "AZURE_AUTHORITY_HOST",
                "--authority-host",
            );
        }
        if login_so_far == LoginMode::AzurePipelines.as_str() {
            let mut fill = |target: &mut Option<String>, var: &'static str, field: &'static str| {
                if target.as_deref().is_none_or(str::is_empty)
                    && let Some(value) = env.get(var)
                {
                    *target = Some(value.to_owned());
                    overrides.push((var, field));
                }
            };
            fill(&mut client_id, "AZURESUBSCRIPTION_CLIENT_ID", "--client-id");
            fill(&mut tenant_id, "AZURESUBSCRIPTION_TENANT_ID", "--tenant-id");
            fill(
                &mut service_connection_id,
                "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
                "--azure-pipelines-service-connection-id",
            );
        }
        // kubelogin ignores an AZURE_CLI_TIMEOUT that does not parse; so do we.
        if let Some(value) = env.get("AZURE_CLI_TIMEOUT")
            && parse_duration(value).is_some()
        {
            timeout_text = Some(value.to_owned());
            overrides.push(("AZURE_CLI_TIMEOUT", "--timeout"));
        }
    }

    let login = match login_name.as_deref() {
        None | Some("") => LoginMode::DeviceCode,
        Some(name) => name.parse::<LoginMode>()?,
    };
    let environment = flags.environment.clone().filter(|e| !e.is_empty());
    let cloud = match &environment {
        Some(name) => Cloud::from_name(name)?,
        None => Cloud::Public,
    };
    let authority_host = authority_host.filter(|h| !h.is_empty());
    if let Some(host) = &authority_host {
        validate_authority_host(host)?;
    }
    let pop_enabled = flags.pop_enabled.unwrap_or(false);
    let pop_claims = flags.pop_claims.clone().filter(|c| !c.is_empty());
    match (pop_enabled, &pop_claims) {
        (true, None) => return Err(SettingsError::PopClaimsMissing),
        (false, Some(_)) => return Err(SettingsError::PopEnabledMissing),
        _ => {}
    }
    let timeout = match &timeout_text {
        None => DEFAULT_TIMEOUT,
        Some(text) => parse_duration(text).ok_or_else(|| SettingsError::Timeout(text.clone()))?,
    };
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    // A flag of our own, so the flag wins; the variable is the one Azure SDKs honour.
    let imds_endpoint = non_empty(flags.imds_endpoint.clone()).or_else(|| {
        env.get("AZURE_POD_IDENTITY_AUTHORITY_HOST")
            .map(str::to_owned)
    });
    if let Some(url) = &imds_endpoint {
        validate_imds_endpoint(url)?;
    }

    Ok(TokenOptions {
        login,
        server_id: flags.server_id.clone().unwrap_or_default(),
        client_id: client_id.unwrap_or_default(),
        client_secret: non_empty(client_secret).map(Secret::new),
        client_certificate: non_empty(client_certificate),
        client_certificate_password: non_empty(client_certificate_password).map(Secret::new),
        username: non_empty(username),
        password: non_empty(password).map(Secret::new),
        identity_resource_id: non_empty(flags.identity_resource_id.clone()),
        federated_token_file: non_empty(federated_token_file),
        authority_host,
        imds_endpoint,
        service_connection_id: non_empty(service_connection_id),
        cache_dir: resolve_cache_dir(
            flags.cache_dir.as_deref(),
            flags.token_cache_dir.as_deref(),
            env,
            home,
        ),
        tenant_id: tenant_id.unwrap_or_default(),
        subscription: non_empty(flags.subscription.clone()),
        environment,
        cloud,
        legacy: flags.legacy.unwrap_or(false),
        pop_claims,
        timeout,
        disable_environment_override: disable_override,
        disable_instance_discovery: flags.disable_instance_discovery.unwrap_or(false),
        redirect_url: non_empty(flags.redirect_url.clone()),
        login_hint: non_empty(flags.login_hint.clone()),
        browser_command: non_empty(flags.browser_command.clone()),
        azure_config_dir: env.get("AZURE_CONFIG_DIR").map(str::to_owned),
        overrides,
    })
}

fn validate_imds_endpoint(url: &str) -> Result<(), SettingsError> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match rest.and_then(|r| r.split('/').next()) {
        Some(authority) if !authority.is_empty() => Ok(()),
        _ => Err(SettingsError::ImdsEndpoint(url.to_owned())),
    }
}

fn validate_authority_host(host: &str) -> Result<(), SettingsError> {
    let bad = || SettingsError::AuthorityHost(host.to_owned());
    let (scheme, rest) = host.split_once("://").ok_or_else(bad)?;
    let authority = rest.split('/').next().unwrap_or_default();
    if scheme.is_empty() || authority.is_empty() || !host.ends_with('/') {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags() -> TokenFlags {
        TokenFlags {
            client_id: Some("flag-client".into()),
            client_secret: Some("flag-secret".into()),
            tenant_id: Some("flag-tenant".into()),
            ..TokenFlags::default()
        }
    }

    fn resolve(flags: &TokenFlags, env: &[(&str, &str)]) -> TokenOptions {
        resolve_token_options(
            flags,
            &env.iter().copied().collect(),
            Some(Path::new("/home/u")),
        )
        .expect("valid")
    }

    #[test]
    fn defaults_match_kubelogin() {
        let options = resolve(&TokenFlags::default(), &[]);
        assert_eq!(options.login, LoginMode::DeviceCode);
        assert_eq!(options.cloud, Cloud::Public);
        assert_eq!(options.timeout, Duration::from_secs(60));
        assert_eq!(
            options.cache_dir,
            PathBuf::from("/home/u/.kube/cache/kubelogin")
        );
        assert!(!options.legacy);
    }

    #[test]
    fn azure_variables_override_flags_and_aad_variables() {
        let options = resolve(
            &flags(),
            &[
                ("AAD_SERVICE_PRINCIPAL_CLIENT_ID", "aad-client"),
                ("AZURE_CLIENT_ID", "azure-client"),
                ("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", "aad-secret"),
                ("AZURE_TENANT_ID", "azure-tenant"),
            ],
        );
        assert_eq!(options.client_id, "azure-client");
        assert_eq!(
            options.client_secret.as_ref().map(Secret::expose),
            Some("aad-secret")
        );
        assert_eq!(options.tenant_id, "azure-tenant");
        assert!(
            options
                .overrides
                .contains(&("AZURE_CLIENT_ID", "--client-id"))
        );
    }

    #[test]
    fn each_service_principal_variable_is_read() {
        for (var, check) in [
            ("AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE", "cert"),
            ("AZURE_CLIENT_CERTIFICATE_PATH", "cert"),
            (
                "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD",
                "certpw",
            ),
            ("AZURE_CLIENT_CERTIFICATE_PASSWORD", "certpw"),
            ("AZURE_CLIENT_SECRET", "secret"),
            ("AAD_USER_PRINCIPAL_NAME", "user"),
            ("AZURE_USERNAME", "user"),
            ("AAD_USER_PRINCIPAL_PASSWORD", "password"),
            ("AZURE_PASSWORD", "password"),
        ] {
            let options = resolve(&flags(), &[(var, "from-env")]);
            let value = match check {
                "cert" => options.client_certificate.clone(),
                "certpw" => options
                    .client_certificate_password
                    .as_ref()
                    .map(|s| s.expose().to_owned()),
                "secret" => options
                    .client_secret
                    .as_ref()
                    .map(|s| s.expose().to_owned()),
                "user" => options.username.clone(),
                _ => options.password.as_ref().map(|s| s.expose().to_owned()),
            };
            assert_eq!(value.as_deref(), Some("from-env"), "{var}");
        }
    }

    #[test]
    fn arm_variables_replace_the_azure_set_only_when_asked() {
        let env = [
            ("ARM_CLIENT_ID", "arm"),
            ("AZURE_CLIENT_ID", "azure"),
            ("ARM_TENANT_ID", "arm-t"),
            ("AZURE_TENANT_ID", "azure-t"),
            ("ARM_CLIENT_SECRET", "arm-s"),
            ("ARM_CLIENT_CERTIFICATE_PATH", "arm.pem"),
            ("ARM_CLIENT_CERTIFICATE_PASSWORD", "arm-pw"),
        ];
        let plain = resolve(&flags(), &env);
        assert_eq!(
            (plain.client_id.as_str(), plain.tenant_id.as_str()),
            ("azure", "azure-t")
        );
        let arm = resolve(
            &TokenFlags {
                use_azurerm_env_vars: Some(true),
                ..flags()
            },
            &env,
        );
        assert_eq!(
            (arm.client_id.as_str(), arm.tenant_id.as_str()),
            ("arm", "arm-t")
        );
        assert_eq!(
            arm.client_secret.as_ref().map(Secret::expose),
            Some("arm-s")
        );
        assert_eq!(arm.client_certificate.as_deref(), Some("arm.pem"));
        assert_eq!(
            arm.client_certificate_password.as_ref().map(Secret::expose),
            Some("arm-pw")
        );
    }

    #[test]
    fn disable_environment_override_ignores_every_variable() {
        let f = TokenFlags {
            disable_environment_override: Some(true),
            login: Some("msi".into()),
            client_id: None,
            ..flags()
        };
        let options = resolve(
            &f,
            &[
                ("AZURE_CLIENT_ID", "stray"),
                ("AAD_LOGIN_METHOD", "spn"),
                ("AZURE_CLI_TIMEOUT", "5s"),
            ],
        );
        assert_eq!(options.login, LoginMode::Msi);
        assert_eq!(
            options.client_id, "",
            "a stray AZURE_CLIENT_ID must not pick a user-assigned identity"
        );
        assert_eq!(options.timeout, DEFAULT_TIMEOUT);
        assert!(options.overrides.is_empty());
    }

    #[test]
    fn set_but_empty_variables_count_as_unset() {
        let options = resolve(
            &flags(),
            &[
                ("AZURE_CLIENT_ID", ""),
                ("AZURE_TENANT_ID", ""),
                ("AAD_LOGIN_METHOD", ""),
            ],
        );
        assert_eq!(options.client_id, "flag-client");
        assert_eq!(options.tenant_id, "flag-tenant");
        assert_eq!(options.login, LoginMode::DeviceCode);
    }

    #[test]
    fn aad_login_method_overrides_the_login_flag() {
        let options = resolve(
            &TokenFlags {
                login: Some("devicecode".into()),
                ..flags()
            },
            &[("AAD_LOGIN_METHOD", "azurecli")],
        );
        assert_eq!(options.login, LoginMode::AzureCli);
    }

    #[test]
    fn workload_identity_reads_its_webhook_variables() {
        let env = [
            ("AAD_LOGIN_METHOD", "workloadidentity"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
            ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/"),
        ];
        let options = resolve(&flags(), &env);
        assert_eq!(
            options.federated_token_file.as_deref(),
            Some("/var/run/token")
        );
        assert_eq!(
            options.authority_host.as_deref(),
            Some("https://login.microsoftonline.com/")
        );
        // Outside workload identity these variables are not read.
        let spn = resolve(
            &TokenFlags {
                login: Some("spn".into()),
                ..flags()
            },
            &env[1..],
        );
        assert_eq!(spn.federated_token_file, None);
        assert_eq!(spn.authority_host, None);
    }

    #[test]
    fn imds_endpoint_flag_wins_over_the_pod_identity_variable() {
        let env = [("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:2579")];
        assert_eq!(
            resolve(&flags(), &env).imds_endpoint.as_deref(),
            Some("http://127.0.0.1:2579")
        );
        let flagged = TokenFlags {
            imds_endpoint: Some("http://127.0.0.1:9000".into()),
            ..flags()
        };
        assert_eq!(
            resolve(&flagged, &env).imds_endpoint.as_deref(),
            Some("http://127.0.0.1:9000")
        );
        let bad: EnvVars = [("AZURE_POD_IDENTITY_AUTHORITY_HOST", "169.254.169.254")]
            .into_iter()
            .collect();
        assert!(matches!(
            resolve_token_options(&flags(), &bad, None),
            Err(SettingsError::ImdsEndpoint(_))
        ));
    }

    #[test]
    fn authority_host_needs_a_trailing_slash() {
        let env: EnvVars = [
            ("AAD_LOGIN_METHOD", "workloadidentity"),
            ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com"),
        ]
        .into_iter()
        .collect();
        let err = resolve_token_options(&flags(), &env, None).unwrap_err();
        assert!(matches!(err, SettingsError::AuthorityHost(_)));
        assert!(err.to_string().contains("trailing slash"));
    }

    #[test]
    fn azuresubscription_variables_only_fill_empty_values() {
        let env = [
            ("AAD_LOGIN_METHOD", "azurepipelines"),
            ("AZURESUBSCRIPTION_CLIENT_ID", "sub-client"),
            ("AZURESUBSCRIPTION_TENANT_ID", "sub-tenant"),
            ("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "conn"),
        ];
        let options = resolve(
            &TokenFlags {
                tenant_id: Some("flag-tenant".into()),
                ..TokenFlags::default()
            },
            &env,
        );
        assert_eq!(options.tenant_id, "flag-tenant");
        assert_eq!(options.client_id, "sub-client");
        assert_eq!(options.service_connection_id.as_deref(), Some("conn"));
    }

    #[test]
    fn azure_cli_timeout_applies_when_it_parses() {
        assert_eq!(
            resolve(&flags(), &[("AZURE_CLI_TIMEOUT", "90s")]).timeout,
            Duration::from_secs(90)
        );
        assert_eq!(
            resolve(&flags(), &[("AZURE_CLI_TIMEOUT", "soon")]).timeout,
            DEFAULT_TIMEOUT
        );
        let err = resolve_token_options(
            &TokenFlags {
                timeout: Some("0s".into()),
                ..flags()
            },
            &EnvVars::default(),
            None,
        )
        .unwrap_err();
        assert!(matches!(err, SettingsError::Timeout(_)));
    }

    #[test]
    fn cache_dir_precedence() {
        let home = Some(Path::new("/home/u"));
        let env: EnvVars = [("KUBECACHEDIR", "/env/cache")].into_iter().collect();
        assert_eq!(
            resolve_cache_dir(Some("/flag"), Some("/old"), &env, home),
            PathBuf::from("/flag")
        );
        assert_eq!(
            resolve_cache_dir(None, Some("/old"), &env, home),
            PathBuf::from("/old")
        );
        assert_eq!(
            resolve_cache_dir(None, None, &env, home),
            PathBuf::from("/env/cache")
        );
        assert_eq!(
            resolve_cache_dir(None, None, &EnvVars::default(), home),
            PathBuf::from("/home/u/.kube/cache/kubelogin")
        );
        assert_eq!(
            resolve_cache_dir(Some("~/c"), None, &EnvVars::default(), home),
            PathBuf::from("/home/u/c")
        );
    }

    #[test]
    fn unknown_environment_is_an_error_listing_the_valid_names() {
        let err = resolve_token_options(
            &TokenFlags {
                environment: Some("AzureGermanCloud".into()),
                ..flags()
            },
            &EnvVars::default(),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("AzureChinaCloud"), "{err}");
        for (name, host) in [
            ("azurecloud", "https://login.microsoftonline.com/"),
            ("AzureUSGovernment", "https://login.microsoftonline.us/"),
            ("AZURECHINACLOUD", "https://login.chinacloudapi.cn/"),
        ] {
            let options = resolve(
                &TokenFlags {
                    environment: Some(name.into()),
                    ..flags()
                },
                &[],
            );
            assert_eq!(options.effective_authority_host(), host);
        }
    }

    #[test]
    fn pop_flags_come_together() {
        let only_enabled = TokenFlags {
            pop_enabled: Some(true),
            ..flags()
        };
        assert_eq!(
            resolve_token_options(&only_enabled, &EnvVars::default(), None),
            Err(SettingsError::PopClaimsMissing)
        );
        let only_claims = TokenFlags {
            pop_claims: Some("u=x".into()),
            ..flags()
        };
        assert_eq!(
            resolve_token_options(&only_claims, &EnvVars::default(), None),
            Err(SettingsError::PopEnabledMissing)
        );
        let both = TokenFlags {
            pop_enabled: Some(true),
            pop_claims: Some("u=x".into()),
            ..flags()
        };
        assert!(resolve(&both, &[]).pop_enabled());
    }

    #[test]
    fn unknown_login_uses_kubelogins_message() {
        let err = resolve_token_options(
            &TokenFlags {
                login: Some("magic".into()),
                ..flags()
            },
            &EnvVars::default(),
            None,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("'magic' is not a supported login method")
        );
    }
}
