//! Reading the get-token flags out of a kubeconfig context's exec entry, for `whoami` and
//! `login --context`.

use std::path::Path;

use anyhow::Context as _;
use clap::Parser as _;

use crate::cli::{Cli, Command, TokenFlags};
use crate::env::Env;
use crate::kubeconfig;

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
