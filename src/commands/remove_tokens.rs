//! `remove-tokens` (alias `remove-cache-dir`): delete the cache entries and locks this tool
//! wrote, honouring `--cache-dir` and `KUBECACHEDIR`, and nothing else.

use crate::cli::RemoveTokensArgs;
use crate::env::Env;
use crate::error::ExitStatus;
use crate::settings;
use crate::token_cache::TokenCache;

/// Removes our cache files; a missing directory is success.
pub fn run(args: RemoveTokensArgs, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let dir = settings::resolve_cache_dir(
        args.cache_dir.as_deref(),
        args.token_cache_dir.as_deref(),
        &env.vars,
        env.home.as_deref(),
    );
    let removed = TokenCache::new(&dir).remove_all()?;
    env.say(&format!(
        "removed {removed} cached token file(s) from {}",
        dir.display()
    ));
    Ok(ExitStatus::Success)
}
