//! The token flags → [`TokenSettings`]: the contract's [`TokenRequest`] (what a provider gets),
//! the host-only settings around it (cache directory, providers directory, the `--environment`
//! spelling …) and [`Given`], what the user set explicitly, which convert-kubeconfig needs.
//!
//! The order is kubelogin's: flags, then the environment table (`overrides`), then validation
//! (login mode, cloud, authority host, PoP pair, timeout, managed-identity endpoint).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use kubectl_aad_contract::{Input, LoginMode, Secret, TokenRequest};
use kubectl_aad_entra::Cloud;

use super::overrides::{self, Applied};
use super::{DEFAULT_TIMEOUT, SettingsError, parse_duration, resolve_cache_dir};
use crate::cli::TokenFlags;
use crate::env::Env;
use crate::registry;
use crate::token_cache::{Storage, TokenCache};

/// What the user set explicitly: a flag on the command line, or `AAD_LOGIN_METHOD` for
/// `--login` (kubelogin treats that variable as a chosen mode).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Given(BTreeSet<Input>);

impl Given {
    /// Whether `input` was set explicitly.
    pub(crate) fn contains(&self, input: Input) -> bool {
        self.0.contains(&input)
    }
}

/// The resolved token settings of one command.
#[derive(Debug, Clone)]
pub(crate) struct TokenSettings {
    /// What the provider receives (interactivity and PoP are filled in per run).
    pub(crate) request: TokenRequest,
    /// What the user set explicitly.
    pub(crate) given: Given,
    /// The `--environment` spelling as given (written back by convert and `login` hints).
    pub(crate) environment: Option<String>,
    /// `--pop-claims`, validated to come with `--pop-enabled`.
    pub(crate) pop_claims: Option<String>,
    /// The timeout as written (flag or `AZURE_CLI_TIMEOUT`), when one was.
    pub(crate) timeout_text: Option<String>,
    /// `--disable-environment-override`.
    pub(crate) disable_environment_override: bool,
    /// The token cache directory.
    pub(crate) cache_dir: PathBuf,
    /// How the cache keeps tokens at rest.
    pub(crate) storage: Storage,
    /// Where run-time provider libraries live.
    pub(crate) providers_dir: Option<PathBuf>,
    /// Whether a library may replace a built-in provider.
    pub(crate) allow_provider_override: bool,
    /// How long to wait for another process's sign-in (`KUBECTL_AAD_LOCK_WAIT`), when set.
    pub(crate) lock_wait: Option<Duration>,
    /// Which variables replaced which flags, for `-v 1`.
    pub(crate) overrides: Vec<Applied>,
}

impl TokenSettings {
    /// The providers these settings may use: built in, and the providers directory's libraries
    /// (replacing a built-in flow only with `--allow-provider-override`).
    pub(crate) fn registry(&self) -> registry::Registry {
        registry::Registry::new(self.providers_dir.clone(), self.allow_provider_override)
    }

    /// Resolves flags and environment, then validates like kubelogin's `Validate` plus the
    /// cloud name, the managed-identity endpoint and (for a library's mode) that a library
    /// for it exists.
    pub(crate) fn resolve(flags: &TokenFlags, env: &Env) -> Result<TokenSettings, SettingsError> {
        let (mut values, mut given) = from_flags(flags);
        let disable_environment_override = flags.disable_environment_override.unwrap_or(false);
        let overrides = if disable_environment_override {
            Vec::new()
        } else {
            let arm = flags.use_azurerm_env_vars.unwrap_or(false);
            overrides::apply(&mut values, arm, &env.vars)
        };
        if overrides
            .iter()
            .any(|applied| applied.input == Input::Login)
        {
            given.insert(Input::Login);
        }
        let login = match values.get(&Input::Login) {
            None => LoginMode::DeviceCode,
            Some(name) => LoginMode::parse(name)?,
        };
        let providers_dir = flags
            .providers_dir
            .clone()
            .or_else(|| env.vars.get("KUBECTL_AAD_PROVIDERS_DIR").map(PathBuf::from));
        check_library_mode(&login, providers_dir.as_deref())?;
        let checked = Checked::take(&mut values, flags, env)?;
        let cache_dir = resolve_cache_dir(
            values.get(&Input::CacheDir).map(String::as_str),
            None,
            &env.vars,
            env.home.as_deref(),
        )?;
        let storage = storage(values.get(&Input::TokenCacheStorage), env)?;
        let request = request(login, &mut values, flags, env, &checked);
        hold_secrets(&request, env);
        if !request.tenant_id.is_empty() && !is_tenant(&request.tenant_id) {
            return Err(SettingsError::Tenant(request.tenant_id));
        }
        Ok(TokenSettings {
            request,
            given: Given(given),
            environment: checked.environment,
            pop_claims: checked.pop_claims,
            timeout_text: checked.timeout_text,
            disable_environment_override,
            cache_dir,
            storage,
            providers_dir,
            allow_provider_override: flags.allow_provider_override,
            lock_wait: env
                .vars
                .get("KUBECTL_AAD_LOCK_WAIT")
                .and_then(|wait| parse_duration(&wait)),
            overrides,
        })
    }

    /// The token cache these settings name.
    pub(crate) fn cache(&self) -> TokenCache {
        TokenCache::new(&self.cache_dir, self.storage)
    }

    /// The login mode.
    pub(crate) fn login(&self) -> &LoginMode {
        &self.request.login
    }

    /// The value of any input as text: the request's, or one the host holds.
    pub(crate) fn value(&self, input: Input) -> Option<String> {
        let on = |set: bool| set.then(|| "true".to_owned());
        match input {
            Input::CacheDir => Some(self.cache_dir.display().to_string()),
            Input::TokenCacheStorage => Some(self.storage.as_str().to_owned()),
            Input::Environment => self.environment.clone(),
            Input::PopClaims => self.pop_claims.clone(),
            Input::Timeout => self.timeout_text.clone(),
            Input::DisableEnvironmentOverride => on(self.disable_environment_override),
            Input::ProvidersDir => self.providers_dir.as_ref().map(|d| d.display().to_string()),
            _ => self.request.value(input),
        }
    }

    /// Fails when no `--server-id` was given: no mode can work without it.
    pub(crate) fn require_server_id(&self) -> Result<(), SettingsError> {
        match self.request.server_id.is_empty() {
            true => Err(SettingsError::ServerIdMissing),
            false => Ok(()),
        }
    }

    /// `-v 1`: which variables overrode flags; `-v 10`: the settings, never a secret.
    pub(crate) fn log(&self, env: &Env) {
        for applied in &self.overrides {
            env.log(1, &applied.describe());
        }
        let r = &self.request;
        let set = |s: &Option<Secret>| if s.is_some() { "(set)" } else { "(unset)" };
        env.log(
            10,
            &format!(
                "options: login={} environment={:?} authority={} tenant={:?} client-id={:?} server-id={:?} legacy={} cache-dir={} token-cache-storage={} timeout={}s subscription={:?} identity-resource-id={:?} imds-endpoint={:?} azure-config-dir={:?} federated-token-file={:?} client-secret={} password={}",
                r.login,
                self.environment,
                r.authority_host,
                r.tenant_id,
                r.client_id,
                r.server_id,
                r.legacy,
                self.cache_dir.display(),
                self.storage.as_str(),
                r.timeout_secs,
                r.subscription,
                r.identity_resource_id,
                r.imds_endpoint,
                r.azure_config_dir,
                r.federated_token_file,
                set(&r.client_secret),
                set(&r.password),
            ),
        );
    }
}

/// The values that need checking, taken out of the flag values once checked.
struct Checked {
    environment: Option<String>,
    authority_host: String,
    pop_claims: Option<String>,
    timeout_text: Option<String>,
    timeout: Duration,
    imds_endpoint: Option<String>,
}

impl Checked {
    /// Cloud, authority host, the PoP pair, the timeout and the managed-identity endpoint.
    fn take(
        values: &mut BTreeMap<Input, String>,
        flags: &TokenFlags,
        env: &Env,
    ) -> Result<Checked, SettingsError> {
        let environment = flags.environment.clone().filter(|e| !e.is_empty());
        let cloud = match &environment {
            Some(name) => Cloud::from_name(name)?,
            None => Cloud::Public,
        };
        let authority_host = match values.remove(&Input::AuthorityHost) {
            Some(host) => validated_authority_host(host)?,
            None => cloud.authority_host().to_owned(),
        };
        let pop_claims = values.remove(&Input::PopClaims);
        match (flags.pop_enabled.unwrap_or(false), &pop_claims) {
            (true, None) => return Err(SettingsError::PopClaimsMissing),
            (false, Some(_)) => return Err(SettingsError::PopEnabledMissing),
            _ => {}
        }
        let timeout_text = values.remove(&Input::Timeout);
        let timeout = match &timeout_text {
            None => DEFAULT_TIMEOUT,
            Some(text) => {
                parse_duration(text).ok_or_else(|| SettingsError::Timeout(text.clone()))?
            }
        };
        // A flag of our own, so the flag wins; the variable is the one Azure SDKs honour.
        let imds_endpoint = values
            .remove(&Input::ImdsEndpoint)
            .or_else(|| env.vars.get("AZURE_POD_IDENTITY_AUTHORITY_HOST"));
        if let Some(url) = &imds_endpoint {
            validate_imds_endpoint(url)?;
        }
        Ok(Checked {
            environment,
            authority_host,
            pop_claims,
            timeout_text,
            timeout,
            imds_endpoint,
        })
    }
}

/// The contract's request from the resolved values.
fn request(
    login: LoginMode,
    values: &mut BTreeMap<Input, String>,
    flags: &TokenFlags,
    env: &Env,
    checked: &Checked,
) -> TokenRequest {
    let mut take = |input: Input| values.remove(&input);
    TokenRequest {
        login,
        authority_host: checked.authority_host.clone(),
        tenant_id: take(Input::TenantId).unwrap_or_default(),
        client_id: take(Input::ClientId).unwrap_or_default(),
        server_id: take(Input::ServerId).unwrap_or_default(),
        legacy: flags.legacy.unwrap_or(false),
        client_secret: take(Input::ClientSecret).map(Secret::new),
        client_certificate: take(Input::ClientCertificate).map(PathBuf::from),
        client_certificate_password: take(Input::ClientCertificatePassword).map(Secret::new),
        username: take(Input::Username),
        password: take(Input::Password).map(Secret::new),
        identity_resource_id: take(Input::IdentityResourceId),
        federated_token_file: take(Input::FederatedTokenFile).map(PathBuf::from),
        subscription: take(Input::Subscription),
        service_connection_id: take(Input::ServiceConnectionId),
        redirect_url: take(Input::RedirectUrl),
        login_hint: take(Input::LoginHint),
        browser_command: take(Input::BrowserCommand),
        pop: None,
        interactive: false,
        attended: true,
        timeout_secs: checked.timeout.as_secs().max(1),
        disable_instance_discovery: flags.disable_instance_discovery.unwrap_or(false),
        extra_ca_files: env
            .vars
            .get("SSL_CERT_FILE")
            .map(PathBuf::from)
            .into_iter()
            .collect(),
        imds_endpoint: checked.imds_endpoint.clone(),
        azure_config_dir: env.vars.get("AZURE_CONFIG_DIR").map(PathBuf::from),
        options: flags.provider_options.iter().cloned().collect(),
    }
}

/// `--token-cache-storage`, else `KUBECTL_AAD_TOKEN_CACHE_STORAGE` (a flag of our own, so the
/// flag wins), else `auto`.
fn storage(flag: Option<&String>, env: &Env) -> Result<Storage, SettingsError> {
    let Some(text) = flag
        .cloned()
        .or_else(|| env.vars.get("KUBECTL_AAD_TOKEN_CACHE_STORAGE"))
        .filter(|t| !t.trim().is_empty())
    else {
        return Ok(Storage::Auto);
    };
    Storage::parse(&text).ok_or(SettingsError::Storage(text))
}

/// Variables whose values are secrets whichever flow reads them.
const SECRET_VARIABLES: [&str; 10] = [
    "AZURE_CLIENT_SECRET",
    "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET",
    "ARM_CLIENT_SECRET",
    "AZURE_PASSWORD",
    "AAD_USER_PRINCIPAL_PASSWORD",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "SYSTEM_ACCESSTOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "IDENTITY_HEADER",
    "MSI_SECRET",
];

/// Tells `env` every secret of the request and of the environment, so no line shows one.
fn hold_secrets(request: &TokenRequest, env: &Env) {
    let held = [
        &request.client_secret,
        &request.client_certificate_password,
        &request.password,
    ];
    for secret in held.into_iter().flatten() {
        env.hold_secret(secret.expose());
    }
    for name in SECRET_VARIABLES {
        if let Some(value) = env.vars.get(name) {
            env.hold_secret(&value);
        }
    }
}

/// The values the flags hold (empty values count as unset) and the inputs they name.
fn from_flags(flags: &TokenFlags) -> (BTreeMap<Input, String>, BTreeSet<Input>) {
    let texts = [
        (
            Input::Login,
            flags.login.as_ref().map(|m| m.as_str().to_owned()),
        ),
        (Input::ServerId, flags.server_id.clone()),
        (Input::ClientId, flags.client_id.clone()),
        (Input::ClientSecret, flags.client_secret.clone()),
        (Input::ClientCertificate, flags.client_certificate.clone()),
        (
            Input::ClientCertificatePassword,
            flags.client_certificate_password.clone(),
        ),
        (Input::Username, flags.username.clone()),
        (Input::Password, flags.password.clone()),
        (
            Input::IdentityResourceId,
            flags.identity_resource_id.clone(),
        ),
        (
            Input::FederatedTokenFile,
            flags.federated_token_file.clone(),
        ),
        (Input::AuthorityHost, flags.authority_host.clone()),
        (Input::ImdsEndpoint, flags.imds_endpoint.clone()),
        (
            Input::ServiceConnectionId,
            flags.azure_pipelines_service_connection_id.clone(),
        ),
        (
            Input::CacheDir,
            flags
                .cache_dir
                .clone()
                .or_else(|| flags.token_cache_dir.clone()),
        ),
        (Input::TokenCacheStorage, flags.token_cache_storage.clone()),
        (Input::TenantId, flags.tenant_id.clone()),
        (Input::Subscription, flags.subscription.clone()),
        (Input::Environment, flags.environment.clone()),
        (Input::PopClaims, flags.pop_claims.clone()),
        (
            Input::Timeout,
            flags.timeout.as_ref().map(|t| t.text.clone()),
        ),
        (Input::RedirectUrl, flags.redirect_url.clone()),
        (Input::LoginHint, flags.login_hint.clone()),
        (Input::BrowserCommand, flags.browser_command.clone()),
        (
            Input::ProvidersDir,
            flags
                .providers_dir
                .as_ref()
                .map(|d| d.display().to_string()),
        ),
    ];
    let values: BTreeMap<Input, String> = texts
        .into_iter()
        .filter_map(|(input, value)| Some((input, value.filter(|v| !v.is_empty())?)))
        .collect();
    let mut given: BTreeSet<Input> = values.keys().copied().collect();
    let switches = [
        (Input::Legacy, flags.legacy),
        (
            Input::DisableEnvironmentOverride,
            flags.disable_environment_override,
        ),
        (
            Input::DisableInstanceDiscovery,
            flags.disable_instance_discovery,
        ),
    ];
    given.extend(
        switches
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(i, _)| *i),
    );
    if !flags.provider_options.is_empty() {
        given.insert(Input::ProviderOptions);
    }
    (values, given)
}

/// A mode no built-in provider has needs a library for it in the providers directory; looked
/// up by file name only (nothing is loaded), so a typo fails before any work.
fn check_library_mode(
    login: &LoginMode,
    providers_dir: Option<&std::path::Path>,
) -> Result<(), SettingsError> {
    let LoginMode::Library(name) = login else {
        return Ok(());
    };
    match providers_dir {
        None => Err(kubectl_aad_contract::UnknownLoginMode(name.clone()).into()),
        Some(dir) if registry::library_file(dir, login).is_none() => {
            Err(SettingsError::NoLibraryMode {
                mode: name.clone(),
                dir: dir.display().to_string(),
            })
        }
        Some(_) => Ok(()),
    }
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

/// An absolute URL with a trailing slash (kubelogin's rule), and https: whatever its source
/// (flag, `AZURE_AUTHORITY_HOST`, a kubeconfig's exec arguments), secrets only go over TLS.
fn validated_authority_host(host: String) -> Result<String, SettingsError> {
    let valid = host.split_once("://").is_some_and(|(scheme, rest)| {
        !scheme.is_empty() && !rest.split('/').next().unwrap_or_default().is_empty()
    }) && host.ends_with('/');
    match (valid, host.to_ascii_lowercase().starts_with("https://")) {
        (false, _) => Err(SettingsError::AuthorityHost(host)),
        (true, false) => Err(SettingsError::PlainAuthority(host)),
        (true, true) => Ok(host),
    }
}

/// A tenant is named by a GUID, a domain name or an alias (`common`, `organizations`): DNS
/// syntax, so that `?`, `#`, `/` or `..` can never change the endpoint's path.
fn is_tenant(tenant: &str) -> bool {
    tenant.len() <= 253
        && tenant.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;
