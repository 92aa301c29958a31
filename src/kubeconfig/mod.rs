//! Kubeconfig at the edge: find the file list, read each file with kube-rs types ([`read`]),
//! write changed files back under client-go's lock, atomically and keeping owner and mode
//! ([`write`]), render diffs for `--dry-run`.
//!
//! Files are parsed one by one, not with `Kubeconfig::read_from`, because that rewrites relative
//! paths to absolute ones and merges files: we must write each user back to the file that
//! defined it, as it was. The conversion itself lives in [`convert`].

pub(crate) mod context;
pub(crate) mod convert;
pub(crate) mod merge;
mod read;
mod write;

pub(crate) use read::{load, parse};
pub(crate) use write::{Planned, check_writable, lock, save_all};

use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;

use crate::env::EnvVars;

/// One kubeconfig file as read from disk.
#[derive(Debug, Clone)]
pub(crate) struct KubeconfigFile {
    /// Where it came from (symlinks resolved, so a write replaces the real file).
    pub path: PathBuf,
    /// Its owner and mode, which a replacement keeps.
    pub keep: crate::atomic_file::Keep,
    /// Its text, for diffs and byte-identical "no change" checks.
    pub text: String,
    /// Its parsed content.
    pub config: Kubeconfig,
}

/// Why kubeconfig could not be read or written. Each names the file and the fix.
#[derive(Debug, thiserror::Error)]
pub(crate) enum KubeconfigError {
    /// No file to read.
    #[error("no kubeconfig found (looked at {0}); pass --kubeconfig <file> or set KUBECONFIG")]
    NotFound(String),
    /// The file could not be read.
    #[error("cannot read kubeconfig {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS reason.
        reason: String,
    },
    /// The file is not valid kubeconfig YAML.
    #[error(
        "kubeconfig {path} is not valid YAML: {reason}; fix the file (`kubectl config view` shows what kubectl makes of it)"
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's reason, on one line.
        reason: String,
    },
    /// Nothing to convert in any file.
    #[error("kubeconfig {0} has no users; add a cluster first, e.g. with `az aks get-credentials`")]
    Empty(String),
    /// The file must not be changed.
    #[error("kubeconfig {path} is read-only; make it writable (chmod u+w {path}) and run again")]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// The write failed before anything was replaced.
    #[error("cannot write kubeconfig {path}: {reason}; no file was changed")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS reason.
        reason: String,
    },
    /// A rename failed part-way through a list: some files are new, some old.
    #[error(
        "cannot replace kubeconfig {path}: {reason}; changed: {changed}; unchanged: {unchanged} (backups of the changed ones are beside them)"
    )]
    PartlyWritten {
        /// The file whose rename failed.
        path: PathBuf,
        /// The OS reason.
        reason: String,
        /// The files already replaced.
        changed: String,
        /// The files left as they were.
        unchanged: String,
    },
    /// Another program holds client-go's lock on the file.
    #[error(
        "kubeconfig {path} is being changed by another program ({path}.lock exists); retry, or delete {path}.lock if no kubectl is running"
    )]
    Locked {
        /// The file.
        path: PathBuf,
    },
    /// Not a regular file, or too large to be a kubeconfig.
    #[error("cannot read kubeconfig {path}: {reason}")]
    NotAKubeconfig {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Serialization failed (a bug).
    #[error("cannot render kubeconfig {path}: {reason}")]
    Render {
        /// The file.
        path: PathBuf,
        /// The serializer's reason.
        reason: String,
    },
}

/// The kubeconfig paths, like kubectl: `--kubeconfig`, else the `KUBECONFIG` list (missing
/// entries skipped), else `~/.kube/config`.
pub(crate) fn paths(
    explicit: Option<&Path>,
    env: &EnvVars,
    home: Option<&Path>,
) -> Result<Vec<PathBuf>, KubeconfigError> {
    if let Some(path) = explicit {
        return Ok(vec![path.to_path_buf()]);
    }
    if let Some(list) = env.get("KUBECONFIG") {
        let listed: Vec<PathBuf> = std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        let existing: Vec<PathBuf> = listed.iter().filter(|p| p.exists()).cloned().collect();
        if existing.is_empty() {
            return Err(KubeconfigError::NotFound(list.to_owned()));
        }
        return Ok(existing);
    }
    let default = home
        .map(|h| h.join(".kube").join("config"))
        .ok_or_else(|| KubeconfigError::NotFound("~/.kube/config (HOME is not set)".into()))?;
    if !default.exists() {
        return Err(KubeconfigError::NotFound(default.display().to_string()));
    }
    Ok(vec![default])
}

/// Renders a kubeconfig as YAML, keys sorted as `kubectl config` writes them.
pub(crate) fn render(config: &Kubeconfig, path: &Path) -> Result<String, KubeconfigError> {
    let render_err = |reason: String| KubeconfigError::Render {
        path: path.to_path_buf(),
        reason,
    };
    // serde_json's map is sorted, which is the order kubectl's own writer produces.
    let sorted = serde_json::to_value(config).map_err(|err| render_err(err.to_string()))?;
    serde_saphyr::to_string(&sorted).map_err(|err| render_err(err.to_string()))
}

/// A unified diff between two versions of a file.
pub(crate) fn diff(path: &Path, old: &str, new: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{name} (before)"), &format!("{name} (after)"))
        .to_string()
}
