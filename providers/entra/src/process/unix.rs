//! Unix: PATH lookup is execvp's; a tool gets a process group of its own, and ending it
//! signals the whole group (az is a Python process that may start others).

use std::ffi::OsString;
use std::process::{Child, Command, Stdio};

/// The program as given: Command searches PATH as execvp does.
pub(super) fn find_program(program: &str) -> OsString {
    program.into()
}

pub(super) fn own_group(command: &mut Command) {
    std::os::unix::process::CommandExt::process_group(command, 0);
}

/// The tool's process group (its pid, as it leads the group).
pub(super) struct Group(Option<rustix::process::Pid>);

impl Group {
    pub(super) fn of(child: &Child) -> Group {
        Group(
            i32::try_from(child.id())
                .ok()
                .and_then(rustix::process::Pid::from_raw),
        )
    }

    pub(super) fn end(&self, _child: &mut Child) {
        if let Some(pid) = self.0 {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

/// Our stderr, duplicated, so a child can write its stdout there (null where that is not
/// possible).
pub(crate) fn stderr_for_child() -> Stdio {
    use std::os::fd::AsFd;
    match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => Stdio::from(fd),
        Err(_) => Stdio::null(),
    }
}
