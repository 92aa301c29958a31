//! azurecli with the REAL Azure CLI (PyPI `azure-cli`, installed by `.ci/run`) signed in to the
//! Entra ID emulator, and azd through `azd-standin` (azd itself cannot be installed here; the
//! stand-in reproduces azd's documented output and error shapes, see its doc comment).
//!
//! The Azure CLI is pointed at the emulator the way a sovereign cloud is configured: a cloud
//! registered with `--skip-endpoint-discovery`, instance discovery off, the emulator's CA in
//! `REQUESTS_CA_BUNDLE`, and the emulator's fake ARM (`/subscriptions`, `/tenants`).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use entra_emulator::AKS_SERVER_ID;

use crate::fixture::*;
use crate::util::*;

/// The real `az`: `KUBECTL_AAD_TEST_AZ`, which scripts/test.sh sets to the one it finds or
/// installs. Missing means the suite was not set up, which must fail rather than skip.
fn az_bin() -> PathBuf {
    let path = std::env::var_os("KUBECTL_AAD_TEST_AZ")
        .map(PathBuf::from)
        .expect("KUBECTL_AAD_TEST_AZ is not set: run the suite with scripts/test.sh, which finds or installs the Azure CLI");
    assert!(
        path.exists(),
        "the Azure CLI is missing at {}",
        path.display()
    );
    path
}

/// An Azure CLI profile signed in to the emulator, and a shim `az` on PATH that logs each run.
struct AzureCli {
    config_dir: PathBuf,
    shim_dir: PathBuf,
    log: PathBuf,
}

impl AzureCli {
    fn new(cluster: &Cluster) -> AzureCli {
        let config_dir = cluster.env.path("azure-profile");
        let shim_dir = cluster.env.path("az-shim");
        let log = cluster.env.path("az-runs.log");
        std::fs::create_dir_all(&shim_dir).expect("shim dir");
        let shim = shim_dir.join("az");
        std::fs::write(
            &shim,
            format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
                log.display(),
                az_bin().display()
            ),
        )
        .expect("shim");
        make_executable(&shim);
        let cli = AzureCli {
            config_dir,
            shim_dir,
            log,
        };
        let authority = cluster.emulator.url().to_owned();
        cli.ok(
            &[
                "config",
                "set",
                "core.collect_telemetry=false",
                "core.instance_discovery=false",
                "core.login_experience_v2=off",
            ],
            cluster,
        );
        cli.ok(
            &[
                "cloud",
                "register",
                "--name",
                "KubectlAadTest",
                "--skip-endpoint-discovery",
                "--endpoint-active-directory",
                &authority,
                "--endpoint-active-directory-resource-id",
                "https://management.core.windows.net/",
                "--endpoint-resource-manager",
                &format!("{authority}/"),
                "--endpoint-management",
                "https://management.core.windows.net/",
            ],
            cluster,
        );
        cli.ok(&["cloud", "set", "--name", "KubectlAadTest"], cluster);
        cli
    }

    /// Puts this profile and the shim into a command's environment.
    fn apply(&self, cluster: &Cluster, command: &mut Command) {
        command
            .env(
                "PATH",
                format!("{}:{}", self.shim_dir.display(), path_with_our_binary()),
            )
            .env("AZURE_CONFIG_DIR", &self.config_dir)
            .env("REQUESTS_CA_BUNDLE", &cluster.ca_file);
    }

    fn az(&self, args: &[&str], cluster: &Cluster) -> Output {
        let mut command = cluster.env.command(az_bin());
        self.apply(cluster, &mut command);
        run(command.args(args))
    }

    fn ok(&self, args: &[&str], cluster: &Cluster) -> Output {
        let output = self.az(args, cluster);
        assert!(output.status.success(), "az {args:?}: {}", stderr(&output));
        output
    }

    fn login_service_principal(&self, cluster: &Cluster) {
        self.ok(
            &[
                "login",
                "--service-principal",
                "-u",
                SECRET_APP,
                "-p",
                CLIENT_SECRET,
                "--tenant",
                TENANT,
            ],
            cluster,
        );
    }

    /// How many times kubectl-aad ran `az account get-access-token`.
    fn token_runs(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("account get-access-token"))
            .count()
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn kubectl_with_the_azure_cli_cache_window_and_az_logout() {
    let cluster = Cluster::start();
    let az = AzureCli::new(&cluster);
    az.login_service_principal(&cluster);
    cluster.kubeconfig_for(&[
        "-l",
        "azurecli",
        "--azure-config-dir",
        &az.config_dir.display().to_string(),
    ]);
    let kubeconfig = std::fs::read_to_string(&cluster.kubeconfig).expect("kubeconfig");
    assert!(kubeconfig.contains("AZURE_CONFIG_DIR"), "{kubeconfig}");

    let kubectl = |args: &[&str]| {
        let mut command = cluster.kubectl();
        command.args(args);
        az.apply(&cluster, &mut command);
        // The profile directory comes from the kubeconfig's exec env, not from ours.
        command.env_remove("AZURE_CONFIG_DIR");
        run(&mut command)
    };
    for _ in 0..3 {
        let output = kubectl(&["auth", "whoami", "-o", "json"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let review: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        assert_eq!(review["status"]["userInfo"]["username"], SECRET_APP_OID);
        assert_no_secret(&output, &[CLIENT_SECRET]);
    }
    assert_eq!(
        az.token_runs(),
        1,
        "three kubectl calls, one az run (kubelogin: three)"
    );

    // az logout takes effect on the very next call, inside the reuse window.
    az.ok(&["logout"], &cluster);
    let mut get_token = cluster.get_token(&["-l", "azurecli"]);
    az.apply(&cluster, &mut get_token);
    let output = run(&mut get_token);
    assert_one_line_failure(&output, "Please run 'az login'");
    assert!(stderr(&output).contains("run `az login`"));
    assert_eq!(az.token_runs(), 2);

    az.login_service_principal(&cluster);
    let output = kubectl(&["get", "namespaces"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        az.token_runs(),
        3,
        "the new sign-in is asked for, not the old token reused"
    );
}

/// The zero-change migration: a `kubelogin` symlink to kubectl-aad, and what `az aks
/// get-credentials` now runs by itself (`kubelogin convert-kubeconfig -l azurecli`).
#[test]
fn a_kubelogin_symlink_converts_and_signs_in_as_kubelogin() {
    let cluster = Cluster::start();
    let az = AzureCli::new(&cluster);
    az.login_service_principal(&cluster);
    let bin = cluster.env.path("kubelogin-bin");
    std::fs::create_dir(&bin).expect("bin");
    std::os::unix::fs::symlink(aad_bin(), bin.join("kubelogin")).expect("symlink");
    cluster.write_kubelogin_kubeconfig();

    let mut convert = cluster.env.command(bin.join("kubelogin"));
    convert
        .args(["convert-kubeconfig", "-l", "azurecli", "--kubeconfig"])
        .arg(&cluster.kubeconfig);
    let output = run(&mut convert);
    assert!(output.status.success(), "{}", stderr(&output));
    let view = yaml_exec_of(&cluster.kubeconfig);
    assert_eq!(
        view["command"], "kubelogin",
        "convert writes the name it was run as"
    );
    let args = view["args"].as_array().expect("args");
    assert!(
        args.windows(2)
            .any(|w| w[0] == "--login" && w[1] == "azurecli")
            && !args.iter().any(|a| a == "--client-id"),
        "{args:?}"
    );

    // kubectl runs `kubelogin` from PATH, which holds the symlink and az, and not kubectl-aad.
    for _ in 0..2 {
        let mut kubectl = cluster.kubectl();
        az.apply(&cluster, &mut kubectl);
        kubectl.env(
            "PATH",
            format!("{}:{}", az.shim_dir.display(), bin.display()),
        );
        let output = run(kubectl.args(["auth", "whoami", "-o", "json"]));
        assert!(output.status.success(), "{}", stderr(&output));
        let review: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        assert_eq!(review["status"]["userInfo"]["username"], SECRET_APP_OID);
    }
    assert_eq!(az.token_runs(), 1, "the second call is a cache hit");

    let mut help = cluster.env.command(bin.join("kubelogin"));
    let output = run(help.args(["get-token", "--no-such-flag"]));
    assert_one_line_failure(&output, "see kubelogin --help");
}

/// The exec entry of the only user, as kubectl reads the file.
fn yaml_exec_of(kubeconfig: &Path) -> serde_json::Value {
    let mut kubectl = Command::new(kubectl_bin());
    let output = run(kubectl
        .args(["config", "view", "-o", "json", "--kubeconfig"])
        .arg(kubeconfig));
    assert!(output.status.success(), "{}", stderr(&output));
    let view: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    view["users"][0]["user"]["exec"].clone()
}

#[test]
fn subscription_and_tenant_reach_az() {
    let cluster = Cluster::start();
    let az = AzureCli::new(&cluster);
    az.login_service_principal(&cluster);
    let mut command = cluster.get_token(&["-l", "azurecli", "--subscription", SUBSCRIPTION]);
    az.apply(&cluster, &mut command);
    let credential = exec_credential(&run(&mut command));
    assert_eq!(claims_of(&token_of(&credential))["aud"], AKS_SERVER_ID);
    // Without a subscription the tenant is passed on (kubelogin's behaviour).
    let mut command = cluster.get_token(&["-l", "azurecli"]);
    az.apply(&cluster, &mut command);
    exec_credential(&run(&mut command));
    let log = std::fs::read_to_string(&az.log).expect("log");
    assert!(
        log.contains(&format!("--resource {AKS_SERVER_ID} --tenant {TENANT}")),
        "{log}"
    );
    assert!(
        log.contains(&format!(
            "--resource {AKS_SERVER_ID} --subscription {SUBSCRIPTION}\n"
        )),
        "--subscription replaces --tenant, which az refuses together: {log}"
    );

    let mut command =
        cluster.get_token(&["-l", "azurecli", "--subscription", "no-such-subscription"]);
    az.apply(&cluster, &mut command);
    let output = run(&mut command);
    assert_one_line_failure(&output, "az account get-access-token failed");
    assert!(
        stderr(&output).contains("no-such-subscription"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_user_signed_in_to_az_with_a_device_code() {
    let cluster = Cluster::start();
    let az = AzureCli::new(&cluster);
    let mut login = cluster.env.command(az_bin());
    login
        .args([
            "login",
            "--use-device-code",
            "--tenant",
            TENANT,
            "--allow-no-subscriptions",
            "--scope",
            &format!("{AKS_SERVER_ID}/.default"),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    az.apply(&cluster, &mut login);
    let mut child = login.spawn().expect("az login");
    let mut stderr_lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let message = stderr_lines
        .by_ref()
        .map_while(Result::ok)
        .find(|line| line.contains("enter the code"))
        .expect("az shows the device code message");
    cluster.complete_device_code(&message, ALICE, ALICE_PASSWORD);
    let status = child.wait().expect("az login finishes");
    assert!(status.success(), "az login --use-device-code failed");

    cluster.kubeconfig_for(&["-l", "azurecli"]);
    let mut kubectl = cluster.kubectl();
    kubectl.args(["auth", "whoami", "-o", "json"]);
    az.apply(&cluster, &mut kubectl);
    let output = run(&mut kubectl);
    assert!(output.status.success(), "{}", stderr(&output));
    let review: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(review["status"]["userInfo"]["username"], ALICE);
}

#[test]
fn az_missing_or_hanging_is_one_line() {
    let cluster = Cluster::start();
    let output = run(cluster
        .get_token(&["-l", "azurecli"])
        .env("PATH", path_with_our_binary_only()));
    assert_one_line_failure(&output, "Azure CLI (az) not found on PATH");

    // A hanging az (as in Cloud Shell's "Failed to connect to MSI", kubelogin's #465).
    let dir = cluster.env.path("hanging-az");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("az"), "#!/bin/sh\nsleep 30\n").expect("az");
    make_executable(&dir.join("az"));
    let started = std::time::Instant::now();
    let output = run(cluster
        .get_token(&["-l", "azurecli", "--timeout", "1s"])
        .env("PATH", format!("{}:/usr/bin:/bin", dir.display())));
    assert_one_line_failure(&output, "did not finish within 1s");
    assert!(
        started.elapsed().as_secs() < 20,
        "the hanging az was stopped"
    );
}

/// PATH with only our binary's directory: no az, no azd.
fn path_with_our_binary_only() -> String {
    aad_bin().parent().expect("bin dir").display().to_string()
}

/// `azd` on PATH as the stand-in, with its own config dir.
fn azd_env(cluster: &Cluster, command: &mut Command) {
    let dir = cluster.env.path("azd-bin");
    if !dir.join("azd").exists() {
        std::fs::create_dir_all(&dir).expect("dir");
        std::os::unix::fs::symlink(cluster.helper("azd-standin"), dir.join("azd"))
            .expect("symlink");
    }
    command
        .env(
            "PATH",
            format!("{}:{}", dir.display(), path_with_our_binary()),
        )
        .env("AZD_CONFIG_DIR", cluster.env.path("azd-config"))
        .env("AZURE_AUTHORITY_HOST", cluster.emulator.authority_host())
        .env("SSL_CERT_FILE", &cluster.ca_file);
}

#[test]
fn azd_through_kubectl_and_its_failures() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&["-l", "azd"]);
    let kubectl = || {
        let mut command = cluster.kubectl();
        command.args(["auth", "whoami", "-o", "json"]);
        azd_env(&cluster, &mut command);
        command
    };
    let mut get_token = cluster.get_token(&["-l", "azd"]);
    azd_env(&cluster, &mut get_token);
    let output = run(&mut get_token);
    assert_one_line_failure(&output, "not logged in, run `azd auth login` to login");
    assert!(
        stderr(&output).contains("; run `azd auth login`, then retry"),
        "{}",
        stderr(&output)
    );
    assert!(
        !stderr(&output).contains('{'),
        "azd's JSON never reaches the user: {}",
        stderr(&output)
    );

    let mut login = cluster.env.command("azd");
    azd_env(&cluster, &mut login);
    let output = run(login.args([
        "auth",
        "login",
        "--client-id",
        SECRET_APP,
        "--client-secret",
        CLIENT_SECRET,
        "--tenant-id",
        TENANT,
    ]));
    assert!(output.status.success(), "{}", stderr(&output));

    let output = run(&mut kubectl());
    assert!(output.status.success(), "{}", stderr(&output));
    let review: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(review["status"]["userInfo"]["username"], SECRET_APP_OID);
    assert!(
        cluster
            .emulator
            .requests()
            .iter()
            .any(|r| r.client_id.as_deref() == Some(SECRET_APP)),
        "azd's token came from the emulator"
    );
    // kubectl is told azd's own expiry: one azd run per kubectl process, not one per request
    // (`get namespaces` makes several discovery requests; this API server answers them 404).
    cluster.emulator.clear_log();
    for args in [
        &["get", "namespaces"][..],
        &["get", "--raw", "/version"][..],
    ] {
        let mut command = cluster.kubectl();
        command.args(args);
        azd_env(&cluster, &mut command);
        run(&mut command);
    }
    let azd_runs = cluster
        .emulator
        .requests()
        .iter()
        .filter(|r| r.client_id.as_deref() == Some(SECRET_APP))
        .count();
    assert_eq!(azd_runs, 2, "one azd run per kubectl process");

    let output = run(cluster
        .get_token(&["-l", "azd"])
        .env("PATH", path_with_our_binary_only()));
    assert_one_line_failure(&output, "Azure Developer CLI (azd) not found on PATH");
    let mut hanging = cluster.get_token(&["-l", "azd", "--timeout", "1s"]);
    azd_env(&cluster, &mut hanging);
    hanging.env("AZD_STANDIN_SLEEP", "30");
    assert_one_line_failure(&run(&mut hanging), "did not finish within 1s");
}

#[test]
fn parallel_kubectl_calls_share_one_az_run() {
    let cluster = Cluster::start();
    let az = AzureCli::new(&cluster);
    az.login_service_principal(&cluster);
    // kubelogin spawns az per process, and concurrent runs hit its timeout (its #223).
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut command = cluster.get_token(&["-l", "azurecli"]);
            az.apply(&cluster, &mut command);
            command
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let tokens: Vec<String> = children
        .into_iter()
        .map(|child| token_of(&exec_credential(&child.wait_with_output().expect("wait"))))
        .collect();
    assert!(tokens.windows(2).all(|w| w[0] == w[1]), "one token for all");
    assert_eq!(az.token_runs(), 1, "eight processes, one az run");
}

/// `get-credentials -l azurecli`: the ARM token comes from the real Azure CLI's session, and
/// the merged user then signs in to the cluster through az as well.
#[test]
fn get_credentials_with_the_azure_cli_session() {
    let cluster = Cluster::start();
    let mut aks = crate::get_credentials::aks(&cluster, "aks-az");
    aks.users = vec![SECRET_APP_OID.into()];
    cluster.emulator.add_aks_cluster(aks);
    let az = AzureCli::new(&cluster);
    az.login_service_principal(&cluster);
    let mut command = crate::get_credentials::arm_command(
        &cluster,
        "get-credentials",
        &[
            "-l",
            "azurecli",
            "-s",
            SUBSCRIPTION,
            "-g",
            "rg-aks",
            "-n",
            "aks-az",
        ],
    );
    az.apply(&cluster, &mut command);
    let output = run(&mut command);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(az.token_runs(), 1, "the ARM token came from az");
    let mut kubectl = cluster.kubectl();
    kubectl.args(["get", "namespaces"]);
    az.apply(&cluster, &mut kubectl);
    let output = run(&mut kubectl);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(az.token_runs(), 2, "and the cluster token too");
}
