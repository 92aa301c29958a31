//! Looking a context up across a kubeconfig file list: its user and that user's exec entry
//! (what `whoami` and `login --context` sign in with), first file wins as kubectl merges.

use anyhow::Context as _;

use super::KubeconfigFile;

/// kubectl's current context: the first non-empty `current-context` in the file list.
pub(crate) fn current(files: &[KubeconfigFile]) -> Option<String> {
    files
        .iter()
        .filter_map(|f| f.config.current_context.clone())
        .find(|name| !name.is_empty())
}

/// The user of `context` and the arguments of its exec entry.
pub(crate) fn exec_args(
    files: &[KubeconfigFile],
    context: &str,
) -> anyhow::Result<(String, Vec<String>)> {
    let user = files
        .iter()
        .flat_map(|f| &f.config.contexts)
        .find(|c| c.name == context)
        .with_context(|| format!("no context exists with the name {context:?}"))?
        .context
        .as_ref()
        .and_then(|c| c.user.clone())
        .with_context(|| format!("context {context:?} has no user"))?;
    let args = files
        .iter()
        .flat_map(|f| &f.config.auth_infos)
        .find(|u| u.name == user)
        .and_then(|u| u.auth_info.as_ref())
        .and_then(|u| u.exec.as_ref())
        .and_then(|e| e.args.clone())
        .with_context(|| format!("user {user:?} of context {context:?} has no exec entry; run `kubectl-aad convert-kubeconfig --context {context}` first"))?;
    Ok((user, args))
}
