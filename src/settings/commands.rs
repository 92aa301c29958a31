//! One `XxxSettings::resolve(args, &Env)` per subcommand: what the command runs with, resolved
//! before it starts. `lib.rs` calls these, then hands the result to `commands::xxx`.

use std::path::PathBuf;

use super::{TokenSettings, resolve_cache_dir};
use crate::argv;
use crate::cli::{ConvertArgs, GetTokenArgs, ProvidersArgs, RemoveTokensArgs, WhoamiArgs};
use crate::env::Env;
use crate::exec_credential::{self, ExecApiVersion, ExecInfo};
use crate::kubeconfig;

/// `get-token`.
pub(crate) struct GetTokenSettings {
    /// The token settings.
    pub(crate) token: TokenSettings,
    /// What `KUBERNETES_EXEC_INFO` said.
    pub(crate) exec_info: ExecInfo,
    /// Ignore a cached access token.
    pub(crate) force_refresh: bool,
    /// Whether the provider may prompt or open a browser.
    pub(crate) interactive: bool,
}

impl GetTokenSettings {
    /// Exec info first (a version we cannot answer in is the first thing to say), then flags.
    pub(crate) fn resolve(args: &GetTokenArgs, env: &Env) -> anyhow::Result<GetTokenSettings> {
        let exec_info =
            exec_credential::parse_exec_info(env.vars.get("KUBERNETES_EXEC_INFO").as_deref())?;
        let token = TokenSettings::resolve(&args.token, env)?;
        token.require_server_id()?;
        // A prompt is possible only when kubectl says so (or nobody asked, in a manual run) and
        // stdin really is a terminal: other clients compute `spec.interactive` loosely.
        let interactive = exec_info.interactive.unwrap_or(true) && env.stdin_is_terminal;
        Ok(GetTokenSettings {
            token,
            exec_info,
            force_refresh: args.force_refresh,
            interactive,
        })
    }
}

/// `convert-kubeconfig`.
pub(crate) struct ConvertSettings {
    /// The token settings (values given on the command line are written).
    pub(crate) token: TokenSettings,
    /// The files to convert, in KUBECONFIG order.
    pub(crate) paths: Vec<PathBuf>,
    /// `--context`.
    pub(crate) context: Option<String>,
    /// `--azure-config-dir`.
    pub(crate) azure_config_dir: Option<String>,
    /// `--exec-api-version`.
    pub(crate) exec_api_version: Option<ExecApiVersion>,
    /// The command written into entries.
    pub(crate) exec_command: String,
    /// Print a diff and write nothing.
    pub(crate) dry_run: bool,
    /// Keep no backup.
    pub(crate) no_backup: bool,
}

impl ConvertSettings {
    /// Flags first (a bad flag is reported before any file is looked at), then the file list.
    pub(crate) fn resolve(args: &ConvertArgs, env: &Env) -> anyhow::Result<ConvertSettings> {
        let token = TokenSettings::resolve(&args.token, env)?;
        let paths = kubeconfig::paths(args.kubeconfig.as_deref(), &env.vars, env.home.as_deref())?;
        Ok(ConvertSettings {
            token,
            paths,
            context: args.context.clone(),
            azure_config_dir: args.azure_config_dir.clone().filter(|d| !d.is_empty()),
            exec_api_version: args.exec_api_version,
            exec_command: args
                .exec_command
                .clone()
                .unwrap_or_else(|| env.program().to_owned()),
            dry_run: args.dry_run,
            no_backup: args.no_backup,
        })
    }
}

/// `whoami` and `login`.
pub(crate) struct WhoamiSettings {
    /// The token settings: from `--context`'s exec entry, else from the flags.
    pub(crate) token: TokenSettings,
}

impl WhoamiSettings {
    /// With `--context`, the get-token arguments of that context's user are read from
    /// kubeconfig and resolved as get-token would resolve them. Without it, flags that name no
    /// cluster (no `--server-id`) mean kubectl's current context, as `kubectl` itself would use.
    pub(crate) fn resolve(args: &WhoamiArgs, env: &Env) -> anyhow::Result<WhoamiSettings> {
        if let Some(name) = &args.context {
            return Self::from_context(args, name, env);
        }
        let token = TokenSettings::resolve(&args.token, env)?;
        if !token.request.server_id.is_empty() {
            return Ok(WhoamiSettings { token });
        }
        // No kubeconfig at all: the missing --server-id is the thing to say.
        let current =
            match kubeconfig::paths(args.kubeconfig.as_deref(), &env.vars, env.home.as_deref()) {
                Ok(paths) => kubeconfig::context::current(&kubeconfig::load(&paths)?),
                Err(_) => None,
            };
        match current {
            Some(name) => Self::from_context(args, &name, env),
            None => Err(super::SettingsError::ServerIdMissing.into()),
        }
    }

    fn from_context(args: &WhoamiArgs, name: &str, env: &Env) -> anyhow::Result<WhoamiSettings> {
        let paths = kubeconfig::paths(args.kubeconfig.as_deref(), &env.vars, env.home.as_deref())?;
        let files = kubeconfig::load(&paths)?;
        let (user, exec_args) = kubeconfig::context::exec_args(&files, name)?;
        let mut flags = argv::parse_get_token(&exec_args, &user)?;
        // A providers directory on our command line still counts.
        if flags.providers_dir.is_none() {
            flags.providers_dir = args.token.providers_dir.clone();
        }
        let token = TokenSettings::resolve(&flags, env)?;
        token.require_server_id()?;
        Ok(WhoamiSettings { token })
    }
}

/// `remove-tokens`.
pub(crate) struct RemoveTokensSettings {
    /// The cache directory.
    pub(crate) cache_dir: PathBuf,
}

impl RemoveTokensSettings {
    /// `--cache-dir`, else `KUBECACHEDIR`, else kubelogin's default.
    pub(crate) fn resolve(
        args: &RemoveTokensArgs,
        env: &Env,
    ) -> Result<RemoveTokensSettings, super::SettingsError> {
        Ok(RemoveTokensSettings {
            cache_dir: resolve_cache_dir(
                args.cache_dir.as_deref(),
                args.token_cache_dir.as_deref(),
                &env.vars,
                env.home.as_deref(),
            )?,
        })
    }
}

/// `providers`.
pub(crate) struct ProvidersSettings {
    /// The providers directory, if any.
    pub(crate) dir: Option<PathBuf>,
}

impl ProvidersSettings {
    /// `--providers-dir`, else `KUBECTL_AAD_PROVIDERS_DIR`.
    pub(crate) fn resolve(args: &ProvidersArgs, env: &Env) -> ProvidersSettings {
        ProvidersSettings {
            dir: args
                .providers_dir
                .clone()
                .or_else(|| env.vars.get("KUBECTL_AAD_PROVIDERS_DIR").map(Into::into)),
        }
    }
}
