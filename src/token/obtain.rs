//! The miss path: under the key's lock, re-read (another process may have just signed in),
//! decide, then refresh or run the grant flow, and store what came back.
//!
//! The lock is held across "read → refresh or sign in → write", so N parallel kubectl processes
//! cause one token request and one prompt: the first signs in, the others wait and find its
//! token. An unusable cache directory costs one warning and the token is still returned.

use std::time::Duration;

use kubectl_aad_contract::{
    ErrorKind, Host as _, ModeDescriptor, Provider, ProviderError, Secret, TokenRequest, TokenSet,
};
use kubectl_aad_entra::jwt::Claims;

use super::Lookup;
use super::pop::PopBinding;
use crate::argv;
use crate::env::Env;
use crate::registry::Registry;
use crate::token_cache::{
    self, CacheEntry, CacheError, CacheLock, Decision, Facts, Moment, TokenCache, TokenCacheKey,
};

/// How long a waiter waits for another process's sign-in by a person who can see the prompt (a
/// device code lives 15 minutes). Unattended, a flow gives up after `--timeout`, and so do its
/// waiters (30 s later).
const USER_FLOW_LOCK_WAIT: Duration = Duration::from_secs(15 * 60);

/// What the miss path works on.
pub(super) struct Miss<'a> {
    pub(super) lookup: &'a Lookup<'a>,
    pub(super) key: &'a TokenCacheKey,
    pub(super) cache: &'a TokenCache,
    /// What the hit path read before queueing for the lock.
    pub(super) seen: Option<&'a CacheEntry>,
    pub(super) pop: Option<&'a PopBinding>,
}

/// Returns a fresh entry, from another process's work or from the provider.
pub(super) fn obtain(
    miss: &Miss<'_>,
    providers: &Registry,
    env: &Env,
) -> anyhow::Result<CacheEntry> {
    let settings = miss.lookup.settings;
    let found = providers.find(settings.login())?;
    let descriptor = found.descriptor();
    if miss.pop.is_some() && !descriptor.pop {
        anyhow::bail!(
            "--login {} does not support proof-of-possession tokens; drop --pop-enabled and --pop-claims",
            settings.login()
        );
    }
    let lock = take_lock(miss, descriptor, env)?;
    let entry = match &lock {
        Some(_) => miss.cache.read(miss.key).unwrap_or_else(|err| {
            env.warn(&format!(
                "{:#}; ignoring the cached token",
                anyhow::Error::new(err)
            ));
            None
        }),
        None => None,
    };
    let decision = token_cache::decide(Facts {
        entry: entry.as_ref(),
        now: env.now_secs(),
        force_refresh: miss.lookup.force_refresh,
        moment: Moment::AfterLock {
            seen: miss.seen.map(|seen| &seen.access_token),
        },
        stamps_hold: entry.as_ref().is_none_or(CacheEntry::stamps_hold),
    });
    let request = run_request(miss);
    let tokens = match (decision, entry) {
        (Decision::Use, Some(entry)) => {
            env.log(
                5,
                "using the token another kubectl-aad process just obtained",
            );
            return Ok(entry);
        }
        (Decision::Refresh(refresh_token), _) => {
            check(descriptor, &request)?;
            refresh_or_sign_in(miss, found.provider(), &request, &refresh_token, env)?
        }
        (Decision::Use | Decision::Acquire, _) => {
            check(descriptor, &request)?;
            sign_in(miss, found.provider(), &request, env)?
        }
    };
    let entry = to_entry(accept(tokens, &request, env.now_secs())?, env.now_secs());
    if descriptor.user_flow {
        check_login_hint(&entry, &request)?;
    }
    // Without a lock the directory was unusable and that was already said once.
    if lock.is_some()
        && token_cache::worth_storing(&entry)
        && let Err(err) = miss.cache.write(miss.key, &entry)
    {
        env.warn(&format!(
            "could not save the token: {:#}; the next call signs in again",
            anyhow::Error::new(err)
        ));
    }
    Ok(entry)
}

/// The request the provider gets for this run: the settings' request with interactivity and
/// PoP filled in.
fn run_request(miss: &Miss<'_>) -> TokenRequest {
    let mut request = miss.lookup.settings.request.clone();
    request.interactive = miss.lookup.interactive;
    request.attended = miss.lookup.attended;
    request.pop = miss.pop.map(PopBinding::request);
    request
}

/// The mode's requirements, checked once before any flow runs.
fn check(descriptor: &ModeDescriptor, request: &TokenRequest) -> anyhow::Result<()> {
    descriptor
        .check(request)
        .map_err(|unmet| anyhow::anyhow!("{}; {}", unmet.missing, unmet.hint))
}

/// Takes the key's lock. A directory that is insecure, or a lock held too long, is an error; any
/// other cache problem is a warning and the run goes on without the cache.
fn take_lock(
    miss: &Miss<'_>,
    descriptor: &ModeDescriptor,
    env: &Env,
) -> anyhow::Result<Option<CacheLock>> {
    let settings = miss.lookup.settings;
    let wait =
        settings
            .lock_wait
            .unwrap_or_else(|| match descriptor.user_flow && miss.lookup.attended {
                true => USER_FLOW_LOCK_WAIT,
                false => {
                    Duration::from_secs(settings.request.timeout_secs) + Duration::from_secs(30)
                }
            });
    match miss
        .cache
        .prepare_dir()
        .and_then(|()| miss.cache.lock(miss.key, wait))
    {
        Ok(lock) => Ok(Some(lock)),
        Err(err @ (CacheError::Unsafe(_) | CacheError::LockTimeout { .. })) => Err(err.into()),
        Err(err) => {
            env.warn(&format!(
                "{:#}; continuing without the token cache",
                anyhow::Error::new(err)
            ));
            Ok(None)
        }
    }
}

/// Redeems the refresh token; when it is refused, signs in again (a dead refresh token is
/// dropped from the cache first).
fn refresh_or_sign_in(
    miss: &Miss<'_>,
    provider: &dyn Provider,
    request: &TokenRequest,
    refresh_token: &Secret,
    env: &Env,
) -> anyhow::Result<TokenSet> {
    env.log(5, "redeeming the cached refresh token");
    env.hold_secret(refresh_token.expose());
    let refused = match provider.refresh(request, refresh_token, env) {
        Ok(tokens) => return Ok(tokens),
        Err(err) => err,
    };
    // A dead refresh token (by its AADSTS code, whatever `error` says) is dropped, so that it
    // is never presented again.
    if refused.kind == ErrorKind::InvalidGrant {
        let _ = miss.cache.remove(miss.key);
    }
    env.log(
        1,
        &format!(
            "the refresh token was refused ({}); signing in again",
            refused.message
        ),
    );
    env.log(5, &format!("running the {} flow", request.login));
    match provider.acquire(request, env) {
        Ok(tokens) => Ok(tokens),
        // Nobody can sign in here: say why the cached sign-in ended, and what to run.
        Err(err) if err.kind == ErrorKind::InteractionRequired => Err(anyhow::anyhow!(
            "the cached sign-in could not be refreshed: {}; signing in again needs a person: run `{}` in a terminal, then retry",
            refused.message,
            argv::login_command(miss.lookup.program, miss.lookup.settings)
        )),
        Err(err) => Err(provider_error(err)),
    }
}

/// Runs the grant flow; a flow that needs a person in a run without one names the `login`
/// command that provides one.
fn sign_in(
    miss: &Miss<'_>,
    provider: &dyn Provider,
    request: &TokenRequest,
    env: &Env,
) -> anyhow::Result<TokenSet> {
    env.log(5, &format!("running the {} flow", request.login));
    provider
        .acquire(request, env)
        .map_err(|err| match err.kind {
            ErrorKind::InteractionRequired if err.hint.is_none() => {
                let command = argv::login_command(miss.lookup.program, miss.lookup.settings);
                provider_error(err.with_hint(format!(
                    "run `{command}` in a terminal to sign in, then retry"
                )))
            }
            _ => provider_error(err),
        })
}

/// A provider failure as one line: message, then the hint.
pub(crate) fn provider_error(err: ProviderError) -> anyhow::Error {
    match err.hint {
        Some(hint) => anyhow::anyhow!("{}; {hint}", err.message),
        None => anyhow::anyhow!("{}", err.message),
    }
}

/// The largest access token accepted (Entra ID tokens are a few KiB, with 200 groups about ten).
const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// What every provider's tokens must be before they are printed or cached: a non-empty token of
/// sane size and characters, expiring ahead of now and within any token's lifetime. A refresh
/// token that is not usable is dropped.
fn accept(mut tokens: TokenSet, request: &TokenRequest, now: u64) -> anyhow::Result<TokenSet> {
    let unusable = |what: String| {
        anyhow::anyhow!(
            "the {} sign-in returned {what}; nothing was cached",
            request.login
        )
    };
    let token = tokens.access_token.expose();
    if token.is_empty() {
        return Err(unusable("an empty access token".into()));
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(unusable(format!(
            "an access token of {} KiB, more than the {} KiB any real one takes",
            token.len() / 1024,
            MAX_TOKEN_BYTES / 1024
        )));
    }
    if !printable(token) {
        return Err(unusable(
            "an access token with spaces or control characters".into(),
        ));
    }
    kubectl_aad_entra::expiry::at(now, tokens.expires_on)
        .map_err(|err| unusable(format!("a token whose expiry is unusable ({err})")))?;
    tokens.refresh_token = tokens
        .refresh_token
        .filter(|t| !t.is_empty() && t.expose().len() <= MAX_TOKEN_BYTES && printable(t.expose()));
    Ok(tokens)
}

/// With `--login-hint`, the entry is keyed by that user: a token of anyone else (the person at
/// the device code page used another account) would later be handed out as the hint's. Entra ID
/// compares names case-insensitively. A token that names no user cannot be checked.
fn check_login_hint(entry: &CacheEntry, request: &TokenRequest) -> anyhow::Result<()> {
    let (Some(hint), Some(user)) = (&request.login_hint, &entry.identity.username) else {
        return Ok(());
    };
    match hint.eq_ignore_ascii_case(user) {
        true => Ok(()),
        false => Err(anyhow::anyhow!(
            "signed in as {user}, but --login-hint is {hint}; nothing was cached: sign in again as {hint}, or change --login-hint to {user}"
        )),
    }
}

/// Visible ASCII only: what any bearer token, JWT or opaque, is made of.
fn printable(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_graphic())
}

/// The cache entry for new tokens; the identity comes from the token when the provider did not
/// say.
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

#[cfg(test)]
#[path = "obtain_tests.rs"]
mod tests;
