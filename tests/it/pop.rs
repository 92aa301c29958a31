//! Proof-of-possession end to end: spn (secret and certificate), ropc and interactive through
//! real kubectl against an API server that requires PoP, and every way a PoP token can be wrong.

use std::fs;

use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entra_emulator::AKS_CLIENT_ID;
use serde_json::{Value, json};

use crate::fixture::*;
use crate::util::*;

const U: &str =
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc1";

fn pop_args(u: &str) -> [String; 3] {
    [
        "--pop-enabled".into(),
        "--pop-claims".into(),
        format!("u={u}"),
    ]
}

fn parts(jwt: &str) -> (Value, Value) {
    let mut pieces = jwt.split('.');
    let mut next = || {
        serde_json::from_slice::<Value>(
            &URL_SAFE_NO_PAD
                .decode(pieces.next().expect("part"))
                .expect("b64"),
        )
        .expect("json")
    };
    (next(), next())
}

fn shr_from(output: &std::process::Output) -> String {
    assert!(output.status.success(), "{}", stderr(output));
    let credential: Value = serde_json::from_slice(&output.stdout).expect("json");
    credential["status"]["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// GET /version with a raw Authorization value, trusting the test CA.
fn api_status(cluster: &Cluster, token: &str) -> u16 {
    let ca = reqwest::Certificate::from_pem(&fs::read(&cluster.ca_file).expect("ca")).expect("pem");
    let client = reqwest::blocking::Client::builder()
        .tls_certs_merge([ca])
        .build()
        .expect("client");
    client
        .get(format!("{}/version", cluster.api.url()))
        .bearer_auth(token)
        .send()
        .expect("request")
        .status()
        .as_u16()
}

/// Signs an SHR payload with a PKCS#8 key, as a client would.
fn sign(payload: &Value, kid: &str, pkcs8: &[u8]) -> String {
    let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(pkcs8).expect("key");
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(json!({"typ": "pop", "alg": "RS256", "kid": kid}).to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let mut signature = vec![0; pair.public_modulus_len()];
    pair.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn key_files(cluster: &Cluster) -> Vec<std::path::PathBuf> {
    fs::read_dir(&cluster.cache_dir)
        .expect("cache")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".pop-key.pem"))
        .collect()
}

fn pem_der(path: &std::path::Path) -> Vec<u8> {
    use base64::engine::general_purpose::STANDARD;
    let body: String = fs::read_to_string(path)
        .expect("pem")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    STANDARD.decode(body).expect("der")
}

#[test]
fn spn_and_ropc_through_kubectl_with_pop_and_cached() {
    let cluster = Cluster::start_with(Some(U));
    /// A name, the convert arguments, and the environment kubectl runs with.
    type Case<'a> = (&'a str, Vec<String>, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            "spn secret",
            vec![
                "-l".into(),
                "spn".into(),
                "--client-id".into(),
                SECRET_APP.into(),
            ],
            vec![("AZURE_CLIENT_SECRET", CLIENT_SECRET)],
        ),
        (
            "spn certificate",
            vec![
                "-l".into(),
                "spn".into(),
                "--client-id".into(),
                CERT_APP.into(),
                "--client-certificate".into(),
                cluster.cert.pem_pkcs8.display().to_string(),
            ],
            vec![],
        ),
        (
            "ropc",
            vec![
                "-l".into(),
                "ropc".into(),
                "--client-id".into(),
                AKS_CLIENT_ID.into(),
                "--username".into(),
                ALICE.into(),
            ],
            vec![("AZURE_PASSWORD", ALICE_PASSWORD)],
        ),
    ];
    for (name, mut args, env) in cases {
        args.extend(pop_args(U));
        cluster.kubeconfig_for(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            fs::read_to_string(&cluster.kubeconfig)
                .expect("kubeconfig")
                .contains(&format!("u={U}")),
            "{name}: PoP flags kept"
        );
        let before = cluster.emulator.token_requests();
        for round in 0..2 {
            let mut kubectl = cluster.kubectl();
            kubectl.args(["get", "namespaces", "-o", "name"]);
            for (k, v) in &env {
                kubectl.env(k, v);
            }
            let output = run(&mut kubectl);
            assert!(
                output.status.success(),
                "{name} round {round}: {}",
                stderr(&output)
            );
            assert!(stdout(&output).contains("namespace/kube-system"));
        }
        assert_eq!(
            cluster.emulator.token_requests(),
            before + 1,
            "{name}: the second kubectl signs a fresh request from the cached token"
        );
    }
    assert!(
        cluster.api.requests().iter().all(|r| r.status != 401),
        "{:?}",
        cluster
            .api
            .requests()
            .iter()
            .filter(|r| r.status == 401)
            .collect::<Vec<_>>()
    );
}

#[test]
fn interactive_pop_signs_in_once() {
    let cluster = Cluster::start_with(Some(U));
    let mut args = vec!["-l".to_owned(), "interactive".to_owned()];
    args.extend(pop_args(U));
    cluster.kubeconfig_for(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let output = run(cluster
        .env
        .aad()
        .args(["login", "--context", "aks"])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("BROWSER", cluster.helper("emulator-browser"))
        .env("EMULATOR_BROWSER_USER", ALICE)
        .env("EMULATOR_BROWSER_PASSWORD", ALICE_PASSWORD));
    assert!(output.status.success(), "{}", stderr(&output));
    for _ in 0..3 {
        let output = run(cluster.kubectl().args(["get", "--raw", "/version"]));
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert_eq!(
        cluster.emulator.sign_ins(),
        vec![ALICE.to_owned()],
        "one sign-in for every later call (kubelogin's #654)"
    );
    assert!(
        cluster
            .api
            .requests()
            .iter()
            .all(|r| r.username.as_deref() == Some(ALICE))
    );
}

#[test]
fn wrong_u_tampered_stale_foreign_and_bearer_tokens_are_refused() {
    let cluster = Cluster::start_with(Some(U));
    let spn = |u: &str| {
        let mut args = vec![
            "-l".to_owned(),
            "spn".to_owned(),
            "--client-id".to_owned(),
            SECRET_APP.to_owned(),
        ];
        args.extend(pop_args(u));
        // Plain files: the test reads and forges with the PoP key's PEM.
        run(cluster
            .get_token(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)
            .env("KUBECTL_AAD_TOKEN_CACHE_STORAGE", "file"))
    };
    let shr = shr_from(&spn(U));
    assert_eq!(api_status(&cluster, &shr), 200, "the real thing");
    let (header, payload) = parts(&shr);
    assert_eq!(header["typ"], "pop");
    let at = payload["at"].as_str().expect("at");
    assert_eq!(
        parts(at).1["cnf"]["kid"],
        header["kid"],
        "the access token is bound to our key"
    );
    assert_eq!(
        api_status(&cluster, at),
        401,
        "a plain bearer token is refused"
    );

    assert_eq!(
        api_status(&cluster, &shr_from(&spn("/subscriptions/other/cluster"))),
        401,
        "wrong u"
    );

    let mut tampered = shr.clone();
    let last = tampered.pop().expect("char");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(api_status(&cluster, &tampered), 401, "tampered signature");

    let key = pem_der(&key_files(&cluster)[0]);
    let kid = header["kid"].as_str().expect("kid");
    let now = payload["ts"].as_u64().expect("ts");
    let mut fresh = payload.clone();
    fresh["nonce"] = json!("another-nonce");
    assert_eq!(
        api_status(&cluster, &sign(&fresh, kid, &key)),
        200,
        "re-signing with our key works (the helper is right)"
    );
    let mut stale = payload.clone();
    stale["ts"] = json!(now - 600);
    assert_eq!(
        api_status(&cluster, &sign(&stale, kid, &key)),
        401,
        "stale ts"
    );

    let foreign = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
        .expect("key")
        .serialize_der();
    let foreign_pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&foreign).expect("pair");
    let components =
        aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(foreign_pair.public_key());
    let mut stolen = payload.clone();
    stolen["cnf"]["jwk"]["n"] = json!(URL_SAFE_NO_PAD.encode(&components.n));
    stolen["cnf"]["jwk"]["e"] = json!(URL_SAFE_NO_PAD.encode(&components.e));
    assert_eq!(
        api_status(&cluster, &sign(&stolen, kid, &foreign)),
        401,
        "a stolen access token signed with another key"
    );
}

#[test]
fn the_key_persists_an_untrusted_key_is_refused_and_a_garbled_one_is_a_warning() {
    let cluster = Cluster::start();
    let mut args = vec![
        "-l".to_owned(),
        "spn".to_owned(),
        "--client-id".to_owned(),
        SECRET_APP.to_owned(),
    ];
    args.extend(pop_args(U));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let get = |extra: &[&str]| {
        let mut all = args.clone();
        all.extend_from_slice(extra);
        run(cluster
            .get_token(&all)
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET))
    };
    let first = parts(&shr_from(&get(&[]))).0;
    let second = parts(&shr_from(&get(&["--force-refresh"]))).0;
    assert_eq!(first["kid"], second["kid"], "the same key across runs");
    let keys = key_files(&cluster);
    assert_eq!(keys.len(), 1);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&keys[0]).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    let (_, payload) = parts(&shr_from(&get(&[])));
    let jwk = &payload["cnf"]["jwk"];
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        jwk["e"].as_str().expect("e"),
        jwk["n"].as_str().expect("n")
    );
    let thumbprint = URL_SAFE_NO_PAD.encode(
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()).as_ref(),
    );
    assert_eq!(first["kid"], thumbprint, "kid is the RFC 7638 thumbprint");

    // A key others can read may have been copied (or planted): refused, never used.
    fs::set_permissions(&keys[0], fs::Permissions::from_mode(0o644)).expect("chmod");
    assert_one_line_failure(&get(&[]), "is readable by other users");
    // Not a regular file where the key belongs: refused the same way.
    fs::remove_file(&keys[0]).expect("rm");
    fs::create_dir(&keys[0]).expect("mkdir");
    assert_one_line_failure(&get(&[]), "is not a regular file; delete it");
    // A private file that holds no key: a warning and a temporary key, never a failure.
    fs::remove_dir(&keys[0]).expect("rmdir");
    fs::write(&keys[0], "not a key").expect("garbage");
    fs::set_permissions(&keys[0], fs::Permissions::from_mode(0o600)).expect("chmod");
    let output = get(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("warning:") && stderr(&output).contains("temporary key"),
        "{}",
        stderr(&output)
    );
    shr_from(&output);
    // A non-PoP mode in the same cache directory is not affected at all (kubelogin's #711).
    let output = run(cluster
        .get_token(&["-l", "spn", "--client-id", SECRET_APP])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_u_claim_with_quotes_and_backslashes_round_trips() {
    let weird = r#"/subscriptions/x/"quoted"\back\slash=eq"#;
    let cluster = Cluster::start_with(Some(weird));
    let claims = format!("u={weird}, other=ignored");
    let output = run(cluster
        .get_token(&[
            "-l",
            "spn",
            "--client-id",
            SECRET_APP,
            "--pop-enabled",
            "--pop-claims",
            &claims,
        ])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    let shr = shr_from(&output);
    assert_eq!(parts(&shr).1["u"], weird);
    assert_eq!(api_status(&cluster, &shr), 200);
    let bad = run(cluster
        .get_token(&[
            "-l",
            "spn",
            "--client-id",
            SECRET_APP,
            "--pop-enabled",
            "--pop-claims",
            "p=1",
        ])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert_one_line_failure(&bad, "required u-claim not provided");
}
