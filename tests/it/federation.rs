//! workloadidentity and azurepipelines end to end: federated tokens from the emulator's
//! registered issuers (a Kubernetes service-account issuer, GitHub Actions- and Azure
//! DevOps-like endpoints) exchanged for Entra ID tokens, used by real kubectl.

use std::fs;
use std::process::Command;

use entra_emulator::{KUBERNETES_ISSUER, TOKEN_EXCHANGE_AUDIENCE};

use crate::fixture::*;
use crate::util::*;

/// What the workload identity webhook injects into a pod, with a fresh projected token.
struct Pod {
    token_file: std::path::PathBuf,
    token: String,
}

impl Pod {
    fn new(cluster: &Cluster) -> Pod {
        let token = cluster.emulator.service_account_token(
            WI_NAMESPACE,
            WI_SERVICE_ACCOUNT,
            TOKEN_EXCHANGE_AUDIENCE,
            3600,
        );
        let token_file = cluster.env.path("azure-identity-token");
        fs::write(&token_file, &token).expect("token file");
        Pod { token_file, token }
    }

    fn apply(&self, cluster: &Cluster, command: &mut Command) {
        command
            .env("AZURE_CLIENT_ID", WI_APP)
            .env("AZURE_TENANT_ID", TENANT)
            .env("AZURE_FEDERATED_TOKEN_FILE", &self.token_file)
            .env("AZURE_AUTHORITY_HOST", cluster.emulator.authority_host());
    }
}

#[test]
fn kubectl_in_a_pod_with_the_webhook_variables() {
    let cluster = Cluster::start();
    let pod = Pod::new(&cluster);
    cluster.kubeconfig_for(&["-l", "workloadidentity"]);
    for _ in 0..2 {
        let mut kubectl = cluster.kubectl();
        kubectl.args(["auth", "whoami", "-o", "json"]);
        pod.apply(&cluster, &mut kubectl);
        let output = run(&mut kubectl);
        assert!(output.status.success(), "{}", stderr(&output));
        let review: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        assert_eq!(review["status"]["userInfo"]["username"], WI_APP_OID);
        assert_no_secret(&output, &[&pod.token]);
    }
    assert_eq!(
        cluster.emulator.token_requests(),
        1,
        "the second call is cached"
    );
}

#[test]
fn the_token_file_is_read_again_on_every_exchange() {
    let cluster = Cluster::start();
    let pod = Pod::new(&cluster);
    let mut first = cluster.get_token(&["-l", "workloadidentity"]);
    pod.apply(&cluster, &mut first);
    exec_credential(&run(&mut first));

    // The kubelet rotates the file; a forced exchange must send the new token, so an invalid
    // one now fails where the cached path would not have looked.
    fs::write(&pod.token_file, "not-a-jwt").expect("rotate");
    let mut forced = cluster.get_token(&["-l", "workloadidentity", "--force-refresh"]);
    pod.apply(&cluster, &mut forced);
    assert_one_line_failure(&run(&mut forced), "AADSTS");

    let fresh = Pod::new(&cluster);
    let mut again = cluster.get_token(&["-l", "workloadidentity", "--force-refresh"]);
    fresh.apply(&cluster, &mut again);
    let credential = exec_credential(&run(&mut again));
    assert_eq!(claims_of(&token_of(&credential))["oid"], WI_APP_OID);
}

#[test]
fn federated_token_failures_are_one_line_without_the_token() {
    let cluster = Cluster::start();
    let subject = format!("system:serviceaccount:{WI_NAMESPACE}:{WI_SERVICE_ACCOUNT}");
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "wrong audience",
            cluster.emulator.service_account_token(
                WI_NAMESPACE,
                WI_SERVICE_ACCOUNT,
                "https://kubernetes.default.svc",
                3600,
            ),
            "AADSTS700212",
        ),
        (
            "wrong subject",
            cluster.emulator.service_account_token(
                "default",
                "intruder",
                TOKEN_EXCHANGE_AUDIENCE,
                3600,
            ),
            "AADSTS700213",
        ),
        (
            "expired",
            cluster.emulator.service_account_token(
                WI_NAMESPACE,
                WI_SERVICE_ACCOUNT,
                TOKEN_EXCHANGE_AUDIENCE,
                -60,
            ),
            "AADSTS700024",
        ),
        (
            "forged signature",
            cluster
                .emulator
                .forged_token(KUBERNETES_ISSUER, &subject, TOKEN_EXCHANGE_AUDIENCE),
            "AADSTS50013",
        ),
        (
            "unknown issuer",
            cluster.emulator.forged_token(
                "https://evil.example/",
                &subject,
                TOKEN_EXCHANGE_AUDIENCE,
            ),
            "AADSTS700211",
        ),
    ];
    let file = cluster.env.path("token");
    for (name, token, code) in &cases {
        fs::write(&file, token).expect("token");
        let output = run(cluster
            .get_token(&["-l", "workloadidentity", "--client-id", WI_APP, "-v", "10"])
            .env("AZURE_FEDERATED_TOKEN_FILE", &file));
        assert!(!output.status.success(), "{name}");
        assert!(output.stdout.is_empty(), "{name}");
        let err = stderr(&output);
        let last = err.lines().last().unwrap_or_default();
        assert!(last.contains(code), "{name}: {err}");
        assert!(
            !err.contains(token.as_str()),
            "{name}: the assertion leaked"
        );
        // At -v 0 the failure is exactly one line.
        let quiet = run(cluster
            .get_token(&["-l", "workloadidentity", "--client-id", WI_APP])
            .env("AZURE_FEDERATED_TOKEN_FILE", &file));
        assert_one_line_failure(&quiet, code);
    }

    let output = run(cluster
        .get_token(&["-l", "workloadidentity", "--client-id", WI_APP])
        .env(
            "AZURE_FEDERATED_TOKEN_FILE",
            cluster.env.path("missing-token"),
        ));
    assert_one_line_failure(&output, "cannot read federated token file");
    let output = run(&mut cluster.get_token(&["-l", "workloadidentity", "--client-id", WI_APP]));
    assert_one_line_failure(&output, "--federated-token-file");
    let output = run(&mut cluster.get_token(&["-l", "workloadidentity"]));
    assert_one_line_failure(&output, "client ID cannot be empty");
}

#[test]
fn github_actions_oidc_through_kubectl() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&[
        "-l",
        "workloadidentity",
        "--client-id",
        WI_APP,
        "--tenant-id",
        TENANT,
    ]);
    let output = run(cluster
        .kubectl()
        .args(["get", "namespaces"])
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            cluster.emulator.github_token_url(),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", GITHUB_REQUEST_TOKEN));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("kube-system"));
    assert_no_secret(&output, &[GITHUB_REQUEST_TOKEN]);
    let github_calls: Vec<_> = cluster
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.path == "/_github/idtoken")
        .collect();
    assert_eq!(github_calls.len(), 1);
    assert_eq!(github_calls[0].status, 200);

    let output = run(cluster
        .get_token(&[
            "-l",
            "workloadidentity",
            "--client-id",
            WI_APP,
            "--force-refresh",
            "-v",
            "10",
        ])
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            cluster.emulator.github_token_url(),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "expired-request-token"));
    assert!(!output.status.success());
    assert!(
        stderr(&output)
            .lines()
            .last()
            .unwrap_or_default()
            .contains("GitHub refused")
    );
    assert_no_secret(&output, &["expired-request-token"]);
}

/// The variables an AzureCLI@2 step with `SYSTEM_ACCESSTOKEN` mapped has.
fn pipeline_env(cluster: &Cluster, command: &mut Command) {
    command
        .env("SYSTEM_OIDCREQUESTURI", cluster.emulator.devops_oidc_url())
        .env("SYSTEM_ACCESSTOKEN", SYSTEM_ACCESS_TOKEN)
        .env("AZURESUBSCRIPTION_CLIENT_ID", PIPELINES_APP)
        .env("AZURESUBSCRIPTION_TENANT_ID", TENANT)
        .env(
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
            SERVICE_CONNECTION,
        );
}

#[test]
fn azure_pipelines_through_kubectl() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&["-l", "azurepipelines", "--tenant-id", TENANT]);
    let mut kubectl = cluster.kubectl();
    kubectl.args(["auth", "whoami", "-o", "json"]);
    pipeline_env(&cluster, &mut kubectl);
    let output = run(&mut kubectl);
    assert!(output.status.success(), "{}", stderr(&output));
    let review: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(review["status"]["userInfo"]["username"], PIPELINES_APP_OID);
    assert_no_secret(&output, &[SYSTEM_ACCESS_TOKEN]);
}

#[test]
fn azure_pipelines_failures_are_one_line() {
    let cluster = Cluster::start();
    let attempt = |tweak: &dyn Fn(&mut Command)| {
        let mut command = cluster.get_token(&["-l", "azurepipelines", "--force-refresh"]);
        pipeline_env(&cluster, &mut command);
        tweak(&mut command);
        run(&mut command)
    };
    let output = attempt(&|c| {
        c.env_remove("SYSTEM_ACCESSTOKEN");
    });
    assert_one_line_failure(&output, "SYSTEM_ACCESSTOKEN environment variable not set");
    let output = attempt(&|c| {
        c.env("SYSTEM_ACCESSTOKEN", "revoked-access-token");
    });
    assert_one_line_failure(&output, "401");
    assert_no_secret(&output, &["revoked-access-token"]);
    let output = attempt(&|c| {
        c.env(
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
            "no-such-connection",
        );
    });
    assert_one_line_failure(&output, "404");
    let output = attempt(&|c| {
        c.env_remove("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID");
    });
    assert_one_line_failure(&output, "service connection id is not set");
    // Flags win over AZURESUBSCRIPTION_* (fill-if-empty): a wrong flag is used and fails.
    let output = attempt(&|c| {
        c.args(["--client-id", WI_APP]);
    });
    assert_one_line_failure(&output, "AADSTS700211");
}
