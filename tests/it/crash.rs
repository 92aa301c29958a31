//! Crash safety: convert-kubeconfig and get-token are killed with SIGKILL at many points during
//! their writes (widened by the KUBECTL_AAD_TEST_WRITE_DELAY_MS pause hook); afterwards the
//! kubeconfig is byte-for-byte the old or the new version, the cache entry is absent or whole,
//! and the per-key lock is free. Cache directories that cannot be used cost one warning, never
//! the token.

use std::fs;
use std::process::Stdio;
use std::time::Duration;

use crate::fixture::*;
use crate::util::*;

const ORIGINAL: &str = r#"apiVersion: v1
kind: Config
clusters:
- name: aks
  cluster: {server: "https://aks.hcp.westeurope.azmk8s.io:443"}
contexts:
- name: aks
  context: {cluster: aks, user: aks-user}
current-context: aks
users:
- name: aks-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, t, --login, devicecode]
"#;

#[test]
fn a_killed_convert_leaves_the_old_or_the_new_kubeconfig() {
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, ORIGINAL).expect("fixture");
    let output = run(env
        .aad()
        .args(["convert-kubeconfig", "--no-backup", "--kubeconfig"])
        .arg(&file));
    assert!(output.status.success(), "{}", stderr(&output));
    let converted = fs::read_to_string(&file).expect("converted");
    assert_ne!(converted, ORIGINAL);

    // Measure one paused run, then kill across all of it and a little beyond: the window scales
    // with the machine's speed, so a loaded CI machine still sees kills on both sides.
    fs::write(&file, ORIGINAL).expect("reset");
    let started = std::time::Instant::now();
    let paused = run(env
        .aad()
        .args(["convert-kubeconfig", "--kubeconfig"])
        .arg(&file)
        .env("KUBECTL_AAD_TEST_WRITE_DELAY_MS", "40"));
    assert!(paused.status.success(), "{}", stderr(&paused));
    let window_ms = started.elapsed().as_millis() as u64 + 100;
    let (mut old_seen, mut new_seen) = (0, 0);
    for kill_at_ms in (0..window_ms).step_by((window_ms / 32).max(1) as usize) {
        fs::write(&file, ORIGINAL).expect("reset");
        let mut child = env
            .aad()
            .args(["convert-kubeconfig", "--kubeconfig"])
            .arg(&file)
            .env("KUBECTL_AAD_TEST_WRITE_DELAY_MS", "40")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(kill_at_ms));
        let _ = child.kill();
        let _ = child.wait();
        // A killed writer leaves client-go's lock file, as a killed kubectl does; the next run
        // says so in one line (tested with the lock protocol). Clear it for the next kill.
        let _ = fs::remove_file(env.path("config.lock"));
        let now = fs::read_to_string(&file).expect("kubeconfig still readable");
        if now == ORIGINAL {
            old_seen += 1;
        } else {
            assert_eq!(
                now, converted,
                "killed at {kill_at_ms} ms: a mix of old and new"
            );
            new_seen += 1;
        }
        assert!(
            crate::util::kubectl_parses(&env, &file),
            "killed at {kill_at_ms} ms: kubectl cannot read the file"
        );
    }
    assert!(
        old_seen > 0 && new_seen > 0,
        "the kills landed both before and after the rename ({old_seen} old, {new_seen} new)"
    );
}

#[test]
fn a_killed_get_token_leaves_a_whole_entry_or_none_and_frees_the_lock() {
    let cluster = Cluster::start();
    let args = ["-l", "spn", "--client-id", SECRET_APP];
    for kill_at_ms in (0..600).step_by(40) {
        let _ = run(cluster
            .env
            .aad()
            .args(["remove-tokens", "--cache-dir"])
            .arg(&cluster.cache_dir));
        let mut child = cluster
            .get_token(&args)
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)
            .env("KUBECTL_AAD_TEST_WRITE_DELAY_MS", "60")
            // Plain files, so that a torn entry would show as broken JSON.
            .env("KUBECTL_AAD_TOKEN_CACHE_STORAGE", "file")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(kill_at_ms));
        let _ = child.kill();
        let _ = child.wait();
        for entry in fs::read_dir(&cluster.cache_dir)
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") && !name.starts_with('.') {
                let value: serde_json::Value = serde_json::from_slice(
                    &fs::read(entry.path()).expect("entry"),
                )
                .unwrap_or_else(|_| panic!("killed at {kill_at_ms} ms: a torn cache entry"));
                assert_eq!(value["format"], "kubectl-aad/token/v1");
            }
        }
        // The lock died with the process: the next call does not wait for it.
        let output = run(cluster
            .get_token(&args)
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)
            .env("KUBECTL_AAD_LOCK_WAIT", "2s")
            .env("KUBECTL_AAD_TOKEN_CACHE_STORAGE", "file"));
        assert!(
            output.status.success(),
            "killed at {kill_at_ms} ms: {}",
            stderr(&output)
        );
    }
}

#[test]
fn an_unusable_cache_costs_one_warning_not_the_token() {
    let cluster = Cluster::start();
    let blocker = cluster.env.path("not-a-directory");
    fs::write(&blocker, "a file where the cache directory should be").expect("file");
    let output = run(cluster
        .env
        .aad()
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
        .arg(blocker.join("cache"))
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("\"token\":"));
    assert_eq!(
        stderr(&output).lines().count(),
        1,
        "one warning: {}",
        stderr(&output)
    );
    assert!(stderr(&output).starts_with("warning:"));

    // Something that is not a regular file where an entry belongs (planted, or a mistake):
    // refused with one line naming it, never read or written through.
    let ok = run(cluster
        .get_token(&["-l", "spn", "--client-id", SECRET_APP])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(ok.status.success());
    let entry = fs::read_dir(&cluster.cache_dir)
        .expect("cache")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("entry");
    fs::remove_file(&entry).expect("rm");
    fs::create_dir(&entry).expect("mkdir");
    let output = run(cluster
        .get_token(&["-l", "spn", "--client-id", SECRET_APP])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert_one_line_failure(&output, "is not a regular file; delete it");
}
