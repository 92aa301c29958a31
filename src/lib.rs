//! kubectl-aad: Microsoft Entra ID authentication for kubectl, a drop-in for Azure/kubelogin.
//!
//! # Brief overview
//!
//! * [`cli`] is the clap surface; [`settings`] turns flags + environment into resolved options
//!   with kubelogin's precedence.
//! * [`commands`] holds one module per subcommand; [`run`] dispatches to them.
//! * [`kubeconfig`] loads, converts (pure) and saves kubeconfig files.
//! * [`exec_credential`] reads `KUBERNETES_EXEC_INFO` and renders the ExecCredential.
//! * [`token_cache`] is the on-disk cache with per-key locks; [`registry`] finds the provider
//!   for a login mode, built in or loaded from a shared library.
//! * [`env::Env`] carries every side effect; [`error`] renders failures as one stderr line.

pub mod atomic_file;
pub mod claims;
pub mod cli;
pub mod commands;
pub mod env;
pub mod error;
pub mod exec_credential;
pub mod kubeconfig;
pub mod pipeline;
pub mod pop;
pub mod registry;
pub mod settings;
pub mod token_cache;

use std::ffi::OsString;

// Built-in providers register themselves with inventory; naming each crate keeps the linker
// from dropping it (and its registration) because nothing else refers to it.
#[cfg(feature = "builtin-spn")]
use kubectl_aad_spn as _;
use {
    kubectl_aad_azd as _, kubectl_aad_azurecli as _, kubectl_aad_azurepipelines as _,
    kubectl_aad_devicecode as _, kubectl_aad_interactive as _, kubectl_aad_msi as _,
    kubectl_aad_ropc as _, kubectl_aad_workloadidentity as _,
};

use clap::{CommandFactory, FromArgMatches, Parser as _};

use crate::cli::{Cli, Command, GetTokenCli};
use crate::env::Env;
use crate::error::{ExitStatus, UsageError};

/// Parses `args` and runs the subcommand.
pub fn run(args: impl IntoIterator<Item = OsString>, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let args: Vec<OsString> = args.into_iter().collect();
    // The per-call exec plugin path: parse get-token with its own, smaller clap command.
    if args.get(1).is_some_and(|a| a == "get-token") {
        return match GetTokenCli::try_parse_from(&args[1..]) {
            Ok(cli) => {
                env.verbosity = cli.verbose;
                commands::get_token(cli.args, env)
            }
            Err(err) => clap_outcome(err, env),
        };
    }
    let cli = match Cli::command()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(err) => return clap_outcome(err, env),
    };
    env.verbosity = cli.verbose;
    match cli.command {
        Command::GetToken(args) => commands::get_token(args, env),
        Command::ConvertKubeconfig(args) => commands::convert_kubeconfig(args, env),
        Command::RemoveTokens(args) => commands::remove_tokens(args, env),
        Command::Providers(args) => commands::providers(args, env),
        Command::Whoami(args) => commands::whoami(args, env),
        Command::Login(args) => commands::login(args, env),
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
            Err(UsageError(format!("{first}; see kubectl-aad --help")).into())
        }
    }
}

use std::io::Write as _;
