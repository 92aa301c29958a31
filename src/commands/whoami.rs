//! `whoami`: who the token for a context (or for get-token flags) belongs to, decoded locally.
//!
//! stdout: identity, tenant, audience, expiry and group count; a warning on stderr when the
//! token carries a groups overage claim (more than 200 groups: Kubernetes RBAC will not see
//! them). The token itself is never printed.

use anyhow::Context as _;
use std::io::Write as _;

use kubectl_aad_entra::jwt::Claims;

use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential;
use crate::settings::WhoamiSettings;
use crate::token::{self, Lookup};

/// Prints the identity.
pub(crate) fn run(settings: WhoamiSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let token = &settings.token;
    let registry = token.registry();
    let lookup = Lookup {
        settings: token,
        interactive: env.stdin_is_terminal,
        attended: env.stderr_is_terminal,
        force_refresh: false,
        program: env.program(),
    };
    let entry = token::fresh(&lookup, &registry, env)?.entry;
    let claims = Claims::decode(entry.access_token.expose())
        .context("the token is not a JWT, so its claims cannot be shown")?;
    let identity = claims.identity();
    let who = identity
        .username
        .clone()
        .or(identity.app_id.clone())
        .or(identity.object_id.clone())
        .unwrap_or_else(|| "(unknown)".into());
    let expires = exec_credential::rfc3339_secs(entry.expires_on);
    let groups = match (&claims.groups, claims.has_group_overage()) {
        (_, true) => "overage (more than 200; not in the token)".to_owned(),
        (Some(groups), false) => groups.len().to_string(),
        (None, false) => "0".to_owned(),
    };
    let out = &mut env.stdout;
    writeln!(out, "identity:  {who}")?;
    writeln!(
        out,
        "object id: {}",
        identity.object_id.as_deref().unwrap_or("-")
    )?;
    writeln!(
        out,
        "tenant:    {}",
        identity.tenant_id.as_deref().unwrap_or("-")
    )?;
    writeln!(
        out,
        "audience:  {}",
        claims.audience().as_deref().unwrap_or("-")
    )?;
    writeln!(out, "issuer:    {}", claims.iss.as_deref().unwrap_or("-"))?;
    writeln!(out, "expires:   {expires}")?;
    writeln!(out, "groups:    {groups}")?;
    writeln!(out, "login:     {}", token.login())?;
    writeln!(out, "cache:     {}", token.cache_dir.display())?;
    writeln!(out, "storage:   {}", token.cache().vault().describe())?;
    if claims.has_group_overage() {
        env.warn("the token has a groups overage claim: the user is in more than 200 groups, so Kubernetes RBAC sees none of them; use fewer groups or app roles");
    }
    Ok(ExitStatus::Success)
}
