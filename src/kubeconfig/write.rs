//! Writing kubeconfig files back, the way client-go (kubectl) does and safer:
//!
//! * [`lock`] takes client-go's lock — `<file>.lock` created exclusively — on every file before
//!   it is read, so that kubectl's own writes are never lost between our read and our write;
//!   a held lock is one error line and nothing is written.
//! * [`save_all`] stages every changed file (complete, synced, with the owner, group and mode
//!   of the file it replaces) before the first rename, writes each backup as a new file (never
//!   over an existing one), and if a rename still fails names exactly what changed.

use std::fs;
use std::path::{Path, PathBuf};

use super::KubeconfigError;
use crate::atomic_file::{self, Keep};

/// The lock files held; removed when dropped.
#[derive(Debug)]
pub(crate) struct KubeconfigLocks(Vec<PathBuf>);

impl Drop for KubeconfigLocks {
    fn drop(&mut self) {
        for lock in &self.0 {
            let _ = fs::remove_file(lock);
        }
    }
}

/// Takes client-go's lock on each path (the name kubectl uses, and the resolved file when a
/// link points elsewhere). Nothing is left locked when one of them is held by someone else.
pub(crate) fn lock(paths: &[PathBuf]) -> Result<KubeconfigLocks, KubeconfigError> {
    let mut held = KubeconfigLocks(Vec::new());
    for path in paths {
        let mut names = vec![path.clone()];
        if let Ok(real) = fs::canonicalize(path)
            && &real != path
        {
            names.push(real);
        }
        for name in names {
            let lock = lock_name(&name);
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&lock)
            {
                Ok(_) => held.0.push(lock),
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(KubeconfigError::Locked { path: name });
                }
                Err(err) => {
                    return Err(KubeconfigError::Write {
                        path: name,
                        reason: format!("cannot create {}: {err}", lock.display()),
                    });
                }
            }
        }
    }
    Ok(held)
}

fn lock_name(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Refuses files we must not change, before anything is written: a file whose owner removed
/// the write bit (root could write anyway, but that was the user's choice), or one we cannot
/// open for writing.
pub(crate) fn check_writable(path: &Path) -> Result<(), KubeconfigError> {
    let read_only = || KubeconfigError::ReadOnly {
        path: path.to_path_buf(),
    };
    let metadata = fs::metadata(path).map_err(|err| KubeconfigError::Read {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })?;
    if metadata.permissions().readonly() {
        return Err(read_only());
    }
    fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map(drop)
        .map_err(|_| read_only())
}

/// One file to replace.
pub(crate) struct Planned<'a> {
    /// The file.
    pub(crate) path: &'a Path,
    /// Its current content (for the backup).
    pub(crate) old: &'a str,
    /// Its new content.
    pub(crate) new: &'a str,
    /// The owner and mode the replacement gets.
    pub(crate) keep: Keep,
}

/// Replaces every planned file: all staged first, then backed up (`backup` is the stamp in the
/// backup's name), then renamed. Returns the backups written.
pub(crate) fn save_all(
    planned: &[Planned<'_>],
    backup: Option<&str>,
) -> Result<Vec<PathBuf>, KubeconfigError> {
    let write_err = |path: &Path, err: std::io::Error| KubeconfigError::Write {
        path: path.to_path_buf(),
        reason: err.to_string(),
    };
    let mut staged = Vec::new();
    for file in planned {
        staged.push(
            atomic_file::stage(file.path, file.new.as_bytes(), file.keep)
                .map_err(|err| write_err(file.path, err))?,
        );
    }
    let mut backups = Vec::new();
    if let Some(stamp) = backup {
        for file in planned {
            backups.push(write_backup(file, stamp).map_err(|err| write_err(file.path, err))?);
        }
    }
    let mut changed: Vec<PathBuf> = Vec::new();
    let mut staged = staged.into_iter();
    while let Some(next) = staged.next() {
        let target = next.target().to_path_buf();
        if let Err(err) = next.commit() {
            let names = |paths: &mut dyn Iterator<Item = PathBuf>| {
                let listed: Vec<String> = paths.map(|p| p.display().to_string()).collect();
                if listed.is_empty() {
                    "none".to_owned()
                } else {
                    listed.join(", ")
                }
            };
            let mut unchanged =
                std::iter::once(target.clone()).chain(staged.map(|s| s.target().to_path_buf()));
            return Err(KubeconfigError::PartlyWritten {
                path: target,
                reason: err.to_string(),
                changed: names(&mut changed.into_iter()),
                unchanged: names(&mut unchanged),
            });
        }
        changed.push(target);
    }
    Ok(backups)
}

/// `<name>.kubectl-aad-<stamp>.bak`, or `…-2.bak`, `…-3.bak` when that exists: never over a file.
fn write_backup(file: &Planned<'_>, stamp: &str) -> std::io::Result<PathBuf> {
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for attempt in 1..=100 {
        let suffix = if attempt == 1 {
            String::new()
        } else {
            format!("-{attempt}")
        };
        let target = file
            .path
            .with_file_name(format!("{name}.kubectl-aad-{stamp}{suffix}.bak"));
        match atomic_file::create_new(&target, file.old.as_bytes(), file.keep) {
            Ok(()) => return Ok(target),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::other(
        "100 backups with the same time stamp exist",
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn keep() -> Keep {
        Keep {
            mode: 0o600,
            owner: None,
        }
    }

    #[test]
    fn a_held_lock_is_refused_and_ours_are_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config");
        fs::write(&config, "x").expect("seed");
        let held = lock(std::slice::from_ref(&config)).expect("free");
        assert!(dir.path().join("config.lock").exists());
        assert!(matches!(
            lock(std::slice::from_ref(&config)),
            Err(KubeconfigError::Locked { .. })
        ));
        drop(held);
        assert!(!dir.path().join("config.lock").exists());
    }

    #[test]
    fn backups_never_overwrite_and_a_failed_rename_names_what_changed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::write(&a, "a-old").expect("a");
        fs::write(&b, "b-old").expect("b");
        let plan = |new: &'static str| {
            vec![
                Planned {
                    path: &a,
                    old: "a-old",
                    new,
                    keep: keep(),
                },
                Planned {
                    path: &b,
                    old: "b-old",
                    new,
                    keep: keep(),
                },
            ]
        };
        let first = save_all(&plan("v1"), Some("20261201T000000Z")).expect("first");
        let second = save_all(&plan("v2"), Some("20261201T000000Z")).expect("same second");
        assert_eq!(first.len(), 2);
        assert!(
            second.iter().all(|p| !first.contains(p)),
            "{first:?} {second:?}"
        );
        assert_eq!(fs::read_to_string(&first[0]).expect("backup"), "a-old");

        // The second rename fails (a folder now stands where `b` was).
        let staged_plan = plan("v3");
        fs::remove_file(&b).expect("rm b");
        fs::create_dir(&b).expect("mkdir b");
        fs::write(b.join("x"), "").expect("non-empty");
        let err = save_all(&staged_plan, None).expect_err("b cannot be replaced");
        let text = err.to_string();
        assert!(
            text.contains(&format!("changed: {}", a.display())),
            "{text}"
        );
        assert!(
            text.contains(&format!("unchanged: {}", b.display())),
            "{text}"
        );
    }
}
