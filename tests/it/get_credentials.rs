//! From a cluster name to kubectl in one command: `get-credentials` against the emulator's fake
//! Resource Manager (real-shaped answers, errors and paging) with spn, workload identity and
//! device code, then real kubectl against the token-validating API server with the merged
//! kubeconfig; `clusters` (paged) and `status`.

use std::fs;
use std::process::Command;

use entra_emulator::{AKS_SERVER_ID, AksCluster};
use serde_json::{Value, json};

use crate::fixture::*;
use crate::user_signin::with_device_code_user;
use crate::util::*;

const GROUP: &str = "rg-aks";
const NAME: &str = "aks-prod";
const USER: &str = "clusterUser_rg-aks_aks-prod";

/// Another tool's entries, which a merge must leave as they are.
const OTHERS: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: kind\n  cluster: {server: 'https://127.0.0.1:1'}\ncontexts:\n- name: kind\n  context: {cluster: kind, user: kind-user, namespace: dev}\ncurrent-context: kind\nusers:\n- name: kind-user\n  user:\n    client-certificate-data: Y2VydA==\n    client-key-data: a2V5\n";

/// A cluster in the test subscription whose API server is `cluster`'s, open to the spn, the
/// workload identity and Alice.
pub(crate) fn aks(cluster: &Cluster, name: &str) -> AksCluster {
    AksCluster {
        subscription: SUBSCRIPTION.into(),
        resource_group: GROUP.into(),
        name: name.into(),
        location: "westeurope".into(),
        kubernetes_version: "1.33.2".into(),
        server: cluster.api.url().into(),
        ca_pem: fs::read_to_string(&cluster.ca_file).expect("ca"),
        tenant: TENANT.into(),
        local_accounts_disabled: false,
        users: vec![SECRET_APP_OID.into(), WI_APP_OID.into(), ALICE_OID.into()],
        admins: vec![],
    }
}

fn start() -> Cluster {
    let cluster = Cluster::start();
    cluster.emulator.add_aks_cluster(aks(&cluster, NAME));
    cluster
}

/// `kubectl-aad <command>` against the emulator's ARM and authority, merging into the
/// cluster's kubeconfig file.
/// `kubectl-aad <command> args…` against the emulator's ARM, with the cluster's cache and (for
/// get-credentials) its kubeconfig file; `args` come last, so they win.
pub(crate) fn arm_command(cluster: &Cluster, command: &str, args: &[&str]) -> Command {
    let mut c = cluster.env.aad();
    c.arg(command)
        .arg("--arm-endpoint")
        .arg(cluster.emulator.url())
        .arg("--cache-dir")
        .arg(&cluster.cache_dir)
        .env("SSL_CERT_FILE", &cluster.ca_file);
    if command == "get-credentials" {
        c.arg("--file").arg(&cluster.kubeconfig);
    }
    c.args(args);
    c
}

/// [`arm_command`], signing in at the emulator's authority in the test tenant.
fn aad(cluster: &Cluster, command: &str, args: &[&str]) -> Command {
    let authority = cluster.emulator.authority_host();
    let mut all = vec!["--tenant-id", TENANT, "--authority-host", &authority];
    all.extend_from_slice(args);
    arm_command(cluster, command, &all)
}

fn spn_credentials(cluster: &Cluster, args: &[&str]) -> Command {
    let mut all = vec!["-l", "spn", "--client-id", SECRET_APP];
    if !args.contains(&"--id") {
        all.extend(["--subscription", SUBSCRIPTION, "-g", GROUP, "-n", NAME]);
    }
    all.extend_from_slice(args);
    let mut c = aad(cluster, "get-credentials", &all);
    c.env("AZURE_CLIENT_SECRET", CLIENT_SECRET);
    c
}

fn kubeconfig(cluster: &Cluster) -> Value {
    let text = fs::read_to_string(&cluster.kubeconfig).expect("kubeconfig");
    serde_saphyr::from_str(&text).expect("yaml")
}

fn named<'a>(config: &'a Value, list: &str, name: &str) -> &'a Value {
    config[list]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["name"] == name))
        .unwrap_or_else(|| panic!("no {list} entry {name}: {config}"))
}

/// The new user's get-token arguments.
fn exec_args(config: &Value) -> Vec<String> {
    named(config, "users", USER)["user"]["exec"]["args"]
        .as_array()
        .expect("args")
        .iter()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect()
}

#[test]
fn a_service_principal_goes_from_cluster_name_to_kubectl_in_one_command() {
    let cluster = start();
    fs::write(&cluster.kubeconfig, OTHERS).expect("seed");
    let before = kubeconfig(&cluster);

    let output = run(&mut spn_credentials(&cluster, &[]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "stdout stays empty");
    assert!(
        stderr(&output).contains("merged context \"aks-prod\""),
        "{}",
        stderr(&output)
    );
    let after = kubeconfig(&cluster);
    assert_eq!(after["current-context"], NAME);
    for (list, name) in [
        ("users", "kind-user"),
        ("clusters", "kind"),
        ("contexts", "kind"),
    ] {
        assert_eq!(
            named(&after, list, name),
            named(&before, list, name),
            "{list} {name} untouched"
        );
    }
    assert_eq!(
        named(&after, "users", USER)["user"]["exec"]["command"],
        "kubectl-aad"
    );
    let args = exec_args(&after);
    for pair in [
        ["--login", "spn"],
        ["--server-id", AKS_SERVER_ID],
        ["--client-id", SECRET_APP],
    ] {
        assert!(args.windows(2).any(|w| w == pair), "{pair:?} in {args:?}");
    }
    assert!(
        !fs::read_to_string(&cluster.kubeconfig)
            .expect("text")
            .contains(CLIENT_SECRET)
    );
    assert_eq!(cluster.emulator.token_requests(), 1, "one ARM token");

    let kubectl = run(cluster
        .kubectl()
        .args(["get", "namespaces"])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(kubectl.status.success(), "{}", stderr(&kubectl));
    assert!(stdout(&kubectl).contains("kube-system"));
    assert_eq!(
        cluster.emulator.token_requests(),
        2,
        "and one cluster token"
    );

    // Again: the ARM token is cached and the kubeconfig already holds it all.
    let text = fs::read_to_string(&cluster.kubeconfig).expect("text");
    let again = run(&mut spn_credentials(&cluster, &[]));
    assert!(stderr(&again).contains("unchanged"), "{}", stderr(&again));
    assert_eq!(fs::read_to_string(&cluster.kubeconfig).expect("text"), text);
    assert_eq!(cluster.emulator.token_requests(), 2);

    let status = run(cluster
        .env
        .aad()
        .args(["status", "-o", "json", "--kubeconfig"])
        .arg(&cluster.kubeconfig)
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET));
    assert!(status.status.success(), "{}", stderr(&status));
    let rows: Value = serde_json::from_slice(&status.stdout).expect("json");
    let row = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["context"] == NAME)
        .expect("aks row");
    assert_eq!(row["login"], "spn");
    assert_eq!(row["identity"], SECRET_APP, "{row}");
    assert!(
        row["expires"].as_str().is_some_and(|e| e.ends_with('Z')),
        "{row}"
    );
    let kind = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["context"] == "kind")
        .expect("kind row");
    assert!(
        kind["identity"]
            .as_str()
            .is_some_and(|i| i.contains("not an Entra ID")),
        "{kind}"
    );
    assert_eq!(cluster.emulator.token_requests(), 2, "status asks nobody");
    let table = run(cluster
        .env
        .aad()
        .args(["status", "--kubeconfig"])
        .arg(&cluster.kubeconfig));
    assert!(
        stdout(&table).starts_with("CONTEXT") && stdout(&table).contains(SECRET_APP),
        "{}",
        stdout(&table)
    );
}

#[test]
fn a_workload_identity_in_ci_needs_nothing_else() {
    let cluster = start();
    let token = cluster.emulator.service_account_token(
        WI_NAMESPACE,
        WI_SERVICE_ACCOUNT,
        entra_emulator::TOKEN_EXCHANGE_AUDIENCE,
        3600,
    );
    let token_file = cluster.env.path("azure-identity-token");
    fs::write(&token_file, token).expect("token file");
    let pod = |c: &mut Command| {
        c.env("AZURE_CLIENT_ID", WI_APP)
            .env("AZURE_TENANT_ID", TENANT)
            .env("AZURE_FEDERATED_TOKEN_FILE", &token_file)
            .env("AZURE_AUTHORITY_HOST", cluster.emulator.authority_host());
    };
    let id = format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers/Microsoft.ContainerService/managedClusters/{NAME}"
    );
    let mut command = arm_command(
        &cluster,
        "get-credentials",
        &["-l", "workloadidentity", "--id", &id],
    );
    pod(&mut command);
    let output = run(&mut command);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut kubectl = cluster.kubectl();
    kubectl.args(["get", "namespaces"]);
    pod(&mut kubectl);
    let output = run(&mut kubectl);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("kube-system"));
}

#[test]
fn a_person_signs_in_to_arm_with_the_azure_cli_client_and_to_the_cluster_with_aks_ids() {
    let cluster = start();
    let mut command = aad(
        &cluster,
        "get-credentials",
        &["--subscription", SUBSCRIPTION, "-g", GROUP, "-n", NAME],
    );
    let (output, seen) = with_device_code_user(&cluster, &mut command, ALICE, ALICE_PASSWORD);
    assert!(output.status.success(), "{seen}");
    let clients: Vec<String> = cluster
        .emulator
        .requests()
        .iter()
        .filter_map(|r| r.client_id.clone())
        .collect();
    assert!(
        clients.iter().all(|c| c == AZURE_CLI_CLIENT),
        "ARM is asked as the Azure CLI: {clients:?}"
    );
    let args = exec_args(&kubeconfig(&cluster));
    assert!(
        args.windows(2).any(|w| w == ["--login", "devicecode"]),
        "{args:?}"
    );
    assert!(
        args.windows(2)
            .any(|w| w == ["--client-id", "80faf920-1908-4b52-b5ef-a8e7bedfc67a"]),
        "{args:?}"
    );
    let (output, seen) = with_device_code_user(
        &cluster,
        cluster.kubectl().args(["get", "namespaces"]),
        ALICE,
        ALICE_PASSWORD,
    );
    assert!(output.status.success(), "{seen}");
    assert_eq!(
        cluster.emulator.sign_ins(),
        [ALICE, ALICE],
        "ARM, then the cluster"
    );
}

#[test]
fn arm_failures_are_one_line_with_the_fix_and_change_nothing() {
    let cluster = start();
    let mut locked = aks(&cluster, "aks-locked");
    locked.users.clear();
    cluster.emulator.add_aks_cluster(locked);
    let mut no_local = aks(&cluster, "aks-no-local");
    no_local.admins = vec![SECRET_APP_OID.into()];
    no_local.local_accounts_disabled = true;
    cluster.emulator.add_aks_cluster(no_local);
    fs::write(&cluster.kubeconfig, OTHERS).expect("seed");
    let other_sub = "0c0c0c0c-0000-0000-0000-00000000dead";
    let id = |name: &str| {
        format!(
            "/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers/Microsoft.ContainerService/managedClusters/{name}"
        )
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--id".into(), id("aks-locked")],
            "needs the Azure Kubernetes Service Cluster User Role",
        ),
        (
            vec!["--admin".into()],
            "needs the Azure Kubernetes Service Cluster Admin Role",
        ),
        (
            vec!["--id".into(), id("aks-no-local"), "--admin".into()],
            "has local accounts disabled",
        ),
        (
            vec!["-n".into(), "aks-missing".into()],
            "AKS cluster aks-missing was not found in resource group rg-aks",
        ),
        (
            vec!["-g".into(), "rg-missing".into()],
            "resource group rg-missing was not found",
        ),
        (
            vec!["--subscription".into(), other_sub.into()],
            "was not found, or the signed-in identity cannot see it",
        ),
        (
            vec!["--arm-endpoint".into(), "http://127.0.0.1:9".into()],
            "must be an https URL",
        ),
        (
            vec!["--id".into(), "/subscriptions/x/resourceGroups/../y".into()],
            "is not an AKS resource id",
        ),
    ];
    for (extra, needle) in cases {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let output = run(&mut spn_credentials(&cluster, &extra));
        assert_one_line_failure(&output, needle);
        assert_eq!(
            fs::read_to_string(&cluster.kubeconfig).expect("text"),
            OTHERS,
            "unchanged after {extra:?}"
        );
    }

    // Throttling: a short Retry-After is waited out; one past --timeout is one line.
    cluster.emulator.push_arm_fault(
        429,
        Some(1),
        json!({"error": {"code": "TooManyRequests", "message": "slow down"}}),
    );
    let output = run(&mut spn_credentials(&cluster, &[]));
    assert!(output.status.success(), "{}", stderr(&output));
    cluster.emulator.push_arm_fault(
        429,
        Some(120),
        json!({"error": {"code": "TooManyRequests", "message": "slow down"}}),
    );
    let output = run(&mut spn_credentials(
        &cluster,
        &["--timeout", "3s", "-n", "aks-locked"],
    ));
    assert_one_line_failure(&output, "kept answering 429");

    // A name clash needs --overwrite-existing.
    let text = fs::read_to_string(&cluster.kubeconfig).expect("text");
    let clash = run(&mut spn_credentials(&cluster, &["--context", "kind"]));
    assert_one_line_failure(&clash, "a different cluster named \"kind\" already exists");
    assert_eq!(fs::read_to_string(&cluster.kubeconfig).expect("text"), text);
    let replaced = run(&mut spn_credentials(
        &cluster,
        &["--context", "kind", "--overwrite-existing"],
    ));
    assert!(replaced.status.success(), "{}", stderr(&replaced));
    assert_eq!(
        named(&kubeconfig(&cluster), "contexts", "kind")["context"]["user"],
        USER
    );
    assert!(
        stderr(&replaced).contains("backup of"),
        "{}",
        stderr(&replaced)
    );
}

#[test]
fn dry_runs_write_nothing_and_new_files_are_private() {
    let cluster = start();
    let output = run(&mut spn_credentials(&cluster, &["--dry-run"]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!("+  name: {NAME}")) || stdout(&output).contains(NAME),
        "{}",
        stdout(&output)
    );
    assert!(!cluster.kubeconfig.exists(), "a dry run creates nothing");
    let output = run(&mut spn_credentials(&cluster, &[]));
    assert!(output.status.success(), "{}", stderr(&output));
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(&cluster.kubeconfig)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "a new kubeconfig is the owner's only");
}

#[test]
fn clusters_follow_every_page_and_subscriptions_are_listed_without_one() {
    let cluster = start();
    for i in 0..4 {
        cluster
            .emulator
            .add_aks_cluster(aks(&cluster, &format!("aks-{i}")));
    }
    cluster.emulator.set_arm_page_size(2);
    let list = |args: &[&str]| {
        let mut all = vec!["-l", "spn", "--client-id", SECRET_APP];
        all.extend_from_slice(args);
        run(aad(&cluster, "clusters", &all).env("AZURE_CLIENT_SECRET", CLIENT_SECRET))
    };
    let output = list(&["--subscription", SUBSCRIPTION, "-o", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let clusters: Value = serde_json::from_slice(&output.stdout).expect("json");
    let names: Vec<&str> = clusters
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, [NAME, "aks-0", "aks-1", "aks-2", "aks-3"]);
    assert_eq!(clusters[0]["resource_group"], GROUP);
    assert_eq!(clusters[0]["entra_id"], true);
    let pages = cluster
        .emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/managedClusters"))
        .count();
    assert_eq!(pages, 3, "five clusters, two a page");
    let table = list(&["--subscription", SUBSCRIPTION]);
    assert!(
        stdout(&table).starts_with("NAME") && stdout(&table).contains("westeurope"),
        "{}",
        stdout(&table)
    );
    let subscriptions = list(&[]);
    assert!(
        stdout(&subscriptions).contains(SUBSCRIPTION)
            && stdout(&subscriptions).contains("Contoso AKS"),
        "{}",
        stdout(&subscriptions)
    );
}

#[test]
fn admin_credentials_merge_as_azure_returns_them_and_are_not_converted() {
    let cluster = start();
    let mut admin = aks(&cluster, "aks-ops");
    admin.admins = vec![SECRET_APP_OID.into()];
    cluster.emulator.add_aks_cluster(admin);
    let output = run(&mut spn_credentials(
        &cluster,
        &["-n", "aks-ops", "--admin"],
    ));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the cluster admin credential"),
        "{}",
        stderr(&output)
    );
    let config = kubeconfig(&cluster);
    assert_eq!(config["current-context"], "aks-ops-admin");
    let user = named(&config, "users", "clusterAdmin_rg-aks_aks-ops");
    assert!(
        user["user"]["token"].is_string() && user["user"]["exec"].is_null(),
        "{user}"
    );
}

#[test]
fn a_broken_kubeconfig_fails_before_anyone_signs_in() {
    let cluster = start();
    fs::write(&cluster.kubeconfig, "clusters: [unclosed\n").expect("broken");
    let output = run(&mut spn_credentials(&cluster, &[]));
    assert_one_line_failure(&output, "is not valid YAML");
    assert_eq!(
        cluster.emulator.token_requests(),
        0,
        "no sign-in for nothing"
    );
    assert_eq!(
        fs::read_to_string(&cluster.kubeconfig).expect("text"),
        "clusters: [unclosed\n"
    );
}
