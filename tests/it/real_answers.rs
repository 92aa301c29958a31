//! Answers shaped as Microsoft's services really send them — v1/v2 token answers with numbers as
//! strings and extra fields, AADSTS bodies with suberror and claims, each managed-identity
//! platform's error shape, az's guidance across versions — and every failure as one line that
//! says why (with the AADSTS code) and what fixes it.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use entra_emulator::Fault;
use serde_json::json;

use crate::fixture::*;
use crate::util::*;

fn ropc(cluster: &Cluster) -> Command {
    let mut command =
        cluster.get_token(&["-l", "ropc", "--client-id", entra_emulator::AKS_CLIENT_ID]);
    command
        .env("AZURE_USERNAME", ALICE)
        .env("AZURE_PASSWORD", ALICE_PASSWORD);
    command
}

fn aadsts(error: &str, code: u64, description: &str, suberror: Option<&str>) -> Fault {
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {description}\r\nTrace ID: 0b2a8c4e-0000-0000-0000-000000000000\r\nCorrelation ID: 1c3b9d5f-0000-0000-0000-000000000000\r\nTimestamp: 2026-12-01 20:00:00Z"),
        "error_codes": [code],
        "timestamp": "2026-12-01 20:00:00Z",
        "trace_id": "0b2a8c4e-0000-0000-0000-000000000000",
        "correlation_id": "1c3b9d5f-0000-0000-0000-000000000000",
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        "suberror": suberror,
        "claims": "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"a4c9e0a4\"]}}}",
    });
    Fault::Raw {
        status: 400,
        body: body.to_string(),
    }
}

#[test]
fn real_token_answers_with_strings_and_extra_fields_are_read() {
    let cluster = Cluster::start();
    cluster.emulator.push_fault(Fault::Patch(json!({
        "expires_in": "3599", "ext_expires_in": "3599", "refresh_in": 1800,
        "foci": "1", "client_info": "eyJ1aWQiOiIxIiwidXRpZCI6IjIifQ", "token_type": "Bearer",
    })));
    let credential = exec_credential(&run(&mut ropc(&cluster)));
    assert!(!token_of(&credential).is_empty());
}

#[test]
fn a_password_sign_in_hit_by_mfa_is_told_to_use_a_browser_or_device_code() {
    let cluster = Cluster::start();
    for (code, words) in [
        (50076, "multi-factor authentication is required"),
        (
            50079,
            "the user must register for multi-factor authentication",
        ),
        (53003, "Conditional Access blocked this sign-in"),
    ] {
        cluster.emulator.push_fault(aadsts(
            "invalid_grant",
            code,
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '6dae42f8-4368-4678-94ff-3960e28e3630'.",
            Some("basic_action"),
        ));
        let output = run(&mut ropc(&cluster));
        assert_one_line_failure(&output, &format!("AADSTS{code}"));
        let line = stderr(&output);
        assert!(line.contains(words), "{line}");
        assert!(
            line.contains("use -l interactive (or -l devicecode"),
            "{line}"
        );
        assert!(
            !line.contains("-l ropc") && !line.contains("capolids") && !line.contains("Trace ID"),
            "{line}"
        );
        assert_no_secret(&output, &[ALICE_PASSWORD]);
    }
}

/// The single cache entry's path.
fn entry(cluster: &Cluster) -> PathBuf {
    fs::read_dir(&cluster.cache_dir)
        .expect("cache")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("an entry")
}

#[test]
fn a_dead_refresh_token_is_dropped_and_the_line_says_why_and_what_to_run() {
    let cluster = Cluster::start();
    // Plain files: the test ages the entry by editing its JSON.
    cluster.kubeconfig_for(&["-l", "interactive", "--token-cache-storage", "file"]);
    let browser = cluster.helper("emulator-browser");
    let mut login = cluster.env.aad();
    login
        .args(["login", "--context", "aks"])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("BROWSER", &browser)
        .env("EMULATOR_BROWSER_USER", ALICE)
        .env("EMULATOR_BROWSER_PASSWORD", ALICE_PASSWORD);
    let output = run(&mut login);
    assert!(output.status.success(), "{}", stderr(&output));
    // The access token ages out; the refresh token is then refused by a sign-in frequency
    // policy, which Entra ID reports as interaction_required, not invalid_grant.
    let path = entry(&cluster);
    let mut stored: serde_json::Value =
        serde_json::from_slice(&fs::read(&path).expect("entry")).expect("json");
    stored["obtained_at"] = json!(1);
    stored["expires_on"] = json!(2);
    fs::write(&path, stored.to_string()).expect("age it");
    cluster.emulator.push_fault(aadsts(
        "interaction_required",
        70043,
        "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.",
        None,
    ));
    let output = run(cluster.kubectl().args(["get", "--raw", "/version"]));
    assert!(!output.status.success());
    let line = stderr(&output);
    assert!(
        line.contains("the cached sign-in could not be refreshed"),
        "{line}"
    );
    assert!(
        line.contains("AADSTS70043") && line.contains("sign-in frequency"),
        "{line}"
    );
    assert!(
        line.contains("run `kubectl-aad login -l interactive"),
        "{line}"
    );
    assert!(
        !path.exists(),
        "the dead refresh token is not presented again"
    );
}

fn msi(cluster: &Cluster, args: &[&str]) -> Command {
    let mut command = cluster.get_token(&["-l", "msi"]);
    command.args(args).env(
        "AZURE_POD_IDENTITY_AUTHORITY_HOST",
        cluster.emulator.identity_url(),
    );
    command
}

#[test]
fn each_managed_identity_platform_is_heard_in_its_own_words() {
    let cluster = Cluster::start();
    // App Service: {"statusCode":400,"message":"No MSI found …"}.
    let output = run(cluster
        .get_token(&[
            "-l",
            "msi",
            "--client-id",
            "99999999-9999-9999-9999-999999999999",
        ])
        .env("IDENTITY_ENDPOINT", cluster.emulator.app_service_endpoint())
        .env(
            "IDENTITY_HEADER",
            cluster.emulator.app_service_identity_header(),
        ));
    assert_one_line_failure(&output, "No MSI found for specified ClientId/ResourceId");
    assert!(
        stderr(&output).contains("is not assigned to this machine"),
        "{}",
        stderr(&output)
    );
    // Cloud Shell: {"error":{"code":"AudienceNotSupported", …}} — error is an object.
    let output = run(cluster
        .env
        .aad()
        .args([
            "get-token",
            "-l",
            "msi",
            "--server-id",
            "api://an-app-of-ours",
        ])
        .env("MSI_ENDPOINT", cluster.emulator.cloud_shell_endpoint()));
    assert_one_line_failure(&output, "is not a supported MSI token audience");
    assert!(
        stderr(&output).contains("in Cloud Shell use -l azurecli"),
        "{}",
        stderr(&output)
    );
    // Docker Desktop answering for 169.254.169.254 with plain text.
    cluster.emulator.push_identity_answer(
        403,
        "connecting to 169.254.169.254:80: connecting to 169.254.169.254:80: dial tcp 169.254.169.254:80: connectex: A socket operation was attempted to an unreachable network.",
    );
    let output = run(&mut msi(&cluster, &[]));
    assert_one_line_failure(
        &output,
        "A socket operation was attempted to an unreachable network",
    );
    assert!(
        stderr(&output).contains("there is no managed identity here"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn azs_own_guidance_reaches_the_line_and_old_azs_get_ours() {
    let cluster = Cluster::start();
    let bin = cluster.env.path("fake-az");
    fs::create_dir_all(&bin).expect("mkdir");
    let script = bin.join("az");
    let az = |stderr_text: &str| {
        fs::write(
            &script,
            format!("#!/bin/sh\ncat >&2 <<'EOF'\n{stderr_text}\nEOF\nexit 1\n"),
        )
        .expect("script");
        fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        let path = format!("{}:{}", bin.display(), path_with_our_binary());
        run(cluster.get_token(&["-l", "azurecli"]).env("PATH", path))
    };
    // az 2.40+: the error, then "Interactive authentication is needed. Please run: az login --scope …".
    let output = az(
        "WARNING: Could not retrieve credential from local cache for service principal.\nERROR: AADSTS700082: The refresh token has expired due to inactivity.\nInteractive authentication is needed. Please run:\naz login --scope 6dae42f8-4368-4678-94ff-3960e28e3630/.default",
    );
    assert_one_line_failure(
        &output,
        "AADSTS700082: The refresh token has expired due to inactivity",
    );
    assert!(
        stderr(&output).contains(
            "run `az login --scope 6dae42f8-4368-4678-94ff-3960e28e3630/.default`, then retry"
        ),
        "{}",
        stderr(&output)
    );
    // An older az prints only the AADSTS error: the code says the session is over.
    let output = az(
        "ERROR: AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.",
    );
    assert_one_line_failure(&output, "AADSTS70043");
    assert!(
        stderr(&output).contains("run `az login`, then retry"),
        "{}",
        stderr(&output)
    );
}
