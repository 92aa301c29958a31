//! `get-token`: the kubectl exec credential plugin.
//!
//! stdout: exactly one ExecCredential JSON document, in the apiVersion `KUBERNETES_EXEC_INFO`
//! asks for, and nothing else. stderr: every prompt, message and log. The cache-hit path reads
//! one file and prints; everything else (HTTP, providers, locks) happens on a miss only.

use kubectl_aad_contract::Host as _;
use std::io::Write as _;

use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential;
use crate::settings::GetTokenSettings;
use crate::token::{self, Lookup};

/// Prints a token for kubectl.
pub(crate) fn run(settings: GetTokenSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let token = &settings.token;
    let registry = token.registry();
    let lookup = Lookup {
        settings: token,
        interactive: settings.interactive,
        attended: env.stderr_is_terminal,
        force_refresh: settings.force_refresh,
        program: env.program(),
    };
    let issued = token::fresh(&lookup, &registry, env)?;
    let json = exec_credential::render(
        settings.exec_info.api_version,
        &issued.presented_token(env.now_secs()),
        issued.reported_expiry(),
        settings.exec_info.interactive.unwrap_or(false),
    );
    env.stdout.write_all(json.as_bytes())?;
    env.stdout.flush()?;
    Ok(ExitStatus::Success)
}
