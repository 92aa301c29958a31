//! Windows: no mode bits or numeric owners (a file's protection is its folder's inherited ACL,
//! see private_file/windows.rs), and a rename onto a file that another process holds open
//! without delete sharing (an indexer, a virus scanner, an editor) fails with "access denied"
//! for a moment; it is retried for up to two seconds before the write is given up. Folders
//! cannot be fsynced; NTFS journals the rename itself.
//!
//! Compiled and tested by the CI workflow's Windows job.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a rename blocked by another process's open handle is retried.
const RENAME_RETRY: Duration = Duration::from_secs(2);

pub(super) fn create_private(_options: &mut OpenOptions) {}

pub(super) fn owner_of(_metadata: &fs::Metadata) -> Option<(u32, u32)> {
    None
}

pub(super) fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

pub(super) fn set_owner(_file: &File, _owner: Option<(u32, u32)>) -> io::Result<()> {
    Ok(())
}

/// MoveFileEx with replace, retried while the target is briefly held open by someone else.
pub(super) fn persist(mut temp: tempfile::NamedTempFile, target: &Path) -> io::Result<()> {
    let deadline = Instant::now() + RENAME_RETRY;
    loop {
        match temp.persist(target) {
            Ok(_) => return Ok(()),
            Err(err)
                if err.error.kind() == io::ErrorKind::PermissionDenied
                    && Instant::now() < deadline =>
            {
                temp = err.file;
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(err) => return Err(err.error),
        }
    }
}

pub(super) fn sync_dir(_dir: &Path) {}

/// Windows has no permission bits; 0600 stands for "private".
pub(crate) fn mode_of(_metadata: &fs::Metadata) -> u32 {
    0o600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_held_open_by_a_reader_is_still_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("entry");
        fs::write(&target, b"old").expect("seed");
        let reader = File::open(&target).expect("open");
        let mut temp = tempfile::NamedTempFile::new_in(dir.path()).expect("temp");
        io::Write::write_all(&mut temp, b"new").expect("write");
        persist(temp, &target).expect("replaced while open (std shares delete)");
        drop(reader);
        assert_eq!(fs::read(&target).expect("read"), b"new");
    }
}
