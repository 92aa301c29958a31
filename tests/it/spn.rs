//! The spn provider end to end: real kubectl and kube-rs through a converted kubeconfig, the
//! Entra ID emulator, and the API server that validates every token it gets.

use std::fs;
use std::time::{SystemTime, UNIX_EPOCH};

use entra_emulator::AKS_SERVER_ID;

use crate::fixture::*;
use crate::util::*;

fn cache_entries(cluster: &Cluster) -> Vec<std::path::PathBuf> {
    fs::read_dir(&cluster.cache_dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn kubectl_with_a_client_secret_then_from_the_cache() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&["-l", "spn", "--client-id", SECRET_APP]);
    let kubeconfig_text = fs::read_to_string(&cluster.kubeconfig).expect("kubeconfig");
    assert!(
        !kubeconfig_text.contains(CLIENT_SECRET),
        "the secret came from the environment and must not be written"
    );

    let output = run(cluster
        .kubectl()
        .args(["get", "namespaces"])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(
        output.status.success(),
        "kubectl get namespaces: {}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("kube-system"));
    assert_no_secret(&output, &[CLIENT_SECRET]);
    assert_eq!(cluster.emulator.token_requests(), 1);

    let output = run(cluster
        .kubectl()
        .args(["auth", "whoami", "-o", "json"])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(
        output.status.success(),
        "kubectl auth whoami: {}",
        stderr(&output)
    );
    let review: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(review["status"]["userInfo"]["username"], SECRET_APP_OID);
    assert!(
        review["status"]["userInfo"]["groups"]
            .to_string()
            .contains("group-a")
    );
    assert_eq!(
        cluster.emulator.token_requests(),
        1,
        "the second kubectl process is served from the cache"
    );

    let seen = cluster.api.requests();
    assert!(
        seen.iter()
            .all(|r| r.username.as_deref() == Some(SECRET_APP_OID)),
        "every API request authenticated: {seen:?}"
    );
    for entry in cache_entries(&cluster) {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&entry).expect("meta").permissions().mode() & 0o777,
            0o600
        );
    }
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&cluster.cache_dir)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
}

#[test]
fn kubectl_with_certificates_in_every_format() {
    let cluster = Cluster::start();
    let formats: [(&str, Vec<&str>); 3] = [
        (
            "pem pkcs8",
            vec![
                "--client-certificate",
                cluster.cert.pem_pkcs8.to_str().expect("utf8"),
            ],
        ),
        (
            "pem rsa private key",
            vec![
                "--client-certificate",
                cluster.cert.pem_pkcs1.to_str().expect("utf8"),
            ],
        ),
        (
            "pfx",
            vec![
                "--client-certificate",
                cluster.cert.pfx.to_str().expect("utf8"),
            ],
        ),
    ];
    for (expected_requests, (name, flags)) in (1..).zip(formats) {
        let mut args = vec!["-l", "spn", "--client-id", CERT_APP];
        args.extend(flags);
        cluster.kubeconfig_for(&args);
        let output = run(cluster
            .kubectl()
            .args(["auth", "whoami", "-o", "json"])
            .env("AZURE_CLIENT_CERTIFICATE_PASSWORD", PFX_PASSWORD));
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        assert!(stdout(&output).contains(CERT_APP_OID), "{name}");
        assert_no_secret(&output, &[PFX_PASSWORD]);
        assert_eq!(
            cluster.emulator.token_requests(),
            expected_requests,
            "{name}"
        );
        let removed = run(cluster
            .env
            .aad()
            .args(["remove-tokens", "--cache-dir"])
            .arg(&cluster.cache_dir));
        assert!(removed.status.success());
    }
}

#[test]
fn kube_rs_runs_the_plugin_too() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&[
        "-l",
        "spn",
        "--client-id",
        SECRET_APP,
        "--exec-api-version",
        "v1",
        "--exec-command",
        aad_bin().to_str().expect("utf8"),
    ]);
    let mut kubeconfig = kube::config::Kubeconfig::read_from(&cluster.kubeconfig)
        .expect("kube-rs reads the converted kubeconfig");
    let exec = kubeconfig.auth_infos[0]
        .auth_info
        .as_mut()
        .and_then(|u| u.exec.as_mut())
        .expect("exec");
    let env_entry = |name: &str, value: &str| {
        std::collections::HashMap::from([
            ("name".to_owned(), name.to_owned()),
            ("value".to_owned(), value.to_owned()),
        ])
    };
    exec.env = Some(vec![
        env_entry("SSL_CERT_FILE", cluster.ca_file.to_str().expect("utf8")),
        env_entry("AZURE_CLIENT_SECRET", CLIENT_SECRET),
        env_entry("HOME", cluster.env.dir.path().to_str().expect("utf8")),
    ]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let config = kube::Config::from_custom_kubeconfig(
            kubeconfig,
            &kube::config::KubeConfigOptions::default(),
        )
        .await
        .expect("config");
        let client = kube::Client::try_from(config).expect("client");
        let version = client
            .apiserver_version()
            .await
            .expect("version through the plugin's token");
        assert_eq!(version.git_version, "v1.33.0-kubectl-aad-test");
        let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(client);
        let list = namespaces
            .list(&Default::default())
            .await
            .expect("list namespaces");
        assert_eq!(list.items.len(), 2);
    });
    assert_eq!(cluster.emulator.token_requests(), 1);
    assert!(
        cluster
            .api
            .requests()
            .iter()
            .all(|r| r.username.as_deref() == Some(SECRET_APP_OID))
    );
}

#[test]
fn thirty_two_parallel_cold_requests_make_one_token_request() {
    let cluster = Cluster::start();
    let spawn_all = || {
        let children: Vec<_> = (0..32)
            .map(|_| {
                cluster
                    .get_token(&["-l", "spn", "--client-id", SECRET_APP])
                    .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        children
            .into_iter()
            .map(|c| c.wait_with_output().expect("wait"))
            .collect::<Vec<_>>()
    };
    let outputs = spawn_all();
    let tokens: std::collections::HashSet<String> = outputs
        .iter()
        .map(|o| token_of(&exec_credential(o)))
        .collect();
    assert_eq!(tokens.len(), 1, "every process printed the same token");
    assert_eq!(
        cluster.emulator.token_requests(),
        1,
        "cold: exactly one token request"
    );
    let outputs = spawn_all();
    assert!(outputs.iter().all(|o| o.status.success()));
    assert_eq!(
        cluster.emulator.token_requests(),
        1,
        "warm: no further token request"
    );
}

#[test]
fn failures_are_one_line_name_the_fix_and_leak_nothing() {
    let cluster = Cluster::start();
    let secrets = [
        CLIENT_SECRET,
        "wrong-secret-value-xyz",
        PFX_PASSWORD,
        "wrong-pfx-password",
    ];
    /// Arguments, environment, and what the one stderr line must say.
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["--client-id", SECRET_APP],
            vec![("AZURE_CLIENT_SECRET", "wrong-secret-value-xyz")],
            "AADSTS7000215",
        ),
        (
            vec!["--client-id", SECRET_APP],
            vec![],
            "no client secret or certificate",
        ),
        (
            vec![
                "--client-id",
                "unknown-app",
                "--client-secret",
                "wrong-secret-value-xyz",
            ],
            vec![],
            "AADSTS700016",
        ),
        (
            vec![
                "--client-id",
                CERT_APP,
                "--client-certificate",
                cluster.unregistered_cert.pem_pkcs8.to_str().expect("utf8"),
            ],
            vec![],
            "AADSTS700027",
        ),
        (
            vec![
                "--client-id",
                "33333333-3333-3333-3333-333333333333",
                "--client-certificate",
                cluster.expired_cert.pem_pkcs8.to_str().expect("utf8"),
            ],
            vec![],
            "expired on",
        ),
        (
            vec![
                "--client-id",
                CERT_APP,
                "--client-certificate",
                cluster.cert.pfx.to_str().expect("utf8"),
            ],
            vec![("AZURE_CLIENT_CERTIFICATE_PASSWORD", "wrong-pfx-password")],
            "could not be opened with the given password",
        ),
        (
            vec![
                "--client-id",
                CERT_APP,
                "--client-certificate",
                "/nonexistent/cert.pem",
            ],
            vec![],
            "cannot read client certificate /nonexistent/cert.pem",
        ),
        (
            vec![
                "--client-id",
                SECRET_APP,
                "--client-secret",
                CLIENT_SECRET,
                "--tenant-id",
                "no-such-tenant",
            ],
            vec![],
            "AADSTS90002",
        ),
    ];
    for (args, env, needle) in cases {
        for verbosity in ["0", "10"] {
            let mut full = vec!["-l", "spn", "-v", verbosity];
            full.extend(args.iter().copied());
            let mut command = cluster.get_token(&full);
            for (k, v) in &env {
                command.env(k, v);
            }
            let output = run(&mut command);
            if verbosity == "0" {
                assert_one_line_failure(&output, needle);
            } else {
                assert!(!output.status.success() && output.stdout.is_empty());
                assert!(
                    stderr(&output)
                        .lines()
                        .last()
                        .is_some_and(|l| l.contains(needle)),
                    "{}",
                    stderr(&output)
                );
            }
            assert_no_secret(&output, &secrets);
        }
    }
    assert!(cache_entries(&cluster).is_empty(), "failures cache nothing");
}

#[test]
fn corrupt_cache_entries_are_misses_and_get_replaced() {
    let cluster = Cluster::start();
    // Plain files: the test corrupts and then parses the entry's JSON.
    let get = || {
        run(cluster
            .get_token(&["-l", "spn", "--client-id", SECRET_APP])
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)
            .env("KUBECTL_AAD_TOKEN_CACHE_STORAGE", "file"))
    };
    exec_credential(&get());
    let entry = cache_entries(&cluster).pop().expect("one entry");
    let good = fs::read(&entry).expect("entry");
    let corruptions: Vec<Vec<u8>> = vec![
        vec![],
        b"{".to_vec(),
        good[..good.len() / 2].to_vec(),
        br#"{"format":"someone-else/v9","access_token":"x","expires_on":1,"obtained_at":0}"#
            .to_vec(),
        vec![0xff, 0x00, 0xfe],
        b"null".to_vec(),
    ];
    for (round, bad) in corruptions.into_iter().enumerate() {
        fs::write(&entry, &bad).expect("corrupt");
        let credential = exec_credential(&get());
        let token = token_of(&credential);
        assert_eq!(claims_of(&token)["aud"], AKS_SERVER_ID);
        assert_eq!(
            cluster.emulator.token_requests(),
            round + 2,
            "a corrupt entry is a miss"
        );
        let replaced: serde_json::Value = serde_json::from_slice(&fs::read(&entry).expect("entry"))
            .expect("replaced by a valid entry");
        assert_eq!(replaced["format"], "kubectl-aad/token/v1");
    }
}

#[test]
fn expiration_is_reported_early_and_force_refresh_bypasses_the_cache() {
    let cluster = Cluster::start();
    let get = |extra: &[&str]| {
        let mut args = vec!["-l", "spn", "--client-id", SECRET_APP];
        args.extend_from_slice(extra);
        exec_credential(&run(cluster
            .get_token(&args)
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)))
    };
    let rfc3339_secs = |c: &serde_json::Value| {
        let text = c["status"]["expirationTimestamp"]
            .as_str()
            .expect("timestamp");
        assert!(text.ends_with('Z'), "UTC: {text}");
        humantime::parse_rfc3339(text)
            .expect("rfc3339")
            .duration_since(UNIX_EPOCH)
            .expect("epoch")
            .as_secs()
    };
    let first = get(&[]);
    let exp = claims_of(&token_of(&first))["exp"].as_u64().expect("exp");
    // Our clock is read before the request, so a second boundary crossed while the emulator
    // answers makes our expiry (conservatively) one second earlier than the token's.
    assert!(
        (exp - 301..=exp - 300).contains(&rfc3339_secs(&first)),
        "five minutes before the real expiry: {} vs exp {exp}",
        rfc3339_secs(&first)
    );

    cluster.emulator.set_token_lifetime(120);
    let forced = get(&["--force-refresh"]);
    assert_eq!(
        cluster.emulator.token_requests(),
        2,
        "--force-refresh asks again"
    );
    let exp = claims_of(&token_of(&forced))["exp"].as_u64().expect("exp");
    assert!(
        (exp - 61..=exp - 60).contains(&rfc3339_secs(&forced)),
        "never below half the lifetime"
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("now")
        .as_secs();
    assert!(exp >= now + 100);
    get(&[]);
    assert_eq!(
        cluster.emulator.token_requests(),
        2,
        "the short token is still used for half its life"
    );
}

#[test]
fn legacy_spn_gets_the_spn_audience_and_kubectl_accepts_it() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&["-l", "spn", "--client-id", SECRET_APP, "--legacy"]);
    let output = run(cluster
        .kubectl()
        .args(["get", "--raw", "/version"])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        cluster
            .emulator
            .requests()
            .iter()
            .any(|r| r.path == format!("/{TENANT}/oauth2/token")),
        "the v1 endpoint was used"
    );
    let credential = exec_credential(&run(cluster
        .get_token(&["-l", "spn", "--client-id", SECRET_APP, "--legacy"])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)));
    assert_eq!(
        claims_of(&token_of(&credential))["aud"],
        format!("spn:{AKS_SERVER_ID}")
    );
}

#[test]
fn exec_v1_answers_in_v1() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&[
        "-l",
        "spn",
        "--client-id",
        SECRET_APP,
        "--exec-api-version",
        "v1",
    ]);
    let output = run(cluster
        .kubectl()
        .args(["get", "namespaces", "-o", "name"])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output).trim(),
        "namespace/default\nnamespace/kube-system"
    );
    let info = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#;
    let credential = exec_credential(&run(cluster
        .get_token(&["-l", "spn", "--client-id", SECRET_APP])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)
        .env("KUBERNETES_EXEC_INFO", info)));
    assert_eq!(credential["apiVersion"], "client.authentication.k8s.io/v1");
    assert_eq!(credential["kind"], "ExecCredential");
}

#[test]
fn whoami_decodes_the_token_locally() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&["-l", "spn", "--client-id", SECRET_APP]);
    let output = run(cluster
        .env
        .aad()
        .args(["whoami", "--context", "aks"])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(SECRET_APP)
            && text.contains(TENANT)
            && text.contains(AKS_SERVER_ID)
            && text.contains("groups:    1"),
        "{text}"
    );
    assert_no_secret(&output, &[CLIENT_SECRET]);
    let token = token_of(&exec_credential(&run(cluster
        .get_token(&["-l", "spn", "--client-id", SECRET_APP])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET))));
    assert!(!text.contains(&token), "whoami never prints the token");

    let current = run(cluster
        .env
        .aad()
        .arg("whoami")
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(current.status.success(), "{}", stderr(&current));
    assert_eq!(
        stdout(&current),
        text,
        "no --context means kubectl's current context"
    );
}

#[test]
fn transient_server_errors_surface_as_one_line() {
    let cluster = Cluster::start();
    cluster
        .emulator
        .push_fault(entra_emulator::Fault::Status(503));
    let output = run(cluster
        .get_token(&["-l", "spn", "--client-id", SECRET_APP])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert_one_line_failure(&output, "server_error");
    exec_credential(&run(cluster
        .get_token(&["-l", "spn", "--client-id", SECRET_APP])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)));
}

/// ADFS (Azure Stack Hub), as MSAL treats it: `--tenant-id adfs` names the `/adfs` authority,
/// which speaks the v1 protocol (`resource=`, no `/v2.0`), for service principals and users.
#[test]
fn an_adfs_authority_is_asked_in_its_own_protocol() {
    let cluster = Cluster::start();
    let credential = exec_credential(&run(cluster
        .get_token(&[
            "-l",
            "spn",
            "--client-id",
            SECRET_APP,
            "--tenant-id",
            "adfs",
        ])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)));
    let audience = claims_of(&token_of(&credential))["aud"]
        .as_str()
        .map(str::to_owned);
    assert!(
        audience
            .as_deref()
            .is_some_and(|a| a.ends_with(AKS_SERVER_ID)),
        "the v1 token names the resource: {audience:?}"
    );
    let output = run(cluster
        .get_token(&[
            "-l",
            "ropc",
            "--client-id",
            entra_emulator::AKS_CLIENT_ID,
            "--tenant-id",
            "ADFS",
        ])
        .env("AAD_USER_PRINCIPAL_NAME", ALICE)
        .env("AAD_USER_PRINCIPAL_PASSWORD", ALICE_PASSWORD));
    assert!(output.status.success(), "{}", stderr(&output));
    let paths: Vec<String> = cluster
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.grant_type.is_some())
        .map(|r| r.path)
        .collect();
    assert_eq!(paths, ["/adfs/oauth2/token", "/adfs/oauth2/token"]);
}
