//! The miss path in-process: a fake provider behind the registry, a temp cache, a fixed clock.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser as _;
use kubectl_aad_contract::{
    ErrorKind, Host, Identity, Provider, ProviderError, Secret, TokenRequest, TokenSet,
};

use crate::cli::GetTokenCli;
use crate::env::{Env, EnvVars};
use crate::registry::Registry;
use crate::settings::TokenSettings;
use crate::token::{Lookup, fresh};
use crate::token_cache::{CacheEntry, TokenCache, TokenCacheKey};

const NOW: u64 = 1_800_000_000;

fn clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

/// What the fake provider was asked, and what it answers.
#[derive(Default)]
struct Script {
    calls: Vec<String>,
    refresh: Option<Result<TokenSet, ProviderError>>,
    acquire: Option<Result<TokenSet, ProviderError>>,
}

#[derive(Clone, Default)]
struct Fake(Arc<Mutex<Script>>);

impl Fake {
    fn calls(&self) -> Vec<String> {
        self.0.lock().map(|s| s.calls.clone()).unwrap_or_default()
    }
}

fn tokens(access: &str, refresh: Option<&str>) -> TokenSet {
    TokenSet {
        access_token: Secret::new(access),
        expires_on: NOW + 3600,
        refresh_token: refresh.map(Secret::new),
        identity: Identity::default(),
        reuse: None,
    }
}

impl Provider for Fake {
    fn acquire(&self, request: &TokenRequest, _: &dyn Host) -> Result<TokenSet, ProviderError> {
        let mut script = self
            .0
            .lock()
            .map_err(|_| ProviderError::new(ErrorKind::Internal, "poisoned"))?;
        script
            .calls
            .push(format!("acquire interactive={}", request.interactive));
        script
            .acquire
            .clone()
            .unwrap_or_else(|| Ok(tokens("acquired", Some("rt-new"))))
    }

    fn refresh(
        &self,
        _: &TokenRequest,
        refresh_token: &Secret,
        _: &dyn Host,
    ) -> Result<TokenSet, ProviderError> {
        let mut script = self
            .0
            .lock()
            .map_err(|_| ProviderError::new(ErrorKind::Internal, "poisoned"))?;
        script
            .calls
            .push(format!("refresh {}", refresh_token.expose()));
        script
            .refresh
            .clone()
            .unwrap_or_else(|| Ok(tokens("refreshed", Some("rt-2"))))
    }
}

struct World {
    _dir: tempfile::TempDir,
    settings: TokenSettings,
    cache: TokenCache,
    key: TokenCacheKey,
    env: Env,
    fake: Fake,
    registry: Registry,
}

/// A devicecode setup (a user flow with refresh tokens) whose provider is `fake`.
fn world(fake: Fake) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache_dir = dir.path().join("cache");
    let argv = format!(
        "get-token --server-id s --client-id c --tenant-id t --token-cache-storage file --cache-dir {}",
        cache_dir.display()
    );
    let cli = GetTokenCli::try_parse_from(argv.split_whitespace()).expect("parses");
    let mut env = Env::for_test(
        EnvVars::default(),
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    );
    env.clock = clock;
    let settings = TokenSettings::resolve(&cli.args.token, &env).expect("settings");
    let key = TokenCacheKey::for_request(&settings.request, None);
    let cache = TokenCache::new(&cache_dir, crate::token_cache::Storage::File);
    cache.prepare_dir().expect("cache dir");
    let descriptor = kubectl_aad_contract::LoginMode::DeviceCode
        .descriptor()
        .expect("built in")
        .clone();
    let registry = Registry::with_fakes(vec![(descriptor, Box::new(fake.clone()))]);
    World {
        _dir: dir,
        settings,
        cache,
        key,
        env,
        fake,
        registry,
    }
}

impl World {
    fn store(&self, access: &str, expires_on: u64, refresh: Option<&str>) {
        let entry = CacheEntry {
            access_token: Secret::new(access),
            expires_on,
            obtained_at: NOW - 3000,
            refresh_token: refresh.map(Secret::new),
            identity: Identity::default(),
            reuse: None,
        };
        self.cache.write(&self.key, &entry).expect("seed");
    }

    fn run(&self, force_refresh: bool) -> anyhow::Result<String> {
        let lookup = Lookup {
            settings: &self.settings,
            interactive: false,
            attended: false,
            force_refresh,
            program: "kubectl-aad",
        };
        fresh(&lookup, &self.registry, &self.env)
            .map(|issued| issued.entry.access_token.expose().to_owned())
    }

    fn cached(&self) -> Option<CacheEntry> {
        self.cache.read(&self.key).expect("readable")
    }
}

#[test]
fn a_fresh_entry_is_used_without_the_provider() {
    let w = world(Fake::default());
    w.store("cached", NOW + 3600, Some("rt"));
    assert_eq!(w.run(false).expect("hit"), "cached");
    assert!(w.fake.calls().is_empty());
}

#[test]
fn a_stale_entry_is_refreshed_and_the_result_stored() {
    let w = world(Fake::default());
    w.store("stale", NOW + 10, Some("rt-1"));
    assert_eq!(w.run(false).expect("refreshed"), "refreshed");
    assert_eq!(w.fake.calls(), ["refresh rt-1"]);
    let stored = w.cached().expect("stored");
    assert_eq!(stored.refresh_token, Some(Secret::new("rt-2")));
    assert_eq!(stored.obtained_at, NOW);
}

#[test]
fn invalid_grant_drops_the_refresh_token_and_signs_in_again() {
    let fake = Fake::default();
    if let Ok(mut script) = fake.0.lock() {
        script.refresh = Some(Err(ProviderError::new(
            ErrorKind::InvalidGrant,
            "AADSTS70043: expired",
        )));
    }
    let w = world(fake);
    w.store("stale", NOW + 10, Some("dead"));
    assert_eq!(w.run(false).expect("signed in"), "acquired");
    assert_eq!(
        w.fake.calls(),
        ["refresh dead", "acquire interactive=false"]
    );
    assert_eq!(
        w.cached().and_then(|e| e.refresh_token),
        Some(Secret::new("rt-new")),
        "the dead token is gone"
    );
}

#[test]
fn force_refresh_redeems_the_refresh_token_even_for_a_fresh_entry() {
    let w = world(Fake::default());
    w.store("fresh", NOW + 3600, Some("rt-1"));
    assert_eq!(w.run(true).expect("forced"), "refreshed");
    assert_eq!(w.fake.calls(), ["refresh rt-1"]);
}

#[test]
fn a_token_a_peer_wrote_while_we_waited_is_used_even_when_forced() {
    let w = world(Fake::default());
    w.store("mine", NOW + 10, Some("rt-1"));
    let seen = w.cached().expect("seeded");
    // The peer refreshed between our read and our lock.
    w.store("from-peer", NOW + 3600, Some("rt-peer"));
    let lookup = Lookup {
        settings: &w.settings,
        interactive: false,
        attended: false,
        force_refresh: true,
        program: "kubectl-aad",
    };
    let miss = super::Miss {
        lookup: &lookup,
        key: &w.key,
        cache: &w.cache,
        seen: Some(&seen),
        pop: None,
    };
    let entry = super::obtain(&miss, &w.registry, &w.env).expect("peer's token");
    assert_eq!(entry.access_token.expose(), "from-peer");
    assert!(w.fake.calls().is_empty(), "no second token request");
}

#[test]
fn provider_errors_become_one_line_with_their_fix() {
    let fake = Fake::default();
    if let Ok(mut script) = fake.0.lock() {
        script.acquire = Some(Err(ProviderError::new(
            ErrorKind::InteractionRequired,
            "a person must sign in",
        )));
    }
    let w = world(fake);
    let err = w.run(false).expect_err("needs a person").to_string();
    assert!(err.starts_with("a person must sign in; run `kubectl-aad login -l devicecode --server-id s --client-id c --tenant-id t --cache-dir "), "{err}");

    let fake = Fake::default();
    if let Ok(mut script) = fake.0.lock() {
        script.acquire = Some(Err(ProviderError::new(
            ErrorKind::Authentication,
            "refused",
        )
        .with_hint("check --client-id")));
    }
    let w = world(fake);
    assert_eq!(
        w.run(false).expect_err("refused").to_string(),
        "refused; check --client-id"
    );
}

#[test]
fn unmet_requirements_are_reported_before_the_provider_runs() {
    let w = world(Fake::default());
    let mut settings = w.settings.clone();
    settings.request.tenant_id.clear();
    let lookup = Lookup {
        settings: &settings,
        interactive: false,
        attended: false,
        force_refresh: false,
        program: "kubectl-aad",
    };
    let err = fresh(&lookup, &w.registry, &w.env)
        .err()
        .expect("no tenant")
        .to_string();
    assert_eq!(
        err,
        "tenant ID cannot be empty; pass --tenant-id or set AZURE_TENANT_ID"
    );
    assert!(w.fake.calls().is_empty());
}

#[test]
fn a_refused_refresh_that_needs_a_person_says_why_and_what_to_run() {
    let fake = Fake::default();
    if let Ok(mut script) = fake.0.lock() {
        script.refresh = Some(Err(ProviderError::new(
            ErrorKind::InvalidGrant,
            "Entra ID refused the token request (invalid_grant): the refresh token expired after too long without use — AADSTS700082",
        )));
        script.acquire = Some(Err(ProviderError::new(
            ErrorKind::InteractionRequired,
            "needs a person",
        )));
    }
    let w = world(fake);
    w.store("stale", NOW + 10, Some("old-rt"));
    let err = w.run(false).expect_err("nobody to sign in").to_string();
    assert!(err.starts_with("the cached sign-in could not be refreshed: Entra ID refused the token request (invalid_grant): the refresh token expired after too long without use — AADSTS700082; signing in again needs a person: run `kubectl-aad login -l devicecode "), "{err}");
    assert_eq!(w.cached(), None, "the dead refresh token was dropped");
}

#[test]
fn a_login_hint_keys_the_entry_and_refuses_another_users_token() {
    let fake = Fake::default();
    let as_user = |name: &str| {
        let mut set = tokens("acquired", Some("rt"));
        set.identity.username = Some(name.to_owned());
        set
    };
    if let Ok(mut script) = fake.0.lock() {
        script.acquire = Some(Ok(as_user("bob@contoso.com")));
    }
    let mut w = world(fake.clone());
    let unhinted_key = w.key.clone();
    w.settings.request.login_hint = Some("Alice@Contoso.com".into());
    w.key = TokenCacheKey::for_request(&w.settings.request, None);
    assert_ne!(
        w.key.file_stem(),
        unhinted_key.file_stem(),
        "one entry per user"
    );

    let err = w.run(false).expect_err("wrong user").to_string();
    assert_eq!(
        err,
        "signed in as bob@contoso.com, but --login-hint is Alice@Contoso.com; nothing was cached: sign in again as Alice@Contoso.com, or change --login-hint to bob@contoso.com"
    );
    assert_eq!(w.cached(), None);

    if let Ok(mut script) = fake.0.lock() {
        script.acquire = Some(Ok(as_user("alice@contoso.com")));
    }
    assert_eq!(w.run(false).expect("the hinted user"), "acquired");
    assert!(w.cached().is_some(), "names compare case-insensitively");
}
