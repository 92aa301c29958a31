//! The provider registry: built-in providers, the spn flow loaded from a shared library by a
//! binary built without it, and every way a library can be broken.
//!
//! scripts/test.sh builds the pieces these tests need and passes them by environment:
//! KUBECTL_AAD_NO_BUILTIN_SPN_BIN (kubectl-aad built with --no-default-features),
//! KUBECTL_AAD_TEST_SPN_LIB (the spn cdylib) and KUBECTL_AAD_TEST_BROKEN_DIR.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::fixture::*;
use crate::util::*;

fn built(var: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        panic!("{var} is not set: run the suite with scripts/test.sh, which builds it")
    });
    assert!(path.exists(), "{var}={} does not exist", path.display());
    path
}

/// A directory `providers-<dir>` holding only the given library, as `<file>.so` (libraries are
/// found by the mode in their file name).
fn dir_with(env: &TestEnv, library: &std::path::Path, dir: &str, file: &str) -> PathBuf {
    let dir = env.path(&format!("providers-{dir}"));
    fs::create_dir_all(&dir).expect("mkdir");
    fs::copy(library, dir.join(format!("{file}.so"))).expect("copy library");
    dir
}

fn no_builtin_spn(env: &TestEnv) -> Command {
    let mut command = Command::new(built("KUBECTL_AAD_NO_BUILTIN_SPN_BIN"));
    command
        .env_clear()
        .env("PATH", path_with_our_binary())
        .env("HOME", env.dir.path());
    command
}

#[test]
fn providers_lists_the_built_in_flows() {
    let env = TestEnv::new();
    let output = run(env.aad().arg("providers"));
    assert!(output.status.success());
    let listing = stdout(&output);
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("spn") && l.contains("v2") && l.ends_with("built in")),
        "{listing}"
    );
    assert_eq!(
        listing.lines().count(),
        10,
        "a header and one line per login mode: {listing}"
    );
}

#[test]
fn spn_from_a_shared_library_gives_the_same_token_end_to_end() {
    let cluster = Cluster::start();
    let library_dir = dir_with(
        &cluster.env,
        &built("KUBECTL_AAD_TEST_SPN_LIB"),
        "spn",
        "libkubectl_aad_spn",
    );

    let listing = stdout(&run(no_builtin_spn(&cluster.env).arg("providers")));
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("spn") && l.ends_with("not available")),
        "the binary really lacks spn: {listing}"
    );
    let listing = stdout(&run(no_builtin_spn(&cluster.env)
        .args(["providers", "--providers-dir"])
        .arg(&library_dir)));
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("spn") && l.contains(library_dir.to_str().expect("utf8"))),
        "{listing}"
    );

    // Without the library the mode is unavailable, clearly.
    let base = |command: &mut Command| {
        command
            .args([
                "get-token",
                "-l",
                "spn",
                "--server-id",
                entra_emulator::AKS_SERVER_ID,
                "--tenant-id",
                TENANT,
                "--client-id",
                SECRET_APP,
                "--authority-host",
                &cluster.emulator.authority_host(),
                "--cache-dir",
            ])
            .arg(&cluster.cache_dir)
            .env("SSL_CERT_FILE", &cluster.ca_file)
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET);
    };
    let mut command = no_builtin_spn(&cluster.env);
    base(&mut command);
    assert_one_line_failure(
        &run(&mut command),
        "login mode spn is not available in this build",
    );

    // Through kubectl: the kubeconfig calls the binary without spn, which loads the library.
    let no_spn_bin = built("KUBECTL_AAD_NO_BUILTIN_SPN_BIN");
    cluster.kubeconfig_for(&[
        "-l",
        "spn",
        "--client-id",
        SECRET_APP,
        "--exec-command",
        no_spn_bin.to_str().expect("utf8"),
    ]);
    let output = run(cluster
        .kubectl()
        .args(["auth", "whoami", "-o", "json"])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)
        .env("KUBECTL_AAD_PROVIDERS_DIR", &library_dir));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains(SECRET_APP_OID));
    assert_no_secret(&output, &[CLIENT_SECRET]);
    assert_eq!(cluster.emulator.token_requests(), 1);

    // Provider errors cross the ABI intact: one line, the AADSTS code and the hint.
    let mut command = no_builtin_spn(&cluster.env);
    base(&mut command);
    command
        .args(["--providers-dir"])
        .arg(&library_dir)
        .env("AZURE_CLIENT_SECRET", "wrong-secret-value")
        .arg("--force-refresh");
    let output = run(&mut command);
    assert_one_line_failure(&output, "AADSTS7000215");
    assert!(stderr(&output).contains("check --client-secret"));
    assert_no_secret(&output, &["wrong-secret-value", CLIENT_SECRET]);
}

#[test]
fn a_library_may_not_silently_replace_a_built_in_provider() {
    let env = TestEnv::new();
    let library_dir = dir_with(&env, &built("KUBECTL_AAD_TEST_SPN_LIB"), "override", "spn");
    let output = run(env
        .aad()
        .args([
            "get-token",
            "-l",
            "spn",
            "--server-id",
            "s",
            "--client-id",
            "c",
            "--tenant-id",
            "t",
            "--client-secret",
            "x",
            "--providers-dir",
        ])
        .arg(&library_dir)
        .arg("--cache-dir")
        .arg(env.path("c")));
    assert_one_line_failure(
        &output,
        "which is built in; remove the library or pass --allow-provider-override",
    );
    assert!(stderr(&output).contains("providers-override/spn.so"));
    let listing = stdout(&run(env
        .aad()
        .args(["providers", "--providers-dir"])
        .arg(&library_dir)));
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("spn") && l.contains("providers-override/spn.so")),
        "providers shows what would be used with the override: {listing}"
    );
}

#[test]
fn every_broken_library_is_a_clear_error_naming_the_file() {
    let env = TestEnv::new();
    let broken = built("KUBECTL_AAD_TEST_BROKEN_DIR");
    let garbage_dir = env.path("providers-garbage");
    fs::create_dir_all(&garbage_dir).expect("mkdir");
    fs::write(garbage_dir.join("garbage.so"), b"\x7fELF but not really").expect("garbage");
    let cases = [
        (
            "missing-symbol",
            "does not export `kubectl_aad_provider_entry`",
        ),
        (
            "wrong-abi",
            "speaks provider ABI v999, but this kubectl-aad speaks v1 to v2",
        ),
        ("null-table", "returned no provider table"),
        (
            "unknown-login",
            "declares an unknown login mode \"kerberos\"",
        ),
        (
            "panics",
            "the provider panicked: deliberate panic in a test provider",
        ),
        ("bad-json", "replied with invalid JSON"),
    ];
    for (kind, needle) in cases {
        let dir = dir_with(&env, &broken.join(format!("{kind}.so")), kind, "spn");
        let mut command = no_builtin_spn(&env);
        command
            .args([
                "get-token",
                "-l",
                "spn",
                "--server-id",
                "s",
                "--client-id",
                "c",
                "--tenant-id",
                "t",
                "--client-secret",
                "x",
                "--providers-dir",
            ])
            .arg(&dir)
            .arg("--cache-dir")
            .arg(env.path("cache"));
        let output = run(&mut command);
        assert_one_line_failure(&output, needle);
        assert!(
            stderr(&output).contains(&format!("providers-{kind}/spn.so")),
            "{kind}: the message names the file: {}",
            stderr(&output)
        );
    }
    // `providers` inspects every file and lists a broken one with the loader's own reason,
    // without failing the others.
    let output = run(no_builtin_spn(&env)
        .args(["providers", "--providers-dir"])
        .arg(&garbage_dir));
    assert!(output.status.success(), "{}", stderr(&output));
    let listing = stdout(&output);
    assert!(
        listing.lines().any(|l| l.starts_with("garbage.so")
            && l.contains("error: could not load provider library")
            && l.contains("garbage.so")),
        "{listing}"
    );
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("devicecode") && l.ends_with("built in")),
        "{listing}"
    );
}

#[test]
fn a_library_adds_a_login_mode_of_its_own_end_to_end() {
    let cluster = Cluster::start();
    let library_dir = dir_with(
        &cluster.env,
        &built("KUBECTL_AAD_TEST_TOKENFILE_LIB"),
        "tokenfile",
        "libkubectl_aad_tokenfile",
    );
    // An agent keeps a cluster token in a file; here it is a service principal's token.
    let agent_token = |cache: &str| {
        let output = run(cluster
            .get_token(&["-l", "spn", "--client-id", SECRET_APP, "--cache-dir"])
            .arg(cluster.env.path(cache))
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
        token_of(&exec_credential(&output))
    };
    let token_file = cluster.env.path("aks-token");
    fs::write(&token_file, agent_token("agent-1")).expect("token file");

    let listing = stdout(&run(cluster
        .env
        .aad()
        .args(["providers", "--providers-dir"])
        .arg(&library_dir)));
    assert!(
        listing.lines().any(|l| l.starts_with("tokenfile")
            && l.contains("v2")
            && l.contains("libkubectl_aad_tokenfile.so")
            && l.contains("a token file another agent keeps fresh")),
        "{listing}"
    );

    let path_option = format!("path={}", token_file.display());
    cluster.kubeconfig_for(&[
        "-l",
        "tokenfile",
        "--provider-option",
        &path_option,
        "--providers-dir",
        library_dir.to_str().expect("utf8"),
    ]);
    let kubeconfig = fs::read_to_string(&cluster.kubeconfig).expect("kubeconfig");
    assert!(
        kubeconfig.contains("tokenfile") && kubeconfig.contains(&path_option),
        "{kubeconfig}"
    );

    let whoami = || {
        let output = run(cluster.kubectl().args(["auth", "whoami", "-o", "json"]));
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    assert!(
        whoami().contains(SECRET_APP_OID),
        "the library's token reached the API server"
    );
    let entries = || {
        let mut found: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&cluster.cache_dir)
            .expect("cache dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| (p.clone(), fs::read(&p).expect("entry")))
            .collect();
        found.sort();
        found
    };
    let first = entries();
    assert_eq!(first.len(), 1, "one cache entry for the library's mode");
    assert!(whoami().contains(SECRET_APP_OID));
    assert_eq!(
        entries(),
        first,
        "the second call was served from the cache"
    );

    // The agent rewrites the file: the next call reads the new token.
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&token_file, agent_token("agent-2")).expect("rotate");
    assert!(whoami().contains(SECRET_APP_OID));
    assert_ne!(entries(), first, "a rewritten file is a cache miss");
}

#[test]
fn only_the_library_a_mode_needs_is_loaded_and_only_from_trusted_places() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let marker = env.path("constructor-ran");
    let constructor = built("KUBECTL_AAD_TEST_BROKEN_DIR").join("constructor.so");
    // Some other library in the folder: its constructor must not run for a built-in mode.
    let dir = dir_with(&env, &constructor, "other", "evil");
    let spn = |dir: &std::path::Path| {
        let mut command = env.aad();
        command
            .args([
                "get-token",
                "-l",
                "spn",
                "--server-id",
                "s",
                "--tenant-id",
                "t",
            ])
            .args([
                "--client-id",
                "c",
                "--client-secret",
                "x",
                "--authority-host",
            ])
            .arg("https://127.0.0.1:9/")
            .arg("--cache-dir")
            .arg(env.path("cache"))
            .arg("--providers-dir")
            .arg(dir)
            .env("KUBECTL_AAD_TEST_MARKER", &marker);
        command
    };
    let output = run(&mut spn(&dir));
    assert!(
        !output.status.success(),
        "the authority is unreachable on purpose"
    );
    assert!(!marker.exists(), "no library was loaded for -l spn");
    // `providers` inspects every library: there the constructor runs.
    run(env
        .aad()
        .args(["providers", "--providers-dir"])
        .arg(&dir)
        .env("KUBECTL_AAD_TEST_MARKER", &marker));
    assert!(marker.exists(), "the marker works");
    fs::remove_file(&marker).expect("rm marker");

    // A library mode's file, from places another user could have written: refused, not loaded.
    let lib = dir.join("tokenfile.so");
    fs::copy(&constructor, &lib).expect("copy");
    let tokenfile = |dir: &std::path::Path| {
        let mut command = env.aad();
        command
            .args([
                "get-token",
                "-l",
                "tokenfile",
                "--server-id",
                "s",
                "--provider-option",
                "path=/x",
            ])
            .arg("--cache-dir")
            .arg(env.path("cache"))
            .arg("--providers-dir")
            .arg(dir)
            .env("KUBECTL_AAD_TEST_MARKER", &marker);
        command
    };
    let chmod = |path: &std::path::Path, mode: u32| {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod")
    };
    chmod(&lib, 0o666);
    assert_one_line_failure(
        &run(&mut tokenfile(&dir)),
        "is writable by other users; run `chmod go-w",
    );
    chmod(&lib, 0o644);
    chmod(&dir, 0o777);
    assert_one_line_failure(&run(&mut tokenfile(&dir)), "is writable by other users");
    chmod(&dir, 0o755);
    let status = Command::new("chown")
        .arg("65534")
        .arg(&lib)
        .status()
        .expect("chown");
    assert!(status.success(), "the suite runs as root");
    assert_one_line_failure(
        &run(&mut tokenfile(&dir)),
        "belongs to another user (uid 65534)",
    );
    fs::remove_file(&lib).expect("rm");
    std::os::unix::fs::symlink(&constructor, &lib).expect("symlink");
    assert_one_line_failure(&run(&mut tokenfile(&dir)), "is a symbolic link");
    assert!(!marker.exists(), "none of them was loaded");
}
