//! Windows: a provider library is loaded only if it is a regular file (not a symbolic link or
//! junction) and it and every folder above it are owned by the current user or by the system
//! (Administrators, SYSTEM, TrustedInstaller), so a library another user planted, or put in a
//! folder of theirs, is refused. What ACLs allow beyond the owner is not inspected here; the
//! default ACLs of a user's profile and of `Program Files` do not let other users write.
//!
//! Compiled and tested by the CI workflow's Windows job.

use std::fs;
use std::path::Path;

use crate::private_file::{current_user_sid, owner_sid};

/// Owners that are the system itself: Administrators, SYSTEM, and TrustedInstaller's service SID.
fn system_owner(sid: &str) -> bool {
    sid == "S-1-5-32-544" || sid == "S-1-5-18" || sid.starts_with("S-1-5-80-956008885-")
}

pub(super) fn check_trusted(path: &Path) -> Result<(), String> {
    let metadata = fs::symlink_metadata(path).map_err(|err| err.to_string())?;
    if metadata.file_type().is_symlink() {
        return Err(
            "it is a symbolic link or junction; copy the library into the folder instead".into(),
        );
    }
    if !metadata.is_file() {
        return Err("it is not a regular file".into());
    }
    let me = current_user_sid().map_err(|err| format!("cannot read the current user: {err}"))?;
    let trusted = |p: &Path| -> Result<(), String> {
        let owner = owner_sid(p).map_err(|err| format!("{}: {err}", p.display()))?;
        match owner.eq_ignore_ascii_case(&me) || system_owner(&owner) {
            true => Ok(()),
            false => Err(format!("{} belongs to another user ({owner})", p.display())),
        }
    };
    trusted(path)?;
    let folder = path
        .parent()
        .and_then(|p| fs::canonicalize(p).ok())
        .ok_or("its folder cannot be resolved")?;
    folder.ancestors().try_for_each(trusted)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_system_owners_are_recognised() {
        assert!(super::system_owner("S-1-5-18"));
        assert!(super::system_owner("S-1-5-32-544"));
        assert!(super::system_owner(
            "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
        ));
        assert!(!super::system_owner("S-1-5-21-1-2-3-1001"));
    }
}
