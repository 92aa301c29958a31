//! Unix: a provider library is loaded only if it is a regular file (not a link) owned by us or
//! root, not writable by group or others, in folders that are likewise ours or root's up to
//! `/` (a root-owned sticky folder such as `/tmp` only as an ancestor, never as the library's
//! own folder) — OpenSSH's StrictModes walk.

use std::fs;
use std::path::Path;

pub(super) fn check_trusted(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    let metadata = fs::symlink_metadata(path).map_err(|err| err.to_string())?;
    if metadata.file_type().is_symlink() {
        return Err("it is a symbolic link; copy the library into the folder instead".into());
    }
    if !metadata.is_file() {
        return Err("it is not a regular file".into());
    }
    let owner_ok = |uid: u32| uid == me || uid == 0;
    if !owner_ok(metadata.uid()) {
        return Err(format!(
            "it belongs to another user (uid {}); only your own or root's libraries are loaded",
            metadata.uid()
        ));
    }
    if metadata.mode() & 0o022 != 0 {
        return Err(format!(
            "it is writable by other users; run `chmod go-w {}`",
            path.display()
        ));
    }
    let folder = path
        .parent()
        .and_then(|p| fs::canonicalize(p).ok())
        .ok_or("its folder cannot be resolved")?;
    for (depth, dir) in folder.ancestors().enumerate() {
        let metadata = fs::metadata(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
        if !owner_ok(metadata.uid()) {
            return Err(format!(
                "folder {} belongs to another user (uid {})",
                dir.display(),
                metadata.uid()
            ));
        }
        let writable_by_others = metadata.mode() & 0o022 != 0;
        let sticky_root = metadata.mode() & 0o1000 != 0 && metadata.uid() == 0;
        if writable_by_others && (depth == 0 || !sticky_root) {
            return Err(format!(
                "folder {} is writable by other users; run `chmod go-w {}`",
                dir.display(),
                dir.display()
            ));
        }
    }
    Ok(())
}
