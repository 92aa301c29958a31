//! Starting the helper processes a flow needs (az, azd, a browser) the same way on every
//! platform: found on PATH as the platform finds commands, no console window, in a group of
//! their own that can be ended whole, and never writing to our stdout (the ExecCredential
//! channel). What that takes per platform is in `unix.rs` and `windows.rs`.

use std::io;
use std::process::{Child, Command, Stdio};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as platform;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as platform;

pub(crate) use platform::stderr_for_child;

/// A started tool and what it takes to end it and everything it started.
pub(crate) struct ToolProcess {
    /// The tool itself, with piped stdout and stderr.
    pub(crate) child: Child,
    group: platform::Group,
}

impl ToolProcess {
    /// Ends the tool and all its descendants, and reaps it.
    pub(crate) fn end(&mut self) {
        self.group.end(&mut self.child);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `program args…` with no stdin and piped outputs, in a group of its own. On Windows the
/// program is looked up with PATHEXT (`az` is `az.cmd` there) and gets no console window.
pub(crate) fn spawn_tool(program: &str, args: &[&str]) -> io::Result<ToolProcess> {
    let mut command = Command::new(platform::find_program(program));
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    platform::own_group(&mut command);
    let child = command.spawn()?;
    let group = platform::Group::of(&child);
    Ok(ToolProcess { child, group })
}

/// Prepares a long-lived program we hand something to and leave running (a browser): its own
/// group, so it outlives our terminal's hang-up, and no console window.
pub(crate) fn detached(program: &str) -> Command {
    let mut command = Command::new(platform::find_program(program));
    platform::own_group(&mut command);
    command
}
