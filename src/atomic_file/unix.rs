//! Unix: permission bits and owners are kept; a rename replaces a file even while others have
//! it open; a folder is fsynced to make a rename durable.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// New files start 0600 (then get the mode they are to keep).
pub(super) fn create_private(options: &mut OpenOptions) {
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
}

pub(super) fn owner_of(metadata: &fs::Metadata) -> Option<(u32, u32)> {
    Some((metadata.uid(), metadata.gid()))
}

pub(super) fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    file.set_permissions(Permissions::from_mode(mode))
}

/// Gives the file `owner` when it is not ours already (root writing another user's file);
/// a process that may not do so fails here, before anything is replaced.
pub(super) fn set_owner(file: &File, owner: Option<(u32, u32)>) -> io::Result<()> {
    let Some((uid, gid)) = owner else {
        return Ok(());
    };
    let current = file.metadata()?;
    if (current.uid(), current.gid()) != (uid, gid) {
        std::os::unix::fs::fchown(file, Some(uid), Some(gid))?;
    }
    Ok(())
}

/// rename(2) replaces the target atomically.
pub(super) fn persist(temp: tempfile::NamedTempFile, target: &Path) -> io::Result<()> {
    temp.persist(target).map(drop).map_err(|err| err.error)
}

/// Makes a rename durable. Best effort: some file systems refuse to open directories.
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// The permission bits of a file.
pub(crate) fn mode_of(metadata: &fs::Metadata) -> u32 {
    metadata.permissions().mode() & 0o7777
}
