//! `login`: sign in now and fill the token cache, with the same flags as get-token or a
//! kubeconfig `--context`. It is what a user runs when kubectl cannot show a browser or a
//! prompt (`interactiveMode: Never`, k9s, scripts), and how scripts pre-warm the cache.
//!
//! stdout: nothing. stderr: the sign-in prompts and one line saying who is signed in.

use std::time::{Duration, UNIX_EPOCH};

use super::context;
use crate::cli::WhoamiArgs;
use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential;
use crate::pipeline::{self, TokenJob};
use crate::settings;
use crate::token_cache::TokenCache;

/// Signs in (unless a fresh token is cached) and reports who.
pub fn run(args: WhoamiArgs, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let flags = match &args.context {
        Some(name) => context::token_flags(name, args.kubeconfig.as_deref(), env)?,
        None => args.token.clone(),
    };
    let options = settings::resolve_token_options(&flags, &env.vars, env.home.as_deref())?;
    pipeline::check_required(&options)?;
    let pop = pipeline::pop_binding(&options, env)?;
    let cache = TokenCache::new(&options.cache_dir);
    let key = pipeline::cache_key_for(&options, pop.as_ref());
    let entry = match pipeline::cached(&cache, &key, pipeline::now_secs(env))? {
        Some(entry) => entry,
        None => {
            let job = TokenJob {
                options: &options,
                // The user asked to sign in: a browser may open even without a terminal.
                interactive: true,
                force_refresh: false,
                providers_dir: args
                    .providers_dir
                    .clone()
                    .or_else(|| env.vars.get("KUBECTL_AAD_PROVIDERS_DIR").map(Into::into)),
                allow_provider_override: false,
                pop: pop.as_ref(),
            };
            pipeline::obtain(&job, env, &cache, &key)?
        }
    };
    let who = entry
        .identity
        .username
        .clone()
        .or(entry.identity.app_id.clone())
        .or(entry.identity.object_id.clone())
        .unwrap_or_else(|| "(unknown)".into());
    let until = exec_credential::rfc3339(UNIX_EPOCH + Duration::from_secs(entry.expires_on));
    env.say(&format!(
        "signed in as {who} (tenant {}); token cached until {until}",
        entry.identity.tenant_id.as_deref().unwrap_or("-")
    ));
    Ok(ExitStatus::Success)
}
