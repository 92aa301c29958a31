//! Tokens at rest, for real: entries and PoP keys sealed under a data key in the Linux kernel
//! keyring, nothing readable in any cache file, the 16-process race for the first key, a store
//! that cannot be used (Docker's seccomp rule, reproduced by `without-keyring`), memory-only
//! storage, migration of plain entries, and a key lost as in a reboot.

use std::fs;
use std::path::Path;
use std::process::Command;

use entra_emulator::{AKS_CLIENT_ID, AKS_SERVER_ID};

use crate::fixture::*;
use crate::util::*;

fn spn(cluster: &Cluster, extra: &[&str]) -> Command {
    let mut args = vec!["-l", "spn", "--client-id", SECRET_APP];
    args.extend_from_slice(extra);
    let mut command = cluster.get_token(&args);
    command.env("AZURE_CLIENT_SECRET", CLIENT_SECRET);
    command
}

/// Every file in the cache folder, as bytes.
fn cache_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        fs::read(e.path()).expect("read"),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn entries(dir: &Path) -> Vec<Vec<u8>> {
    cache_files(dir)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".json"))
        .map(|(_, bytes)| bytes)
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// The same command under the seccomp filter that makes the keyring calls fail with EPERM.
fn without_keyring(cluster: &Cluster, command: &Command) -> Command {
    let mut wrapped = cluster.env.command(cluster.helper("without-keyring"));
    wrapped.arg(command.get_program()).args(command.get_args());
    for (name, value) in command.get_envs() {
        if let Some(value) = value {
            wrapped.env(name, value);
        }
    }
    wrapped
}

#[test]
fn tokens_and_pop_keys_are_sealed_with_a_key_in_the_kernel_keyring() {
    let cluster = Cluster::start();
    let ropc = || {
        run(cluster
            .get_token(&[
                "-l",
                "ropc",
                "--client-id",
                AKS_CLIENT_ID,
                "--username",
                ALICE,
            ])
            .env("AZURE_PASSWORD", ALICE_PASSWORD))
    };
    let output = ropc();
    assert!(output.status.success(), "{}", stderr(&output));
    let access_token = token_of(&exec_credential(&output));
    let refresh_tokens = cluster.emulator.refresh_tokens();
    assert_eq!(refresh_tokens.len(), 1, "ropc got a refresh token");
    let pop = run(&mut spn(
        &cluster,
        &["--pop-enabled", "--pop-claims", "u=/subscriptions/s/rg/aks"],
    ));
    assert!(pop.status.success(), "{}", stderr(&pop));

    let files = cache_files(&cluster.cache_dir);
    assert!(files.iter().any(|(name, _)| name.ends_with(".pop-key.pem")));
    for (name, bytes) in &files {
        for secret in [
            &access_token,
            &refresh_tokens[0],
            "PRIVATE KEY",
            ALICE_PASSWORD,
        ] {
            assert!(!contains(bytes, secret), "{name} holds {secret:.20}…");
        }
    }
    for entry in entries(&cluster.cache_dir) {
        assert!(contains(&entry, "kubectl-aad/sealed/v1"));
    }
    assert!(
        data_key(&cluster.cache_dir).is_some(),
        "the data key is in the keyring"
    );

    // Sealed entries are hits: no further token request.
    let requests = cluster.emulator.token_requests();
    let again = ropc();
    assert_eq!(token_of(&exec_credential(&again)), access_token);
    assert_eq!(cluster.emulator.token_requests(), requests);

    let whoami = run(cluster
        .env
        .aad()
        .args([
            "whoami",
            "-l",
            "spn",
            "--client-id",
            SECRET_APP,
            "--server-id",
        ])
        .args([AKS_SERVER_ID, "--tenant-id", TENANT, "--authority-host"])
        .arg(cluster.emulator.authority_host())
        .arg("--cache-dir")
        .arg(&cluster.cache_dir)
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)
        .env("SSL_CERT_FILE", &cluster.ca_file));
    let said = stdout(&whoami);
    assert!(
        said.contains("sealed with AES-256-GCM") && said.contains("Linux kernel keyring"),
        "{said}{}",
        stderr(&whoami)
    );

    let removed = run(cluster
        .env
        .aad()
        .args(["remove-tokens", "--cache-dir"])
        .arg(&cluster.cache_dir));
    assert!(
        stderr(&removed).contains("data key"),
        "{}",
        stderr(&removed)
    );
    assert!(
        data_key(&cluster.cache_dir).is_none(),
        "remove-tokens deleted the key"
    );
}

#[test]
fn sixteen_parallel_cold_runs_end_up_with_one_data_key() {
    let cluster = Cluster::start();
    let servers: Vec<String> = (0..16).map(|i| format!("api://race-{i}")).collect();
    let children: Vec<_> = servers
        .iter()
        .map(|server| {
            spn(&cluster, &["--server-id", server])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert_eq!(entries(&cluster.cache_dir).len(), 16, "16 keys, 16 entries");
    assert_eq!(cluster.emulator.token_requests(), 16);
    // Had two processes made keys of their own, the entries sealed with the losing key would
    // not open now: each is a hit.
    for server in &servers {
        let output = run(&mut spn(&cluster, &["--server-id", server]));
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert_eq!(
        cluster.emulator.token_requests(),
        16,
        "every entry opens with the one key"
    );
}

#[test]
fn without_a_usable_keyring_auto_keeps_plain_files_and_keyring_refuses() {
    let cluster = Cluster::start();
    let output = run(&mut without_keyring(&cluster, &spn(&cluster, &["-v", "1"])));
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("plain 0600 files, since no OS key store is usable")
            && said.contains("refused access"),
        "{said}"
    );
    let token = token_of(&exec_credential(&output));
    assert!(
        entries(&cluster.cache_dir)
            .iter()
            .all(|e| contains(e, &token))
    );
    let quiet = run(&mut without_keyring(&cluster, &spn(&cluster, &[])));
    assert!(
        quiet.status.success() && quiet.stderr.is_empty(),
        "{}",
        stderr(&quiet)
    );

    let requests = cluster.emulator.token_requests();
    let refused = run(&mut without_keyring(
        &cluster,
        &spn(
            &cluster,
            &[
                "--server-id",
                "api://other",
                "--token-cache-storage",
                "keyring",
            ],
        ),
    ));
    assert_one_line_failure(&refused, "--token-cache-storage auto");
    assert!(
        stderr(&refused).contains("refused access"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        cluster.emulator.token_requests(),
        requests,
        "no sign-in to throw away"
    );
}

#[test]
fn memory_only_storage_signs_in_every_run_and_writes_nothing() {
    let cluster = Cluster::start();
    for _ in 0..2 {
        let output = run(&mut spn(&cluster, &["--token-cache-storage", "none"]));
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let output = run(spn(&cluster, &[]).env("KUBECTL_AAD_TOKEN_CACHE_STORAGE", "none"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(cluster.emulator.token_requests(), 3);
    assert!(cache_files(&cluster.cache_dir).is_empty());
    assert!(data_key(&cluster.cache_dir).is_none());
    let bad = run(spn(&cluster, &[]).env("KUBECTL_AAD_TOKEN_CACHE_STORAGE", "vault"));
    assert_one_line_failure(&bad, "KUBECTL_AAD_TOKEN_CACHE_STORAGE=\"vault\"");
}

#[test]
fn plain_entries_are_migrated_and_a_lost_key_costs_one_sign_in() {
    let cluster = Cluster::start();
    let first = run(&mut spn(&cluster, &["--token-cache-storage", "file"]));
    let token = token_of(&exec_credential(&first));
    assert!(
        entries(&cluster.cache_dir)
            .iter()
            .all(|e| contains(e, &token))
    );
    assert!(
        data_key(&cluster.cache_dir).is_none(),
        "file storage makes no key"
    );

    let migrated = run(&mut spn(&cluster, &[]));
    assert_eq!(token_of(&exec_credential(&migrated)), token, "a hit");
    assert_eq!(cluster.emulator.token_requests(), 1);
    let sealed = entries(&cluster.cache_dir);
    assert!(
        sealed
            .iter()
            .all(|e| !contains(e, &token) && contains(e, "kubectl-aad/sealed/v1"))
    );

    // A reboot: the kernel keyring is empty. The sealed entry is a miss, not an error.
    forget_data_key(&cluster.cache_dir);
    let after = run(&mut spn(&cluster, &[]));
    assert!(
        after.status.success() && after.stderr.is_empty(),
        "{}",
        stderr(&after)
    );
    assert_eq!(cluster.emulator.token_requests(), 2, "one more sign-in");
    let hit = run(&mut spn(&cluster, &[]));
    assert!(hit.status.success());
    assert_eq!(cluster.emulator.token_requests(), 2, "then hits again");
}

#[test]
fn convert_carries_the_storage_flag_into_the_kubeconfig() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&[
        "-l",
        "spn",
        "--client-id",
        SECRET_APP,
        "--token-cache-storage",
        "none",
    ]);
    let text = fs::read_to_string(&cluster.kubeconfig).expect("kubeconfig");
    assert!(text.contains("--token-cache-storage"), "{text}");
    // kubectl runs the plugin once per client it builds (sometimes twice a run); each run of
    // the plugin signs in, since nothing is kept.
    let mut before = 0;
    for _ in 0..2 {
        let output = run(cluster
            .kubectl()
            .args(["get", "namespaces"])
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
        assert!(output.status.success(), "{}", stderr(&output));
        let now = cluster.emulator.token_requests();
        assert!(now > before, "none: every kubectl run signs in again");
        before = now;
    }
    assert!(
        cache_files(&cluster.cache_dir).is_empty(),
        "nothing on disk"
    );
    assert!(
        cluster.emulator.token_requests() >= 2,
        "none: a sign-in per kubectl run"
    );
}
