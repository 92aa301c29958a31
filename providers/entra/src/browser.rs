//! Opening a sign-in page for the user flows: `--browser-command`, else `$BROWSER`, else the
//! system opener.
//! The launched program's stdout goes to our stderr (ours is the ExecCredential channel).

use std::process::{Command, Stdio};

use kubectl_aad_contract::Host;

/// Tries to open `url` with `--browser-command`, else `$BROWSER` (read through the host), else
/// the system's opener; returns whether something accepted it.
pub fn open(url: &str, browser_command: Option<&str>, host: &dyn Host) -> bool {
    let command = browser_command
        .map(str::to_owned)
        .or_else(|| host.var("BROWSER"))
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
    let stdout_to_stderr = stderr_for_child();
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout_to_stderr);
    // A process group of its own: the browser must not be hung up when our terminal closes.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command.spawn().is_ok()
}

/// Our stderr, duplicated, so a child can write its stdout there (null where that is not
/// possible).
#[cfg(unix)]
fn stderr_for_child() -> Stdio {
    use std::os::fd::AsFd;
    match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => Stdio::from(fd),
        Err(_) => Stdio::null(),
    }
}

#[cfg(not(unix))]
fn stderr_for_child() -> Stdio {
    Stdio::null()
}
