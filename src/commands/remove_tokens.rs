//! `remove-tokens` (alias `remove-cache-dir`): delete the cache entries and locks this tool
//! wrote, honouring `--cache-dir` and `KUBECACHEDIR`, and nothing else.

use crate::env::Env;
use crate::error::ExitStatus;
use crate::settings::RemoveTokensSettings;
use crate::token_cache::TokenCache;

/// Removes our cache files; a missing directory is success.
pub(crate) fn run(settings: RemoveTokensSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let removed = TokenCache::new(&settings.cache_dir).remove_all()?;
    env.say(&format!(
        "removed {} cached token(s) from {}{}",
        removed.tokens,
        settings.cache_dir.display(),
        match removed.other {
            0 => String::new(),
            n => format!(" (and {n} lock or PoP key file(s))"),
        }
    ));
    Ok(ExitStatus::Success)
}
