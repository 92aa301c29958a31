//! The command-line surface: clap types only, no I/O and no environment look-ups.
//!
//! Flag names, short forms and defaults follow Azure/kubelogin's `get-token` and
//! `convert-kubeconfig`, so a kubeconfig written for kubelogin runs unchanged. Every flag is an
//! `Option` so that `settings` can tell "given on the command line" from "not given": kubelogin's
//! converter and its environment precedence both depend on that difference. Environment
//! variables are applied in `settings`, not through clap, because kubelogin lets them override
//! flags (the opposite of clap's order).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use kubectl_aad_contract::LoginMode;

use crate::exec_credential::ExecApiVersion;

/// Microsoft Entra ID (Azure AD) authentication for kubectl and AKS.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-aad",
    bin_name = "kubectl-aad",
    version,
    about,
    long_about = "Microsoft Entra ID (Azure AD) authentication for kubectl and AKS.\n\n\
        `convert-kubeconfig` rewrites Entra ID users in kubeconfig into exec entries that run \
        `kubectl-aad get-token`, the client-go credential plugin. It is a drop-in for \
        Azure/kubelogin: the same subcommands, flags and environment variables.",
    propagate_version = true,
    args_override_self = true
)]
pub(crate) struct Cli {
    /// `-v` and kubelogin's `--logtostderr`.
    #[command(flatten)]
    pub log: LogFlags,

    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The log flags every command takes, before or after the subcommand (kubelogin's klog style).
#[derive(Debug, Clone, Args)]
pub(crate) struct LogFlags {
    /// Log verbosity on stderr: 1 for steps, 5 for flow details, 10 for resolved options.
    /// Secrets are never logged at any level.
    #[arg(
        short = 'v',
        long = "verbose",
        visible_alias = "v",
        global = true,
        value_name = "LEVEL",
        default_value_t = 0
    )]
    pub verbose: u8,

    /// Accepted for kubelogin compatibility; logs always go to stderr.
    #[arg(long, global = true, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    pub logtostderr: Option<bool>,
}

// `kubectl-aad get-token ...` alone, the exec-plugin call kubectl makes on every run, is parsed
// with this narrower command instead of the whole tree (three subcommands carry the full token
// flag set): the same clap definitions as `Cli`'s get-token, so it accepts exactly the same.
/// Print an ExecCredential with an Entra ID token (the kubectl exec credential plugin).
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-aad get-token",
    bin_name = "kubectl-aad get-token",
    args_override_self = true,
    disable_version_flag = true
)]
pub(crate) struct GetTokenCli {
    /// `-v` and kubelogin's `--logtostderr`.
    #[command(flatten)]
    pub log: LogFlags,

    /// The get-token arguments.
    #[command(flatten)]
    pub args: GetTokenArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print an ExecCredential with an Entra ID token (the kubectl exec credential plugin).
    GetToken(GetTokenArgs),
    /// Rewrite Entra ID users in kubeconfig into exec entries that run kubectl-aad.
    ConvertKubeconfig(ConvertArgs),
    /// Delete the token cache entries and locks that kubectl-aad wrote.
    #[command(visible_alias = "remove-cache-dir")]
    RemoveTokens(RemoveTokensArgs),
    /// List the login providers: built in, and loaded from the providers directory.
    Providers(ProvidersArgs),
    /// Show who the cached (or a fresh) token belongs to, decoded locally.
    Whoami(WhoamiArgs),
    /// Sign in now and fill the token cache (for interactive modes, and to pre-warm scripts).
    Login(WhoamiArgs),
    /// Fetch an AKS cluster's kubeconfig from Azure Resource Manager and merge it in, converted
    /// (no Azure CLI needed).
    GetCredentials(GetCredentialsArgs),
    /// List the AKS clusters of a subscription, or the subscriptions, the identity can see.
    Clusters(ClustersArgs),
    /// One row per kubeconfig context: user, login mode, cluster, cached identity and expiry
    /// (read locally, no network).
    Status(StatusArgs),
    /// Print the version and build details.
    Version,
    /// Print a shell completion script.
    Completion(CompletionArgs),
}

/// The whole command tree as `program` (what argv[0] named: `kubectl-aad`, or `kubelogin`
/// through a symlink) shows it in usage lines, with the help that differs per subcommand.
pub(crate) fn command(program: &str) -> clap::Command {
    use clap::CommandFactory;
    Cli::command()
        .name(program.to_owned())
        .bin_name(program.to_owned())
        // The ARM sign-in sets its own audience: --server-id means nothing there.
        .mut_subcommand("get-credentials", |get| {
            get.mut_arg("subscription", |s| {
                s.help("The cluster's subscription id (with -l azurecli, also passed to az)")
            })
            .mut_arg("server_id", |s| s.hide(true))
        })
        .mut_subcommand("clusters", |clusters| {
            clusters
                .mut_arg("subscription", |s| {
                    s.help("List this subscription's clusters [default: list the subscriptions]")
                })
                .mut_arg("server_id", |s| s.hide(true))
        })
        .mut_subcommand("convert-kubeconfig", |convert| {
            convert.mut_arg("login", |login| {
                login.help(
                    "Login method to write, or a mode a provider library adds [env: AAD_LOGIN_METHOD] \
                     [default: each user keeps its mode; devicecode for an azure auth-provider user]",
                )
            })
        })
}

/// get-token's own parser, as `program` shows it.
pub(crate) fn get_token_command(program: &str) -> clap::Command {
    use clap::CommandFactory;
    let command = GetTokenCli::command();
    match program {
        "kubectl-aad" => command,
        other => command.bin_name(format!("{other} get-token")),
    }
}

/// The token flags shared by `get-token`, `convert-kubeconfig`, `login` and `whoami`
/// (kubelogin's `AddFlags`, plus ours).
#[derive(Debug, Default, Clone, Args)]
pub(crate) struct TokenFlags {
    /// Login method, or a mode a provider library adds [env: AAD_LOGIN_METHOD]
    /// [default: devicecode]
    #[arg(short = 'l', long, value_name = "MODE", value_parser = LoginParser)]
    pub login: Option<LoginMode>,

    /// Entra ID server application id of the cluster (AKS: 6dae42f8-4368-4678-94ff-3960e28e3630)
    #[arg(long, value_name = "ID")]
    pub server_id: Option<String>,

    /// Entra ID client application id; for msi, a user-assigned identity's client id
    /// [env: AAD_SERVICE_PRINCIPAL_CLIENT_ID, AZURE_CLIENT_ID]
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// Service principal secret [env: AAD_SERVICE_PRINCIPAL_CLIENT_SECRET, AZURE_CLIENT_SECRET]
    #[arg(long, value_name = "SECRET")]
    pub client_secret: Option<String>,

    /// Service principal certificate: PFX/P12 (by extension) or PEM with the private key
    /// [env: AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE, AZURE_CLIENT_CERTIFICATE_PATH]
    #[arg(long, value_name = "FILE")]
    pub client_certificate: Option<String>,

    /// Password of the PFX certificate
    /// [env: AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD, AZURE_CLIENT_CERTIFICATE_PASSWORD]
    #[arg(long, value_name = "PASSWORD")]
    pub client_certificate_password: Option<String>,

    /// User name for ropc [env: AAD_USER_PRINCIPAL_NAME, AZURE_USERNAME]
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,

    /// Password for ropc [env: AAD_USER_PRINCIPAL_PASSWORD, AZURE_PASSWORD]
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,

    /// ARM resource id of a user-assigned managed identity (msi, when no client id is given)
    #[arg(long, value_name = "ID")]
    pub identity_resource_id: Option<String>,

    /// Federated token file for workloadidentity [env: AZURE_FEDERATED_TOKEN_FILE]
    #[arg(long, value_name = "FILE")]
    pub federated_token_file: Option<String>,

    /// Authority host with a trailing slash; replaces the cloud's for every mode
    /// [env: AZURE_AUTHORITY_HOST, workloadidentity only]
    #[arg(long, value_name = "URL")]
    pub authority_host: Option<String>,

    /// Managed-identity endpoint for msi, instead of IMDS at http://169.254.169.254
    /// [env: AZURE_POD_IDENTITY_AUTHORITY_HOST]
    #[arg(long, value_name = "URL")]
    pub imds_endpoint: Option<String>,

    /// Azure Pipelines service connection id [env: AZURESUBSCRIPTION_SERVICE_CONNECTION_ID]
    #[arg(long, value_name = "ID")]
    pub azure_pipelines_service_connection_id: Option<String>,

    /// Token cache directory [env: KUBECACHEDIR] [default: ~/.kube/cache/kubelogin]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<String>,

    /// Deprecated: use --cache-dir
    #[arg(long, value_name = "DIR", hide = true)]
    pub token_cache_dir: Option<String>,

    /// How cached tokens are kept: auto (sealed with a key the OS keeps when it has a store,
    /// else 0600 files), keyring (sealed, or fail), file (0600 files), none (memory only)
    /// [env: KUBECTL_AAD_TOKEN_CACHE_STORAGE] [default: auto]
    #[arg(long, value_name = "STORAGE", value_parser = storage_values())]
    pub token_cache_storage: Option<String>,

    /// Entra ID tenant id or domain [env: AZURE_TENANT_ID]
    #[arg(short = 't', long, value_name = "ID")]
    pub tenant_id: Option<String>,

    /// Azure subscription id or name passed to `az` (azurecli)
    #[arg(short = 's', long, value_name = "ID")]
    pub subscription: Option<String>,

    /// Azure cloud: AzurePublicCloud, AzureUSGovernmentCloud or AzureChinaCloud
    /// [default: AzurePublicCloud]
    #[arg(short = 'e', long, value_name = "NAME")]
    pub environment: Option<String>,

    /// Use the ADAL v1 endpoints and the `spn:` audience (legacy AAD clusters);
    /// `--legacy=false` clears it in convert-kubeconfig
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", value_parser = parse_bool)]
    pub legacy: Option<bool>,

    /// Read service principal variables from Terraform's ARM_* names
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", value_parser = parse_bool)]
    pub use_azurerm_env_vars: Option<bool>,

    /// Request proof-of-possession tokens (interactive, spn, ropc); needs --pop-claims
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", value_parser = parse_bool)]
    pub pop_enabled: Option<bool>,

    /// PoP claims as key=value pairs separated by commas; u=<ARM id of the cluster> is required
    #[arg(long, value_name = "CLAIMS")]
    pub pop_claims: Option<String>,

    /// Bound on each network call and on `az`/`azd` [env: AZURE_CLI_TIMEOUT] [default: 60s]
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<Timeout>,

    /// Ignore every environment variable that would override a flag
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", value_parser = parse_bool)]
    pub disable_environment_override: Option<bool>,

    /// Accepted for kubelogin compatibility. kubectl-aad never does instance discovery: it
    /// talks only to the authority host it was given (ADFS: --tenant-id adfs)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", value_parser = parse_bool)]
    pub disable_instance_discovery: Option<bool>,

    /// Loopback redirect URL for interactive login (default: a free port on 127.0.0.1)
    #[arg(long, value_name = "URL")]
    pub redirect_url: Option<String>,

    /// The user to sign in as (devicecode, interactive): that user's own cache entry, pre-filled
    /// on the browser page; a sign-in as anyone else is refused
    #[arg(long, value_name = "UPN")]
    pub login_hint: Option<String>,

    /// Command that opens the sign-in URL for interactive login [env: BROWSER]
    /// [default: the system's browser]
    #[arg(long, value_name = "COMMAND")]
    pub browser_command: Option<String>,

    /// A setting for a login mode that a provider library adds (repeatable)
    #[arg(long = "provider-option", value_name = "KEY=VALUE", value_parser = parse_provider_option)]
    pub provider_options: Vec<(String, String)>,

    /// Directory of run-time provider libraries [env: KUBECTL_AAD_PROVIDERS_DIR]
    #[arg(long, value_name = "DIR")]
    pub providers_dir: Option<PathBuf>,

    /// Let a provider library replace the built-in provider of the same login mode
    #[arg(long)]
    pub allow_provider_override: bool,
}

/// `--login`: a built-in mode, or a well-formed name a provider library may declare. The
/// built-in modes are its possible values (help and completion), read from their descriptors
/// only when help or completion asks, never on a get-token run.
#[derive(Debug, Clone, Copy)]
struct LoginParser;

impl clap::builder::TypedValueParser for LoginParser {
    type Value = LoginMode;

    fn parse_ref(
        &self,
        _: &clap::Command,
        _: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<LoginMode, clap::Error> {
        let text = value.to_string_lossy();
        LoginMode::parse(&text).map_err(|err| {
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, err.to_string())
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(LoginMode::BUILT_IN.iter().filter_map(|mode| {
            let descriptor: &'static kubectl_aad_contract::ModeDescriptor = mode.descriptor()?;
            Some(
                clap::builder::PossibleValue::new(descriptor.name.as_ref())
                    .help(descriptor.summary.as_ref()),
            )
        })))
    }
}

/// A `--timeout` value: the duration, and the text it was written as (convert writes it back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Timeout {
    /// The duration, positive.
    pub duration: std::time::Duration,
    /// As written, e.g. `90s`.
    pub text: String,
}

/// A Go-style positive duration (`60s`, `1m30s`, `500ms`), as `--timeout` and `AZURE_CLI_TIMEOUT`.
pub(crate) fn parse_timeout(text: &str) -> Result<Timeout, String> {
    crate::settings::parse_duration(text)
        .map(|duration| Timeout {
            duration,
            text: text.trim().to_owned(),
        })
        .ok_or_else(|| {
            format!(
                "--timeout {text:?} is not a positive duration of at most 24h; use e.g. 60s or 2m"
            )
        })
}

/// A boolean the way Go's pflag spells it: `1 t T TRUE true True 0 f F FALSE false False`.
pub(crate) fn parse_bool(text: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "{text:?} is not a boolean; use true or false (1, t, T, TRUE, True and their opposites also work)"
        )),
    }
}

fn parse_provider_option(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!("--provider-option {text:?} must be KEY=VALUE")),
    }
}

/// `--exec-api-version`: `v1`, `v1beta1`, or the full apiVersion.
fn parse_exec_api_version(text: &str) -> Result<ExecApiVersion, String> {
    match text {
        "v1" => Ok(ExecApiVersion::V1),
        "v1beta1" => Ok(ExecApiVersion::V1Beta1),
        full => ExecApiVersion::parse(full)
            .ok_or_else(|| format!("{full:?} is not an exec apiVersion; use v1 or v1beta1")),
    }
}

/// `get-token`.
#[derive(Debug, Args)]
pub(crate) struct GetTokenArgs {
    /// The kubelogin-compatible token flags.
    #[command(flatten)]
    pub token: TokenFlags,

    /// Ignore a cached access token and get a new one (a refresh token is still used)
    #[arg(long)]
    pub force_refresh: bool,
}

/// `convert-kubeconfig`.
#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    /// The kubelogin-compatible token flags.
    #[command(flatten)]
    pub token: TokenFlags,

    /// Kubeconfig file to convert (default: the KUBECONFIG list, else ~/.kube/config)
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Convert only the user of this context
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// AZURE_CONFIG_DIR written into the exec environment (azurecli)
    #[arg(long, value_name = "DIR")]
    pub azure_config_dir: Option<String>,

    /// Exec apiVersion to write: v1 or v1beta1 (default: keep the existing one, else v1beta1)
    #[arg(long, value_name = "VERSION", value_parser = parse_exec_api_version)]
    pub exec_api_version: Option<ExecApiVersion>,

    /// Command written into the exec entry (default: the name this was run as — kubectl-aad,
    /// or kubelogin through a symlink of that name)
    #[arg(long, value_name = "PATH")]
    pub exec_command: Option<String>,

    /// Print a unified diff of the changes and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not keep a backup copy of each changed file
    #[arg(long)]
    pub no_backup: bool,
}

/// `remove-tokens` / `remove-cache-dir`.
#[derive(Debug, Args)]
pub(crate) struct RemoveTokensArgs {
    /// Token cache directory [env: KUBECACHEDIR] [default: ~/.kube/cache/kubelogin]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<String>,

    /// Deprecated: use --cache-dir
    #[arg(long, value_name = "DIR", hide = true)]
    pub token_cache_dir: Option<String>,
}

/// `providers`.
#[derive(Debug, Args)]
pub(crate) struct ProvidersArgs {
    /// Directory of run-time provider libraries [env: KUBECTL_AAD_PROVIDERS_DIR]
    #[arg(long, value_name = "DIR")]
    pub providers_dir: Option<PathBuf>,
}

/// `whoami` and `login`: get-token flags, or a kubeconfig context whose exec entry has them.
#[derive(Debug, Args)]
pub(crate) struct WhoamiArgs {
    /// The kubelogin-compatible token flags (ignored when --context is given).
    #[command(flatten)]
    pub token: TokenFlags,

    /// Read the get-token arguments from this context's user in kubeconfig
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// Kubeconfig file (default: the KUBECONFIG list, else ~/.kube/config)
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
}

/// `--token-cache-storage`'s values; int128/kubelogin's `disk` is accepted for `file`.
fn storage_values() -> clap::builder::PossibleValuesParser {
    use clap::builder::PossibleValue;
    clap::builder::PossibleValuesParser::new(crate::token_cache::Storage::NAMES.map(|name| {
        match name {
            "file" => PossibleValue::new(name).alias("disk"),
            _ => PossibleValue::new(name),
        }
    }))
}

/// `get-credentials`.
#[derive(Debug, Args)]
pub(crate) struct GetCredentialsArgs {
    /// The token flags: how to sign in to Azure (and the mode the new user is converted to);
    /// `-s/--subscription` is the cluster's subscription.
    #[command(flatten)]
    pub token: TokenFlags,

    /// The cluster's resource group
    #[arg(short = 'g', long, value_name = "GROUP")]
    pub resource_group: Option<String>,

    /// The cluster's name
    #[arg(short = 'n', long, value_name = "NAME")]
    pub name: Option<String>,

    /// The cluster's resource id, instead of --subscription, --resource-group and --name
    #[arg(long, value_name = "ID", conflicts_with_all = ["resource_group", "name"])]
    pub id: Option<String>,

    /// Get the cluster admin credential (local accounts) instead of an Entra ID user
    #[arg(long)]
    pub admin: bool,

    /// Kubeconfig file to merge into [default: the first KUBECONFIG file, else ~/.kube/config]
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Name of the new context (and of its cluster entry) [default: the cluster's name]
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// Replace entries of the same name that hold something else
    #[arg(long)]
    pub overwrite_existing: bool,

    /// Azure Resource Manager endpoint, https (Azure Stack Hub, tests)
    /// [default: the --environment cloud's]
    #[arg(long, value_name = "URL")]
    pub arm_endpoint: Option<String>,

    /// Print the change as a diff and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not keep a backup of the kubeconfig file
    #[arg(long)]
    pub no_backup: bool,

    /// Command written into the new exec entry [default: the name this binary was run as]
    #[arg(long, value_name = "PATH")]
    pub exec_command: Option<String>,
}

/// `clusters`.
#[derive(Debug, Args)]
pub(crate) struct ClustersArgs {
    /// The token flags: how to sign in to Azure; with `-s/--subscription`, that subscription's
    /// clusters are listed, else the subscriptions.
    #[command(flatten)]
    pub token: TokenFlags,

    /// Azure Resource Manager endpoint, https [default: the --environment cloud's]
    #[arg(long, value_name = "URL")]
    pub arm_endpoint: Option<String>,

    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// `status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Kubeconfig file (default: the KUBECONFIG list, else ~/.kube/config)
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// `-o`: a table for people, JSON for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned columns.
    Table,
    /// One JSON document.
    Json,
}

/// `completion`.
#[derive(Debug, Args)]
pub(crate) struct CompletionArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,

    /// Leave out the descriptions beside candidates (zsh, fish)
    #[arg(long)]
    pub no_descriptions: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("kubectl-aad").chain(args.iter().copied()))
            .expect("parses")
    }

    #[test]
    fn definition_is_consistent() {
        command("kubectl-aad").debug_assert();
    }

    #[test]
    fn parses_an_az_aks_get_credentials_stanza() {
        let cli = parse(&[
            "get-token",
            "--environment",
            "AzurePublicCloud",
            "--server-id",
            "6dae42f8-4368-4678-94ff-3960e28e3630",
            "--client-id",
            "80faf920-1908-4b52-b5ef-a8e7bedfc67a",
            "--tenant-id",
            "t",
            "--login",
            "devicecode",
        ]);
        let Command::GetToken(args) = cli.command else {
            panic!("not get-token")
        };
        assert_eq!(args.token.login, Some(LoginMode::DeviceCode));
        assert_eq!(args.token.environment.as_deref(), Some("AzurePublicCloud"));
        assert_eq!(args.token.tenant_id.as_deref(), Some("t"));
    }

    #[test]
    fn accepts_short_forms_and_kubelogin_verbosity_before_the_subcommand() {
        let cli = parse(&[
            "-v",
            "5",
            "get-token",
            "-l",
            "spn",
            "-t",
            "x",
            "-e",
            "AzureChinaCloud",
            "-s",
            "sub",
        ]);
        assert_eq!(cli.log.verbose, 5);
        let Command::GetToken(args) = cli.command else {
            panic!("not get-token")
        };
        assert_eq!(args.token.login, Some(LoginMode::Spn));
        assert_eq!(args.token.subscription.as_deref(), Some("sub"));
    }

    #[test]
    fn bool_flags_take_an_optional_value() {
        let cli = parse(&[
            "convert-kubeconfig",
            "--legacy=false",
            "--pop-enabled",
            "--disable-environment-override=true",
        ]);
        let Command::ConvertKubeconfig(args) = cli.command else {
            panic!("not convert")
        };
        assert_eq!(args.token.legacy, Some(false));
        assert_eq!(args.token.pop_enabled, Some(true));
        assert_eq!(args.token.disable_environment_override, Some(true));
        assert_eq!(args.token.use_azurerm_env_vars, None);
    }

    #[test]
    fn remove_cache_dir_is_an_alias_and_token_cache_dir_still_parses() {
        let cli = parse(&["remove-cache-dir", "--token-cache-dir", "/x"]);
        let Command::RemoveTokens(args) = cli.command else {
            panic!("not remove-tokens")
        };
        assert_eq!(args.token_cache_dir.as_deref(), Some("/x"));
    }

    #[test]
    fn the_narrow_get_token_parser_accepts_the_same_flags() {
        let argv = [
            "get-token",
            "-v",
            "5",
            "-l",
            "spn",
            "--server-id",
            "s",
            "--force-refresh",
            "--legacy",
            "-t",
            "x",
            "-t",
            "y",
        ];
        let narrow = GetTokenCli::try_parse_from(argv).expect("narrow parse");
        let Command::GetToken(full) = parse(&argv).command else {
            panic!("not get-token")
        };
        assert_eq!(narrow.log.verbose, 5);
        assert_eq!(format!("{:?}", narrow.args), format!("{full:?}"));
        assert_eq!(
            narrow.args.token.tenant_id.as_deref(),
            Some("y"),
            "the last repeated flag wins, as in kubelogin"
        );
    }

    #[test]
    fn bool_flags_take_pflag_spellings() {
        for (word, value) in [
            ("1", true),
            ("t", true),
            ("T", true),
            ("TRUE", true),
            ("true", true),
            ("True", true),
            ("0", false),
            ("f", false),
            ("F", false),
            ("FALSE", false),
            ("false", false),
            ("False", false),
        ] {
            let cli = parse(&[
                "get-token",
                &format!("--legacy={word}"),
                &format!("--pop-enabled={word}"),
            ]);
            let Command::GetToken(args) = cli.command else {
                panic!("not get-token")
            };
            assert_eq!(
                (args.token.legacy, args.token.pop_enabled),
                (Some(value), Some(value)),
                "{word}"
            );
        }
        let err = Cli::try_parse_from(["kubectl-aad", "get-token", "--legacy=yes"])
            .expect_err("not a bool");
        assert!(err.to_string().contains("is not a boolean"), "{err}");
    }

    #[test]
    fn logtostderr_is_accepted_and_ignored() {
        let cli = parse(&["get-token", "--logtostderr", "--server-id", "x"]);
        assert_eq!(cli.log.logtostderr, Some(true));
    }
}
