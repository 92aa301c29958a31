//! convert-kubeconfig against files on disk, read back by real kubectl.

use std::fs;

use crate::util::*;

pub(crate) const AKS_EXEC: &str = r#"apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://aks1-dns.hcp.westeurope.azmk8s.io:443
  name: aks1
contexts:
- context:
    cluster: aks1
    user: clusterUser_rg_aks1
  name: aks1
current-context: aks1
preferences: {}
users:
- name: clusterUser_rg_aks1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - 72f988bf-86f1-41af-91ab-2d7cd011db47
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: |2

        kubelogin is not installed which is required to connect to AAD enabled cluster.

        To learn more, please go to https://azure.github.io/kubelogin/
      provideClusterInfo: false
"#;

const LEGACY: &str = r#"apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://legacy.hcp.eastus.azmk8s.io:443
    extensions:
    - name: client.authentication.k8s.io/exec
      extension:
        audience: keep-me
  name: legacy
contexts:
- context:
    cluster: legacy
    user: legacy-user
    namespace: team-a
  name: legacy
current-context: legacy
users:
- name: legacy-user
  user:
    auth-provider:
      name: azure
      config:
        apiserver-id: 6dae42f8-4368-4678-94ff-3960e28e3630
        client-id: 80faf920-1908-4b52-b5ef-a8e7bedfc67a
        tenant-id: 72f988bf-86f1-41af-91ab-2d7cd011db47
        environment: AzureChinaCloud
        config-mode: "1"
        access-token: eyJstale
        refresh-token: stale-refresh
        expires-on: "1600000000"
- name: cert-user
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
    x-unknown-field: survives
"#;

fn kubectl_view(env: &TestEnv, file: &str) -> serde_json::Value {
    let output = run(env.kubectl().args([
        "config",
        "view",
        "--raw",
        "-o",
        "json",
        "--kubeconfig",
        file,
    ]));
    assert!(
        output.status.success(),
        "kubectl could not read {file}: {}",
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).expect("kubectl prints JSON")
}

fn exec_of<'a>(view: &'a serde_json::Value, user: &str) -> &'a serde_json::Value {
    view["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["name"] == user)
        .map(|u| &u["user"]["exec"])
        .expect("user")
}

#[test]
fn kubectl_reads_every_converted_fixture() {
    let env = TestEnv::new();
    for (name, text, user, mode, extra) in [
        (
            "aks-exec",
            AKS_EXEC,
            "clusterUser_rg_aks1",
            "devicecode",
            vec![],
        ),
        (
            "aks-exec-spn",
            AKS_EXEC,
            "clusterUser_rg_aks1",
            "spn",
            vec!["-l", "spn"],
        ),
        (
            "aks-exec-v1",
            AKS_EXEC,
            "clusterUser_rg_aks1",
            "azurecli",
            vec!["-l", "azurecli", "--exec-api-version", "v1"],
        ),
        ("legacy", LEGACY, "legacy-user", "devicecode", vec![]),
        (
            "legacy-msi",
            LEGACY,
            "legacy-user",
            "msi",
            vec!["-l", "msi"],
        ),
        (
            "legacy-wi",
            LEGACY,
            "legacy-user",
            "workloadidentity",
            vec!["-l", "workloadidentity"],
        ),
    ] {
        let file = env.path(name);
        fs::write(&file, text).expect("fixture");
        let mut command = env.aad();
        command
            .args([
                "convert-kubeconfig",
                "--kubeconfig",
                file.to_str().expect("utf8"),
            ])
            .args(&extra);
        let output = run(&mut command);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        assert!(
            output.stdout.is_empty(),
            "{name}: convert prints nothing on stdout without --dry-run"
        );

        let view = kubectl_view(&env, file.to_str().expect("utf8"));
        let exec = exec_of(&view, user);
        assert_eq!(exec["command"], "kubectl-aad", "{name}");
        let args: Vec<&str> = exec["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|a| a.as_str().expect("str"))
            .collect();
        assert_eq!(&args[..3], ["get-token", "--login", mode], "{name}");
        assert!(
            exec["installHint"]
                .as_str()
                .expect("hint")
                .contains("kubectl krew install aad"),
            "{name}"
        );
        let user_entry = view["users"]
            .as_array()
            .expect("users")
            .iter()
            .find(|u| u["name"] == user)
            .expect("user");
        assert!(
            user_entry["user"].get("auth-provider").is_none(),
            "{name}: auth-provider removed"
        );
    }
}

#[test]
fn v1_entries_carry_interactive_mode_for_kubectl() {
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, AKS_EXEC).expect("fixture");
    let output = run(env.aad().args([
        "convert-kubeconfig",
        "--kubeconfig",
        file.to_str().expect("utf8"),
        "--exec-api-version",
        "v1",
    ]));
    assert!(output.status.success(), "{}", stderr(&output));
    let view = kubectl_view(&env, file.to_str().expect("utf8"));
    let exec = exec_of(&view, "clusterUser_rg_aks1");
    assert_eq!(exec["apiVersion"], "client.authentication.k8s.io/v1");
    assert_eq!(exec["interactiveMode"], "IfAvailable");
}

#[test]
fn unknown_fields_other_users_clusters_and_extensions_survive() {
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, LEGACY).expect("fixture");
    let output = run(env.aad().args([
        "convert-kubeconfig",
        "--kubeconfig",
        file.to_str().expect("utf8"),
    ]));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = fs::read_to_string(&file).expect("read");
    assert!(text.contains("x-unknown-field: survives"));
    assert!(text.contains("audience: keep-me"));
    assert!(text.contains("namespace: team-a"));
    assert!(
        !text.contains("stale-refresh") && !text.contains("eyJstale"),
        "stale tokens dropped"
    );
    let view = kubectl_view(&env, file.to_str().expect("utf8"));
    let cert_user = view["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["name"] == "cert-user")
        .expect("cert-user");
    assert_eq!(cert_user["user"]["client-key-data"], "S0VZ");
    let args = exec_of(&view, "legacy-user")["args"].to_string();
    assert!(args.contains("AzureChinaCloud"), "{args}");
}

#[test]
fn kubeconfig_list_changes_only_the_owning_file() {
    let env = TestEnv::new();
    let (first, second) = (env.path("first"), env.path("second"));
    let second_text = AKS_EXEC
        .replace("clusterUser_rg_aks1", "other-user")
        .replace("aks1", "aks9")
        .replace("current-context: aks9\n", "");
    fs::write(&first, LEGACY).expect("first");
    fs::write(&second, &second_text).expect("second");
    let output = run(env
        .aad()
        .args(["convert-kubeconfig", "--context", "aks9"])
        .env(
            "KUBECONFIG",
            format!("{}:{}", first.display(), second.display()),
        ));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(&first).expect("first"),
        LEGACY,
        "the first file does not own the user: byte-identical"
    );
    assert!(
        fs::read_to_string(&second)
            .expect("second")
            .contains("command: kubectl-aad")
    );

    // Without --context both users convert, each in its own file.
    let output = run(env.aad().args(["convert-kubeconfig", "--no-backup"]).env(
        "KUBECONFIG",
        format!("{}:{}", first.display(), second.display()),
    ));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        fs::read_to_string(&first)
            .expect("first")
            .contains("command: kubectl-aad")
    );
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, AKS_EXEC).expect("fixture");
    let output = run(env.aad().args([
        "convert-kubeconfig",
        "--dry-run",
        "--kubeconfig",
        file.to_str().expect("utf8"),
    ]));
    assert!(output.status.success(), "{}", stderr(&output));
    let diff = stdout(&output);
    assert!(
        diff.contains("-      command: kubelogin") && diff.contains("+      command: kubectl-aad"),
        "{diff}"
    );
    assert_eq!(fs::read_to_string(&file).expect("read"), AKS_EXEC);
    assert_eq!(
        fs::read_dir(env.dir.path()).expect("ls").count(),
        1,
        "no backup on a dry run"
    );
}

#[cfg(unix)]
#[test]
fn keeps_a_backup_and_the_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, AKS_EXEC).expect("fixture");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).expect("chmod");
    let output = run(env.aad().args([
        "convert-kubeconfig",
        "--kubeconfig",
        file.to_str().expect("utf8"),
    ]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        fs::metadata(&file).expect("meta").permissions().mode() & 0o777,
        0o640
    );
    let backups: Vec<_> = fs::read_dir(env.dir.path())
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(
        fs::read_to_string(backups[0].path()).expect("backup"),
        AKS_EXEC
    );

    let converted = fs::read_to_string(&file).expect("converted");
    let again = run(env.aad().args([
        "convert-kubeconfig",
        "--kubeconfig",
        file.to_str().expect("utf8"),
    ]));
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("unchanged: user") && !stderr(&again).contains("converted"),
        "a second run changes nothing and says so: {}",
        stderr(&again)
    );
    assert_eq!(fs::read_to_string(&file).expect("file"), converted);
    let entries = fs::read_dir(env.dir.path()).expect("ls").count();
    assert_eq!(entries, 2, "no second backup, no staged file");
}

#[test]
fn a_symlinked_kubeconfig_stays_a_symlink() {
    let env = TestEnv::new();
    let real = env.path("real-config");
    let link = env.path("config");
    fs::write(&real, AKS_EXEC).expect("fixture");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let output = run(env.aad().args([
        "convert-kubeconfig",
        "--no-backup",
        "--kubeconfig",
        link.to_str().expect("utf8"),
    ]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(&real)
            .expect("real")
            .contains("kubectl-aad")
    );
}

/// Each bad input: one stderr line naming the problem and the fix, exit ≠ 0, stdout empty, and
/// every file byte-identical.
#[test]
fn bad_input_changes_nothing_and_says_one_line() {
    let env = TestEnv::new();
    let good = env.path("good");
    fs::write(&good, AKS_EXEC).expect("good");
    let bad_yaml = env.path("bad-yaml");
    fs::write(&bad_yaml, "users: [\n  - name: x\n   user: {").expect("bad");
    let empty = env.path("empty");
    fs::write(&empty, "").expect("empty");
    let dir_as_file = env.path("a-directory");
    fs::create_dir(&dir_as_file).expect("dir");
    let g = good.to_str().expect("utf8");
    let missing = env.path("missing");

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--kubeconfig", bad_yaml.to_str().expect("utf8")],
            "not valid YAML",
        ),
        (
            vec!["--kubeconfig", empty.to_str().expect("utf8")],
            "has no users",
        ),
        (
            vec!["--kubeconfig", dir_as_file.to_str().expect("utf8")],
            "cannot read kubeconfig",
        ),
        (
            vec!["--kubeconfig", missing.to_str().expect("utf8")],
            "cannot read kubeconfig",
        ),
        (
            vec!["--kubeconfig", g, "--context", "nope"],
            "no context exists with the name \"nope\"",
        ),
        (
            vec!["--kubeconfig", g, "--environment", "AzureGermanCloud"],
            "was retired",
        ),
        (
            vec!["--kubeconfig", g, "--environment", "AzureMarsCloud"],
            "AzureChinaCloud",
        ),
        (
            vec!["--kubeconfig", g, "-l", "kerberos"],
            "is not a supported login method",
        ),
        (
            vec!["--kubeconfig", g, "--pop-enabled"],
            "--pop-claims is required",
        ),
        (
            vec!["--kubeconfig", g, "--pop-claims", "u=x"],
            "--pop-enabled is required",
        ),
        (
            vec![
                "--kubeconfig",
                g,
                "--authority-host",
                "https://login.microsoftonline.com",
            ],
            "trailing slash",
        ),
        (vec!["--kubeconfig", g, "--no-such-flag"], "--no-such-flag"),
    ];
    for (args, needle) in cases {
        let output = run(env.aad().arg("convert-kubeconfig").args(&args));
        assert_one_line_failure(&output, needle);
        assert_eq!(
            fs::read_to_string(&good).expect("good"),
            AKS_EXEC,
            "{args:?} changed the file"
        );
    }
    assert_eq!(
        fs::read_dir(env.dir.path()).expect("ls").count(),
        4,
        "no backup or temp file left"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_kubeconfig_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, AKS_EXEC).expect("fixture");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o444)).expect("chmod");
    let output = run(env.aad().args([
        "convert-kubeconfig",
        "--kubeconfig",
        file.to_str().expect("utf8"),
    ]));
    assert_one_line_failure(&output, "is read-only");
    assert_eq!(fs::read_to_string(&file).expect("read"), AKS_EXEC);
}

#[test]
fn default_location_and_missing_kubeconfig() {
    let env = TestEnv::new();
    let output = run(env.aad().arg("convert-kubeconfig"));
    assert_one_line_failure(&output, "no kubeconfig found");
    fs::create_dir_all(env.path(".kube")).expect("mkdir");
    fs::write(env.path(".kube/config"), AKS_EXEC).expect("config");
    let output = run(env.aad().args(["convert-kubeconfig", "-l", "azurecli"]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        fs::read_to_string(env.path(".kube/config"))
            .expect("read")
            .contains("- azurecli")
    );
}

#[test]
fn environment_variables_steer_conversion_like_kubelogin() {
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, AKS_EXEC).expect("fixture");
    let f = file.to_str().expect("utf8");
    // AAD_LOGIN_METHOD picks the mode.
    let output = run(env
        .aad()
        .args(["convert-kubeconfig", "--no-backup", "--kubeconfig", f])
        .env("AAD_LOGIN_METHOD", "msi"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(fs::read_to_string(&file).expect("read").contains("- msi"));
    // ...unless overrides are disabled; AZURE_CLIENT_ID set but not given as a flag is not written.
    let output = run(env
        .aad()
        .args([
            "convert-kubeconfig",
            "--no-backup",
            "--kubeconfig",
            f,
            "--disable-environment-override",
            "-l",
            "azd",
        ])
        .env("AAD_LOGIN_METHOD", "msi")
        .env("AZURE_CLIENT_ID", "stray"));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = fs::read_to_string(&file).expect("read");
    assert!(text.contains("- azd") && !text.contains("stray"), "{text}");
}
