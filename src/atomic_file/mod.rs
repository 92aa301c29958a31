//! Crash-safe file replacement: temp file in the same directory, fsync, rename, fsync the
//! directory. A reader sees the old or the new content, never a mix; a crash leaves at most a
//! stray temp file (named `.<name>.tmp*`), never a truncated target.
//!
//! Writing is split into [`stage`] (the temp file, complete and synced, with the target's mode
//! and owner) and [`Staged::commit`] (the rename), so that a list of files is all staged before
//! the first one is replaced. [`create_new`] writes a file that must not exist yet (backups).
//! Modes, owners and the rename itself differ per platform: `unix.rs`, `windows.rs`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as platform;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as platform;

pub(crate) use platform::mode_of;
use platform::{set_mode, set_owner, sync_dir};

/// Who owns a file and what its permission bits are, to give a replacement the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Keep {
    /// Permission bits.
    pub(crate) mode: u32,
    /// Owner and group, when they are to be set (Unix).
    pub(crate) owner: Option<(u32, u32)>,
}

impl Keep {
    /// The mode and owner of an existing file.
    pub(crate) fn of(metadata: &fs::Metadata) -> Keep {
        Keep {
            mode: mode_of(metadata),
            owner: platform::owner_of(metadata),
        }
    }
}

/// A complete, synced temp file waiting to replace its target.
pub(crate) struct Staged {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

/// Writes `contents` to a temp file beside `path` with `keep`'s mode (and owner, when it is not
/// already ours), synced to disk. Nothing is replaced yet.
pub(crate) fn stage(path: &Path, contents: &[u8], keep: Keep) -> io::Result<Staged> {
    let dir = parent_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    set_mode(temp.as_file(), keep.mode)?;
    set_owner(temp.as_file(), keep.owner)?;
    crash_test_pause();
    let (first, second) = contents.split_at(contents.len() / 2);
    temp.write_all(first)?;
    crash_test_pause();
    temp.write_all(second)?;
    temp.as_file().sync_all()?;
    crash_test_pause();
    Ok(Staged {
        temp,
        target: path.to_path_buf(),
    })
}

impl Staged {
    /// The file this replaces.
    pub(crate) fn target(&self) -> &Path {
        &self.target
    }

    /// Replaces the target (rename, then fsync of the folder).
    pub(crate) fn commit(self) -> io::Result<()> {
        let dir = parent_of(&self.target).to_path_buf();
        platform::persist(self.temp, &self.target)?;
        crash_test_pause();
        sync_dir(&dir);
        Ok(())
    }
}

/// Replaces `path` with `contents`, giving the new file `mode` (Unix permission bits).
pub(crate) fn write(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    stage(path, contents, Keep { mode, owner: None })?.commit()
}

/// Writes a new file that must not exist yet (it is never overwritten), with `keep`'s mode and
/// owner, synced.
pub(crate) fn create_new(path: &Path, contents: &[u8], keep: Keep) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    platform::create_private(&mut options);
    let mut file = options.open(path)?;
    set_mode(&file, keep.mode)?;
    set_owner(&file, keep.owner)?;
    file.write_all(contents)?;
    file.sync_all()?;
    sync_dir(parent_of(path));
    Ok(())
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Test hook for the crash-safety test: `KUBECTL_AAD_TEST_WRITE_DELAY_MS` pauses between the
/// steps of a write so the test can SIGKILL the process inside each one. Unset (always, outside
/// that test) it costs one environment lookup per file written; the cache-hit path writes none.
fn crash_test_pause() {
    if let Some(ms) = std::env::var("KUBECTL_AAD_TEST_WRITE_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_sets_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config");
        fs::write(&path, "old").expect("seed");
        write(&path, b"new", 0o600).expect("write");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new");
        #[cfg(unix)]
        assert_eq!(mode_of(&fs::metadata(&path).expect("meta")), 0o600);
        let leftovers: Vec<_> = fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
    }

    #[test]
    fn staging_replaces_nothing_until_commit_and_new_files_never_overwrite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config");
        fs::write(&path, "old").expect("seed");
        let staged =
            stage(&path, b"new", Keep::of(&fs::metadata(&path).expect("meta"))).expect("stage");
        assert_eq!(fs::read_to_string(&path).expect("read"), "old");
        staged.commit().expect("commit");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new");
        let keep = Keep {
            mode: 0o600,
            owner: None,
        };
        create_new(&dir.path().join("backup"), b"1", keep).expect("first");
        let err = create_new(&dir.path().join("backup"), b"2", keep).expect_err("exists");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(
            fs::read_to_string(dir.path().join("backup")).expect("read"),
            "1"
        );
    }
}
