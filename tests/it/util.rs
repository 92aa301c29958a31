//! Shared test setup: an isolated HOME, a clean environment, the binary and kubectl.

use std::path::PathBuf;
use std::process::{Command, Output};

/// An isolated home directory and a way to run commands inside it.
pub(crate) struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    pub(crate) fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `kubectl-aad` with a clean environment: only PATH, HOME and what the test adds.
    pub(crate) fn aad(&self) -> Command {
        self.clean(Command::new(aad_bin()))
    }

    /// The pinned kubectl with the same clean environment.
    pub(crate) fn kubectl(&self) -> Command {
        self.clean(Command::new(kubectl_bin()))
    }

    /// Any program with the same clean environment.
    pub(crate) fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        self.clean(Command::new(program))
    }

    fn clean(&self, mut command: Command) -> Command {
        command.env_clear();
        command.env("PATH", path_with_our_binary());
        command.env("HOME", self.dir.path());
        // A safety net: a test that forgets to point msi at the emulator reaches a closed port
        // on loopback, never the real IMDS at 169.254.169.254.
        command.env("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9");
        command.current_dir(self.dir.path());
        command
    }
}

/// The binary under test.
pub(crate) fn aad_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kubectl-aad"))
}

/// PATH with the binary's directory first, so kubeconfigs can say `command: kubectl-aad`.
pub(crate) fn path_with_our_binary() -> String {
    let dir = aad_bin().parent().expect("bin dir").to_path_buf();
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", dir.display())
}

/// kubectl: `KUBECTL_AAD_TEST_KUBECTL` (scripts/test.sh sets it to a pinned kubectl it finds or
/// installs), else the one on PATH. Tests that need it fail when neither exists: they must not
/// silently pass.
pub(crate) fn kubectl_bin() -> PathBuf {
    std::env::var_os("KUBECTL_AAD_TEST_KUBECTL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("kubectl"))
}

/// Runs and returns the output, panicking if the process could not start.
pub(crate) fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|err| panic!("cannot run {command:?}: {err}"))
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the failure contract: exit ≠ 0, nothing on stdout, exactly one line on stderr that
/// contains `needle`.
pub(crate) fn assert_one_line_failure(output: &Output, needle: &str) {
    let err = stderr(output);
    assert!(
        !output.status.success(),
        "expected failure, got success; stderr: {err}"
    );
    assert!(
        output.stdout.is_empty(),
        "stdout must be empty on failure, got: {}",
        stdout(output)
    );
    assert_eq!(
        err.lines().count(),
        1,
        "exactly one stderr line expected, got: {err:?}"
    );
    assert!(
        err.contains(needle),
        "stderr {err:?} should mention {needle:?}"
    );
}

/// Whether kubectl can read a kubeconfig file.
pub(crate) fn kubectl_parses(env: &TestEnv, file: &std::path::Path) -> bool {
    run(env
        .kubectl()
        .args(["config", "view", "-o", "json", "--kubeconfig"])
        .arg(file))
    .status
    .success()
}
