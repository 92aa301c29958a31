//! Our own files and folders, opened as OpenSSH's StrictModes would have them: a cache entry,
//! lock or PoP key is never opened through a symbolic link, must be a regular file (a FIFO
//! would block forever), owned by the user running us, and unreadable by anyone else; a cache
//! folder must be ours and not writable by others. A folder that is ours but merely readable by
//! others (older kubelogin created `~/.kube/cache/kubelogin` 0755) is tightened to 0700.
//!
//! The checks use the opened file's own metadata (`fstat`), so what is checked is what is read;
//! on the cache-hit path they cost one `stat` of the folder and nothing more. What each check
//! means per platform lives in `unix.rs` (owner and mode bits) and `windows.rs` (the folder's
//! owner SID and an owner-only, protected ACL that its files inherit; reparse points refused).

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as platform;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as platform;

pub(crate) use platform::{check_dir, create_dir};
#[cfg(windows)]
pub(crate) use platform::{current_user_sid, owner_sid};

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Why one of our files or folders cannot be trusted. Each message names the path and the fix.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PrivateFileError {
    /// A symbolic link where our file should be.
    #[error(
        "{0} is a symbolic link, and kubectl-aad never follows links to its own files; delete it"
    )]
    Symlink(PathBuf),
    /// A FIFO, device, folder … where our file should be.
    #[error("{0} is not a regular file; delete it")]
    NotRegular(PathBuf),
    /// Someone else's file.
    #[error(
        "{path} belongs to another user ({owner}), so it cannot be trusted; delete it, or use a cache folder of your own"
    )]
    Foreign {
        /// The file.
        path: PathBuf,
        /// Its owner: `uid 1000`, or a Windows SID.
        owner: String,
    },
    /// A file others can read.
    #[error("token cache file {0} is readable by other users; run `chmod 600 {0}` (or delete it)")]
    Readable(PathBuf),
    /// A folder shared with everyone, such as `/tmp`.
    #[error(
        "cache folder {0} is shared with other users (sticky and writable by all, like /tmp); use a private folder, e.g. --cache-dir ~/.kube/cache/kubelogin"
    )]
    SharedDir(PathBuf),
    /// A folder of ours that others can write to.
    #[error("token cache directory {0} is writable by other users; run `chmod 700 {0}`")]
    WritableDir(PathBuf),
    /// Someone else's folder.
    #[error(
        "token cache directory {path} belongs to another user ({owner}); use a folder you own (--cache-dir or KUBECACHEDIR)"
    )]
    ForeignDir {
        /// The folder.
        path: PathBuf,
        /// Its owner: `uid 1000`, or a Windows SID.
        owner: String,
    },
    /// The OS said no.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

pub(super) fn io_error(path: &Path) -> impl FnOnce(io::Error) -> PrivateFileError + '_ {
    move |source| PrivateFileError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Opens one of our files for reading; `Ok(None)` when there is none.
pub(crate) fn open_existing(path: &Path) -> Result<Option<File>, PrivateFileError> {
    let mut options = OpenOptions::new();
    options.read(true);
    match open(path, &mut options) {
        Err(PrivateFileError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            Ok(None)
        }
        other => other.map(Some),
    }
}

/// Opens one of our files for writing, creating it (0600) when there is none.
pub(crate) fn open_or_create(path: &Path) -> Result<File, PrivateFileError> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    platform::create_private(&mut options);
    open(path, &mut options)
}

fn open(path: &Path, options: &mut OpenOptions) -> Result<File, PrivateFileError> {
    platform::open(path, options)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    #[test]
    fn only_private_regular_files_of_ours_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("entry");
        assert!(open_existing(&file).expect("absent is fine").is_none());
        drop(open_or_create(&file).expect("created"));
        assert!(open_existing(&file).expect("private").is_some());
        chmod(&file, 0o644);
        assert!(matches!(
            open_existing(&file),
            Err(PrivateFileError::Readable(_))
        ));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).expect("symlink");
        assert!(matches!(
            open_existing(&link),
            Err(PrivateFileError::Symlink(_))
        ));
        assert!(matches!(
            open_or_create(&link),
            Err(PrivateFileError::Symlink(_))
        ));
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .expect("mkfifo");
        assert!(
            matches!(open_existing(&fifo), Err(PrivateFileError::NotRegular(_))),
            "a FIFO is refused, not waited on"
        );
    }

    #[test]
    fn folders_are_tightened_or_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = dir.path().join("cache");
        assert!(!check_dir(&cache).expect("absent"));
        std::fs::create_dir(&cache).expect("mkdir");
        chmod(&cache, 0o755);
        assert!(check_dir(&cache).expect("ours"));
        assert_eq!(
            std::fs::metadata(&cache)
                .expect("meta")
                .permissions()
                .mode()
                & 0o777,
            0o700,
            "tightened"
        );
        chmod(&cache, 0o775);
        assert!(matches!(
            check_dir(&cache),
            Err(PrivateFileError::WritableDir(_))
        ));
        chmod(&cache, 0o1777);
        assert!(matches!(
            check_dir(&cache),
            Err(PrivateFileError::SharedDir(_))
        ));
        chmod(&cache, 0o700);
    }
}
