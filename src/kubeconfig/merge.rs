//! Merging the kubeconfig AKS returned into the user's, as `az aks get-credentials` does: its
//! cluster, user and context go in by name; an entry of the same name that holds the same is
//! left as it is, a different one is replaced only with `--overwrite-existing` (otherwise one
//! error line and nothing written); the new context becomes the current one. Entries of other
//! names are not touched. `--context NAME` renames the context and its cluster entry, as az's
//! `--context` does.

use kube::config::Kubeconfig;
use serde::Serialize;

/// Why the merge was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum MergeError {
    /// A different entry already has the name.
    #[error(
        "a different {kind} named {name:?} already exists in {file}; pass --overwrite-existing to replace it, or --context <another name>"
    )]
    Clash {
        /// cluster, user or context.
        kind: &'static str,
        /// Its name.
        name: String,
        /// The target file.
        file: String,
    },
    /// Azure's kubeconfig has nothing to merge.
    #[error(
        "the kubeconfig Azure returned has no context; retry, or report it with `-v 10` output"
    )]
    NoContext,
}

/// What a merge did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Merged {
    /// The context that is now current.
    pub(crate) context: String,
    /// Entries replaced (`--overwrite-existing`), as "kind name".
    pub(crate) replaced: Vec<String>,
    /// Whether anything changed at all.
    pub(crate) changed: bool,
}

/// Renames the (only) context of Azure's kubeconfig and the cluster entry it names.
pub(crate) fn rename_context(addition: &mut Kubeconfig, name: &str) {
    let Some(context) = addition.contexts.first_mut() else {
        return;
    };
    let old_cluster = context.context.as_ref().map(|c| c.cluster.clone());
    context.name = name.to_owned();
    if let Some(inner) = context.context.as_mut() {
        inner.cluster = name.to_owned();
    }
    if let Some(cluster) = addition
        .clusters
        .iter_mut()
        .find(|c| Some(&c.name) == old_cluster.as_ref())
    {
        cluster.name = name.to_owned();
    }
    addition.current_context = Some(name.to_owned());
}

/// Merges `addition` into `existing` (the file `file`).
pub(crate) fn merge(
    existing: &mut Kubeconfig,
    addition: Kubeconfig,
    overwrite: bool,
    file: &str,
) -> Result<Merged, MergeError> {
    let context = addition
        .current_context
        .clone()
        .or_else(|| addition.contexts.first().map(|c| c.name.clone()))
        .ok_or(MergeError::NoContext)?;
    let mut merged = Merged {
        context: context.clone(),
        ..Merged::default()
    };
    // Check all three lists before changing any, so a clash leaves `existing` untouched.
    check(
        &existing.clusters,
        &addition.clusters,
        "cluster",
        overwrite,
        file,
    )?;
    check(
        &existing.auth_infos,
        &addition.auth_infos,
        "user",
        overwrite,
        file,
    )?;
    check(
        &existing.contexts,
        &addition.contexts,
        "context",
        overwrite,
        file,
    )?;
    put(
        &mut existing.clusters,
        addition.clusters,
        "cluster",
        &mut merged,
    );
    put(
        &mut existing.auth_infos,
        addition.auth_infos,
        "user",
        &mut merged,
    );
    put(
        &mut existing.contexts,
        addition.contexts,
        "context",
        &mut merged,
    );
    if existing.current_context.as_deref() != Some(context.as_str()) {
        existing.current_context = Some(context);
        merged.changed = true;
    }
    Ok(merged)
}

/// A kubeconfig list item: it has a name.
trait Named: Serialize {
    fn name(&self) -> &str;
}

impl Named for kube::config::NamedCluster {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for kube::config::NamedAuthInfo {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for kube::config::NamedContext {
    fn name(&self) -> &str {
        &self.name
    }
}

fn same<T: Serialize>(a: &T, b: &T) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

fn check<T: Named>(
    existing: &[T],
    addition: &[T],
    kind: &'static str,
    overwrite: bool,
    file: &str,
) -> Result<(), MergeError> {
    for new in addition {
        if let Some(old) = existing.iter().find(|old| old.name() == new.name())
            && !overwrite
            && !same(old, new)
        {
            return Err(MergeError::Clash {
                kind,
                name: new.name().to_owned(),
                file: file.to_owned(),
            });
        }
    }
    Ok(())
}

/// Puts each new entry in place of the one of its name (keeping the file's order), or at the
/// end.
fn put<T: Named>(existing: &mut Vec<T>, addition: Vec<T>, kind: &str, merged: &mut Merged) {
    for new in addition {
        match existing.iter_mut().find(|old| old.name() == new.name()) {
            Some(old) if same(old, &new) => {}
            Some(old) => {
                merged.replaced.push(format!("{kind} {}", new.name()));
                merged.changed = true;
                *old = new;
            }
            None => {
                merged.changed = true;
                existing.push(new);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Kubeconfig {
        crate::kubeconfig::parse(text).expect("kubeconfig")
    }

    const AZURE: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: aks\n  cluster: {server: 'https://aks.example:443'}\ncontexts:\n- name: aks\n  context: {cluster: aks, user: clusterUser_rg_aks}\ncurrent-context: aks\nusers:\n- name: clusterUser_rg_aks\n  user: {token: t}\n";

    const MINE: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster: {server: 'https://other:6443'}\ncontexts:\n- name: other\n  context: {cluster: other, user: me}\ncurrent-context: other\nusers:\n- name: me\n  user: {username: u, password: p}\n";

    #[test]
    fn new_entries_are_added_and_become_current_others_untouched() {
        let mut mine = config(MINE);
        let before = serde_json::to_value(&mine.auth_infos[0]).expect("json");
        let merged = merge(&mut mine, config(AZURE), false, "f").expect("merged");
        assert_eq!(merged.context, "aks");
        assert!(merged.changed && merged.replaced.is_empty());
        assert_eq!(mine.current_context.as_deref(), Some("aks"));
        assert_eq!(mine.auth_infos.len(), 2);
        assert_eq!(
            serde_json::to_value(&mine.auth_infos[0]).expect("json"),
            before
        );
        // The same again: nothing changes, nothing clashes.
        let again = merge(&mut mine, config(AZURE), false, "f").expect("idempotent");
        assert!(!again.changed);
    }

    #[test]
    fn a_different_entry_of_the_same_name_needs_overwrite() {
        let mut mine = config(AZURE);
        let changed = AZURE.replace("https://aks.example:443", "https://moved:443");
        let clash = merge(&mut mine, config(&changed), false, "~/.kube/config").expect_err("clash");
        assert_eq!(
            clash,
            MergeError::Clash {
                kind: "cluster",
                name: "aks".into(),
                file: "~/.kube/config".into()
            }
        );
        assert_eq!(
            mine.clusters[0]
                .cluster
                .as_ref()
                .and_then(|c| c.server.clone())
                .as_deref(),
            Some("https://aks.example:443"),
            "untouched"
        );
        let merged = merge(&mut mine, config(&changed), true, "f").expect("overwritten");
        assert_eq!(merged.replaced, ["cluster aks"]);
    }

    #[test]
    fn context_renames_take_the_cluster_entry_along() {
        let mut addition = config(AZURE);
        rename_context(&mut addition, "prod");
        assert_eq!(addition.contexts[0].name, "prod");
        assert_eq!(
            addition.contexts[0]
                .context
                .as_ref()
                .map(|c| c.cluster.as_str()),
            Some("prod")
        );
        assert_eq!(addition.clusters[0].name, "prod");
        assert_eq!(addition.current_context.as_deref(), Some("prod"));
    }
}
