//! Trust at the boundaries, part one: a hostile or broken endpoint. Redirects are never
//! followed, plain-HTTP authorities are refused before any byte is sent, and an endless, empty
//! or absurd answer is one error line with nothing cached.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use entra_emulator::{Fault, TOKEN_EXCHANGE_AUDIENCE};
use serde_json::json;

use crate::fixture::*;
use crate::util::*;

/// get-token for the secret service principal.
fn spn(cluster: &Cluster) -> Command {
    let mut command = cluster.get_token(&["-l", "spn", "--client-id", SECRET_APP]);
    command.env("AZURE_CLIENT_SECRET", CLIENT_SECRET);
    command
}

/// The cache entries written so far.
fn entries(cluster: &Cluster) -> Vec<PathBuf> {
    fs::read_dir(&cluster.cache_dir)
        .map(|dir| {
            dir.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_redirect_is_never_followed_and_names_where_it_pointed() {
    let cluster = Cluster::start();
    let target = format!("{}/steal", cluster.emulator.capture_url());
    for status in [301, 302, 307, 308] {
        cluster.emulator.push_fault(Fault::Redirect {
            status,
            location: target.clone(),
        });
        let output = run(&mut spn(&cluster));
        assert_one_line_failure(
            &output,
            &format!("answered HTTP {status} redirecting to http://127.0.0.1:"),
        );
        assert_no_secret(&output, &[CLIENT_SECRET]);
    }
    // A federated assertion is a grant too: the workload identity exchange is not redirected.
    let token_file = cluster.env.path("sa-token");
    let sa_token = cluster.emulator.service_account_token(
        WI_NAMESPACE,
        WI_SERVICE_ACCOUNT,
        TOKEN_EXCHANGE_AUDIENCE,
        3600,
    );
    fs::write(&token_file, &sa_token).expect("token file");
    cluster.emulator.push_fault(Fault::Redirect {
        status: 307,
        location: target,
    });
    let output = run(cluster
        .get_token(&[
            "-l",
            "workloadidentity",
            "--client-id",
            WI_APP,
            "--federated-token-file",
        ])
        .arg(&token_file));
    assert_one_line_failure(&output, "redirecting to http://127.0.0.1:");
    assert_no_secret(&output, &[&sa_token]);
    assert_eq!(
        cluster.emulator.captured(),
        Vec::<String>::new(),
        "nothing reached the redirect target"
    );
    assert!(entries(&cluster).is_empty(), "nothing cached");
}

#[test]
fn a_plain_http_authority_is_refused_before_anything_is_sent() {
    let cluster = Cluster::start();
    let plain = format!("{}/", cluster.emulator.capture_url());
    let output = run(cluster
        .env
        .aad()
        .args([
            "get-token",
            "-l",
            "spn",
            "--server-id",
            entra_emulator::AKS_SERVER_ID,
        ])
        .args([
            "--tenant-id",
            TENANT,
            "--client-id",
            SECRET_APP,
            "--authority-host",
            &plain,
        ])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert_one_line_failure(&output, "is not https");
    // The same from the workload identity webhook's variable, and from a kubeconfig.
    let output = run(cluster
        .env
        .aad()
        .args([
            "get-token",
            "-l",
            "workloadidentity",
            "--server-id",
            "s",
            "--tenant-id",
            TENANT,
        ])
        .env("AZURE_CLIENT_ID", WI_APP)
        .env("AZURE_FEDERATED_TOKEN_FILE", cluster.env.path("none"))
        .env("AZURE_AUTHORITY_HOST", &plain));
    assert_one_line_failure(&output, "is not https");
    cluster.kubeconfig_for(&["-l", "spn", "--client-id", SECRET_APP]);
    let config = fs::read_to_string(&cluster.kubeconfig).expect("kubeconfig");
    fs::write(
        &cluster.kubeconfig,
        config.replace(&cluster.emulator.authority_host(), &plain),
    )
    .expect("tamper");
    let output = run(cluster
        .kubectl()
        .args(["get", "--raw", "/version"])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("is not https"),
        "{}",
        stderr(&output)
    );
    assert_eq!(cluster.emulator.captured(), Vec::<String>::new());
}

#[test]
fn hostile_answers_are_one_line_and_never_cached() {
    let cluster = Cluster::start();
    let cases: Vec<(Fault, &str)> = vec![
        (
            Fault::Patch(json!({"expires_in": 99_999_999_999_999_999u64})),
            "beyond any token's lifetime",
        ),
        (
            Fault::Patch(json!({"expires_in": -5})),
            "not a whole number of seconds",
        ),
        (
            Fault::Patch(json!({"expires_in": "soon"})),
            "not a whole number of seconds",
        ),
        (
            Fault::Patch(json!({"expires_in": 1e300})),
            "not a whole number of seconds",
        ),
        (
            Fault::Patch(json!({"expires_on": "253402300800"})),
            "beyond any token's lifetime",
        ),
        (Fault::Patch(json!({"expires_on": 1})), "the token expired"),
        (
            Fault::Patch(json!({"access_token": ""})),
            "an empty access token",
        ),
        (
            Fault::Patch(json!({"access_token": "abc\u{7}def"})),
            "control characters",
        ),
        (
            Fault::Patch(json!({"access_token": "a".repeat(70 * 1024)})),
            "more than the 64 KiB",
        ),
        (
            Fault::Raw {
                status: 200,
                body: "{\"access_token\": 5}".into(),
            },
            "not a token response",
        ),
        (Fault::Endless, "more than 1024 KiB"),
    ];
    for (fault, needle) in cases {
        cluster.emulator.push_fault(fault);
        let output = run(&mut spn(&cluster));
        assert_one_line_failure(&output, needle);
        assert!(entries(&cluster).is_empty(), "{needle}: nothing cached");
    }
    // And the next, sane answer works.
    let credential = exec_credential(&run(&mut spn(&cluster)));
    assert!(!token_of(&credential).is_empty());
}

#[test]
fn an_absurd_cache_entry_is_a_miss_not_a_panic() {
    let cluster = Cluster::start();
    // Plain files: the test tampers with the entry's JSON.
    let spn = |cluster: &Cluster| {
        let mut command = spn(cluster);
        command.env("KUBECTL_AAD_TOKEN_CACHE_STORAGE", "file");
        command
    };
    exec_credential(&run(&mut spn(&cluster)));
    let entry = entries(&cluster).pop().expect("an entry");
    let mut stored: serde_json::Value =
        serde_json::from_slice(&fs::read(&entry).expect("entry")).expect("json");
    for expires_on in [json!(u64::MAX), json!(253_402_300_800u64)] {
        stored["expires_on"] = expires_on;
        fs::write(&entry, stored.to_string()).expect("tamper");
        let output = run(&mut spn(&cluster));
        let credential = exec_credential(&output);
        assert_ne!(
            credential["status"]["expirationTimestamp"],
            "9999-12-31T23:59:59Z"
        );
    }
    assert_eq!(
        cluster.emulator.token_requests(),
        3,
        "each tampered entry was a miss"
    );
}

#[test]
fn an_authority_echoing_our_secret_or_escape_codes_prints_neither() {
    let cluster = Cluster::start();
    cluster.emulator.push_fault(Fault::Error {
        error: "invalid_client".into(),
        code: 7000215,
        description: format!(
            "Invalid client secret \u{1b}[2J\u{1b}[31m{CLIENT_SECRET}\u{7} provided."
        ),
    });
    let output = run(&mut spn(&cluster));
    assert_one_line_failure(
        &output,
        "AADSTS7000215: Invalid client secret **** provided",
    );
    assert_no_secret(&output, &[CLIENT_SECRET]);
    assert!(
        !stderr(&output).contains('\u{1b}') && !stderr(&output).contains('\u{7}'),
        "{:?}",
        stderr(&output)
    );
}
