//! What `whoami` and `login` share: the get-token flags from a kubeconfig context's exec entry
//! (or the command line), and the token for them — cached, or signed in for.

use std::path::Path;

use anyhow::Context as _;
use clap::Parser as _;

use crate::cli::{Cli, Command, TokenFlags, WhoamiArgs};
use crate::env::Env;
use crate::kubeconfig;
use crate::pipeline::{self, TokenJob};
use crate::settings::{self, TokenOptions};
use crate::token_cache::{CacheEntry, TokenCache};

/// The options of `--context` (or the flags) and a fresh token for them: from the cache, else
/// from the provider (which may interact when `interactive`).
pub(crate) fn token(
    args: &WhoamiArgs,
    interactive: bool,
    env: &Env,
) -> anyhow::Result<(TokenOptions, CacheEntry)> {
    let flags = match &args.context {
        Some(name) => token_flags(name, args.kubeconfig.as_deref(), env)?,
        None => args.token.clone(),
    };
    let options = settings::resolve_token_options(&flags, &env.vars, env.home.as_deref())?;
    pipeline::check_required(&options)?;
    let pop = pipeline::pop_binding(&options, env)?;
    let cache = TokenCache::new(&options.cache_dir);
    let key = pipeline::cache_key_for(&options, pop.as_ref());
    if let Some(entry) = pipeline::cached(&cache, &key, pipeline::now_secs(env))? {
        return Ok((options, entry));
    }
    let job = TokenJob {
        options: &options,
        interactive,
        force_refresh: false,
        providers_dir: args
            .providers_dir
            .clone()
            .or_else(|| env.vars.get("KUBECTL_AAD_PROVIDERS_DIR").map(Into::into)),
        allow_provider_override: false,
        pop: pop.as_ref(),
    };
    let entry = pipeline::obtain(&job, env, &cache, &key)?;
    Ok((options, entry))
}

/// The get-token flags written in a context's exec entry.
pub(crate) fn token_flags(
    context: &str,
    kubeconfig_path: Option<&Path>,
    env: &Env,
) -> anyhow::Result<TokenFlags> {
    let paths = kubeconfig::paths(kubeconfig_path, &env.vars, env.home.as_deref())?;
    let files = kubeconfig::load(&paths)?;
    let user = files
        .iter()
        .flat_map(|f| &f.config.contexts)
        .find(|c| c.name == context)
        .with_context(|| format!("no context exists with the name {context:?}"))?
        .context
        .as_ref()
        .and_then(|c| c.user.clone())
        .with_context(|| format!("context {context:?} has no user"))?;
    let exec_args = files
        .iter()
        .flat_map(|f| &f.config.auth_infos)
        .find(|u| u.name == user)
        .and_then(|u| u.auth_info.as_ref())
        .and_then(|u| u.exec.as_ref())
        .and_then(|e| e.args.clone())
        .with_context(|| format!("user {user:?} of context {context:?} has no exec entry; run `kubectl-aad convert-kubeconfig --context {context}` first"))?;
    let argv = std::iter::once("kubectl-aad".to_owned()).chain(exec_args);
    match Cli::try_parse_from(argv) {
        Ok(Cli {
            command: Command::GetToken(get_token),
            ..
        }) => Ok(get_token.token),
        _ => anyhow::bail!(
            "the exec entry of user {user:?} is not a `get-token` call kubectl-aad understands; re-run convert-kubeconfig"
        ),
    }
}
