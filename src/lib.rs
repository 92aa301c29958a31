//! kubectl-aad: Microsoft Entra ID authentication for kubectl, a drop-in for Azure/kubelogin.
//!
//! # Brief overview
//!
//! * `cli` is the clap surface; `settings` turns flags + environment into one resolved
//!   `XxxSettings` per command, with kubelogin's precedence, before the command runs.
//! * `commands` holds one module per subcommand; [`run`] parses, resolves and dispatches.
//! * `token` is the get-token use case (cache hit, else lock → refresh or sign in → store),
//!   shared by get-token, whoami and login; `token_cache` is the on-disk cache and its one
//!   freshness decision; `registry` finds the provider for a mode, built in or from a library.
//! * `kubeconfig` loads, converts (pure) and saves kubeconfig files; `argv` reads and writes our
//!   own get-token arguments; `exec_credential` speaks the exec-plugin protocol.
//! * [`env::Env`] carries every side effect; [`error`] renders failures as one stderr line.
//!
//! Modules are private; the few items fuzz targets need are re-exported from [`fuzzing`].
#![warn(missing_docs)]

mod argv;
mod arm;
mod atomic_file;
mod cli;
mod commands;
mod complete;
pub mod env;
pub mod error;
mod exec_credential;
mod kubeconfig;
mod private_file;
mod registry;
mod settings;
mod token;
mod token_cache;

use std::ffi::OsString;
use std::io::Write as _;

// Built-in providers register themselves with inventory; naming each crate keeps the linker
// from dropping it (and its registration) because nothing else refers to it.
#[cfg(feature = "builtin-spn")]
use kubectl_aad_spn as _;
use {
    kubectl_aad_azd as _, kubectl_aad_azurecli as _, kubectl_aad_azurepipelines as _,
    kubectl_aad_devicecode as _, kubectl_aad_interactive as _, kubectl_aad_msi as _,
    kubectl_aad_ropc as _, kubectl_aad_workloadidentity as _,
};

use clap::FromArgMatches;

use crate::cli::{Cli, Command, GetTokenCli};
use crate::env::Env;
use crate::error::{ExitStatus, UsageError};
use crate::settings::{
    ClustersSettings, ConvertSettings, GetCredentialsSettings, GetTokenSettings, ProvidersSettings,
    RemoveTokensSettings, StatusSettings, WhoamiSettings,
};

/// Parses `args`, resolves the command's settings and runs it.
pub fn run(args: impl IntoIterator<Item = OsString>, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let args: Vec<OsString> = args.into_iter().collect();
    if let Some(arg0) = args.first() {
        env.invoked_as(arg0);
    }
    // Shell completion: cobra's hidden request, and kubectl's `kubectl_complete-aad` (a symlink
    // to this binary), which kubectl runs with the words after `kubectl aad`.
    let words = |from: usize| -> Vec<String> {
        args.iter()
            .skip(from)
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    };
    if env.program().starts_with("kubectl_complete-") {
        return commands::complete(&words(1), true, env);
    }
    match args.get(1).and_then(|a| a.to_str()) {
        Some("__complete") => return commands::complete(&words(2), true, env),
        Some("__completeNoDesc") => return commands::complete(&words(2), false, env),
        _ => {}
    }
    // The per-call exec plugin path: parse get-token with its own, smaller clap command.
    if args.get(1).is_some_and(|a| a == "get-token") {
        let parsed = cli::get_token_command(env.program())
            .try_get_matches_from(&args[1..])
            .and_then(|m| GetTokenCli::from_arg_matches(&m));
        return match parsed {
            Ok(cli) => {
                env.verbosity = cli.log.verbose;
                commands::get_token(GetTokenSettings::resolve(&cli.args, env)?, env)
            }
            Err(err) => clap_outcome(err, env),
        };
    }
    let cli = match cli::command(env.program())
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(err) => return clap_outcome(err, env),
    };
    env.verbosity = cli.log.verbose;
    match cli.command {
        Command::GetToken(args) => commands::get_token(GetTokenSettings::resolve(&args, env)?, env),
        Command::ConvertKubeconfig(args) => {
            commands::convert_kubeconfig(ConvertSettings::resolve(&args, env)?, env)
        }
        Command::RemoveTokens(args) => {
            commands::remove_tokens(RemoveTokensSettings::resolve(&args, env)?, env)
        }
        Command::Providers(args) => {
            commands::providers(ProvidersSettings::resolve(&args, env), env)
        }
        Command::Whoami(args) => commands::whoami(WhoamiSettings::resolve(&args, env)?, env),
        Command::Login(args) => commands::login(WhoamiSettings::resolve(&args, env)?, env),
        Command::GetCredentials(args) => {
            commands::get_credentials(GetCredentialsSettings::resolve(&args, env)?, env)
        }
        Command::Clusters(args) => commands::clusters(ClustersSettings::resolve(&args, env)?, env),
        Command::Status(args) => commands::status(StatusSettings::resolve(&args, env)?, env),
        Command::Version => commands::version(env),
        Command::Completion(args) => commands::completion(args, env),
    }
}

/// Help and version go to stdout; a usage mistake becomes one line (clap's first line).
fn clap_outcome(err: clap::Error, env: &mut Env) -> anyhow::Result<ExitStatus> {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            write!(env.stdout, "{}", err.render())?;
            Ok(
                if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitStatus::Usage
                } else {
                    ExitStatus::Success
                },
            )
        }
        _ => {
            let rendered = err.to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            Err(UsageError(format!("{first}; see {} --help", env.program())).into())
        }
    }
}

/// What the fuzz targets and their regression replay drive: the parsers of untrusted input,
/// behind one door so that the rest of the crate stays private.
#[doc(hidden)]
pub mod fuzzing {
    use kubectl_aad_contract::LoginMode;

    use crate::kubeconfig::convert::{ConvertInput, convert};
    use crate::token_cache::{Facts, Moment, decide, parse_entry, reported_expiry};

    /// `KUBERNETES_EXEC_INFO`: whether it is usable.
    pub fn exec_info(text: &str) -> bool {
        crate::exec_credential::parse_exec_info(Some(text)).is_ok()
    }

    /// A cache entry file: parsed, decided on and its expiry reported; whether it parsed.
    pub fn cache_entry(bytes: &[u8]) -> bool {
        let Some(entry) = parse_entry(bytes) else {
            return false;
        };
        let _ = decide(Facts {
            entry: Some(&entry),
            now: 1_800_000_000,
            force_refresh: false,
            moment: Moment::BeforeLock,
            stamps_hold: true,
        });
        let _ = reported_expiry(&entry);
        true
    }

    /// An Azure Resource Manager answer with `status`: an error body explained, a listing's
    /// clusters summarised, a credential's kubeconfig decoded, parsed and merged into an empty
    /// one; whether it was a usable success.
    pub fn arm_answer(status: u16, body: &[u8]) -> bool {
        use crate::arm::aks;
        use crate::kubeconfig::merge;
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        if !(200..300).contains(&status) {
            let _ = crate::arm::refusal(status, json.as_ref());
            return false;
        }
        let Some(json) = json else {
            return false;
        };
        for item in json
            .get("value")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let _ = aks::summary(item);
        }
        if let Ok(text) = aks::kubeconfig_of(&json)
            && let Ok(mut addition) = crate::kubeconfig::parse(&text)
        {
            merge::rename_context(&mut addition, "renamed");
            let mut target = kube::config::Kubeconfig::default();
            let _ = merge::merge(&mut target, addition, false, "f");
        }
        true
    }

    /// `--pop-claims`: the `u` claim, if the text is valid.
    pub fn pop_claims(text: &str) -> Option<String> {
        crate::token::pop::parse_claims(text).ok()
    }

    /// Why a fuzzed conversion produced no kubeconfig.
    #[derive(Debug)]
    pub enum ConvertOutcome {
        /// The input was refused: expected for most inputs.
        Refused(String),
        /// A converted kubeconfig could not be rendered: always a bug.
        RenderFailed(String),
    }

    /// Kubeconfig text converted to `login` (each user's own mode when `None`) and rendered.
    pub fn convert_kubeconfig(text: &str, login: Option<&str>) -> Result<String, ConvertOutcome> {
        let config = crate::kubeconfig::parse(text).map_err(ConvertOutcome::Refused)?;
        let describe = |_: &LoginMode| None;
        let input = ConvertInput {
            login: login.and_then(|name| LoginMode::parse(name).ok()),
            given: Default::default(),
            context: None,
            azure_config_dir: None,
            exec_api_version: None,
            exec_command: "kubectl-aad",
            describe: &describe,
        };
        let mut files = vec![config];
        convert(&mut files, &input).map_err(|err| ConvertOutcome::Refused(err.to_string()))?;
        crate::kubeconfig::render(&files[0], std::path::Path::new("fuzz"))
            .map_err(|err| ConvertOutcome::RenderFailed(err.to_string()))
    }
}
