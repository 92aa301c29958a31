//! get-token's process contract, independent of any grant flow: stdout carries one JSON document
//! or nothing, failures are one stderr line, and KUBERNETES_EXEC_INFO is honoured.

use crate::util::*;

const SERVER: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

#[test]
fn requires_a_server_id() {
    let env = TestEnv::new();
    let output = run(env.aad().args(["get-token", "-l", "spn"]));
    assert_one_line_failure(&output, "--server-id is required");
}

#[test]
fn refuses_exec_info_it_cannot_answer() {
    let env = TestEnv::new();
    for (info, needle) in [
        (
            r#"{"apiVersion":"client.authentication.k8s.io/v1alpha1","kind":"ExecCredential"}"#,
            "v1alpha1",
        ),
        ("{not json", "not a valid ExecCredential"),
    ] {
        let output = run(env
            .aad()
            .args(["get-token", "--server-id", SERVER])
            .env("KUBERNETES_EXEC_INFO", info));
        assert_one_line_failure(&output, needle);
    }
}

#[test]
fn invalid_options_fail_before_any_work() {
    let env = TestEnv::new();
    for (args, needle) in [
        (
            vec!["-l", "magic"],
            "'magic' is not a supported login method",
        ),
        (vec!["-e", "Mars"], "unknown --environment \"Mars\""),
        (
            vec!["--timeout", "soon"],
            "--timeout \"soon\" is not a positive duration",
        ),
        (vec!["--pop-enabled"], "--pop-claims is required"),
        (vec!["--timeout", "99999999999h"], "at most 24h"),
        (vec!["--tenant-id", "../../evil"], "is not a tenant"),
    ] {
        let output = run(env
            .aad()
            .args(["get-token", "--server-id", SERVER])
            .args(&args));
        assert_one_line_failure(&output, needle);
    }
}

#[test]
fn a_cache_folder_others_can_write_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let cache = env.path("cache");
    std::fs::create_dir(&cache).expect("mkdir");
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o775)).expect("chmod");
    let output = run(env
        .aad()
        .args([
            "get-token",
            "-l",
            "spn",
            "--server-id",
            SERVER,
            "--client-id",
            "c",
            "--tenant-id",
            "t",
            "--client-secret",
            "x",
            "--cache-dir",
        ])
        .arg(&cache)
        .env("KUBECTL_AAD_LOCK_WAIT", "1s"));
    assert_one_line_failure(&output, "chmod 700");
}

#[test]
fn without_home_there_is_no_default_cache_folder() {
    let env = TestEnv::new();
    let output = run(env
        .aad()
        .args([
            "get-token",
            "-l",
            "spn",
            "--server-id",
            SERVER,
            "--client-id",
            "c",
        ])
        .args(["--tenant-id", "t", "--client-secret", "x"])
        .env_remove("HOME"));
    assert_one_line_failure(&output, "HOME is not set");
    assert!(
        !env.path(".kube").exists(),
        "nothing was written in the current folder"
    );
}
