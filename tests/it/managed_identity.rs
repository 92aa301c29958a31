//! The msi provider end to end: real kubectl, the emulator's IMDS and App Service endpoints on
//! loopback, and the API server. Every run points the IMDS base at the emulator, so no test
//! ever sends a packet to 169.254.169.254.

use std::process::Command;

use crate::fixture::*;
use crate::util::*;

/// get-token in msi mode, with IMDS at the emulator through `AZURE_POD_IDENTITY_AUTHORITY_HOST`.
fn msi_get_token(cluster: &Cluster, args: &[&str]) -> Command {
    let mut command = cluster.get_token(&["-l", "msi"]);
    command.args(args).env(
        "AZURE_POD_IDENTITY_AUTHORITY_HOST",
        cluster.emulator.identity_url(),
    );
    command
}

fn identity_requests(cluster: &Cluster, path: &str) -> usize {
    cluster
        .emulator
        .requests()
        .iter()
        .filter(|r| r.path == path)
        .count()
}

const IMDS_PATH: &str = "/metadata/identity/oauth2/token";

#[test]
fn kubectl_with_the_system_assigned_identity_then_from_the_cache() {
    let cluster = Cluster::start();
    let imds = cluster.emulator.identity_url().to_owned();
    cluster.kubeconfig_for(&["-l", "msi", "--imds-endpoint", &imds]);
    let text = std::fs::read_to_string(&cluster.kubeconfig).expect("kubeconfig");
    assert!(text.contains("--imds-endpoint"), "{text}");

    for round in 0..2 {
        let output = run(cluster.kubectl().args(["auth", "whoami", "-o", "json"]));
        assert!(
            output.status.success(),
            "round {round}: {}",
            stderr(&output)
        );
        let review: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        assert_eq!(review["status"]["userInfo"]["username"], MI_SYSTEM_OID);
    }
    assert_eq!(
        identity_requests(&cluster, IMDS_PATH),
        1,
        "the second kubectl call is served from the cache (kubelogin asks IMDS every time)"
    );
}

#[test]
fn user_assigned_identities_by_client_id_or_resource_id() {
    let cluster = Cluster::start();
    let by_client = exec_credential(&run(&mut msi_get_token(
        &cluster,
        &["--client-id", MI_USER_CLIENT],
    )));
    let claims = claims_of(&token_of(&by_client));
    assert_eq!(claims["oid"], MI_USER_OID);
    assert_eq!(claims["appid"], MI_USER_CLIENT);

    let by_resource = exec_credential(&run(&mut msi_get_token(
        &cluster,
        &["--identity-resource-id", MI_USER_RESOURCE_ID],
    )));
    assert_eq!(claims_of(&token_of(&by_resource))["oid"], MI_USER_OID);
    assert_eq!(
        identity_requests(&cluster, IMDS_PATH),
        2,
        "one IMDS call each"
    );

    // The identity is part of the cache key: the system-assigned one is a separate entry.
    let system = exec_credential(&run(&mut msi_get_token(&cluster, &[])));
    assert_eq!(claims_of(&token_of(&system))["oid"], MI_SYSTEM_OID);
}

#[test]
fn transient_imds_answers_are_retried() {
    let cluster = Cluster::start();
    cluster.emulator.push_identity_fault(500);
    cluster.emulator.push_identity_fault(429);
    let credential = exec_credential(&run(&mut msi_get_token(&cluster, &["-v", "5"])));
    assert_eq!(claims_of(&token_of(&credential))["oid"], MI_SYSTEM_OID);
    assert_eq!(
        identity_requests(&cluster, IMDS_PATH),
        3,
        "500, 429, then success"
    );
}

#[test]
fn imds_that_keeps_failing_is_one_line() {
    let cluster = Cluster::start();
    for _ in 0..5 {
        cluster.emulator.push_identity_fault(503);
    }
    let output = run(&mut msi_get_token(&cluster, &[]));
    assert_one_line_failure(&output, "answered 503");
    assert_eq!(
        identity_requests(&cluster, IMDS_PATH),
        5,
        "five attempts in all"
    );
}

#[test]
fn an_identity_not_on_this_machine_is_one_line_with_the_fix() {
    let cluster = Cluster::start();
    let output = run(&mut msi_get_token(
        &cluster,
        &["--client-id", "99999999-9999-9999-9999-999999999999"],
    ));
    assert_one_line_failure(&output, "Identity not found");
    assert!(stderr(&output).contains("not assigned to this machine"));
}

#[test]
fn a_stray_azure_client_id_is_ignored_with_disable_environment_override() {
    let cluster = Cluster::start();
    let stray = "99999999-9999-9999-9999-999999999999";
    // kubelogin's precedence: the variable overrides, which selects a user-assigned identity.
    let output = run(msi_get_token(&cluster, &[]).env("AZURE_CLIENT_ID", stray));
    assert_one_line_failure(&output, "Identity not found");
    // --disable-environment-override keeps the system-assigned identity (kubelogin's #594).
    let output =
        run(msi_get_token(&cluster, &["--disable-environment-override"])
            .env("AZURE_CLIENT_ID", stray));
    assert_eq!(
        claims_of(&token_of(&exec_credential(&output)))["oid"],
        MI_SYSTEM_OID
    );
}

#[test]
fn app_service_endpoint_is_used_when_azure_sets_it() {
    let cluster = Cluster::start();
    let header = cluster.emulator.app_service_identity_header();
    let output = run(cluster
        .get_token(&["-l", "msi", "--client-id", MI_USER_CLIENT, "-v", "10"])
        .env("IDENTITY_ENDPOINT", cluster.emulator.app_service_endpoint())
        .env("IDENTITY_HEADER", &header));
    assert_eq!(
        claims_of(&token_of(&exec_credential(&output)))["oid"],
        MI_USER_OID
    );
    assert_no_secret(&output, &[&header]);
    assert_eq!(identity_requests(&cluster, "/msi/token"), 1);
    assert_eq!(identity_requests(&cluster, IMDS_PATH), 0);

    let output = run(cluster
        .get_token(&["-l", "msi", "--force-refresh"])
        .env("IDENTITY_ENDPOINT", cluster.emulator.app_service_endpoint())
        .env("IDENTITY_HEADER", "wrong-header"));
    assert_one_line_failure(&output, "answered 401");
}

#[test]
fn an_unreachable_endpoint_is_one_line() {
    let cluster = Cluster::start();
    // Port 9 (discard) on loopback: nothing listens there.
    let output =
        run(&mut cluster.get_token(&["-l", "msi", "--imds-endpoint", "http://127.0.0.1:9"]));
    assert_one_line_failure(&output, "cannot be reached");
    let output = run(&mut cluster.get_token(&["-l", "msi", "--imds-endpoint", "169.254.169.254"]));
    assert_one_line_failure(&output, "must be an http:// or https:// URL");
}

#[test]
fn cloud_shell_endpoint_is_used_when_msi_endpoint_is_set() {
    let cluster = Cluster::start();
    let output = run(cluster
        .get_token(&["-l", "msi"])
        .env("MSI_ENDPOINT", cluster.emulator.cloud_shell_endpoint()));
    assert_eq!(
        claims_of(&token_of(&exec_credential(&output)))["oid"],
        MI_SYSTEM_OID
    );
    assert_eq!(identity_requests(&cluster, "/cloudshell/oauth2/token"), 1);
    assert_eq!(identity_requests(&cluster, IMDS_PATH), 0);

    let output = run(cluster
        .get_token(&["-l", "msi", "--client-id", MI_USER_CLIENT])
        .env("MSI_ENDPOINT", cluster.emulator.cloud_shell_endpoint()));
    assert_one_line_failure(&output, "serves only the signed-in user");
}
