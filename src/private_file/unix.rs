//! Our files and folders on Unix: no link followed (O_NOFOLLOW), regular files only, owned by
//! the effective user, no group or other bits on files, no group or other write on folders.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use super::{PrivateFileError, io_error};

/// New files are created 0600.
pub(super) fn create_private(options: &mut OpenOptions) {
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
}

/// Creates `dir` and its missing parents, the last one 0700.
pub(crate) fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

pub(super) fn open(path: &Path, options: &mut OpenOptions) -> Result<File, PrivateFileError> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    // No link is followed; a FIFO opens without blocking so that it can be refused.
    let flags = OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    options.custom_flags(flags.bits() as i32);
    let file = match options.open(path) {
        Ok(file) => file,
        // ELOOP: the last component is a symbolic link.
        Err(err) if err.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(PrivateFileError::Symlink(path.to_path_buf()));
        }
        Err(err) => return Err(io_error(path)(err)),
    };
    let metadata = file.metadata().map_err(io_error(path))?;
    if !metadata.is_file() {
        return Err(PrivateFileError::NotRegular(path.to_path_buf()));
    }
    let me = rustix::process::geteuid().as_raw();
    if metadata.uid() != me {
        return Err(PrivateFileError::Foreign {
            path: path.to_path_buf(),
            owner: format!("uid {}", metadata.uid()),
        });
    }
    if metadata.mode() & 0o077 != 0 {
        return Err(PrivateFileError::Readable(path.to_path_buf()));
    }
    Ok(file)
}

/// Whether `dir` exists; if it does, that it is a folder we own and others cannot write to.
/// Group or other read and search bits on a folder of ours are removed.
pub(crate) fn check_dir(dir: &Path) -> Result<bool, PrivateFileError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let metadata = match std::fs::symlink_metadata(dir) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(io_error(dir)(err)),
    };
    // A link to a folder is fine (a relocated home); what it points to is what is checked.
    let metadata = match metadata.file_type().is_symlink() {
        true => std::fs::metadata(dir).map_err(io_error(dir))?,
        false => metadata,
    };
    if !metadata.is_dir() {
        return Err(PrivateFileError::NotRegular(dir.to_path_buf()));
    }
    let mode = metadata.mode() & 0o7777;
    if mode & 0o1002 == 0o1002 {
        return Err(PrivateFileError::SharedDir(dir.to_path_buf()));
    }
    let me = rustix::process::geteuid().as_raw();
    if metadata.uid() != me {
        return Err(PrivateFileError::ForeignDir {
            path: dir.to_path_buf(),
            owner: format!("uid {}", metadata.uid()),
        });
    }
    if mode & 0o022 != 0 {
        return Err(PrivateFileError::WritableDir(dir.to_path_buf()));
    }
    if mode & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o7700))
            .map_err(io_error(dir))?;
    }
    Ok(true)
}
