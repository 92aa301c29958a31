//! Opening a sign-in page for the user flows: `--browser-command`, else `$BROWSER`, else the
//! system opener.
//! The launched program's stdout goes to our stderr (ours is the ExecCredential channel).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kubectl_aad_contract::Host;

/// How long an opener is watched for an early failure. Openers such as xdg-open exit 0 once
/// they have handed the URL on; a browser started directly keeps running; a broken command
/// fails at once.
const EARLY_EXIT_WINDOW: Duration = Duration::from_millis(500);

/// Tries to open `url` with `--browser-command`, else `$BROWSER` (read through the host), else
/// the system's opener; on failure, says why (the caller then shows the URL to open by hand).
pub fn open(url: &str, browser_command: Option<&str>, host: &dyn Host) -> Result<(), String> {
    let command = browser_command
        .map(str::to_owned)
        .or_else(|| host.var("BROWSER"))
        .filter(|c| !c.trim().is_empty());
    match command {
        Some(command) => run(&command, url),
        // webbrowser silences GUI browsers' output and never picks a text editor.
        None => webbrowser::open(url).map_err(|err| format!("no browser could be started: {err}")),
    }
}

/// Runs a command line with the URL as its last argument (`%s` is replaced, as xdg does).
fn run(command: &str, url: &str) -> Result<(), String> {
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
        return Err("the browser command is empty".into());
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
    let mut child = command
        .spawn()
        .map_err(|err| format!("cannot run the browser command {program:?}: {err}"))?;
    let watched_until = Instant::now() + EARLY_EXIT_WINDOW;
    while Instant::now() < watched_until {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(format!("the browser command {program:?} failed ({status})"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => return Ok(()),
        }
    }
    Ok(())
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
