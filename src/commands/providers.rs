//! `providers`: list the login providers — built in, and every library in the providers
//! directory — with their ABI version and what get-token would use for each mode (stdout, one
//! per line). A library that fails to load is listed with its error; it breaks nothing else.

use std::io::Write as _;

use crate::env::Env;
use crate::error::ExitStatus;
use crate::registry;
use crate::settings::ProvidersSettings;

/// Prints the table.
pub(crate) fn run(settings: ProvidersSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let rows = registry::inspect(settings.dir.as_deref())?;
    writeln!(env.stdout, "{:<18} {:<5} SOURCE", "LOGIN", "ABI")?;
    for row in rows {
        writeln!(
            env.stdout,
            "{:<18} {:<5} {}",
            row.login, row.abi, row.source
        )?;
    }
    Ok(ExitStatus::Success)
}
