//! The get-token use case, shared by `get-token`, `whoami` and `login` (int128/kubelogin's
//! `usecases/credentialplugin` shape): [`fresh`] reads as the protocol —
//! key → hit → obtain (lock, re-read, decide, refresh or acquire, store).
//!
//! The hit path reads one small file and decides; no runtime, no TLS, no library loading, no
//! kubeconfig. Its callers pass the [`Registry`] in, so the miss path is unit-tested in-process
//! with a fake provider. PoP binding lives beside it ([`pop`]).

mod obtain;
pub(crate) mod pop;

use kubectl_aad_contract::Host as _;

use crate::env::Env;
use crate::registry::Registry;
use crate::settings::TokenSettings;
use crate::token_cache::{self, CacheEntry, CacheError, Decision, Facts, Moment, TokenCacheKey};
use pop::PopBinding;

/// What one run asks for.
pub(crate) struct Lookup<'a> {
    /// The resolved token settings.
    pub(crate) settings: &'a TokenSettings,
    /// Whether the provider may prompt or open a browser.
    pub(crate) interactive: bool,
    /// Whether a person can see our messages (a device code) while the flow waits.
    pub(crate) attended: bool,
    /// Ignore a cached access token.
    pub(crate) force_refresh: bool,
    /// The program name for suggested commands (`kubectl-aad`, or `kubelogin` when invoked so).
    pub(crate) program: &'a str,
}

/// A fresh token and what kubectl is told about it.
pub(crate) struct Issued {
    /// The cache entry (cached or new).
    pub(crate) entry: CacheEntry,
    /// The PoP key and claim, when PoP tokens are requested.
    pub(crate) pop: Option<PopBinding>,
}

impl Issued {
    /// What kubectl gets: the access token, or a fresh signed request wrapping it.
    pub(crate) fn presented_token(&self, now: u64) -> String {
        match &self.pop {
            Some(pop) => pop
                .key
                .signed_request(self.entry.access_token.expose(), &pop.u, now),
            None => self.entry.access_token.expose().to_owned(),
        }
    }

    /// The `expirationTimestamp` to report, seconds since the epoch.
    pub(crate) fn reported_expiry(&self) -> u64 {
        token_cache::reported_expiry(&self.entry)
    }
}

/// A fresh token for `lookup`: from the cache when it holds one, else obtained under the key's
/// lock (from a peer's work or from the provider).
pub(crate) fn fresh(
    lookup: &Lookup<'_>,
    providers: &Registry,
    env: &Env,
) -> anyhow::Result<Issued> {
    let cache = lookup.settings.cache();
    let pop = pop::binding(lookup.settings, &cache, env)?;
    let key = TokenCacheKey::for_request(
        &lookup.settings.request,
        pop.as_ref().map(|binding| binding.key.kid()),
    );
    let seen = match cache.read(&key) {
        Ok(entry) => entry,
        // An entry we cannot read is a miss; the miss path says once what is wrong.
        Err(CacheError::Io { .. }) => None,
        Err(err) => return Err(err.into()),
    };
    let facts = Facts {
        entry: seen.as_ref(),
        now: env.now_secs(),
        force_refresh: lookup.force_refresh,
        moment: Moment::BeforeLock,
        stamps_hold: seen.as_ref().is_none_or(CacheEntry::stamps_hold),
    };
    let fallback = || {
        if let Some(note) = cache.vault().fallback() {
            env.log(1, &note);
        }
    };
    match (token_cache::decide(facts), seen.as_ref()) {
        (Decision::Use, Some(entry)) => {
            fallback();
            return Ok(Issued {
                entry: entry.clone(),
                pop,
            });
        }
        // A miss: the obtain step decides again under the lock, where refreshing happens.
        (Decision::Use | Decision::Refresh(_) | Decision::Acquire, _) => {}
    }
    lookup.settings.log(env);
    let miss = obtain::Miss {
        lookup,
        key: &key,
        cache: &cache,
        seen: seen.as_ref(),
        pop: pop.as_ref(),
    };
    let entry = obtain::obtain(&miss, providers, env)?;
    fallback();
    Ok(Issued { entry, pop })
}
