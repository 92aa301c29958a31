//! Our files and folders on Windows, where mode bits mean nothing: the cache folder must be
//! owned by the current user, and carries a protected ACL (no inherited entries) that grants
//! full control to that user alone, inherited by every file created in it — so entries, locks
//! and PoP keys are owner-only from their first byte, as 0600 files in a 0700 folder are on
//! Unix. A folder with any other ACL (an older kubelogin's `%USERPROFILE%\.kube\cache\kubelogin`
//! inherits the profile's) is tightened once; later checks only read it. Files are opened
//! without following reparse points (symbolic links, junctions), and must be regular files.
//!
//! Compiled and tested by the CI workflow's Windows job; it cannot be built on the Linux
//! development machines.

// The Win32 security and job-object calls have no safe wrapper in the tree; each unsafe
// block states what it relies on.
#![allow(unsafe_code)]

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::path::Path;

use windows_sys::Win32::Foundation::{CloseHandle, ERROR_SUCCESS, HANDLE, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertSecurityDescriptorToStringSecurityDescriptorW, ConvertSidToStringSidW,
    ConvertStringSecurityDescriptorToSecurityDescriptorW, GetNamedSecurityInfoW, SDDL_REVISION_1,
    SE_FILE_OBJECT, SetNamedSecurityInfoW,
};
use windows_sys::Win32::Security::{
    ACL, DACL_SECURITY_INFORMATION, GetSecurityDescriptorDacl, GetTokenInformation,
    OWNER_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID,
    TOKEN_QUERY, TOKEN_USER, TokenUser,
};
use windows_sys::Win32::Storage::FileSystem::FILE_FLAG_OPEN_REPARSE_POINT;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

use super::{PrivateFileError, io_error};

/// New files inherit the folder's owner-only ACL; nothing to set per file.
pub(super) fn create_private(_options: &mut OpenOptions) {}

/// Opens the reparse point itself, never what it points to, and refuses anything that is not a
/// regular file.
pub(super) fn open(path: &Path, options: &mut OpenOptions) -> Result<File, PrivateFileError> {
    options.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
    let file = options.open(path).map_err(io_error(path))?;
    let metadata = file.metadata().map_err(io_error(path))?;
    if metadata.file_type().is_symlink() {
        return Err(PrivateFileError::Symlink(path.to_path_buf()));
    }
    if !metadata.is_file() {
        return Err(PrivateFileError::NotRegular(path.to_path_buf()));
    }
    Ok(file)
}

/// Creates `dir` and its missing parents, then gives `dir` the owner-only ACL.
pub(crate) fn create_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let user = current_user_sid()?;
    set_owner_only_acl(dir, &user)
}

/// Whether `dir` exists; if it does, that it is a folder owned by the current user, with the
/// owner-only ACL (set when it is not).
pub(crate) fn check_dir(dir: &Path) -> Result<bool, PrivateFileError> {
    match std::fs::metadata(dir) {
        Ok(metadata) if metadata.is_dir() => {}
        Ok(_) => return Err(PrivateFileError::NotRegular(dir.to_path_buf())),
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(io_error(dir)(err)),
    }
    let user = current_user_sid().map_err(io_error(dir))?;
    let (owner, dacl) = owner_and_dacl(dir).map_err(io_error(dir))?;
    if !owner.eq_ignore_ascii_case(&user) {
        return Err(PrivateFileError::ForeignDir {
            path: dir.to_path_buf(),
            owner,
        });
    }
    if !is_owner_only(&dacl, &user) {
        set_owner_only_acl(dir, &user).map_err(io_error(dir))?;
    }
    Ok(true)
}

/// The owner SID of a file or folder (`S-1-5-…`).
pub(crate) fn owner_sid(path: &Path) -> io::Result<String> {
    owner_and_dacl(path).map(|(owner, _)| owner)
}

/// The protected DACL granting full control, inherited by files and folders, to `user` alone.
fn owner_only_sddl(user: &str) -> String {
    format!("D:P(A;OICI;FA;;;{user})")
}

/// Whether a DACL read back in SDDL is the owner-only one. Windows adds flags of its own when
/// it writes an ACL (`D:PAI(...)`: auto-inherited), so the flags need only include `P`.
fn is_owner_only(sddl: &str, user: &str) -> bool {
    let Some(rest) = sddl.strip_prefix("D:") else {
        return false;
    };
    let (flags, aces) = rest.split_at(rest.find('(').unwrap_or(rest.len()));
    flags.contains('P') && aces.eq_ignore_ascii_case(&format!("(A;OICI;FA;;;{user})"))
}

fn wide(text: &OsStr) -> Vec<u16> {
    text.encode_wide().chain(std::iter::once(0)).collect()
}

/// Reads a NUL-terminated UTF-16 string that Windows allocated, and frees it.
///
/// # Safety
/// `text` must be a LocalAlloc'ed, NUL-terminated UTF-16 string or null.
unsafe fn take_local_string(text: *mut u16) -> String {
    if text.is_null() {
        return String::new();
    }
    // SAFETY: the caller passes a NUL-terminated string; we stop at the NUL.
    let length = (0..).take_while(|&i| unsafe { *text.add(i) } != 0).count();
    // SAFETY: `length` u16s before the NUL are readable.
    let value = String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, length) });
    // SAFETY: allocated by Windows with LocalAlloc, freed once.
    unsafe { LocalFree(text.cast()) };
    value
}

/// The current process user's SID, as a string (`S-1-5-21-…`).
pub(crate) fn current_user_sid() -> io::Result<String> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: a pseudo handle for our process; `token` receives a handle we close below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // TOKEN_USER plus the SID it points into; 256 bytes hold any SID (at most 68 bytes).
    let mut buffer = [0u64; 32];
    let mut needed = 0u32;
    // SAFETY: the buffer is writable for its whole size, which we pass.
    let ok = unsafe {
        GetTokenInformation(
            token,
            TokenUser,
            buffer.as_mut_ptr().cast(),
            std::mem::size_of_val(&buffer) as u32,
            &mut needed,
        )
    };
    let error = io::Error::last_os_error();
    // SAFETY: the handle came from OpenProcessToken.
    unsafe { CloseHandle(token) };
    if ok == 0 {
        return Err(error);
    }
    // SAFETY: GetTokenInformation filled a TOKEN_USER at the start of the (aligned) buffer.
    let sid: PSID = unsafe { (*buffer.as_ptr().cast::<TOKEN_USER>()).User.Sid };
    sid_string(sid)
}

fn sid_string(sid: PSID) -> io::Result<String> {
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: `sid` is a valid SID; Windows allocates `text`, which take_local_string frees.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: allocated by ConvertSidToStringSidW.
    Ok(unsafe { take_local_string(text) })
}

/// The folder's owner SID and its DACL in SDDL (`D:P(A;OICI;FA;;;S-1-…)`).
fn owner_and_dacl(dir: &Path) -> io::Result<(String, String)> {
    let path = wide(dir.as_os_str());
    let mut owner: PSID = std::ptr::null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: `path` is NUL-terminated; `owner` points into `descriptor`, freed below.
    let status = unsafe {
        GetNamedSecurityInfoW(
            path.as_ptr(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut descriptor,
        )
    };
    if status != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    let owner_text = sid_string(owner);
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: `descriptor` is valid until freed below; Windows allocates `text`.
    let converted = unsafe {
        ConvertSecurityDescriptorToStringSecurityDescriptorW(
            descriptor,
            SDDL_REVISION_1,
            DACL_SECURITY_INFORMATION,
            &mut text,
            std::ptr::null_mut(),
        )
    };
    let error = io::Error::last_os_error();
    // SAFETY: allocated by GetNamedSecurityInfoW, freed once, after its last use.
    unsafe { LocalFree(descriptor) };
    if converted == 0 {
        return Err(error);
    }
    // SAFETY: allocated by ConvertSecurityDescriptorToStringSecurityDescriptorW.
    let dacl = unsafe { take_local_string(text) };
    Ok((owner_text?, dacl))
}

/// Replaces the folder's DACL with the owner-only one and stops inheritance from its parent.
fn set_owner_only_acl(dir: &Path, user: &str) -> io::Result<()> {
    let sddl = wide(OsStr::new(&owner_only_sddl(user)));
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: `sddl` is NUL-terminated; Windows allocates `descriptor`, freed below.
    let parsed = unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl.as_ptr(),
            SDDL_REVISION_1,
            &mut descriptor,
            std::ptr::null_mut(),
        )
    };
    if parsed == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut present = 0;
    let mut defaulted = 0;
    let mut dacl: *mut ACL = std::ptr::null_mut();
    // SAFETY: `descriptor` is valid; `dacl` points into it and is used before it is freed.
    let status = unsafe {
        if GetSecurityDescriptorDacl(descriptor, &mut present, &mut dacl, &mut defaulted) == 0 {
            u32::MAX
        } else {
            let path = wide(dir.as_os_str());
            SetNamedSecurityInfoW(
                path.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                dacl,
                std::ptr::null(),
            )
        }
    };
    let error = io::Error::last_os_error();
    // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW.
    unsafe { LocalFree(descriptor) };
    match status {
        ERROR_SUCCESS => Ok(()),
        u32::MAX => Err(error),
        code => Err(io::Error::from_raw_os_error(code as i32)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_protected_single_owner_ace_counts_as_owner_only() {
        let user = "S-1-5-21-1-2-3-1001";
        assert!(is_owner_only(
            "D:PAI(A;OICI;FA;;;S-1-5-21-1-2-3-1001)",
            user
        ));
        assert!(is_owner_only(&owner_only_sddl(user), user));
        assert!(!is_owner_only(
            "D:AI(A;OICI;FA;;;S-1-5-21-1-2-3-1001)",
            user
        ));
        assert!(!is_owner_only(
            "D:PAI(A;OICI;FA;;;S-1-5-21-1-2-3-1001)(A;OICI;FA;;;BU)",
            user
        ));
        assert!(!is_owner_only("", user));
    }

    #[test]
    fn a_new_cache_folder_is_owner_only_and_checks_clean() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = dir.path().join("cache").join("kubelogin");
        assert!(!check_dir(&cache).expect("absent"));
        create_dir(&cache).expect("created");
        let user = current_user_sid().expect("sid");
        let (owner, dacl) = owner_and_dacl(&cache).expect("read back");
        assert!(owner.eq_ignore_ascii_case(&user));
        assert!(is_owner_only(&dacl, &user), "{dacl}");
        assert!(check_dir(&cache).expect("ours"));
    }

    #[test]
    fn an_inherited_acl_is_tightened_and_links_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = dir.path().join("cache");
        std::fs::create_dir(&cache).expect("plain mkdir inherits the parent's ACL");
        assert!(check_dir(&cache).expect("ours"));
        let user = current_user_sid().expect("sid");
        let dacl = owner_and_dacl(&cache).expect("acl").1;
        assert!(is_owner_only(&dacl, &user), "{dacl}");
        let target = cache.join("entry");
        std::fs::write(&target, b"{}").expect("entry");
        let link = cache.join("link");
        // Creating symbolic links needs developer mode or an elevated runner; skip without.
        if std::os::windows::fs::symlink_file(&target, &link).is_ok() {
            let mut options = OpenOptions::new();
            options.read(true);
            assert!(matches!(
                open(&link, &mut options),
                Err(PrivateFileError::Symlink(_))
            ));
        }
    }
}
