//! Windows: a bare command name is looked up on PATH with PATHEXT, as cmd.exe and Go's
//! exec.LookPath (kubelogin) do, since the Azure CLI is `az.cmd` and Command alone only finds
//! `.exe` files; the current folder is never searched. A tool starts with CREATE_NO_WINDOW, so
//! no console flashes up when kubectl runs under a GUI (an IDE, Lens; kubelogin's #438), and
//! joins a job object, so ending it ends the Python process that `az.cmd` starts too.
//!
//! Compiled and tested by the CI workflow's Windows job.

// The Win32 security and job-object calls have no safe wrapper in the tree; each unsafe
// block states what it relies on.
#![allow(unsafe_code)]

use std::ffi::OsString;
use std::os::windows::io::AsRawHandle;
use std::os::windows::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, TerminateJobObject,
};
use windows_sys::Win32::System::Threading::{CREATE_NEW_PROCESS_GROUP, CREATE_NO_WINDOW};

/// Extensions tried when PATHEXT is not set (Windows' own default, less the script hosts).
const DEFAULT_PATHEXT: &str = ".COM;.EXE;.BAT;.CMD";

/// `program`'s full path when it is a bare name found on PATH with one of PATHEXT's
/// extensions; otherwise the program as given.
pub(super) fn find_program(program: &str) -> OsString {
    let bare =
        Path::new(program).components().count() == 1 && Path::new(program).extension().is_none();
    if !bare {
        return program.into();
    }
    let extensions = std::env::var("PATHEXT").unwrap_or_else(|_| DEFAULT_PATHEXT.to_owned());
    let path = std::env::var_os("PATH").unwrap_or_default();
    search(program, &extensions, std::env::split_paths(&path))
        .map(PathBuf::into_os_string)
        .unwrap_or_else(|| program.into())
}

/// The first `dir\program.ext` that is a file, PATH order first, then PATHEXT order. Relative
/// PATH entries (`.`) are skipped: a command is never taken from the current folder.
fn search(program: &str, extensions: &str, dirs: impl Iterator<Item = PathBuf>) -> Option<PathBuf> {
    let extensions: Vec<&str> = extensions
        .split(';')
        .filter(|e| e.starts_with('.') && e.len() > 1)
        .collect();
    dirs.filter(|dir| dir.is_absolute()).find_map(|dir| {
        extensions
            .iter()
            .map(|ext| dir.join(format!("{program}{ext}")))
            .find(|candidate| candidate.is_file())
    })
}

pub(super) fn own_group(command: &mut Command) {
    command.creation_flags(CREATE_NO_WINDOW | CREATE_NEW_PROCESS_GROUP);
}

/// A job object holding the tool, so that ending it ends what it started.
pub(super) struct Group(HANDLE);

impl Group {
    pub(super) fn of(child: &Child) -> Group {
        // SAFETY: no attributes, no name: an anonymous job we own and close on drop.
        let job = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if !job.is_null() {
            // SAFETY: both handles are valid; a failure (the tool already gone) is harmless.
            unsafe { AssignProcessToJobObject(job, child.as_raw_handle()) };
        }
        Group(job)
    }

    pub(super) fn end(&self, _child: &mut Child) {
        if !self.0.is_null() {
            // SAFETY: our job handle; ends every process in the job.
            unsafe { TerminateJobObject(self.0, 1) };
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: closed once, here.
            unsafe { CloseHandle(self.0) };
        }
    }
}

/// Our stderr, duplicated, so a child can write its stdout there (null where that is not
/// possible).
pub(crate) fn stderr_for_child() -> Stdio {
    use std::os::windows::io::AsHandle;
    match std::io::stderr().as_handle().try_clone_to_owned() {
        Ok(handle) => Stdio::from(handle),
        Err(_) => Stdio::null(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cmd_script_on_path_is_found_and_the_current_folder_is_not_searched() {
        let bin = tempfile::tempdir().expect("bin");
        let other = tempfile::tempdir().expect("other");
        std::fs::write(bin.path().join("az.cmd"), "@echo off\r\necho 2.91.0\r\n").expect("az.cmd");
        let dirs = || vec![PathBuf::from("."), other.path().into(), bin.path().into()].into_iter();
        assert_eq!(
            search("az", DEFAULT_PATHEXT, dirs()),
            Some(bin.path().join("az.cmd"))
        );
        std::fs::write(other.path().join("az.exe"), "").expect("az.exe");
        assert_eq!(
            search("az", DEFAULT_PATHEXT, dirs()),
            Some(other.path().join("az.exe")),
            "PATH order first"
        );
        assert_eq!(search("azd", DEFAULT_PATHEXT, dirs()), None);
    }

    #[test]
    fn a_script_found_by_its_bare_name_runs_without_a_window() {
        let bin = tempfile::tempdir().expect("bin");
        let script = bin.path().join("kubectl-aad-test-tool.cmd");
        std::fs::write(&script, "@echo off\r\necho out %1\r\n").expect("script");
        let found = search(
            "kubectl-aad-test-tool",
            DEFAULT_PATHEXT,
            std::iter::once(bin.path().into()),
        )
        .expect("found");
        let mut command = Command::new(found);
        own_group(&mut command);
        let output = command.arg("with space").output().expect("runs");
        assert!(String::from_utf8_lossy(&output.stdout).contains("out \"with space\""));
    }
}
