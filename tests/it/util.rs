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

impl Drop for TestEnv {
    /// The kernel keyring outlives the test: the data keys of every cache folder the test may
    /// have used (any folder under its home) are deleted with it.
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        for dir in folders(self.dir.path(), 4) {
            forget_data_key(&dir);
        }
    }
}

fn folders(root: &std::path::Path, depth: usize) -> Vec<PathBuf> {
    let mut found = vec![root.to_path_buf()];
    if depth > 0
        && let Ok(entries) = std::fs::read_dir(root)
    {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                found.extend(folders(&entry.path(), depth - 1));
            }
        }
    }
    found
}

/// The name kubectl-aad gives the data key of `cache_dir` in the OS store (the same rule as
/// src/token_cache/data_key: the first 8 bytes of SHA-256 of the absolute path, in hex).
pub(crate) fn data_key_name(cache_dir: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let absolute = std::path::absolute(cache_dir).expect("absolute");
    let digest = Sha256::digest(absolute.as_os_str().as_encoded_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("kubectl-aad:data-key:{hex}")
}

/// The data key of `cache_dir` from the user and persistent keyrings, if there is one.
#[cfg(target_os = "linux")]
pub(crate) fn data_key(cache_dir: &std::path::Path) -> Option<linux_keyutils::Key> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    let name = data_key_name(cache_dir);
    let user = KeyRing::from_special_id(KeyRingIdentifier::User, true).ok()?;
    user.search(&name).ok().or_else(|| {
        KeyRing::from_special_id(KeyRingIdentifier::Process, true).ok()?;
        KeyRing::get_persistent(KeyRingIdentifier::Process)
            .ok()?
            .search(&name)
            .ok()
    })
}

/// Deletes the data key of `cache_dir` everywhere (what a reboot does to the kernel keyring).
#[cfg(target_os = "linux")]
pub(crate) fn forget_data_key(cache_dir: &std::path::Path) {
    while let Some(key) = data_key(cache_dir) {
        if key.invalidate().is_err() {
            break;
        }
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
