//! The one place that turns an error into stderr text and an exit code.
//!
//! Every failure is one line: `error: <what went wrong>: <cause>; <how to fix it>`, because
//! kubectl shows a failing plugin's stderr verbatim and users read the first line only.

use std::process::ExitCode;

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done.
    Success,
    /// The command failed; stderr says why.
    Failure,
    /// The command line was wrong.
    Usage,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Usage => ExitCode::from(2),
        }
    }
}

/// A command-line mistake, rendered like any error but exiting with [`ExitStatus::Usage`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The single line for an error chain (causes joined with `: `, newlines folded).
pub fn render(err: &anyhow::Error) -> String {
    let text = format!("{err:#}");
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("error: {line}")
}

/// The exit status for an error.
pub fn status_of(err: &anyhow::Error) -> ExitStatus {
    if err.downcast_ref::<UsageError>().is_some() {
        ExitStatus::Usage
    } else {
        ExitStatus::Failure
    }
}

/// Whether the error is a closed stdout (`kubectl-aad ... | head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_chain_on_one_line() {
        let err = anyhow::anyhow!("inner\nreason").context("could not read the cache");
        assert_eq!(
            render(&err),
            "error: could not read the cache: inner reason"
        );
        assert_eq!(status_of(&err), ExitStatus::Failure);
        assert_eq!(
            status_of(&anyhow::Error::new(UsageError("x".into()))),
            ExitStatus::Usage
        );
    }
}
