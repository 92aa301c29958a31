//! The get-token pipeline: cache → lock → re-read → refresh or sign in → store.
//!
//! [`cached`] is the hit path: it reads one small file and does nothing else (no runtime, no
//! TLS, no library loading, no kubeconfig). [`obtain`] is the miss path, serialised per cache
//! key across processes, so N parallel kubectl processes cause one token request: the first
//! takes the lock and signs in; the others wait, re-read and find its token.

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use kubectl_aad_contract::{
    ErrorKind, LoginMode, PopRequest, ProviderError, Reuse, TokenRequest, TokenSet,
};

use crate::claims::Claims;
use crate::env::Env;
use crate::pop::{self, PopKey};
use crate::registry::Registry;
use crate::settings::{TokenOptions, parse_duration};
use crate::token_cache::{self, CacheEntry, CacheError, Decision, TokenCache, TokenCacheKey};

/// How long a waiter waits for another process's interactive sign-in (a device code lives
/// 15 minutes).
const USER_FLOW_LOCK_WAIT: Duration = Duration::from_secs(15 * 60);

/// What one get-token run asks for.
pub struct TokenJob<'a> {
    /// The resolved options.
    pub options: &'a TokenOptions,
    /// Whether the provider may prompt or open a browser.
    pub interactive: bool,
    /// Ignore a cached access token.
    pub force_refresh: bool,
    /// Where run-time provider libraries live.
    pub providers_dir: Option<PathBuf>,
    /// Let a library replace a built-in provider.
    pub allow_provider_override: bool,
    /// The PoP key and claim, when PoP tokens are requested.
    pub pop: Option<&'a PopBinding>,
}

/// PoP for a run: the client's key and the `u` claim it signs for.
pub struct PopBinding {
    /// The key.
    pub key: PopKey,
    /// The `u` claim (the cluster's ARM id).
    pub u: String,
}

/// Sets up PoP when it is requested for a mode that supports it (interactive, spn, ropc); for
/// other modes the PoP flags are ignored, as kubelogin does. A key file that cannot be used is a
/// warning and an ephemeral key, never a failure.
pub fn pop_binding(options: &TokenOptions, env: &Env) -> anyhow::Result<Option<PopBinding>> {
    let Some(claims) = &options.pop_claims else {
        return Ok(None);
    };
    if !matches!(
        options.login,
        LoginMode::Interactive | LoginMode::Spn | LoginMode::Ropc
    ) {
        env.log(1, &format!("PoP tokens are only for interactive, spn and ropc; ignoring --pop-enabled for --login {}", options.login));
        return Ok(None);
    }
    let u = pop::parse_claims(claims)?;
    // Best effort: a directory that cannot be made shows up as a key warning just below.
    let _ = TokenCache::new(&options.cache_dir).prepare_dir();
    let path = pop::key_path(&options.cache_dir, &cache_key(options).file_stem());
    let (key, warning) = PopKey::load_or_create(&path);
    if let Some(warning) = warning {
        env.warn(&warning);
    }
    Ok(Some(PopBinding { key, u }))
}

/// The cache key, bound to the PoP key when there is one.
pub fn cache_key_for(options: &TokenOptions, pop: Option<&PopBinding>) -> TokenCacheKey {
    let mut key = cache_key(options);
    if let Some(pop) = pop {
        key.pop_key_id = pop.key.kid().to_owned();
    }
    key
}

/// What kubectl gets: the access token, or a fresh signed request wrapping it.
pub fn presented_token(entry: &CacheEntry, pop: Option<&PopBinding>, now: u64) -> String {
    match pop {
        Some(pop) => pop
            .key
            .signed_request(entry.access_token.expose(), &pop.u, now),
        None => entry.access_token.expose().to_owned(),
    }
}

/// The cache key for these options.
pub fn cache_key(options: &TokenOptions) -> TokenCacheKey {
    let identity = match options.login {
        LoginMode::Ropc => options.username.clone().unwrap_or_default(),
        LoginMode::Interactive => options.login_hint.clone().unwrap_or_default(),
        LoginMode::Msi => options.identity_resource_id.clone().unwrap_or_default(),
        LoginMode::AzureCli => format!(
            "{}|{}",
            options.subscription.clone().unwrap_or_default(),
            options.azure_config_dir_hint()
        ),
        _ => String::new(),
    };
    TokenCacheKey {
        authority_host: options.effective_authority_host().to_owned(),
        tenant_id: options.tenant_id.clone(),
        client_id: options.client_id.clone(),
        resource: options.server_id.clone(),
        login: options.login.as_str().to_owned(),
        identity,
        legacy: options.legacy,
        pop_key_id: String::new(),
    }
}

/// The hit path: a fresh cached entry, or `None`.
pub fn cached(
    cache: &TokenCache,
    key: &TokenCacheKey,
    now: u64,
) -> Result<Option<CacheEntry>, CacheError> {
    match cache.read(key) {
        Ok(entry) => Ok(entry.filter(|entry| usable(entry, now))),
        // An entry we cannot read is a miss; the miss path says once what is wrong.
        Err(CacheError::Io { .. }) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Whether a cached entry may be handed out at `now`: fresh by time and, for tokens of another
/// tool's session, with that session's files unchanged.
fn usable(entry: &CacheEntry, now: u64) -> bool {
    token_cache::is_fresh(entry, now) && entry.reuse.as_ref().is_none_or(Reuse::files_unchanged)
}

/// The miss path: returns a fresh entry, from another process's work or from the provider.
pub fn obtain(
    job: &TokenJob<'_>,
    env: &Env,
    cache: &TokenCache,
    key: &TokenCacheKey,
) -> anyhow::Result<CacheEntry> {
    // What was cached before we queued for the lock: a different fresh token after the lock
    // means another process refreshed meanwhile, which satisfies --force-refresh too.
    let before = cache
        .read(key)
        .ok()
        .flatten()
        .map(|entry| entry.access_token);
    let lock = match cache
        .prepare_dir()
        .and_then(|()| cache.lock(key, lock_wait(job, env)))
    {
        Ok(lock) => Some(lock),
        Err(
            err @ (CacheError::InsecureDir(_)
            | CacheError::InsecureFile(_)
            | CacheError::LockTimeout { .. }),
        ) => {
            return Err(err.into());
        }
        Err(err) => {
            env.warn(&format!(
                "{:#}; continuing without the token cache",
                anyhow::Error::new(err)
            ));
            None
        }
    };
    let entry = match &lock {
        Some(_) => cache.read(key).unwrap_or_else(|err| {
            env.warn(&format!(
                "{:#}; ignoring the cached token",
                anyhow::Error::new(err)
            ));
            None
        }),
        None => None,
    };
    let now = now_secs(env);
    if let Some(entry) = &entry {
        let from_peer = before.as_ref() != Some(&entry.access_token);
        if usable(entry, now) && (from_peer || !job.force_refresh) {
            env.log(
                5,
                "using the token another kubectl-aad process just obtained",
            );
            return Ok(entry.clone());
        }
    }

    let registry = Registry::load(job.providers_dir.as_deref(), job.allow_provider_override)?;
    let registered = registry.find(job.options.login).with_context(|| {
        format!(
            "login mode {} is not available in this build; `kubectl-aad providers` lists the available ones",
            job.options.login
        )
    })?;
    let provider = registered.provider();
    let request = token_request(job, env);

    let mut tokens = None;
    if let Decision::Refresh(refresh_token) =
        token_cache::decide(entry.as_ref(), now, job.force_refresh)
    {
        env.log(5, "redeeming the cached refresh token");
        match provider.refresh(&request, &refresh_token, env) {
            Ok(refreshed) => tokens = Some(refreshed),
            Err(err) if err.kind == ErrorKind::InvalidGrant => {
                env.log(
                    1,
                    &format!(
                        "the refresh token was refused ({}); signing in again",
                        err.message
                    ),
                );
                let _ = cache.remove(key);
            }
            Err(err) => env.log(
                1,
                &format!("refresh failed ({}); signing in again", err.message),
            ),
        }
    }
    let tokens = match tokens {
        Some(tokens) => tokens,
        None => {
            env.log(5, &format!("running the {} flow", job.options.login));
            provider
                .acquire(&request, env)
                .map_err(|err| match err.kind {
                    ErrorKind::InteractionRequired if err.hint.is_none() => {
                        provider_error(err.with_hint(format!(
                            "run `{}` in a terminal to sign in, then retry",
                            login_command(job.options)
                        )))
                    }
                    _ => provider_error(err),
                })?
        }
    };
    let entry = to_entry(tokens, now_secs(env));
    let cacheable = entry.reuse.as_ref().is_none_or(|r| r.max_age_secs > 0);
    // Without a lock the directory was unusable and that was already said once.
    if lock.is_some()
        && cacheable
        && let Err(err) = cache.write(key, &entry)
    {
        env.warn(&format!(
            "could not save the token: {:#}; the next call signs in again",
            anyhow::Error::new(err)
        ));
    }
    Ok(entry)
}

/// The `kubectl-aad login` command that signs in for these options (never with a secret).
pub fn login_command(o: &TokenOptions) -> String {
    let mut words = vec![
        "kubectl-aad".to_owned(),
        "login".to_owned(),
        "-l".to_owned(),
        o.login.as_str().to_owned(),
    ];
    let mut add = |flag: &str, value: &str| {
        if !value.is_empty() {
            words.push(flag.to_owned());
            words.push(if value.contains(char::is_whitespace) {
                format!("'{value}'")
            } else {
                value.to_owned()
            });
        }
    };
    add("--server-id", &o.server_id);
    add("--client-id", &o.client_id);
    add("--tenant-id", &o.tenant_id);
    add(
        "--environment",
        o.environment.as_deref().unwrap_or_default(),
    );
    add(
        "--authority-host",
        o.authority_host.as_deref().unwrap_or_default(),
    );
    add("--login-hint", o.login_hint.as_deref().unwrap_or_default());
    add("--username", o.username.as_deref().unwrap_or_default());
    add("--cache-dir", &o.cache_dir.display().to_string());
    if o.legacy {
        words.push("--legacy".to_owned());
    }
    words.join(" ")
}

/// A provider failure as one line: message, then the hint.
pub fn provider_error(err: ProviderError) -> anyhow::Error {
    match err.hint {
        Some(hint) => anyhow::anyhow!("{}; {hint}", err.message),
        None => anyhow::anyhow!("{}", err.message),
    }
}

fn to_entry(tokens: TokenSet, now: u64) -> CacheEntry {
    let mut identity = tokens.identity;
    if identity == Default::default()
        && let Some(claims) = Claims::decode(tokens.access_token.expose())
    {
        identity = claims.identity();
    }
    CacheEntry {
        access_token: tokens.access_token,
        expires_on: tokens.expires_on,
        obtained_at: now.min(tokens.expires_on),
        refresh_token: tokens.refresh_token,
        identity,
        reuse: tokens.reuse,
    }
}

fn lock_wait(job: &TokenJob<'_>, env: &Env) -> Duration {
    if let Some(wait) = env
        .vars
        .get("KUBECTL_AAD_LOCK_WAIT")
        .and_then(parse_duration)
    {
        return wait;
    }
    if job.options.login.is_user_flow() {
        USER_FLOW_LOCK_WAIT
    } else {
        job.options.timeout + Duration::from_secs(30)
    }
}

/// Seconds since the epoch by the environment's clock.
pub fn now_secs(env: &Env) -> u64 {
    (env.clock)()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The resolved request a provider receives.
pub fn token_request(job: &TokenJob<'_>, env: &Env) -> TokenRequest {
    let o = job.options;
    let mut extra_ca_files = Vec::new();
    if let Some(file) = env.vars.get("SSL_CERT_FILE") {
        extra_ca_files.push(PathBuf::from(file));
    }
    TokenRequest {
        login: o.login,
        authority_host: o.effective_authority_host().to_owned(),
        tenant_id: o.tenant_id.clone(),
        client_id: o.client_id.clone(),
        server_id: o.server_id.clone(),
        legacy: o.legacy,
        client_secret: o.client_secret.clone(),
        client_certificate: o.client_certificate.as_ref().map(PathBuf::from),
        client_certificate_password: o.client_certificate_password.clone(),
        username: o.username.clone(),
        password: o.password.clone(),
        identity_resource_id: o.identity_resource_id.clone(),
        federated_token_file: o.federated_token_file.as_ref().map(PathBuf::from),
        subscription: o.subscription.clone(),
        service_connection_id: o.service_connection_id.clone(),
        redirect_url: o.redirect_url.clone(),
        login_hint: o.login_hint.clone(),
        browser_command: o.browser_command.clone(),
        pop: job.pop.map(|binding| PopRequest {
            key_id: binding.key.kid().to_owned(),
            req_cnf: binding.key.req_cnf(),
        }),
        interactive: job.interactive,
        timeout_secs: o.timeout.as_secs().max(1),
        disable_instance_discovery: o.disable_instance_discovery,
        extra_ca_files,
        imds_endpoint: o.imds_endpoint.clone(),
        azure_config_dir: o.azure_config_dir.as_ref().map(PathBuf::from),
    }
}

/// Fails early when a request cannot work in any mode.
pub fn check_required(options: &TokenOptions) -> anyhow::Result<()> {
    if options.server_id.is_empty() {
        bail!(
            "--server-id is required; pass the cluster's Entra ID server application id (AKS: 6dae42f8-4368-4678-94ff-3960e28e3630)"
        );
    }
    Ok(())
}
