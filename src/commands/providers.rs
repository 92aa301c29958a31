//! `providers`: list the login providers, built in and loaded from the providers directory,
//! with their source and ABI version (stdout, one per line).

use std::io::Write as _;

use kubectl_aad_contract::LoginMode;
use kubectl_aad_contract::ffi::ABI_VERSION;

use crate::cli::ProvidersArgs;
use crate::env::Env;
use crate::error::ExitStatus;
use crate::registry::{ProviderSource, Registry};

/// Prints the table.
pub fn run(args: ProvidersArgs, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let dir = args
        .providers_dir
        .or_else(|| env.vars.get("KUBECTL_AAD_PROVIDERS_DIR").map(Into::into));
    let registry = Registry::load(dir.as_deref(), true)?;
    writeln!(env.stdout, "{:<18} {:<5} SOURCE", "LOGIN", "ABI")?;
    for mode in LoginMode::ALL {
        let (abi, source) = match registry.find(mode) {
            Some(found) => (
                format!("v{ABI_VERSION}"),
                match &found.source {
                    ProviderSource::BuiltIn => "built in".to_owned(),
                    ProviderSource::Library(path) => path.display().to_string(),
                },
            ),
            None => ("-".to_owned(), "not available".to_owned()),
        };
        writeln!(env.stdout, "{:<18} {:<5} {source}", mode.as_str(), abi)?;
    }
    Ok(ExitStatus::Success)
}
