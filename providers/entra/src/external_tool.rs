//! Runs a local sign-in tool (`az`, `azd`) for the flows that borrow its session.
//!
//! The tool's stdout is captured and never reaches ours (kubectl reads ours); its stderr is
//! captured too, so that a failure becomes one line and warnings of a success are passed on.
//! The tool gets no stdin and is killed when it exceeds the timeout. [`SignInTool::run`] turns
//! every way it can fail into one error line.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use kubectl_aad_contract::{ErrorKind, Host, ProviderError};

/// What a finished tool run produced.
#[derive(Debug)]
pub struct ToolOutput {
    /// Its stdout (the JSON answer).
    pub stdout: Vec<u8>,
    /// Its stderr, as text.
    pub stderr: String,
    /// Its exit status.
    pub status: ExitStatus,
}

/// Why a tool could not be run to the end.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The program is not on PATH.
    #[error("{0} not found on PATH")]
    NotFound(String),
    /// The program ran longer than allowed and was stopped.
    #[error("{program} did not finish within {secs}s and was stopped")]
    Timeout {
        /// The program.
        program: String,
        /// The limit.
        secs: u64,
    },
    /// Starting or waiting for it failed.
    #[error("cannot run {program}: {source}")]
    Io {
        /// The program.
        program: String,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Runs `program args…` with no stdin, capturing both outputs, for at most `timeout`.
pub fn run_tool(program: &str, args: &[&str], timeout: Duration) -> Result<ToolOutput, ToolError> {
    let mut child = spawn(program, args).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ToolError::NotFound(program.to_owned()),
        _ => ToolError::Io {
            program: program.to_owned(),
            source,
        },
    })?;
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                // The reader threads are left behind: a grandchild of the tool may still hold
                // the pipes open, and we are about to exit with the error anyway.
                return Err(ToolError::Timeout {
                    program: program.to_owned(),
                    secs: timeout.as_secs(),
                });
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(source) => {
                return Err(ToolError::Io {
                    program: program.to_owned(),
                    source,
                });
            }
        }
    };
    let collect = |reader: Option<thread::JoinHandle<Vec<u8>>>| {
        reader
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default()
    };
    Ok(ToolOutput {
        stdout: collect(stdout),
        stderr: String::from_utf8_lossy(&collect(stderr)).into_owned(),
        status,
    })
}

fn spawn(program: &str, args: &[&str]) -> std::io::Result<std::process::Child> {
    let start = |program: &str| {
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
    };
    // On Windows the Azure CLI is `az.cmd`, which Command does not find by its bare name.
    match start(program) {
        Err(err) if cfg!(windows) && err.kind() == std::io::ErrorKind::NotFound => {
            start(&format!("{program}.cmd"))
        }
        other => other,
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// A sign-in tool whose token a flow borrows, and how to talk about it in errors.
pub struct SignInTool {
    /// The program, e.g. `az`.
    pub program: &'static str,
    /// Its name for people, e.g. `Azure CLI (az)`.
    pub name: &'static str,
    /// Where to get it.
    pub install_url: &'static str,
    /// The command that signs in, e.g. `az login`; its presence in an error means "signed out".
    pub login_command: &'static str,
}

impl SignInTool {
    /// Runs the tool and returns its stdout. Every failure is one [`ProviderError`] line: not
    /// installed, stopped after `timeout`, or the tool's own `ERROR:` text (with the fix when it
    /// says the user is signed out). After a success its stderr lines go to `host`, prefixed.
    pub fn run(
        &self,
        args: &[&str],
        timeout: Duration,
        host: &dyn Host,
    ) -> Result<Vec<u8>, ProviderError> {
        let command = format!("{} {}", self.program, args.join(" "));
        host.debug(&format!("running {command}"));
        let output = run_tool(self.program, args, timeout).map_err(|err| match err {
            ToolError::NotFound(_) => ProviderError::new(
                ErrorKind::InvalidRequest,
                format!("{} not found on PATH", self.name),
            )
            .with_hint(format!(
                "install it ({}) and run `{}`, or use another --login",
                self.install_url, self.login_command
            )),
            ToolError::Timeout { secs, .. } => ProviderError::new(
                ErrorKind::Timeout,
                format!("{command} did not finish within {secs}s and was stopped"),
            )
            .with_hint(format!(
                "raise --timeout (or AZURE_CLI_TIMEOUT), or check that `{command}` works"
            )),
            other => ProviderError::new(ErrorKind::Internal, other.to_string()),
        })?;
        let head = args.iter().take(2).copied().collect::<Vec<_>>().join(" ");
        if !output.status.success() {
            let summary = match error_summary(&output.stderr) {
                summary if output.stderr.trim().is_empty() => {
                    console_message(&output.stdout).unwrap_or(summary)
                }
                summary => summary,
            };
            let signed_out = summary.contains(self.login_command);
            let error = ProviderError::new(
                if signed_out {
                    ErrorKind::Authentication
                } else {
                    ErrorKind::Internal
                },
                format!("{} {head} failed: {summary}", self.program),
            );
            return Err(if signed_out {
                error.with_hint(format!("run `{}`, then retry", self.login_command))
            } else {
                error.with_hint(format!("run `{command}` to see why"))
            });
        }
        for line in output.stderr.lines().filter(|l| !l.trim().is_empty()) {
            host.message(&format!("{}: {line}", self.program));
        }
        Ok(output.stdout)
    }
}

/// The text of a JSON console message (`{"data": {"message": …}}`), which azd prints on stdout
/// for some errors under `--output json`.
fn console_message(stdout: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(stdout).ok()?;
    let message = value.get("data")?.get("message")?.as_str()?;
    Some(error_summary(message))
}

/// The lines of a tool's stderr that say what went wrong (`ERROR: …` lines, else the last
/// non-empty line), joined into one line.
pub fn error_summary(stderr: &str) -> String {
    let errors: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("ERROR:"))
        .map(|line| line.trim_start_matches("ERROR:").trim())
        .collect();
    let text = if errors.is_empty() {
        stderr
            .lines()
            .map(str::trim)
            .rfind(|line| !line.is_empty())
            .unwrap_or("no error output")
            .to_owned()
    } else {
        errors.join("; ")
    };
    const MAX: usize = 300;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_keep_error_lines_on_one_line() {
        let stderr = "WARNING: something\nERROR: Please run 'az login' to setup account.\n";
        assert_eq!(
            error_summary(stderr),
            "Please run 'az login' to setup account."
        );
        assert_eq!(error_summary("first\nlast line\n\n"), "last line");
        assert_eq!(error_summary(""), "no error output");
        assert!(error_summary(&"x".repeat(1000)).chars().count() <= 301);
    }

    #[cfg(unix)]
    #[test]
    fn captures_outputs_and_reports_missing_and_slow_tools() {
        let out = run_tool(
            "sh",
            &["-c", "echo out; echo err >&2; exit 3"],
            Duration::from_secs(10),
        )
        .expect("sh runs");
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, "err\n");
        assert_eq!(out.status.code(), Some(3));
        assert!(matches!(
            run_tool("kubectl-aad-no-such-tool", &[], Duration::from_secs(1)),
            Err(ToolError::NotFound(_))
        ));
        assert!(matches!(
            run_tool("sleep", &["5"], Duration::from_millis(200)),
            Err(ToolError::Timeout { .. })
        ));
    }
}
