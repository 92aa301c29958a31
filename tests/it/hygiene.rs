//! Secret hygiene: every end-to-end scenario at every `-v` level, then stdout, stderr and every
//! file the tool wrote outside the cache are searched for the emulator's secrets (client secret,
//! PFX password, user passwords, refresh tokens). Access tokens may appear only in the
//! ExecCredential on stdout and in the cache.

use std::fs;
use std::path::Path;
use std::process::Output;

use entra_emulator::AKS_CLIENT_ID;

use crate::fixture::*;
use crate::util::*;

/// Every file under `dir` except the cache directory, with its content.
fn files_outside(dir: &Path, cache: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.starts_with(cache) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = fs::read(&path) {
                found.push((path.display().to_string(), bytes));
            }
        }
    }
    found
}

/// The secrets in the cache after a run: refresh tokens and access tokens.
fn cached_tokens(cache: &Path) -> (Vec<String>, Vec<String>) {
    let (mut refresh, mut access) = (vec![], vec![]);
    for entry in fs::read_dir(cache).into_iter().flatten().flatten() {
        if let Ok(value) =
            serde_json::from_slice::<serde_json::Value>(&fs::read(entry.path()).unwrap_or_default())
        {
            refresh.extend(value["refresh_token"].as_str().map(str::to_owned));
            access.extend(value["access_token"].as_str().map(str::to_owned));
        }
    }
    (refresh, access)
}

fn check(cluster: &Cluster, scenario: &str, output: &Output, secrets: &[&str]) {
    let (refresh, access) = cached_tokens(&cluster.cache_dir);
    let out = stdout(output);
    let err = stderr(output);
    let everything: Vec<String> = secrets
        .iter()
        .map(|s| s.to_string())
        .chain(refresh)
        .collect();
    for secret in &everything {
        assert!(
            !out.contains(secret.as_str()) && !err.contains(secret.as_str()),
            "{scenario}: a secret on stdout/stderr"
        );
        for (path, bytes) in files_outside(cluster.env.dir.path(), &cluster.cache_dir) {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(secret.as_str()),
                "{scenario}: a secret in {path}"
            );
        }
    }
    for token in &access {
        assert!(
            !err.contains(token.as_str()),
            "{scenario}: an access token on stderr"
        );
        for (path, bytes) in files_outside(cluster.env.dir.path(), &cluster.cache_dir) {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(token.as_str()),
                "{scenario}: an access token in {path}"
            );
        }
    }
}

#[test]
fn no_secret_escapes_at_any_verbosity() {
    let cluster = Cluster::start();
    let secrets = [
        CLIENT_SECRET,
        PFX_PASSWORD,
        ALICE_PASSWORD,
        BOB_PASSWORD,
        "wrong-Secret-for-hygiene",
    ];
    let pfx = cluster.cert.pfx.display().to_string();
    for verbosity in ["0", "1", "5", "10"] {
        let scenarios: Vec<(&str, Vec<&str>)> = vec![
            (
                "spn secret flag",
                vec![
                    "-l",
                    "spn",
                    "--client-id",
                    SECRET_APP,
                    "--client-secret",
                    CLIENT_SECRET,
                ],
            ),
            (
                "spn wrong secret",
                vec![
                    "-l",
                    "spn",
                    "--client-id",
                    SECRET_APP,
                    "--client-secret",
                    "wrong-Secret-for-hygiene",
                ],
            ),
            (
                "spn pfx",
                vec![
                    "-l",
                    "spn",
                    "--client-id",
                    CERT_APP,
                    "--client-certificate",
                    &pfx,
                    "--client-certificate-password",
                    PFX_PASSWORD,
                ],
            ),
            (
                "spn pfx wrong password",
                vec![
                    "-l",
                    "spn",
                    "--client-id",
                    CERT_APP,
                    "--client-certificate",
                    &pfx,
                    "--client-certificate-password",
                    "wrong-Secret-for-hygiene",
                ],
            ),
            (
                "ropc",
                vec![
                    "-l",
                    "ropc",
                    "--client-id",
                    AKS_CLIENT_ID,
                    "--username",
                    ALICE,
                    "--password",
                    ALICE_PASSWORD,
                ],
            ),
            (
                "ropc refresh",
                vec![
                    "-l",
                    "ropc",
                    "--client-id",
                    AKS_CLIENT_ID,
                    "--username",
                    ALICE,
                    "--password",
                    ALICE_PASSWORD,
                    "--force-refresh",
                ],
            ),
            (
                "ropc wrong password",
                vec![
                    "-l",
                    "ropc",
                    "--client-id",
                    AKS_CLIENT_ID,
                    "--username",
                    BOB,
                    "--password",
                    "wrong-Secret-for-hygiene",
                    "--force-refresh",
                ],
            ),
        ];
        for (scenario, mut args) in scenarios {
            args.extend(["-v", verbosity]);
            let output = run(&mut cluster.get_token(&args));
            check(
                &cluster,
                &format!("{scenario} -v {verbosity}"),
                &output,
                &secrets,
            );
        }
        // whoami and login read the same cache and must not print what is in it.
        let output = run(cluster
            .env
            .aad()
            .args([
                "whoami",
                "-v",
                verbosity,
                "-l",
                "ropc",
                "--server-id",
                entra_emulator::AKS_SERVER_ID,
                "--tenant-id",
                TENANT,
                "--client-id",
                AKS_CLIENT_ID,
                "--username",
                ALICE,
                "--authority-host",
                &cluster.emulator.authority_host(),
                "--cache-dir",
            ])
            .arg(&cluster.cache_dir)
            .env("SSL_CERT_FILE", &cluster.ca_file)
            .env("AZURE_PASSWORD", ALICE_PASSWORD));
        assert!(output.status.success(), "{}", stderr(&output));
        check(
            &cluster,
            &format!("whoami -v {verbosity}"),
            &output,
            &secrets,
        );
        let (_, access) = cached_tokens(&cluster.cache_dir);
        assert!(
            access.iter().all(|t| !stdout(&output).contains(t.as_str())),
            "whoami never prints a token"
        );
    }
}

/// A get-token run: name, arguments, environment.
type Scenario<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, String)>);

#[test]
fn platform_credentials_never_escape_at_any_verbosity() {
    let cluster = Cluster::start();
    let identity_header = cluster.emulator.app_service_identity_header();
    let token_file = cluster.env.path("projected-token");
    let federated = cluster.emulator.service_account_token(
        WI_NAMESPACE,
        WI_SERVICE_ACCOUNT,
        entra_emulator::TOKEN_EXCHANGE_AUDIENCE,
        3600,
    );
    fs::write(&token_file, &federated).expect("token file");
    let secrets = [
        identity_header.as_str(),
        GITHUB_REQUEST_TOKEN,
        SYSTEM_ACCESS_TOKEN,
        "wrong-Secret-for-hygiene",
    ];
    for verbosity in ["0", "1", "5", "10"] {
        let wi = || {
            vec![
                "-l",
                "workloadidentity",
                "--client-id",
                WI_APP,
                "--force-refresh",
            ]
        };
        let pipelines = || {
            vec![
                "-l",
                "azurepipelines",
                "--client-id",
                PIPELINES_APP,
                "--force-refresh",
            ]
        };
        let app_service = |header: &str| {
            vec![
                ("IDENTITY_ENDPOINT", cluster.emulator.app_service_endpoint()),
                ("IDENTITY_HEADER", header.to_owned()),
            ]
        };
        let github = |token: &str| {
            vec![
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    cluster.emulator.github_token_url(),
                ),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", token.to_owned()),
            ]
        };
        let devops = |token: &str| {
            vec![
                ("SYSTEM_OIDCREQUESTURI", cluster.emulator.devops_oidc_url()),
                ("SYSTEM_ACCESSTOKEN", token.to_owned()),
                (
                    "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
                    SERVICE_CONNECTION.to_owned(),
                ),
            ]
        };
        let msi = || vec!["-l", "msi", "--force-refresh"];
        let wrong = "wrong-Secret-for-hygiene";
        let scenarios: Vec<Scenario<'_>> = vec![
            ("msi app service", msi(), app_service(&identity_header)),
            ("msi app service refused", msi(), app_service(wrong)),
            (
                "workload identity file",
                wi(),
                vec![(
                    "AZURE_FEDERATED_TOKEN_FILE",
                    token_file.display().to_string(),
                )],
            ),
            ("github actions", wi(), github(GITHUB_REQUEST_TOKEN)),
            ("github actions refused", wi(), github(wrong)),
            ("azure pipelines", pipelines(), devops(SYSTEM_ACCESS_TOKEN)),
            ("azure pipelines refused", pipelines(), devops(wrong)),
        ];
        for (scenario, mut args, vars) in scenarios {
            args.extend(["-v", verbosity]);
            let mut command = cluster.get_token(&args);
            command.envs(vars);
            let output = run(&mut command);
            let scenario = format!("{scenario} -v {verbosity}");
            assert_eq!(
                output.status.success(),
                !scenario.contains("refused"),
                "{scenario}: {}",
                stderr(&output)
            );
            check(&cluster, &scenario, &output, &secrets);
            // The federated token is a credential too (it lives in its file, nowhere else).
            assert!(
                !stdout(&output).contains(&federated) && !stderr(&output).contains(&federated),
                "{scenario}: the federated token leaked"
            );
        }
    }
}
