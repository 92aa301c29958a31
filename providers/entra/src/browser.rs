//! Opening a sign-in page for the user flows: `--browser-command`, else `$BROWSER`, else the
//! system opener.
//! The launched program's stdout goes to our stderr (ours is the ExecCredential channel).

use std::process::{Command, Stdio};

/// Tries to open `url`; returns whether something accepted it.
pub fn open(url: &str, browser_command: Option<&str>) -> bool {
    let command = browser_command
        .map(str::to_owned)
        .or_else(|| std::env::var("BROWSER").ok())
        .filter(|c| !c.trim().is_empty());
    match command {
        Some(command) => run(&command, url),
        // webbrowser silences GUI browsers' output and never picks a text editor.
        None => webbrowser::open(url).is_ok(),
    }
}

/// Runs a command line with the URL as its last argument (`%s` is replaced, as xdg does).
fn run(command: &str, url: &str) -> bool {
    let mut words = command
        .split_whitespace()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    if words.iter().any(|w| w.contains("%s")) {
        words = words.into_iter().map(|w| w.replace("%s", url)).collect();
    } else {
        words.push(url.to_owned());
    }
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    let stdout_to_stderr = match std::io::stderr().as_fd_clone() {
        Some(stderr) => Stdio::from(stderr),
        None => Stdio::null(),
    };
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout_to_stderr)
        .spawn()
        .is_ok()
}

/// Duplicates our stderr so a child can write its stdout there.
trait FdClone {
    fn as_fd_clone(&self) -> Option<std::os::fd::OwnedFd>;
}

impl FdClone for std::io::Stderr {
    fn as_fd_clone(&self) -> Option<std::os::fd::OwnedFd> {
        use std::os::fd::AsFd;
        self.as_fd().try_clone_to_owned().ok()
    }
}
