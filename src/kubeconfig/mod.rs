//! Kubeconfig at the edge: find the file list, read each file with kube-rs types, write a
//! changed file back atomically (with a backup), render diffs for `--dry-run`.
//!
//! Files are parsed one by one with `Kubeconfig::from_yaml`, not `read_from`, because the
//! latter rewrites relative paths to absolute ones and merges files: we must write each user
//! back to the file that defined it, as it was. The conversion itself lives in [`convert`].

pub(crate) mod context;
pub(crate) mod convert;

use std::fs;
use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;

use crate::atomic_file;
use crate::env::EnvVars;

/// One kubeconfig file as read from disk.
#[derive(Debug, Clone)]
pub(crate) struct KubeconfigFile {
    /// Where it came from (symlinks resolved, so a write replaces the real file).
    pub path: PathBuf,
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
    /// The write failed; the original is untouched.
    #[error("cannot write kubeconfig {path}: {reason}; the file was left unchanged")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS reason.
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

/// Reads and parses each file.
pub(crate) fn load(paths: &[PathBuf]) -> Result<Vec<KubeconfigFile>, KubeconfigError> {
    paths.iter().map(|path| load_one(path)).collect()
}

fn load_one(path: &Path) -> Result<KubeconfigFile, KubeconfigError> {
    let read_err = |err: std::io::Error| KubeconfigError::Read {
        path: path.to_path_buf(),
        reason: err.to_string(),
    };
    let real = fs::canonicalize(path).map_err(read_err)?;
    let text = fs::read_to_string(&real).map_err(read_err)?;
    let config = parse(&text).map_err(|reason| KubeconfigError::Parse {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok(KubeconfigFile {
        path: real,
        text,
        config,
    })
}

/// Parses kubeconfig text (several documents are merged, first wins, as kube-rs does).
pub(crate) fn parse(text: &str) -> Result<Kubeconfig, String> {
    Kubeconfig::from_yaml(text).map_err(|err| one_line(&err.to_string()))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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

/// Refuses files we must not change, before anything is written.
pub(crate) fn check_writable(path: &Path) -> Result<(), KubeconfigError> {
    let metadata = fs::metadata(path).map_err(|err| KubeconfigError::Read {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })?;
    // Root may write anyway, but a file whose owner removed the write bit is a user's choice.
    if metadata.permissions().readonly() {
        return Err(KubeconfigError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map(drop)
        .map_err(|_| KubeconfigError::ReadOnly {
            path: path.to_path_buf(),
        })
}

/// Writes `text` over `path` atomically, keeping its mode; with `backup`, first copies the
/// original next to it (`<name>.kubectl-aad-<UTC time>.bak`, same mode) and returns that path.
pub(crate) fn save(
    path: &Path,
    text: &str,
    backup: Option<&str>,
) -> Result<Option<PathBuf>, KubeconfigError> {
    let write_err = |err: std::io::Error| KubeconfigError::Write {
        path: path.to_path_buf(),
        reason: err.to_string(),
    };
    let metadata = fs::metadata(path).map_err(write_err)?;
    let mode = atomic_file::mode_of(&metadata);
    let backup_path = match backup {
        Some(stamp) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let target = path.with_file_name(format!("{name}.kubectl-aad-{stamp}.bak"));
            let original = fs::read(path).map_err(write_err)?;
            atomic_file::write(&target, &original, mode).map_err(write_err)?;
            Some(target)
        }
        None => None,
    };
    atomic_file::write(path, text.as_bytes(), mode).map_err(write_err)?;
    Ok(backup_path)
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
