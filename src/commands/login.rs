//! `login`: sign in now and fill the token cache, with the same flags as get-token or a
//! kubeconfig `--context`. It is what a user runs when kubectl cannot show a browser or a
//! prompt (`interactiveMode: Never`, k9s, scripts), and how scripts pre-warm the cache.
//!
//! stdout: nothing. stderr: the sign-in prompts and one line saying who is signed in.

use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential;
use crate::settings::WhoamiSettings;
use crate::token::{self, Lookup};

/// Signs in (unless a fresh token is cached) and reports who.
pub(crate) fn run(settings: WhoamiSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let token = &settings.token;
    let registry = token.registry();
    // The user asked to sign in: a browser may open even without a terminal.
    let lookup = Lookup {
        settings: token,
        interactive: true,
        attended: true,
        force_refresh: false,
        program: env.program(),
    };
    let entry = token::fresh(&lookup, &registry, env)?.entry;
    let who = entry
        .identity
        .username
        .clone()
        .or(entry.identity.app_id.clone())
        .or(entry.identity.object_id.clone())
        .unwrap_or_else(|| "(unknown)".into());
    let until = exec_credential::rfc3339_secs(entry.expires_on);
    env.say(&format!(
        "signed in as {who} (tenant {}); token cached until {until}",
        entry.identity.tenant_id.as_deref().unwrap_or("-")
    ));
    Ok(ExitStatus::Success)
}
