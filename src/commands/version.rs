//! `version`: the version and build details on stdout (kubelogin prints them for `--version`).

use crate::env::Env;
use crate::error::ExitStatus;

/// Prints the version, platform and provider ABI version.
pub(crate) fn run(env: &mut Env) -> anyhow::Result<ExitStatus> {
    writeln!(
        env.stdout,
        "kubectl-aad version v{}\nplatform: {}/{}\nprovider ABI: v{}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH,
        kubectl_aad_contract::ffi::ABI_VERSION
    )?;
    Ok(ExitStatus::Success)
}

use std::io::Write as _;
