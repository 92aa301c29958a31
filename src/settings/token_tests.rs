//! kubelogin's precedence, as a table: a get-token command line and an environment in, one
//! resolved value out.

use clap::Parser as _;
use kubectl_aad_contract::{Input, LoginMode};

use super::*;
use crate::cli::GetTokenCli;
use crate::env::{Env, EnvVars};

fn resolve(flags: &str, vars: &[(&str, &str)]) -> Result<TokenSettings, SettingsError> {
    let argv = std::iter::once("get-token").chain(flags.split_whitespace());
    let cli = GetTokenCli::try_parse_from(argv).expect("flags parse");
    let mut vars: Vec<(&str, &str)> = vars.to_vec();
    vars.push(("HOME", "/home/u"));
    let env = Env::for_test(
        vars.into_iter().collect::<EnvVars>(),
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    );
    TokenSettings::resolve(&cli.args.token, &env)
}

const SP: &str = "--client-id flag-client --client-secret flag-secret --tenant-id flag-tenant";

type Vars = &'static [(&'static str, &'static str)];

/// (command line, environment, input, expected value).
type Row = (&'static str, Vars, Input, Option<&'static str>);

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // Defaults.
    ("", &[], Input::Login, Some("devicecode")),
    ("", &[], Input::AuthorityHost, Some("https://login.microsoftonline.com/")),
    ("", &[], Input::CacheDir, Some("/home/u/.kube/cache/kubelogin")),
    ("", &[], Input::Legacy, None),
    // AZURE_ wins over AAD_ and over the flag.
    (SP, &[("AAD_SERVICE_PRINCIPAL_CLIENT_ID", "aad"), ("AZURE_CLIENT_ID", "azure")], Input::ClientId, Some("azure")),
    (SP, &[("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", "aad-secret")], Input::ClientSecret, Some("aad-secret")),
    (SP, &[("AZURE_TENANT_ID", "azure-t")], Input::TenantId, Some("azure-t")),
    (SP, &[("AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE", "env")], Input::ClientCertificate, Some("env")),
    (SP, &[("AZURE_CLIENT_CERTIFICATE_PATH", "env")], Input::ClientCertificate, Some("env")),
    (SP, &[("AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD", "env")], Input::ClientCertificatePassword, Some("env")),
    (SP, &[("AZURE_CLIENT_CERTIFICATE_PASSWORD", "env")], Input::ClientCertificatePassword, Some("env")),
    (SP, &[("AZURE_CLIENT_SECRET", "env")], Input::ClientSecret, Some("env")),
    (SP, &[("AAD_USER_PRINCIPAL_NAME", "env")], Input::Username, Some("env")),
    (SP, &[("AZURE_USERNAME", "env")], Input::Username, Some("env")),
    (SP, &[("AAD_USER_PRINCIPAL_PASSWORD", "env")], Input::Password, Some("env")),
    (SP, &[("AZURE_PASSWORD", "env")], Input::Password, Some("env")),
    // ARM_* only with --use-azurerm-env-vars, and then instead of the AZURE_* set.
    (SP, &[("ARM_CLIENT_ID", "arm"), ("AZURE_CLIENT_ID", "azure")], Input::ClientId, Some("azure")),
    ("--use-azurerm-env-vars --client-id f", &[("ARM_CLIENT_ID", "arm"), ("AZURE_CLIENT_ID", "azure")], Input::ClientId, Some("arm")),
    ("--use-azurerm-env-vars", &[("ARM_TENANT_ID", "arm-t"), ("AZURE_TENANT_ID", "azure-t")], Input::TenantId, Some("arm-t")),
    ("--use-azurerm-env-vars", &[("ARM_CLIENT_SECRET", "arm-s")], Input::ClientSecret, Some("arm-s")),
    ("--use-azurerm-env-vars", &[("ARM_CLIENT_CERTIFICATE_PATH", "arm.pem")], Input::ClientCertificate, Some("arm.pem")),
    ("--use-azurerm-env-vars", &[("ARM_CLIENT_CERTIFICATE_PASSWORD", "arm-pw")], Input::ClientCertificatePassword, Some("arm-pw")),
    // --disable-environment-override ignores every variable (kubelogin's #594).
    ("-l msi --disable-environment-override", &[("AZURE_CLIENT_ID", "stray")], Input::ClientId, None),
    ("-l msi --disable-environment-override", &[("AAD_LOGIN_METHOD", "spn")], Input::Login, Some("msi")),
    ("--disable-environment-override", &[("AZURE_CLI_TIMEOUT", "5s")], Input::Timeout, None),
    // Set but empty counts as unset.
    (SP, &[("AZURE_CLIENT_ID", "")], Input::ClientId, Some("flag-client")),
    (SP, &[("AZURE_TENANT_ID", "")], Input::TenantId, Some("flag-tenant")),
    (SP, &[("AAD_LOGIN_METHOD", "")], Input::Login, Some("devicecode")),
    // AAD_LOGIN_METHOD overrides --login.
    ("-l devicecode", &[("AAD_LOGIN_METHOD", "azurecli")], Input::Login, Some("azurecli")),
    // The workload identity webhook's variables, for that mode only.
    ("", &[("AAD_LOGIN_METHOD", "workloadidentity"), ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token")], Input::FederatedTokenFile, Some("/var/run/token")),
    ("", &[("AAD_LOGIN_METHOD", "workloadidentity"), ("AZURE_AUTHORITY_HOST", "https://login.example.test/")], Input::AuthorityHost, Some("https://login.example.test/")),
    ("-l spn", &[("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token")], Input::FederatedTokenFile, None),
    ("-l spn", &[("AZURE_AUTHORITY_HOST", "https://login.example.test/")], Input::AuthorityHost, Some("https://login.microsoftonline.com/")),
    // --imds-endpoint (ours) wins over AZURE_POD_IDENTITY_AUTHORITY_HOST.
    ("", &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:2579")], Input::ImdsEndpoint, Some("http://127.0.0.1:2579")),
    ("--imds-endpoint http://127.0.0.1:9000", &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:2579")], Input::ImdsEndpoint, Some("http://127.0.0.1:9000")),
    // AZURESUBSCRIPTION_* only fill what is still empty, for azurepipelines.
    ("-l azurepipelines --tenant-id flag-tenant", &[("AZURESUBSCRIPTION_TENANT_ID", "sub-tenant")], Input::TenantId, Some("flag-tenant")),
    ("-l azurepipelines", &[("AZURESUBSCRIPTION_CLIENT_ID", "sub-client")], Input::ClientId, Some("sub-client")),
    ("-l azurepipelines", &[("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "conn")], Input::ServiceConnectionId, Some("conn")),
    ("-l spn", &[("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "conn")], Input::ServiceConnectionId, None),
    // AZURE_CLI_TIMEOUT applies when it parses.
    ("", &[("AZURE_CLI_TIMEOUT", "90s")], Input::Timeout, Some("90s")),
    ("", &[("AZURE_CLI_TIMEOUT", "soon")], Input::Timeout, None),
    // Clouds, case-insensitively.
    ("-e azurecloud", &[], Input::AuthorityHost, Some("https://login.microsoftonline.com/")),
    ("-e AzureUSGovernment", &[], Input::AuthorityHost, Some("https://login.microsoftonline.us/")),
    ("-e AZURECHINACLOUD", &[], Input::AuthorityHost, Some("https://login.chinacloudapi.cn/")),
    ("--pop-enabled --pop-claims u=x", &[], Input::PopClaims, Some("u=x")),
    ("--legacy=T", &[], Input::Legacy, Some("true")),
    ("--cache-dir ~/c", &[], Input::CacheDir, Some("/home/u/c")),
    ("--tenant-id 72f988bf-86f1-41af-91ab-2d7cd011db47", &[], Input::TenantId, Some("72f988bf-86f1-41af-91ab-2d7cd011db47")),
    ("--tenant-id contoso.onmicrosoft.com", &[], Input::TenantId, Some("contoso.onmicrosoft.com")),
    ("--tenant-id organizations", &[], Input::TenantId, Some("organizations")),
    ("--imds-endpoint http://127.0.0.1:9/", &[], Input::ImdsEndpoint, Some("http://127.0.0.1:9/")),
];

#[test]
fn every_row_resolves_to_its_value() {
    for (flags, env, input, want) in ROWS {
        let settings = resolve(flags, env).unwrap_or_else(|err| panic!("{flags} {env:?}: {err}"));
        assert_eq!(
            settings.value(*input).as_deref(),
            *want,
            "{flags} {env:?} → {input:?}"
        );
    }
}

#[rustfmt::skip]
const ERRORS: &[(&str, Vars, &str)] = &[
    ("-l magic", &[], "'magic' is not a supported login method"),
    ("", &[("AAD_LOGIN_METHOD", "Bad Mode")], "'Bad Mode' is not a supported login method"),
    ("-e AzureGermanCloud", &[], "was retired"),
    ("-e AzureMarsCloud", &[], "AzureChinaCloud"),
    ("--authority-host https://login.microsoftonline.com", &[], "trailing slash"),
    ("", &[("AAD_LOGIN_METHOD", "workloadidentity"), ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com")], "trailing slash"),
    ("--pop-enabled", &[], "--pop-claims is required"),
    ("--pop-claims u=x", &[], "--pop-enabled is required"),
    ("", &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", "169.254.169.254")], "must be an http:// or https:// URL"),
    ("--authority-host http://127.0.0.1:9/", &[], "is not https; secrets and grants are only sent to https authorities"),
    ("", &[("AAD_LOGIN_METHOD", "workloadidentity"), ("AZURE_AUTHORITY_HOST", "http://login.example.test/")], "is not https"),
    ("--tenant-id t/../evil", &[], "is not a tenant"),
    ("--tenant-id t?x=1", &[], "is not a tenant"),
    ("--tenant-id t#x", &[], "is not a tenant"),
    ("--tenant-id ..", &[], "is not a tenant"),
    ("", &[("AZURE_CLI_TIMEOUT", "9999999h")], "at most 24h"),
];

#[test]
fn invalid_settings_name_the_fix() {
    for (flags, env, needle) in ERRORS {
        let Err(err) = resolve(flags, env) else {
            panic!("{flags} {env:?} should fail")
        };
        assert!(err.to_string().contains(needle), "{flags} {env:?}: {err}");
    }
}

#[test]
fn overrides_are_recorded_and_given_is_what_the_user_set() {
    let settings = resolve(
        SP,
        &[("AZURE_CLIENT_ID", "azure"), ("AAD_LOGIN_METHOD", "spn")],
    )
    .expect("valid");
    let described: Vec<String> = settings.overrides.iter().map(|a| a.describe()).collect();
    assert_eq!(
        described,
        [
            "AZURE_CLIENT_ID overrides --client-id",
            "AAD_LOGIN_METHOD overrides --login"
        ]
    );
    assert!(
        settings.given.contains(Input::Login),
        "AAD_LOGIN_METHOD counts as given"
    );
    assert!(settings.given.contains(Input::ClientSecret));
    assert!(!settings.given.contains(Input::Username));
    assert_eq!(settings.login(), &LoginMode::Spn);
    let quiet = resolve(
        "-l msi --disable-environment-override",
        &[("AZURE_CLIENT_ID", "stray")],
    )
    .expect("valid");
    assert!(quiet.overrides.is_empty());
    assert_eq!(quiet.request.timeout_secs, DEFAULT_TIMEOUT.as_secs());
}

#[test]
fn a_library_mode_needs_its_library_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let with_dir = format!("-l tokenfile --providers-dir {}", dir.path().display());
    let err = resolve(&with_dir, &[])
        .map(|_| ())
        .expect_err("no library yet");
    assert!(
        err.to_string().contains("no provider library for it in"),
        "{err}"
    );
    let file = dir.path().join(format!(
        "libkubectl_aad_tokenfile.{}",
        std::env::consts::DLL_EXTENSION
    ));
    std::fs::write(file, "").expect("library file");
    let settings = resolve(&with_dir, &[]).expect("found by name, not loaded");
    assert_eq!(settings.login(), &LoginMode::Library("tokenfile".into()));
}
