//! Runs a local sign-in tool (`az`, `azd`) for the flows that borrow its session.
//!
//! The tool's stdout is captured and never reaches ours (kubectl reads ours); its stderr is
//! captured too, so that a failure becomes one line and warnings of a success are passed on.
//! The tool gets no stdin and is killed when it exceeds the timeout. [`SignInTool::run`] turns
//! every way it can fail into one error line.

use std::io::Read;
use std::process::ExitStatus;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use kubectl_aad_contract::{ErrorKind, Host, ProviderError};

use crate::process;

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
    /// The program printed more than we read from any tool.
    #[error("{program} printed more than {limit} bytes and was stopped")]
    TooMuchOutput {
        /// The program.
        program: String,
        /// The limit.
        limit: usize,
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

/// The most a tool may print on stdout (a token answer is a few KiB).
pub const MAX_STDOUT_BYTES: usize = 1 << 20;
/// The most of a tool's stderr kept (its warnings and errors).
pub const MAX_STDERR_BYTES: usize = 64 * 1024;

/// Runs `program args…` with no stdin, capturing both outputs, for at most `timeout`. The tool
/// runs in a process group of its own, which is ended whole (az is a Python process that may
/// start others) when it overruns the timeout or prints more than [`MAX_STDOUT_BYTES`].
pub fn run_tool(program: &str, args: &[&str], timeout: Duration) -> Result<ToolOutput, ToolError> {
    let mut tool = process::spawn_tool(program, args).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ToolError::NotFound(program.to_owned()),
        _ => ToolError::Io {
            program: program.to_owned(),
            source,
        },
    })?;
    let overflowed = Arc::new(AtomicBool::new(false));
    let stdout = tool
        .child
        .stdout
        .take()
        .map(|p| drain(p, MAX_STDOUT_BYTES, overflowed.clone()));
    let stderr = tool
        .child
        .stderr
        .take()
        .map(|p| drain(p, MAX_STDERR_BYTES, Arc::new(AtomicBool::new(false))));
    let deadline = Instant::now().checked_add(timeout);
    let status = loop {
        match tool.child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if overflowed.load(Ordering::Relaxed) => {
                tool.end();
                return Err(ToolError::TooMuchOutput {
                    program: program.to_owned(),
                    limit: MAX_STDOUT_BYTES,
                });
            }
            Ok(None) if deadline.is_some_and(|d| Instant::now() >= d) => {
                tool.end();
                return Err(ToolError::Timeout {
                    program: program.to_owned(),
                    secs: timeout.as_secs(),
                });
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(source) => {
                tool.end();
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
    let stdout = collect(stdout);
    if overflowed.load(Ordering::Relaxed) {
        return Err(ToolError::TooMuchOutput {
            program: program.to_owned(),
            limit: MAX_STDOUT_BYTES,
        });
    }
    Ok(ToolOutput {
        stdout,
        stderr: String::from_utf8_lossy(&collect(stderr)).into_owned(),
        status,
    })
}

/// Reads a pipe to its end, keeping at most `limit` bytes; past that it flags `overflowed` and
/// discards the rest (so the tool never blocks on a full pipe while it is being ended).
fn drain(
    mut pipe: impl Read + Send + 'static,
    limit: usize,
    overflowed: Arc<AtomicBool>,
) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 8192];
        loop {
            match pipe.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = limit.saturating_sub(kept.len());
                    kept.extend_from_slice(&buffer[..n.min(room)]);
                    if n > room {
                        overflowed.store(true, Ordering::Relaxed);
                    }
                }
            }
        }
        kept
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
            err @ ToolError::TooMuchOutput { .. } => {
                ProviderError::new(ErrorKind::Internal, err.to_string()).with_hint(format!(
                    "check that `{command}` prints only its JSON answer"
                ))
            }
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
            return Err(self.failure(&head, &command, summary));
        }
        for line in output.stderr.lines().filter(|l| !l.trim().is_empty()) {
            host.message(&format!(
                "{}: {}",
                self.program,
                crate::text::one_line(line, 400)
            ));
        }
        Ok(output.stdout)
    }
}

impl SignInTool {
    /// The one line for a failed run: the tool's own words, then its own fix when it gave one
    /// (`az login --scope …`), else ours: the sign-in command when the words (or their AADSTS
    /// code) say the session is over, else the command to see why.
    fn failure(&self, head: &str, command: &str, summary: String) -> ProviderError {
        let own_fix = summary.find(self.login_command).map(|at| {
            let fix = &summary[at..];
            let end = fix.find(['`', '\'', '"']).unwrap_or(fix.len());
            fix[..end].trim().trim_end_matches('.').to_owned()
        });
        let code = summary.split("AADSTS").nth(1).and_then(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        });
        let session_over = matches!(
            code.map(|c| crate::aadsts::classify("", Some(c), None, 400)),
            Some(
                crate::aadsts::Class::DeadGrant
                    | crate::aadsts::Class::NeedsInteraction
                    | crate::aadsts::Class::ConditionalAccess
            )
        );
        let signed_out = own_fix.is_some() || session_over;
        let error = ProviderError::new(
            if signed_out {
                ErrorKind::Authentication
            } else {
                ErrorKind::Internal
            },
            format!("{} {head} failed: {summary}", self.program),
        );
        match (own_fix, signed_out) {
            (Some(fix), _) => error.with_hint(format!("run `{fix}`, then retry")),
            (None, true) => error.with_hint(format!("run `{}`, then retry", self.login_command)),
            (None, false) => error.with_hint(format!("run `{command}` to see why")),
        }
    }
}

/// Summarises a failed tool's outputs as the flows do, for the fuzzer.
#[doc(hidden)]
pub fn fuzz_failure_summary(stdout: &[u8], stderr: &str) -> String {
    let summary = error_summary(stderr);
    console_message(stdout).unwrap_or(summary)
}

/// The text of a JSON console message (`{"data": {"message": …}}`), which azd prints on stdout
/// for some errors under `--output json`.
fn console_message(stdout: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(stdout).ok()?;
    let message = value.get("data")?.get("message")?.as_str()?;
    let message = message.trim();
    let message = message.strip_prefix("ERROR:").unwrap_or(message).trim();
    Some(crate::text::one_line(message, 800)).filter(|m| !m.is_empty())
}

/// What a tool's stderr says went wrong, on one line: az's `ERROR: …` and the guidance lines
/// after it ("Interactive authentication is needed. Please run: az login --scope …", without
/// its `WARNING:` lines); azd's JSON console messages (`--output json` writes its errors as JSON
/// lines); else the last non-empty line. Bounded generously, so a fix at the end is never cut.
pub fn error_summary(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let messages: Vec<String> = lines
        .iter()
        .filter_map(|line| console_message(line.as_bytes()))
        .collect();
    let text = if !messages.is_empty() {
        messages.join(" ")
    } else if let Some(start) = lines.iter().position(|line| line.starts_with("ERROR:")) {
        lines[start..]
            .iter()
            .filter(|line| !line.starts_with("WARNING:"))
            .map(|line| line.trim_start_matches("ERROR:").trim())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        lines
            .last()
            .copied()
            .unwrap_or("no error output")
            .to_owned()
    };
    crate::text::one_line(&text, 800)
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
        assert!(error_summary(&"x".repeat(1000)).chars().count() <= 801);
    }

    #[test]
    fn az_guidance_and_azd_json_errors_survive_into_the_line() {
        let az = "WARNING: Could not retrieve credential from local cache for service principal.\nERROR: AADSTS700082: The refresh token has expired due to inactivity.\nInteractive authentication is needed. Please run:\naz login --scope 6dae42f8-4368-4678-94ff-3960e28e3630/.default\n";
        let summary = error_summary(az);
        assert_eq!(
            summary,
            "AADSTS700082: The refresh token has expired due to inactivity. Interactive authentication is needed. Please run: az login --scope 6dae42f8-4368-4678-94ff-3960e28e3630/.default"
        );
        let tool = SignInTool {
            program: "az",
            name: "az",
            install_url: "u",
            login_command: "az login",
        };
        let err = tool.failure(
            "account get-access-token",
            "az account get-access-token",
            summary,
        );
        assert_eq!(
            err.hint.as_deref(),
            Some(
                "run `az login --scope 6dae42f8-4368-4678-94ff-3960e28e3630/.default`, then retry"
            )
        );
        // An old az that gives no guidance: the AADSTS code says the session is over.
        let err = tool.failure(
            "a b",
            "az a b",
            error_summary("ERROR: AADSTS70043: The refresh token has expired."),
        );
        assert_eq!(err.hint.as_deref(), Some("run `az login`, then retry"));
        let azd = r#"{"type":"consoleMessage","timestamp":"2026-12-01T20:00:00Z","data":{"message":"\nERROR: fetching token: not logged in, run `azd auth login` to login\n"}}"#;
        let summary = error_summary(azd);
        assert_eq!(
            summary,
            "fetching token: not logged in, run `azd auth login` to login"
        );
        let tool = SignInTool {
            program: "azd",
            name: "azd",
            install_url: "u",
            login_command: "azd auth login",
        };
        assert_eq!(
            tool.failure("auth token", "azd auth token", summary)
                .hint
                .as_deref(),
            Some("run `azd auth login`, then retry")
        );
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
        assert!(matches!(
            run_tool("yes", &[], Duration::from_secs(30)),
            Err(ToolError::TooMuchOutput { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_timeout_ends_the_tools_children_too() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pid_file = dir.path().join("child.pid");
        let script = format!("sleep 60 & echo $! > {}; wait", pid_file.display());
        let result = run_tool("sh", &["-c", &script], Duration::from_millis(500));
        assert!(matches!(result, Err(ToolError::Timeout { .. })));
        let pid = std::fs::read_to_string(&pid_file).expect("pid");
        std::thread::sleep(Duration::from_millis(100));
        let status =
            std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
        assert!(
            status.is_empty() || status.contains(") Z "),
            "the grandchild is gone (or a zombie of init): {status}"
        );
    }
}
