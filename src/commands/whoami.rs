//! `whoami`: who the token for a context (or for get-token flags) belongs to, decoded locally.
//!
//! stdout: identity, tenant, audience, expiry and group count; a warning on stderr when the
//! token carries a groups overage claim (more than 200 groups: Kubernetes RBAC will not see
//! them). The token itself is never printed.

use std::io::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::Context as _;

use super::context;
use crate::claims::Claims;
use crate::cli::WhoamiArgs;
use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential;
use crate::pipeline::{self, TokenJob};
use crate::settings;
use crate::token_cache::TokenCache;

/// Prints the identity.
pub fn run(args: WhoamiArgs, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let flags = match &args.context {
        Some(context) => context::token_flags(context, args.kubeconfig.as_deref(), env)?,
        None => args.token.clone(),
    };
    let options = settings::resolve_token_options(&flags, &env.vars, env.home.as_deref())?;
    pipeline::check_required(&options)?;
    let pop = pipeline::pop_binding(&options, env)?;
    let cache = TokenCache::new(&options.cache_dir);
    let key = pipeline::cache_key_for(&options, pop.as_ref());
    let entry = match pipeline::cached(&cache, &key, pipeline::now_secs(env))? {
        Some(entry) => entry,
        None => {
            let job = TokenJob {
                options: &options,
                interactive: env.stdin_is_terminal,
                force_refresh: false,
                providers_dir: args
                    .providers_dir
                    .clone()
                    .or_else(|| env.vars.get("KUBECTL_AAD_PROVIDERS_DIR").map(Into::into)),
                allow_provider_override: false,
                pop: pop.as_ref(),
            };
            pipeline::obtain(&job, env, &cache, &key)?
        }
    };
    let claims = Claims::decode(entry.access_token.expose())
        .context("the token is not a JWT, so its claims cannot be shown")?;
    let identity = claims.identity();
    let who = identity
        .username
        .clone()
        .or(identity.app_id.clone())
        .or(identity.object_id.clone())
        .unwrap_or_else(|| "(unknown)".into());
    let expires = exec_credential::rfc3339(UNIX_EPOCH + Duration::from_secs(entry.expires_on));
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
    writeln!(out, "login:     {}", options.login)?;
    if claims.has_group_overage() {
        env.warn("the token has a groups overage claim: the user is in more than 200 groups, so Kubernetes RBAC sees none of them; use fewer groups or app roles");
    }
    Ok(ExitStatus::Success)
}
