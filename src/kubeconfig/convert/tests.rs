//! Table tests for the converter: every scenario family of kubelogin's converter tests, plus our
//! improvements. Each row converts user `aks1` (beside a plain token user `aks2`) with a
//! convert-kubeconfig command line, parsed and resolved exactly as the command does, and
//! asserts the exact argument ORDER. Tests below the table cover what is not an argument list.

use std::collections::HashMap;

use kube::config::{
    AuthInfo, AuthProviderConfig, Context, ExecConfig, ExecInteractiveMode, Kubeconfig,
    NamedAuthInfo, NamedContext,
};
use kubectl_aad_contract::LoginMode;

use super::*;
use clap::Parser as _;

use crate::cli::{Cli, Command};
use crate::env::{Env, EnvVars};
use crate::settings::{ConvertSettings, TokenSettings};

const S: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
const C: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";
const T: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// `$S`, `$C`, `$T` stand for the AKS server id, the AKS client id and a tenant.
fn expand(text: &str) -> String {
    text.replace("$S", S).replace("$C", C).replace("$T", T)
}

/// A user from a short spec: `aks [k=v…]` (az aks get-credentials' legacy entry, plus keys),
/// `legacy k=v…` (a bare legacy entry), `dc [args…]` (kubelogin devicecode exec entry, plus
/// args), `exec <command> <args…>`, `token` (not Entra).
fn user_from(spec: &str) -> AuthInfo {
    let spec = expand(spec);
    let mut words = spec.split_whitespace();
    let kind = words.next().unwrap_or_default();
    let rest: Vec<String> = words.map(str::to_owned).collect();
    let pairs = |extra: &[String]| -> HashMap<String, String> {
        extra
            .iter()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    };
    let legacy = |config: HashMap<String, String>| AuthInfo {
        auth_provider: Some(AuthProviderConfig {
            name: "azure".into(),
            config,
            ..Default::default()
        }),
        ..Default::default()
    };
    let exec = |command: &str, args: Vec<String>| AuthInfo {
        exec: Some(ExecConfig {
            api_version: Some("client.authentication.k8s.io/v1beta1".into()),
            command: Some(command.into()),
            args: Some(args),
            ..Default::default()
        }),
        ..Default::default()
    };
    match kind {
        "aks" => {
            let mut config = pairs(&expand(
                "apiserver-id=$S client-id=$C tenant-id=$T environment=AzurePublicCloud config-mode=1 access-token=stale refresh-token=stale expires-on=1",
            ).split_whitespace().map(str::to_owned).collect::<Vec<_>>());
            config.extend(pairs(&rest));
            legacy(config)
        }
        "legacy" => legacy(pairs(&rest)),
        "dc" => {
            let mut args: Vec<String> = expand(
                "get-token --environment AzurePublicCloud --server-id $S --client-id $C --tenant-id $T --login devicecode",
            ).split_whitespace().map(str::to_owned).collect();
            args.extend(rest);
            exec("kubelogin", args)
        }
        "exec" => exec(&rest[0], rest[1..].to_vec()),
        _ => AuthInfo {
            token: Some("t".to_owned().into()),
            ..Default::default()
        },
    }
}

/// Two clusters, contexts and users, like kubelogin's tests; `aks1` is current.
fn kubeconfig(aks1: AuthInfo, aks2: AuthInfo) -> Kubeconfig {
    let named = |name: &str, user: AuthInfo| NamedAuthInfo {
        name: name.into(),
        auth_info: Some(user),
        ..Default::default()
    };
    let context = |name: &str| NamedContext {
        name: name.into(),
        context: Some(Context {
            cluster: name.into(),
            user: Some(name.into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    Kubeconfig {
        auth_infos: vec![named("aks1", aks1), named("aks2", aks2)],
        contexts: vec![context("aks1"), context("aks2")],
        current_context: Some("aks1".into()),
        ..Default::default()
    }
}

/// Parses `convert-kubeconfig <flags>` and resolves it with `env`, as the command does.
fn settings(flags: &str, env: &[(&str, &str)]) -> ConvertSettings {
    let argv = ["kubectl-aad", "convert-kubeconfig"]
        .into_iter()
        .map(str::to_owned)
        .chain(flags.split_whitespace().map(expand));
    let Ok(Cli {
        command: Command::ConvertKubeconfig(args),
        ..
    }) = Cli::try_parse_from(argv)
    else {
        panic!("flags parse: {flags}")
    };
    let env = Env::for_test(
        env.iter()
            .copied()
            .chain([("HOME", "/home/u")])
            .collect::<EnvVars>(),
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    );
    let token = TokenSettings::resolve(&args.token, &env).expect("valid flags");
    ConvertSettings {
        token,
        paths: Vec::new(),
        context: args.context,
        azure_config_dir: args.azure_config_dir,
        exec_api_version: args.exec_api_version,
        exec_command: args.exec_command.unwrap_or_else(|| "kubectl-aad".into()),
        dry_run: false,
        no_backup: false,
    }
}

fn run(
    files: &mut [Kubeconfig],
    flags: &str,
    env: &[(&str, &str)],
) -> Result<ConvertReport, ConvertError> {
    let settings = settings(flags, env);
    let describe = |_: &LoginMode| None;
    convert(files, &crate::commands::convert_input(&settings, &describe))
}

fn user<'a>(config: &'a Kubeconfig, name: &str) -> &'a AuthInfo {
    config
        .auth_infos
        .iter()
        .find(|u| u.name == name)
        .and_then(|u| u.auth_info.as_ref())
        .expect("user")
}

fn exec_of<'a>(config: &'a Kubeconfig, name: &str) -> &'a ExecConfig {
    user(config, name).exec.as_ref().expect("exec entry")
}

fn args_of(config: &Kubeconfig, name: &str) -> String {
    exec_of(config, name)
        .args
        .clone()
        .unwrap_or_default()
        .join(" ")
}

const DC: &str = "get-token --login devicecode --server-id $S --client-id $C --tenant-id $T";
const ENV: &str = "--environment AzurePublicCloud";

/// (what, user spec, convert flags, environment, expected arguments or `error: <message>`).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[rustfmt::skip]
const ROWS: &[Row] = &[
    ("legacy → default devicecode", "aks", "", &[], "$DC $ENV"),
    ("config-mode absent → legacy", "legacy apiserver-id=$S client-id=$C tenant-id=$T", "", &[], "$DC --legacy"),
    ("config-mode empty → legacy", "legacy apiserver-id=$S client-id=$C tenant-id=$T config-mode=", "", &[], "$DC --legacy"),
    ("config-mode 0 → legacy", "legacy apiserver-id=$S client-id=$C tenant-id=$T config-mode=0", "", &[], "$DC --legacy"),
    ("config-mode 1 → v2", "legacy apiserver-id=$S client-id=$C tenant-id=$T config-mode=1", "", &[], "$DC"),
    ("--legacy forces legacy", "legacy apiserver-id=$S client-id=$C tenant-id=$T config-mode=1", "--legacy", &[], "$DC --legacy"),
    ("msi never carries the public client", "aks", "-l msi", &[], "get-token --login msi --server-id $S"),
    ("msi with a client id", "aks", "-l msi --client-id mi-client", &[], "get-token --login msi --server-id $S --client-id mi-client"),
    ("msi with a resource id", "dc", "-l msi --identity-resource-id /subscriptions/x/id", &[], "get-token --login msi --server-id $S --identity-resource-id /subscriptions/x/id"),
    ("legacy → workloadidentity", "aks", "-l workloadidentity", &[], "get-token --login workloadidentity --server-id $S"),
    ("exec → workloadidentity with flags", "dc", "-l workloadidentity --client-id wi --tenant-id wt --authority-host https://login.microsoftonline.com/ --federated-token-file /var/run/token", &[], "get-token --login workloadidentity --server-id $S --client-id wi --tenant-id wt --authority-host https://login.microsoftonline.com/ --federated-token-file /var/run/token"),
    ("legacy without environment → spn", "legacy apiserver-id=$S client-id=$C tenant-id=$T config-mode=1", "-l spn", &[], "get-token --login spn --server-id $S --client-id $C --tenant-id $T"),
    ("legacy → spn with a secret", "aks", "-l spn --client-secret s3cret", &[], "get-token --login spn --server-id $S --client-id $C --tenant-id $T $ENV --client-secret s3cret"),
    ("legacy → spn with a pfx", "aks", "-l spn --client-certificate /c.pfx --client-certificate-password pw", &[], "get-token --login spn --server-id $S --client-id $C --tenant-id $T $ENV --client-certificate /c.pfx --client-certificate-password pw"),
    ("legacy → spn with a pem", "aks", "-l spn --client-certificate /c.pem", &[], "get-token --login spn --server-id $S --client-id $C --tenant-id $T $ENV --client-certificate /c.pem"),
    ("legacy → ropc", "aks", "-l ropc", &[], "get-token --login ropc --server-id $S --client-id $C --tenant-id $T $ENV"),
    ("legacy → ropc with credentials", "aks", "-l ropc --username u@contoso.com --password pw", &[], "get-token --login ropc --server-id $S --client-id $C --tenant-id $T $ENV --username u@contoso.com --password pw"),
    ("azurecli takes no tenant unless given", "aks", "-l azurecli", &[], "get-token --login azurecli --server-id $S"),
    ("azurecli with a tenant", "aks", "-l azurecli --tenant-id given", &[], "get-token --login azurecli --server-id $S --tenant-id given"),
    ("azd takes no tenant unless given", "aks", "-l azd", &[], "get-token --login azd --server-id $S"),
    ("azd with a tenant", "aks", "-l azd --tenant-id given", &[], "get-token --login azd --server-id $S --tenant-id given"),
    ("--token-cache-dir becomes --cache-dir", "aks", "-l azurecli --token-cache-dir /old", &[], "get-token --login azurecli --server-id $S --cache-dir /old"),
    ("an existing --token-cache-dir", "dc --token-cache-dir /x", "-l azurecli", &[], "get-token --login azurecli --server-id $S --cache-dir /x"),
    ("an existing --cache-dir", "dc --cache-dir /y", "-l azurecli", &[], "get-token --login azurecli --server-id $S --cache-dir /y"),
    ("--cache-dir wins over the existing one", "dc --cache-dir /y", "-l azurecli --cache-dir /flag", &[], "get-token --login azurecli --server-id $S --cache-dir /flag"),
    ("azurecli is kept without -l; its environment is dropped", "exec kubelogin get-token --login azurecli --server-id $S --environment AzurePublicCloud --subscription sub1 --tenant-id t-in-args", "", &[], "get-token --login azurecli --server-id $S --tenant-id t-in-args --subscription sub1"),
    ("azurecli flags replace its arguments", "exec kubelogin get-token --login azurecli --server-id $S --subscription sub1 --tenant-id t-in-args", "-l azurecli -t t2 -s sub2", &[], "get-token --login azurecli --server-id $S --tenant-id t2 --subscription sub2"),
    ("azurecli → devicecode takes flags", "exec kubelogin get-token --login azurecli --server-id $S", "-l devicecode --client-id $C --tenant-id $T", &[], "$DC"),
    ("azurecli → devicecode needs a client id", "exec kubelogin get-token --login azurecli --server-id $S", "-l devicecode", &[], "error: user \"aks1\": --client-id is required for --login devicecode; pass --client-id <value>"),
    ("devicecode keeps --legacy", "dc --legacy", "", &[], "$DC $ENV --legacy"),
    ("--legacy=false clears it", "dc --legacy", "--legacy=false", &[], "$DC $ENV"),
    ("devicecode → spn with flags and --legacy", "dc", "-l spn --client-id sp --legacy", &[], "get-token --login spn --server-id $S --client-id sp --tenant-id $T $ENV --legacy"),
    ("devicecode → spn in another cloud", "dc", "-l spn -e AzureChinaCloud", &[], "get-token --login spn --server-id $S --client-id $C --tenant-id $T --environment AzureChinaCloud"),
    ("spn writes --disable-environment-override in kubelogin's place", "dc", "-l spn --client-secret x --disable-environment-override", &[], "get-token --login spn --server-id $S --client-id $C --tenant-id $T $ENV --client-secret x --disable-environment-override"),
    ("msi writes --disable-environment-override too", "dc", "-l msi --disable-environment-override", &[], "get-token --login msi --server-id $S --disable-environment-override"),
    ("devicecode → ropc", "dc", "-l ropc --legacy --username u --password p", &[], "get-token --login ropc --server-id $S --client-id $C --tenant-id $T $ENV --username u --password p --legacy"),
    ("devicecode → interactive with a redirect and a hint", "dc", "-l interactive --redirect-url http://localhost:8400 --login-hint a@contoso.com", &[], "get-token --login interactive --server-id $S --client-id $C --tenant-id $T $ENV --redirect-url http://localhost:8400 --login-hint a@contoso.com"),
    ("kubelogin without environment → interactive", "exec kubelogin get-token --server-id $S --client-id $C --tenant-id $T", "-l interactive", &[], "get-token --login interactive --server-id $S --client-id $C --tenant-id $T"),
    ("an existing spn survives with its arguments", "exec /usr/local/bin/kubelogin get-token -l spn --server-id $S --client-id sp -t $T --client-certificate /c.pem", "", &[], "get-token --login spn --server-id $S --client-id sp --tenant-id $T --client-certificate /c.pem"),
    ("AAD_LOGIN_METHOD counts as given", "dc", "", &[("AAD_LOGIN_METHOD", "azd")], "get-token --login azd --server-id $S"),
    ("kubelogin on PATH", "exec kubelogin get-token --server-id $S --client-id $C --tenant-id $T", "", &[], "$DC"),
    ("kubelogin by path", "exec /opt/bin/kubelogin get-token --server-id $S --client-id $C --tenant-id $T", "", &[], "$DC"),
    ("kubelogin.exe", "exec C:\\tools\\kubelogin.exe get-token --server-id $S --client-id $C --tenant-id $T", "", &[], "$DC"),
    ("KUBELOGIN", "exec KUBELOGIN get-token --server-id $S --client-id $C --tenant-id $T", "", &[], "$DC"),
    ("our own entry", "exec kubectl-aad get-token --server-id $S --client-id $C --tenant-id $T", "", &[], "$DC"),
    ("our own entry by krew path", "exec /home/u/.krew/bin/kubectl-aad get-token --server-id $S --client-id $C --tenant-id $T", "", &[], "$DC"),
    ("kubectl-aad.exe", "exec kubectl-aad.exe get-token --server-id $S --client-id $C --tenant-id $T", "", &[], "$DC"),
    ("PoP for interactive", "aks", "-l interactive --pop-enabled --pop-claims u=/ARM/ID", &[], "get-token --login interactive --server-id $S --client-id $C --tenant-id $T $ENV --pop-enabled --pop-claims u=/ARM/ID"),
    ("PoP for spn", "aks", "-l spn --pop-enabled --pop-claims u=/ARM/ID", &[], "get-token --login spn --server-id $S --client-id $C --tenant-id $T $ENV --pop-enabled --pop-claims u=/ARM/ID"),
    ("PoP for ropc", "aks", "-l ropc --pop-enabled --pop-claims u=/ARM/ID", &[], "get-token --login ropc --server-id $S --client-id $C --tenant-id $T $ENV --pop-enabled --pop-claims u=/ARM/ID"),
    ("PoP dropped for devicecode", "exec kubelogin get-token --login azurecli --server-id $S --pop-enabled --pop-claims u=x", "-l devicecode --client-id $C --tenant-id $T", &[], "$DC"),
    ("azurepipelines needs a tenant and writes the client id last", "aks", "-l azurepipelines --azure-pipelines-service-connection-id conn --client-id app", &[], "get-token --login azurepipelines --server-id $S --tenant-id $T --azure-pipelines-service-connection-id conn --client-id app"),
    ("a missing server id names the user and the flag", "legacy client-id=$C tenant-id=$T", "", &[], "error: user \"aks1\": --server-id is required for --login devicecode; pass --server-id <value>"),
    ("--authority-host is carried in every mode", "dc", "-l spn --client-secret x --authority-host https://login.example.test/", &[], "get-token --login spn --server-id $S --client-id $C --tenant-id $T $ENV --client-secret x --authority-host https://login.example.test/"),
    ("--authority-host is kept on re-conversion", "exec kubectl-aad get-token --login spn --server-id $S --client-id $C --tenant-id $T --authority-host https://login.example.test/", "", &[], "get-token --login spn --server-id $S --client-id $C --tenant-id $T --authority-host https://login.example.test/"),
    ("--imds-endpoint is written for msi", "dc", "-l msi --client-id mi --imds-endpoint http://127.0.0.1:8080", &[], "get-token --login msi --server-id $S --client-id mi --imds-endpoint http://127.0.0.1:8080"),
    ("--imds-endpoint is kept while the mode stays msi", "exec kubectl-aad get-token --login msi --server-id $S --client-id mi --imds-endpoint http://127.0.0.1:8080", "", &[], "get-token --login msi --server-id $S --client-id mi --imds-endpoint http://127.0.0.1:8080"),
    ("half a PoP pair in the existing arguments is refused", "exec kubelogin get-token --login spn --server-id $S --client-id $C --tenant-id $T --pop-enabled", "-l interactive", &[], "error: user \"aks1\": --pop-claims is required when specifying --pop-enabled; fix its exec arguments or pass --pop-enabled --pop-claims \"u=<ARM ID of the cluster>\""),
    ("the other half too", "exec kubelogin get-token --login spn --server-id $S --client-id $C --tenant-id $T --pop-claims u=x", "-l ropc", &[], "error: user \"aks1\": --pop-enabled is required when specifying --pop-claims; fix its exec arguments or pass --pop-enabled --pop-claims \"u=<ARM ID of the cluster>\""),
    ("an unknown cloud in a legacy entry is refused", "aks environment=AzureMarsCloud", "", &[], "error: user \"aks1\": unknown --environment \"AzureMarsCloud\"; use one of AzurePublicCloud (AzureCloud, AzurePublic), AzureUSGovernmentCloud (AzureUSGovernment), AzureChinaCloud"),
    ("a retired cloud in existing arguments says so", "dc --environment AzureGermanCloud", "", &[], "error: user \"aks1\": --environment \"AzureGermanCloud\" was retired (Azure Germany closed in 2021); use AzurePublicCloud"),
    ("Azure Stack is pointed at --authority-host", "dc --environment AzureStackCloud", "-l spn", &[], "error: user \"aks1\": --environment \"AzureStackCloud\" has no fixed authority; pass --authority-host with your Azure Stack authority (e.g. https://adfs.local.azurestack.external/) instead"),
    ("--imds-endpoint is dropped for another mode", "exec kubectl-aad get-token --login msi --server-id $S --client-id mi --imds-endpoint http://127.0.0.1:8080", "-l azurecli", &[], "get-token --login azurecli --server-id $S"),
];

#[test]
fn every_row_converts_to_its_exact_arguments() {
    for (what, spec, flags, env, want) in ROWS {
        let want = expand(&want.replace("$DC", DC).replace("$ENV", ENV));
        let mut files = vec![kubeconfig(user_from(spec), user_from("token"))];
        let got = match run(&mut files, flags, env) {
            Ok(_) => args_of(&files[0], "aks1"),
            Err(err) => format!("error: {err}"),
        };
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn the_exec_entry_around_the_arguments() {
    let mut files = vec![kubeconfig(user_from("aks"), user_from("dc"))];
    run(&mut files, "", &[]).expect("ok");
    assert!(
        user(&files[0], "aks1").auth_provider.is_none(),
        "auth-provider (with its stale tokens) is gone"
    );
    let exec = exec_of(&files[0], "aks1");
    assert_eq!(exec.command.as_deref(), Some("kubectl-aad"));
    assert_eq!(
        exec.api_version.as_deref(),
        Some("client.authentication.k8s.io/v1beta1")
    );
    assert_eq!(exec.install_hint.as_deref(), Some(INSTALL_HINT));
    assert_eq!(args_of(&files[0], "aks2"), args_of(&files[0], "aks1"));
    // interactiveMode follows the descriptor's user flow; v1 is written on request.
    for (flags, mode, version) in [
        ("-l msi", ExecInteractiveMode::Never, "v1beta1"),
        (
            "--exec-api-version v1",
            ExecInteractiveMode::IfAvailable,
            "v1",
        ),
    ] {
        let mut files = vec![kubeconfig(user_from("aks"), user_from("dc"))];
        run(&mut files, flags, &[]).expect("ok");
        let exec = exec_of(&files[0], "aks1");
        assert_eq!(exec.interactive_mode, Some(mode), "{flags}");
        assert_eq!(
            exec.api_version,
            Some(format!("client.authentication.k8s.io/{version}"))
        );
    }
    // A custom install hint is kept.
    let mut custom = user_from("exec kubelogin get-token --login azurecli --server-id $S");
    custom.exec.as_mut().expect("exec").install_hint = Some("custom hint".into());
    let mut files = vec![kubeconfig(custom, user_from("token"))];
    run(&mut files, "", &[]).expect("ok");
    assert_eq!(
        exec_of(&files[0], "aks1").install_hint.as_deref(),
        Some("custom hint")
    );
}

#[test]
fn leaves_non_entra_users_alone_and_reconverting_changes_nothing() {
    let mut aws = user_from("exec aws eks get-token");
    aws.exec.as_mut().expect("exec").install_hint = Some("install aws".into());
    let mut files = vec![kubeconfig(user_from("token"), aws)];
    let before = format!("{:?}", files[0]);
    assert!(run(&mut files, "", &[]).expect("ok").converted.is_empty());
    assert_eq!(format!("{:?}", files[0]), before);

    let mut files = vec![kubeconfig(user_from("aks"), user_from("dc --cache-dir /c"))];
    run(&mut files, "-l spn --client-secret x", &[]).expect("first");
    let once = format!("{files:?}");
    run(&mut files, "", &[]).expect("second");
    assert_eq!(format!("{files:?}"), once);
}

#[test]
fn context_selects_one_user_and_names_what_is_wrong() {
    let mut files = vec![kubeconfig(user_from("aks"), user_from("dc"))];
    let report = run(&mut files, "-l azurecli --context aks2", &[]).expect("ok");
    assert_eq!(report.converted, vec![(0, "aks2".to_owned())]);
    assert!(
        user(&files[0], "aks1").auth_provider.is_some(),
        "aks1 untouched"
    );
    assert_eq!(
        args_of(&files[0], "aks2"),
        expand("get-token --login azurecli --server-id $S")
    );
    assert_eq!(files[0].current_context.as_deref(), Some("aks1"));

    let mut files = vec![kubeconfig(user_from("aks"), user_from("token"))];
    assert_eq!(
        run(&mut files, "--context nope", &[]),
        Err(ConvertError::NoSuchContext("nope".into()))
    );
    assert!(matches!(
        run(&mut files, "--context aks2", &[]),
        Err(ConvertError::NotEntra { .. })
    ));
    files[0].contexts[0].context.as_mut().expect("ctx").user = None;
    assert_eq!(
        run(&mut files, "--context aks1", &[]),
        Err(ConvertError::ContextWithoutUser("aks1".into()))
    );
}

#[test]
fn azure_config_dir_goes_into_the_exec_env_for_azurecli_only() {
    let mut files = vec![kubeconfig(user_from("aks"), user_from("dc"))];
    run(
        &mut files,
        "-l azurecli --azure-config-dir /home/u/.azure-ci",
        &[],
    )
    .expect("ok");
    let expected = HashMap::from([
        ("name".to_owned(), "AZURE_CONFIG_DIR".to_owned()),
        ("value".to_owned(), "/home/u/.azure-ci".to_owned()),
    ]);
    assert_eq!(exec_of(&files[0], "aks1").env, Some(vec![expected]));
    let mut files = vec![kubeconfig(user_from("aks"), user_from("dc"))];
    run(&mut files, "--azure-config-dir /x", &[]).expect("ok");
    assert_eq!(exec_of(&files[0], "aks1").env, None);
}

#[test]
fn pop_claims_go_to_one_cluster_and_dropped_ones_are_said() {
    let mut files = vec![kubeconfig(
        user_from(
            "exec kubelogin get-token --login azurecli --server-id $S --pop-enabled --pop-claims u=x",
        ),
        user_from("token"),
    )];
    let report = run(
        &mut files,
        "-l devicecode --client-id $C --tenant-id $T",
        &[],
    )
    .expect("ok");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("dropped --pop-enabled")),
        "{:?}",
        report.warnings
    );

    let two = user_from(
        "exec kubelogin get-token --login spn --server-id $S --client-id $C --tenant-id $T --pop-enabled --pop-claims u=/cluster/two",
    );
    let mut files = vec![kubeconfig(user_from("aks"), two)];
    let report = run(
        &mut files,
        "-l spn --pop-enabled --pop-claims u=/cluster/one",
        &[],
    )
    .expect("ok");
    assert!(
        args_of(&files[0], "aks1").ends_with("--pop-enabled --pop-claims u=/cluster/one"),
        "the current context's user gets the claim"
    );
    assert!(
        args_of(&files[0], "aks2").ends_with("--pop-enabled --pop-claims u=/cluster/two"),
        "the other cluster keeps its own claim"
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("applied to user \"aks1\" only"))
    );

    let mut files = vec![kubeconfig(user_from("aks"), user_from("aks"))];
    files[0].current_context = None;
    assert_eq!(
        run(&mut files, "-l spn --pop-enabled --pop-claims u=x", &[]),
        Err(ConvertError::PopNeedsContext)
    );
}

#[test]
fn a_user_owned_by_an_earlier_file_changes_only_there() {
    let mut first = kubeconfig(user_from("aks"), user_from("dc"));
    first.auth_infos.truncate(1);
    let mut second = kubeconfig(user_from("dc --legacy"), user_from("dc"));
    second.contexts.clear();
    let mut files = vec![first, second];
    let report = run(&mut files, "", &[]).expect("ok");
    assert_eq!(
        report.converted,
        vec![(0, "aks1".to_owned()), (1, "aks2".to_owned())]
    );
    assert_eq!(
        exec_of(&files[1], "aks1").command.as_deref(),
        Some("kubelogin"),
        "the shadowed copy in file 2 is not touched"
    );
}

#[test]
fn a_library_mode_is_written_with_its_options_and_providers_dir() {
    let descriptor = ModeDescriptor {
        name: "tokenfile".into(),
        summary: "a token file".into(),
        writes: vec![Input::TenantId].into(),
        ..LoginMode::Azd.descriptor().expect("built in").clone()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path()
            .join(format!("tokenfile.{}", std::env::consts::DLL_EXTENSION)),
        "",
    )
    .expect("library file");
    let p = dir.path().display().to_string();
    let settings = settings(
        &format!(
            "-l tokenfile --tenant-id t --provider-option path=/run/token --providers-dir {p}"
        ),
        &[],
    );
    let describe = |login: &LoginMode| (login.as_str() == "tokenfile").then(|| descriptor.clone());
    let mut files = vec![kubeconfig(user_from("dc"), user_from("token"))];
    convert(
        &mut files,
        &crate::commands::convert_input(&settings, &describe),
    )
    .expect("ok");
    assert_eq!(
        args_of(&files[0], "aks1"),
        expand(&format!(
            "get-token --login tokenfile --server-id $S --tenant-id t --provider-option path=/run/token --providers-dir {p}"
        ))
    );
    let unknown = |_: &LoginMode| None;
    let mut files = vec![kubeconfig(user_from("dc"), user_from("token"))];
    let err = convert(
        &mut files,
        &crate::commands::convert_input(&settings, &unknown),
    )
    .expect_err("no library");
    assert!(
        matches!(err, ConvertError::UnknownLibraryMode { .. }),
        "{err}"
    );
}

#[test]
fn the_install_hint_gives_the_readmes_install_lines() {
    let readme = include_str!("../../../README.md");
    for command in [
        "kubectl krew install aad",
        "cargo install --locked --git https://github.com/kubectl-aad/kubectl-aad kubectl-aad",
    ] {
        assert!(super::INSTALL_HINT.contains(command), "{command}");
        assert!(readme.contains(command), "README must say {command}");
    }
}
