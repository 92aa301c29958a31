//! `remove-tokens` (alias `remove-cache-dir`): delete the cache entries and locks this tool
//! wrote, honouring `--cache-dir` and `KUBECACHEDIR`, and nothing else.

use crate::env::Env;
use crate::error::ExitStatus;
use crate::settings::RemoveTokensSettings;
use crate::token_cache::{Storage, TokenCache};

/// Removes our cache files; a missing directory is success.
pub(crate) fn run(settings: RemoveTokensSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let cache = TokenCache::new(&settings.cache_dir, Storage::Auto);
    let removed = cache.remove_all()?;
    env.say(&format!(
        "removed {} cached token(s) from {}{}{}",
        removed.tokens,
        settings.cache_dir.display(),
        match removed.other {
            0 => String::new(),
            n => format!(" (and {n} lock or PoP key file(s))"),
        },
        match removed.key {
            true => format!(", and its data key from {}", cache.vault().store_name()),
            false => String::new(),
        }
    ));
    Ok(ExitStatus::Success)
}
