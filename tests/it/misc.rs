//! version, help and usage errors.

use crate::util::*;

#[test]
fn version_and_flag() {
    let env = TestEnv::new();
    let output = run(env.aad().arg("version"));
    assert!(output.status.success());
    assert!(stdout(&output).starts_with(&format!(
        "kubectl-aad version v{}",
        env!("CARGO_PKG_VERSION")
    )));
    let output = run(env.aad().arg("--version"));
    assert_eq!(
        stdout(&output).trim(),
        format!("kubectl-aad {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_goes_to_stdout_and_shows_no_secret_defaults() {
    let env = TestEnv::new();
    let output = run(env
        .aad()
        .args(["get-token", "--help"])
        .env("AZURE_CLIENT_SECRET", "super-secret-value"));
    assert!(output.status.success());
    let help = stdout(&output);
    assert!(help.contains("--client-secret") && help.contains("--pop-claims"));
    assert!(!help.contains("super-secret-value"));
}

#[test]
fn remove_tokens_alias_and_cache_dir() {
    let env = TestEnv::new();
    let cache = env.path("c");
    std::fs::create_dir(&cache).expect("mkdir");
    std::fs::write(cache.join("kubectl-aad-0123.json"), "{}").expect("entry");
    std::fs::write(cache.join("kubectl-aad-0123.lock"), "").expect("lock");
    std::fs::write(cache.join("auth.json"), "{}").expect("kubelogin's");
    let output = run(env
        .aad()
        .arg("remove-cache-dir")
        .env("KUBECACHEDIR", &cache));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("removed 1 cached token(s)")
            && stderr(&output).contains("(and 1 lock or PoP key file(s))"),
        "a lock is not counted as a token: {}",
        stderr(&output)
    );
    let left: Vec<_> = std::fs::read_dir(&cache)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, vec!["auth.json"]);
    let output = run(env
        .aad()
        .args(["remove-tokens", "--cache-dir"])
        .arg(env.path("never-made")));
    assert!(output.status.success(), "a missing directory is success");
}

/// `-h`, `--help` and cobra's `help <command>` describe every subcommand alike, and no internal
/// comment leaks into help.
#[test]
fn help_says_the_same_however_it_is_asked_for() {
    let env = TestEnv::new();
    for command in [
        "get-token",
        "convert-kubeconfig",
        "login",
        "whoami",
        "remove-tokens",
        "providers",
    ] {
        let first_line = |args: &[&str]| {
            let output = run(env.aad().args(args));
            assert!(output.status.success(), "{args:?}: {}", stderr(&output));
            let text = stdout(&output);
            assert!(
                !text.contains("Parsing it"),
                "{args:?} shows an internal comment"
            );
            text.lines().next().unwrap_or_default().to_owned()
        };
        let short = first_line(&[command, "-h"]);
        assert_eq!(short, first_line(&[command, "--help"]), "{command}");
        assert_eq!(short, first_line(&["help", command]), "{command}");
    }
    let output = run(env.aad().args(["help", "no-such-command"]));
    assert_one_line_failure(&output, "no-such-command");
}
