//! Table tests for the converter: every scenario family of kubelogin's converter tests, plus our
//! improvements. Each asserts the exact argument ORDER, not just membership.

use std::collections::HashMap;

use kube::config::{
    AuthInfo, AuthProviderConfig, Context, ExecConfig, Kubeconfig, NamedAuthInfo, NamedContext,
};

use super::*;
use crate::settings::{EnvVars, resolve_token_options};

const S: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
const C: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";
const T: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

fn legacy(config: &[(&str, &str)]) -> AuthInfo {
    AuthInfo {
        auth_provider: Some(AuthProviderConfig {
            name: "azure".into(),
            config: config
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn aks_legacy(extra: &[(&str, &str)]) -> AuthInfo {
    let mut config = vec![
        ("apiserver-id", S),
        ("client-id", C),
        ("tenant-id", T),
        ("environment", "AzurePublicCloud"),
        ("config-mode", "1"),
        ("access-token", "stale"),
        ("refresh-token", "stale"),
        ("expires-on", "1"),
    ];
    config.extend_from_slice(extra);
    legacy(&config)
}

fn exec(command: &str, args: &[&str], hint: Option<&str>) -> AuthInfo {
    AuthInfo {
        exec: Some(ExecConfig {
            api_version: Some("client.authentication.k8s.io/v1beta1".into()),
            command: Some(command.into()),
            args: Some(args.iter().map(|a| a.to_string()).collect()),
            install_hint: hint.map(str::to_owned),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn devicecode_exec(extra: &[&str]) -> AuthInfo {
    let mut args = vec![
        "get-token",
        "--environment",
        "AzurePublicCloud",
        "--server-id",
        S,
        "--client-id",
        C,
        "--tenant-id",
        T,
        "--login",
        "devicecode",
    ];
    args.extend_from_slice(extra);
    exec("kubelogin", &args, None)
}

/// Two clusters, contexts and users, like kubelogin's tests.
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

#[derive(Default)]
struct Case<'a> {
    flags: TokenFlags,
    env: &'a [(&'a str, &'a str)],
    context: Option<&'a str>,
    azure_config_dir: Option<&'a str>,
    api: Option<ExecApiVersion>,
}

fn run(files: &mut [Kubeconfig], case: Case<'_>) -> Result<ConvertReport, ConvertError> {
    let env: EnvVars = case.env.iter().copied().collect();
    let resolved = resolve_token_options(&case.flags, &env, None).expect("valid flags");
    let options = ConvertOptions {
        flags: &case.flags,
        resolved: &resolved,
        context: case.context,
        azure_config_dir: case.azure_config_dir,
        exec_api_version: case.api,
        exec_command: "kubectl-aad",
    };
    convert(files, &options)
}

fn user<'a>(config: &'a Kubeconfig, name: &str) -> &'a AuthInfo {
    config
        .auth_infos
        .iter()
        .find(|u| u.name == name)
        .and_then(|u| u.auth_info.as_ref())
        .expect("user")
}

fn args_of(config: &Kubeconfig, name: &str) -> Vec<String> {
    user(config, name)
        .exec
        .as_ref()
        .and_then(|e| e.args.clone())
        .expect("exec args")
}

/// Converts `aks1` alone (aks2 is a plain token user) and returns its args.
fn convert_one(aks1: AuthInfo, case: Case<'_>) -> Vec<String> {
    let mut files = vec![kubeconfig(
        aks1,
        AuthInfo {
            token: Some("t".to_owned().into()),
            ..Default::default()
        },
    )];
    run(&mut files, case).expect("converts");
    args_of(&files[0], "aks1")
}

fn v(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

fn login(mode: &str) -> TokenFlags {
    TokenFlags {
        login: Some(mode.into()),
        ..TokenFlags::default()
    }
}

#[test]
fn leaves_non_entra_users_alone() {
    let other_exec = exec("aws", &["eks", "get-token"], Some("install aws"));
    let mut files = vec![kubeconfig(
        AuthInfo {
            token: Some("t".to_owned().into()),
            ..Default::default()
        },
        other_exec,
    )];
    let before = format!("{:?}", files[0]);
    let report = run(&mut files, Case::default()).expect("ok");
    assert!(report.converted.is_empty());
    assert_eq!(format!("{:?}", files[0]), before);
}

#[test]
fn legacy_to_default_devicecode_drops_stale_tokens() {
    let mut files = vec![kubeconfig(aks_legacy(&[]), devicecode_exec(&[]))];
    run(&mut files, Case::default()).expect("ok");
    let aks1 = user(&files[0], "aks1");
    assert!(
        aks1.auth_provider.is_none(),
        "auth-provider (with its stale tokens) is gone"
    );
    let exec = aks1.exec.as_ref().expect("exec");
    assert_eq!(exec.command.as_deref(), Some("kubectl-aad"));
    assert_eq!(
        exec.api_version.as_deref(),
        Some("client.authentication.k8s.io/v1beta1")
    );
    assert_eq!(
        exec.interactive_mode,
        Some(ExecInteractiveMode::IfAvailable)
    );
    assert_eq!(exec.install_hint.as_deref(), Some(INSTALL_HINT));
    assert_eq!(
        args_of(&files[0], "aks1"),
        v(&[
            "get-token",
            "--login",
            "devicecode",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud"
        ])
    );
    assert_eq!(args_of(&files[0], "aks2"), args_of(&files[0], "aks1"));
}

#[test]
fn legacy_config_mode_decides_legacy() {
    let base = [("apiserver-id", S), ("client-id", C), ("tenant-id", T)];
    let with = |mode: Option<&str>| {
        let mut config = base.to_vec();
        if let Some(mode) = mode {
            config.push(("config-mode", mode));
        }
        legacy(&config)
    };
    let expected_legacy = v(&[
        "get-token",
        "--login",
        "devicecode",
        "--server-id",
        S,
        "--client-id",
        C,
        "--tenant-id",
        T,
        "--legacy",
    ]);
    assert_eq!(
        convert_one(with(None), Case::default()),
        expected_legacy,
        "absent → legacy (AADv1)"
    );
    assert_eq!(
        convert_one(with(Some("")), Case::default()),
        expected_legacy
    );
    assert_eq!(
        convert_one(with(Some("0")), Case::default()),
        expected_legacy
    );
    assert_eq!(
        convert_one(with(Some("1")), Case::default()),
        v(&[
            "get-token",
            "--login",
            "devicecode",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T
        ])
    );
    let forced = Case {
        flags: TokenFlags {
            legacy: Some(true),
            ..TokenFlags::default()
        },
        ..Case::default()
    };
    assert_eq!(convert_one(with(Some("1")), forced), expected_legacy);
}

#[test]
fn legacy_to_msi_never_carries_the_public_client_id() {
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: login("msi"),
                ..Case::default()
            }
        ),
        v(&["get-token", "--login", "msi", "--server-id", S])
    );
    let with_id = TokenFlags {
        client_id: Some("mi-client".into()),
        ..login("msi")
    };
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: with_id,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "msi",
            "--server-id",
            S,
            "--client-id",
            "mi-client"
        ])
    );
}

#[test]
fn msi_with_an_identity_resource_id() {
    let flags = TokenFlags {
        identity_resource_id: Some("/subscriptions/x/id".into()),
        ..login("msi")
    };
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "msi",
            "--server-id",
            S,
            "--identity-resource-id",
            "/subscriptions/x/id"
        ])
    );
}

#[test]
fn msi_keeps_its_interactive_mode_never() {
    let mut files = vec![kubeconfig(aks_legacy(&[]), devicecode_exec(&[]))];
    run(
        &mut files,
        Case {
            flags: login("msi"),
            ..Case::default()
        },
    )
    .expect("ok");
    assert_eq!(
        user(&files[0], "aks1")
            .exec
            .as_ref()
            .and_then(|e| e.interactive_mode.clone()),
        Some(ExecInteractiveMode::Never)
    );
}

#[test]
fn legacy_and_exec_to_workloadidentity() {
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: login("workloadidentity"),
                ..Case::default()
            }
        ),
        v(&["get-token", "--login", "workloadidentity", "--server-id", S])
    );
    let flags = TokenFlags {
        client_id: Some("wi".into()),
        tenant_id: Some("wt".into()),
        authority_host: Some("https://login.microsoftonline.com/".into()),
        federated_token_file: Some("/var/run/token".into()),
        ..login("workloadidentity")
    };
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "workloadidentity",
            "--server-id",
            S,
            "--client-id",
            "wi",
            "--tenant-id",
            "wt",
            "--authority-host",
            "https://login.microsoftonline.com/",
            "--federated-token-file",
            "/var/run/token"
        ])
    );
}

#[test]
fn legacy_to_spn_variants() {
    let no_env = legacy(&[
        ("apiserver-id", S),
        ("client-id", C),
        ("tenant-id", T),
        ("config-mode", "1"),
    ]);
    assert_eq!(
        convert_one(
            no_env,
            Case {
                flags: login("spn"),
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T
        ])
    );
    let secret = TokenFlags {
        client_secret: Some("s3cret".into()),
        ..login("spn")
    };
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: secret,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--client-secret",
            "s3cret"
        ])
    );
    let cert = TokenFlags {
        client_certificate: Some("/c.pfx".into()),
        client_certificate_password: Some("pw".into()),
        ..login("spn")
    };
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: cert,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--client-certificate",
            "/c.pfx",
            "--client-certificate-password",
            "pw"
        ])
    );
    let pem = TokenFlags {
        client_certificate: Some("/c.pem".into()),
        ..login("spn")
    };
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: pem,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--client-certificate",
            "/c.pem"
        ])
    );
}

#[test]
fn legacy_to_ropc_with_and_without_credentials() {
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: login("ropc"),
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "ropc",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud"
        ])
    );
    let creds = TokenFlags {
        username: Some("u@contoso.com".into()),
        password: Some("pw".into()),
        ..login("ropc")
    };
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: creds,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "ropc",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--username",
            "u@contoso.com",
            "--password",
            "pw"
        ])
    );
}

#[test]
fn azurecli_and_azd_take_the_tenant_only_when_given() {
    for mode in ["azurecli", "azd"] {
        assert_eq!(
            convert_one(
                aks_legacy(&[]),
                Case {
                    flags: login(mode),
                    ..Case::default()
                }
            ),
            v(&["get-token", "--login", mode, "--server-id", S]),
            "{mode}"
        );
        let flags = TokenFlags {
            tenant_id: Some("given".into()),
            ..login(mode)
        };
        assert_eq!(
            convert_one(
                aks_legacy(&[]),
                Case {
                    flags,
                    ..Case::default()
                }
            ),
            v(&[
                "get-token",
                "--login",
                mode,
                "--server-id",
                S,
                "--tenant-id",
                "given"
            ]),
            "{mode}"
        );
    }
}

#[test]
fn token_cache_dir_becomes_cache_dir() {
    let flags = TokenFlags {
        token_cache_dir: Some("/old".into()),
        ..login("azurecli")
    };
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "azurecli",
            "--server-id",
            S,
            "--cache-dir",
            "/old"
        ])
    );
    assert_eq!(
        convert_one(
            devicecode_exec(&["--token-cache-dir", "/x"]),
            Case {
                flags: login("azurecli"),
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "azurecli",
            "--server-id",
            S,
            "--cache-dir",
            "/x"
        ])
    );
    assert_eq!(
        convert_one(
            devicecode_exec(&["--cache-dir", "/y"]),
            Case {
                flags: login("azurecli"),
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "azurecli",
            "--server-id",
            S,
            "--cache-dir",
            "/y"
        ])
    );
    let flag_wins = TokenFlags {
        cache_dir: Some("/flag".into()),
        ..login("azurecli")
    };
    assert_eq!(
        convert_one(
            devicecode_exec(&["--cache-dir", "/y"]),
            Case {
                flags: flag_wins,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "azurecli",
            "--server-id",
            S,
            "--cache-dir",
            "/flag"
        ])
    );
}

#[test]
fn azurecli_reconversion_keeps_mode_hint_and_subscription() {
    let azurecli = exec(
        "kubelogin",
        &[
            "get-token",
            "--login",
            "azurecli",
            "--server-id",
            S,
            "--environment",
            "AzurePublicCloud",
            "--subscription",
            "sub1",
            "--tenant-id",
            "t-in-args",
        ],
        Some("custom hint"),
    );
    let mut files = vec![kubeconfig(azurecli.clone(), devicecode_exec(&[]))];
    run(
        &mut files,
        Case {
            context: Some("aks1"),
            ..Case::default()
        },
    )
    .expect("ok");
    assert_eq!(
        args_of(&files[0], "aks1"),
        v(&[
            "get-token",
            "--login",
            "azurecli",
            "--server-id",
            S,
            "--tenant-id",
            "t-in-args",
            "--subscription",
            "sub1"
        ]),
        "no -l: the existing azurecli is kept; --environment is dropped"
    );
    assert_eq!(
        user(&files[0], "aks1")
            .exec
            .as_ref()
            .and_then(|e| e.install_hint.as_deref()),
        Some("custom hint")
    );
    let overrides = TokenFlags {
        tenant_id: Some("t2".into()),
        subscription: Some("sub2".into()),
        ..login("azurecli")
    };
    assert_eq!(
        convert_one(
            azurecli,
            Case {
                flags: overrides,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "azurecli",
            "--server-id",
            S,
            "--tenant-id",
            "t2",
            "--subscription",
            "sub2"
        ])
    );
}

#[test]
fn azurecli_to_devicecode_needs_and_takes_flags() {
    let azurecli = exec(
        "kubelogin",
        &["get-token", "--login", "azurecli", "--server-id", S],
        None,
    );
    let flags = TokenFlags {
        client_id: Some(C.into()),
        tenant_id: Some(T.into()),
        ..login("devicecode")
    };
    assert_eq!(
        convert_one(
            azurecli.clone(),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "devicecode",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T
        ])
    );
    let mut files = vec![kubeconfig(azurecli, devicecode_exec(&[]))];
    let err = run(
        &mut files,
        Case {
            flags: login("devicecode"),
            context: Some("aks1"),
            ..Case::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        err,
        ConvertError::Missing {
            user: "aks1".into(),
            flag: "--client-id",
            login: LoginMode::DeviceCode
        }
    );
    assert!(err.to_string().contains("pass --client-id"));
}

#[test]
fn devicecode_legacy_is_kept_and_can_be_cleared() {
    let legacy_exec = devicecode_exec(&["--legacy"]);
    assert_eq!(
        convert_one(legacy_exec.clone(), Case::default()),
        v(&[
            "get-token",
            "--login",
            "devicecode",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--legacy"
        ])
    );
    let clear = TokenFlags {
        legacy: Some(false),
        ..TokenFlags::default()
    };
    assert_eq!(
        convert_one(
            legacy_exec,
            Case {
                flags: clear,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "devicecode",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud"
        ])
    );
}

#[test]
fn devicecode_to_spn_with_legacy_and_flag_overrides() {
    let flags = TokenFlags {
        client_id: Some("sp".into()),
        legacy: Some(true),
        ..login("spn")
    };
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            "sp",
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--legacy"
        ])
    );
    let env_flag = TokenFlags {
        environment: Some("AzureChinaCloud".into()),
        ..login("spn")
    };
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                flags: env_flag,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzureChinaCloud"
        ])
    );
}

#[test]
fn spn_propagates_disable_environment_override() {
    let flags = TokenFlags {
        client_secret: Some("x".into()),
        disable_environment_override: Some(true),
        ..login("spn")
    };
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--client-secret",
            "x",
            "--disable-environment-override"
        ])
    );
}

#[test]
fn msi_gets_disable_environment_override_too() {
    let flags = TokenFlags {
        disable_environment_override: Some(true),
        ..login("msi")
    };
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "msi",
            "--server-id",
            S,
            "--disable-environment-override"
        ])
    );
}

#[test]
fn devicecode_to_ropc_variants() {
    let flags = TokenFlags {
        legacy: Some(true),
        username: Some("u".into()),
        password: Some("p".into()),
        ..login("ropc")
    };
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "ropc",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--username",
            "u",
            "--password",
            "p",
            "--legacy"
        ])
    );
}

#[test]
fn devicecode_to_interactive_variants() {
    let flags = TokenFlags {
        redirect_url: Some("http://localhost:8400".into()),
        login_hint: Some("a@contoso.com".into()),
        ..login("interactive")
    };
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "interactive",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--redirect-url",
            "http://localhost:8400",
            "--login-hint",
            "a@contoso.com"
        ])
    );
    let no_env = exec(
        "kubelogin",
        &[
            "get-token",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
        ],
        None,
    );
    assert_eq!(
        convert_one(
            no_env,
            Case {
                flags: login("interactive"),
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "interactive",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T
        ])
    );
}

#[test]
fn existing_login_and_its_arguments_survive_reconversion() {
    let spn = exec(
        "/usr/local/bin/kubelogin",
        &[
            "get-token",
            "-l",
            "spn",
            "--server-id",
            S,
            "--client-id",
            "sp",
            "-t",
            T,
            "--client-certificate",
            "/c.pem",
        ],
        None,
    );
    assert_eq!(
        convert_one(spn, Case::default()),
        v(&[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            "sp",
            "--tenant-id",
            T,
            "--client-certificate",
            "/c.pem"
        ])
    );
}

#[test]
fn aad_login_method_counts_as_given() {
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                env: &[("AAD_LOGIN_METHOD", "azd")],
                ..Case::default()
            }
        ),
        v(&["get-token", "--login", "azd", "--server-id", S])
    );
}

#[test]
fn recognises_kubelogin_anywhere_and_our_own_entries() {
    for command in [
        "kubelogin",
        "/opt/bin/kubelogin",
        "C:\\tools\\kubelogin.exe",
        "KUBELOGIN",
        "kubectl-aad",
        "/home/u/.krew/bin/kubectl-aad",
        "kubectl-aad.exe",
    ] {
        let args = convert_one(
            exec(
                command,
                &[
                    "get-token",
                    "--server-id",
                    S,
                    "--client-id",
                    C,
                    "--tenant-id",
                    T,
                ],
                None,
            ),
            Case::default(),
        );
        assert_eq!(
            args[..3],
            v(&["get-token", "--login", "devicecode"]),
            "{command}"
        );
    }
}

#[test]
fn reconverting_our_output_changes_nothing() {
    let flags = TokenFlags {
        client_secret: Some("x".into()),
        ..login("spn")
    };
    let mut files = vec![kubeconfig(
        aks_legacy(&[]),
        devicecode_exec(&["--cache-dir", "/c"]),
    )];
    run(
        &mut files,
        Case {
            flags,
            ..Case::default()
        },
    )
    .expect("first");
    let once = files.clone();
    run(&mut files, Case::default()).expect("second");
    assert_eq!(format!("{:?}", files), format!("{:?}", once));
}

#[test]
fn context_selects_one_user_and_keeps_current_context() {
    let mut files = vec![kubeconfig(aks_legacy(&[]), devicecode_exec(&[]))];
    let report = run(
        &mut files,
        Case {
            flags: login("azurecli"),
            context: Some("aks2"),
            ..Case::default()
        },
    )
    .expect("ok");
    assert_eq!(report.converted, vec![(0, "aks2".to_owned())]);
    assert!(
        user(&files[0], "aks1").auth_provider.is_some(),
        "aks1 untouched"
    );
    assert_eq!(
        args_of(&files[0], "aks2"),
        v(&["get-token", "--login", "azurecli", "--server-id", S])
    );
    assert_eq!(files[0].current_context.as_deref(), Some("aks1"));
}

#[test]
fn context_errors() {
    let mut files = vec![kubeconfig(
        aks_legacy(&[]),
        AuthInfo {
            token: Some("t".to_owned().into()),
            ..Default::default()
        },
    )];
    assert_eq!(
        run(
            &mut files,
            Case {
                context: Some("nope"),
                ..Case::default()
            }
        )
        .unwrap_err(),
        ConvertError::NoSuchContext("nope".into())
    );
    assert!(matches!(
        run(
            &mut files,
            Case {
                context: Some("aks2"),
                ..Case::default()
            }
        )
        .unwrap_err(),
        ConvertError::NotEntra { .. }
    ));
    files[0].contexts[0].context.as_mut().expect("ctx").user = None;
    assert_eq!(
        run(
            &mut files,
            Case {
                context: Some("aks1"),
                ..Case::default()
            }
        )
        .unwrap_err(),
        ConvertError::ContextWithoutUser("aks1".into())
    );
}

#[test]
fn azure_config_dir_goes_into_the_exec_env_for_azurecli_only() {
    let mut files = vec![kubeconfig(aks_legacy(&[]), devicecode_exec(&[]))];
    run(
        &mut files,
        Case {
            flags: login("azurecli"),
            azure_config_dir: Some("/home/u/.azure-ci"),
            ..Case::default()
        },
    )
    .expect("ok");
    let env = user(&files[0], "aks1")
        .exec
        .as_ref()
        .and_then(|e| e.env.clone())
        .expect("env");
    assert_eq!(
        env,
        vec![HashMap::from([
            ("name".to_owned(), "AZURE_CONFIG_DIR".to_owned()),
            ("value".to_owned(), "/home/u/.azure-ci".to_owned())
        ])]
    );
    let mut files = vec![kubeconfig(aks_legacy(&[]), devicecode_exec(&[]))];
    run(
        &mut files,
        Case {
            azure_config_dir: Some("/x"),
            ..Case::default()
        },
    )
    .expect("ok");
    assert!(
        user(&files[0], "aks1")
            .exec
            .as_ref()
            .and_then(|e| e.env.clone())
            .is_none()
    );
}

#[test]
fn pop_is_kept_for_its_three_modes() {
    let pop = |mode: &str| TokenFlags {
        pop_enabled: Some(true),
        pop_claims: Some("u=/ARM/ID".into()),
        ..login(mode)
    };
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: pop("interactive"),
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "interactive",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--pop-enabled",
            "--pop-claims",
            "u=/ARM/ID"
        ])
    );
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: pop("spn"),
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--pop-enabled",
            "--pop-claims",
            "u=/ARM/ID"
        ])
    );
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags: pop("ropc"),
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "ropc",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--pop-enabled",
            "--pop-claims",
            "u=/ARM/ID"
        ])
    );
}

#[test]
fn pop_args_are_dropped_with_a_warning_for_other_modes() {
    let azurecli_with_pop = exec(
        "kubelogin",
        &[
            "get-token",
            "--login",
            "azurecli",
            "--server-id",
            S,
            "--pop-enabled",
            "--pop-claims",
            "u=x",
        ],
        None,
    );
    let flags = TokenFlags {
        client_id: Some(C.into()),
        tenant_id: Some(T.into()),
        ..login("devicecode")
    };
    let mut files = vec![kubeconfig(azurecli_with_pop, AuthInfo::default())];
    let report = run(
        &mut files,
        Case {
            flags,
            ..Case::default()
        },
    )
    .expect("ok");
    assert_eq!(
        args_of(&files[0], "aks1"),
        v(&[
            "get-token",
            "--login",
            "devicecode",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T
        ])
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("dropped --pop-enabled")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn pop_claims_from_flags_go_to_one_cluster_only() {
    let flags = TokenFlags {
        pop_enabled: Some(true),
        pop_claims: Some("u=/cluster/one".into()),
        ..login("spn")
    };
    let other = exec(
        "kubelogin",
        &[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--pop-enabled",
            "--pop-claims",
            "u=/cluster/two",
        ],
        None,
    );
    let mut files = vec![kubeconfig(aks_legacy(&[]), other)];
    let report = run(
        &mut files,
        Case {
            flags,
            ..Case::default()
        },
    )
    .expect("ok");
    assert!(
        args_of(&files[0], "aks1").ends_with(&v(&[
            "--pop-enabled",
            "--pop-claims",
            "u=/cluster/one"
        ])),
        "current context's user gets the claim"
    );
    assert!(
        args_of(&files[0], "aks2").ends_with(&v(&[
            "--pop-enabled",
            "--pop-claims",
            "u=/cluster/two"
        ])),
        "the other cluster keeps its own claim"
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("applied to user \"aks1\" only"))
    );
}

#[test]
fn pop_claims_without_a_selectable_cluster_is_an_error() {
    let flags = TokenFlags {
        pop_enabled: Some(true),
        pop_claims: Some("u=x".into()),
        ..login("spn")
    };
    let mut files = vec![kubeconfig(aks_legacy(&[]), aks_legacy(&[]))];
    files[0].current_context = None;
    assert_eq!(
        run(
            &mut files,
            Case {
                flags,
                ..Case::default()
            }
        )
        .unwrap_err(),
        ConvertError::PopNeedsContext
    );
}

#[test]
fn v1_is_written_on_request_with_interactive_mode() {
    let mut files = vec![kubeconfig(aks_legacy(&[]), devicecode_exec(&[]))];
    run(
        &mut files,
        Case {
            api: Some(ExecApiVersion::V1),
            ..Case::default()
        },
    )
    .expect("ok");
    let exec = user(&files[0], "aks1").exec.clone().expect("exec");
    assert_eq!(
        exec.api_version.as_deref(),
        Some("client.authentication.k8s.io/v1")
    );
    assert_eq!(
        exec.interactive_mode,
        Some(ExecInteractiveMode::IfAvailable)
    );
}

#[test]
fn azurepipelines_requires_a_tenant_and_writes_the_client_id_last() {
    let flags = TokenFlags {
        azure_pipelines_service_connection_id: Some("conn".into()),
        client_id: Some("app".into()),
        ..login("azurepipelines")
    };
    assert_eq!(
        convert_one(
            aks_legacy(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "azurepipelines",
            "--server-id",
            S,
            "--tenant-id",
            T,
            "--azure-pipelines-service-connection-id",
            "conn",
            "--client-id",
            "app"
        ])
    );
}

#[test]
fn a_missing_server_id_names_the_user_and_the_flag() {
    let mut files = vec![kubeconfig(
        legacy(&[("client-id", C), ("tenant-id", T)]),
        AuthInfo::default(),
    )];
    let err = run(&mut files, Case::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "user \"aks1\": --server-id is required for --login devicecode; pass --server-id <value>"
    );
}

#[test]
fn a_user_owned_by_an_earlier_file_changes_only_there() {
    let mut first = kubeconfig(aks_legacy(&[]), devicecode_exec(&[]));
    first.auth_infos.truncate(1);
    let mut second = kubeconfig(devicecode_exec(&["--legacy"]), devicecode_exec(&[]));
    second.contexts.clear();
    let mut files = vec![first, second];
    let report = run(&mut files, Case::default()).expect("ok");
    assert_eq!(
        report.converted,
        vec![(0, "aks1".to_owned()), (1, "aks2".to_owned())]
    );
    assert!(
        user(&files[1], "aks1")
            .exec
            .as_ref()
            .and_then(|e| e.command.as_deref())
            == Some("kubelogin"),
        "the shadowed copy in file 2 is not touched"
    );
}

#[test]
fn authority_host_is_carried_for_every_mode() {
    let flags = TokenFlags {
        authority_host: Some("https://login.example.test/".into()),
        client_secret: Some("x".into()),
        ..login("spn")
    };
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        v(&[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--environment",
            "AzurePublicCloud",
            "--client-secret",
            "x",
            "--authority-host",
            "https://login.example.test/"
        ])
    );
    let spn = exec(
        "kubectl-aad",
        &[
            "get-token",
            "--login",
            "spn",
            "--server-id",
            S,
            "--client-id",
            C,
            "--tenant-id",
            T,
            "--authority-host",
            "https://login.example.test/",
        ],
        None,
    );
    assert!(
        convert_one(spn, Case::default())
            .ends_with(&v(&["--authority-host", "https://login.example.test/"])),
        "kept on re-conversion"
    );
}

#[test]
fn imds_endpoint_is_written_for_msi_kept_on_reconversion_and_dropped_elsewhere() {
    let flags = TokenFlags {
        client_id: Some("mi".into()),
        imds_endpoint: Some("http://127.0.0.1:8080".into()),
        ..login("msi")
    };
    let expected = v(&[
        "get-token",
        "--login",
        "msi",
        "--server-id",
        S,
        "--client-id",
        "mi",
        "--imds-endpoint",
        "http://127.0.0.1:8080",
    ]);
    assert_eq!(
        convert_one(
            devicecode_exec(&[]),
            Case {
                flags,
                ..Case::default()
            }
        ),
        expected
    );
    let msi = exec(
        "kubectl-aad",
        &expected.iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    );
    assert_eq!(
        convert_one(msi.clone(), Case::default())
            .iter()
            .filter(|a| a.starts_with("http://127.0.0.1"))
            .count(),
        1,
        "kept when the mode stays msi"
    );
    let to_azurecli = convert_one(
        msi,
        Case {
            flags: login("azurecli"),
            ..Case::default()
        },
    );
    assert!(
        !to_azurecli.iter().any(|a| a == "--imds-endpoint"),
        "{to_azurecli:?}"
    );
}
