//! `whoami`: who the token for a context (or for get-token flags) belongs to, decoded locally.
//!
//! stdout: identity, tenant, audience, expiry and group count; a warning on stderr when the
//! token carries a groups overage claim (more than 200 groups: Kubernetes RBAC will not see
//! them). The token itself is never printed.

use std::io::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::Context as _;
use clap::Parser as _;

use crate::claims::Claims;
use crate::cli::{Cli, Command, TokenFlags, WhoamiArgs};
use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential;
use crate::kubeconfig;
use crate::pipeline::{self, TokenJob};
use crate::settings;
use crate::token_cache::TokenCache;

/// Prints the identity.
pub fn run(args: WhoamiArgs, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let flags = match &args.context {
        Some(context) => flags_from_context(context, &args, env)?,
        None => args.token.clone(),
    };
    let options = settings::resolve_token_options(&flags, &env.vars, env.home.as_deref())?;
    pipeline::check_required(&options)?;
    let cache = TokenCache::new(&options.cache_dir);
    let key = pipeline::cache_key(&options);
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

/// The get-token flags written in a context's exec entry.
fn flags_from_context(context: &str, args: &WhoamiArgs, env: &Env) -> anyhow::Result<TokenFlags> {
    let paths = kubeconfig::paths(args.kubeconfig.as_deref(), &env.vars, env.home.as_deref())?;
    let files = kubeconfig::load(&paths)?;
    let user = files
        .iter()
        .flat_map(|f| &f.config.contexts)
        .find(|c| c.name == context)
        .with_context(|| format!("no context exists with the name {context:?}"))?
        .context
        .as_ref()
        .and_then(|c| c.user.clone())
        .with_context(|| format!("context {context:?} has no user"))?;
    let exec_args = files
        .iter()
        .flat_map(|f| &f.config.auth_infos)
        .find(|u| u.name == user)
        .and_then(|u| u.auth_info.as_ref())
        .and_then(|u| u.exec.as_ref())
        .and_then(|e| e.args.clone())
        .with_context(|| format!("user {user:?} of context {context:?} has no exec entry; run `kubectl-aad convert-kubeconfig --context {context}` first"))?;
    let argv = std::iter::once("kubectl-aad".to_owned()).chain(exec_args);
    match Cli::try_parse_from(argv) {
        Ok(Cli {
            command: Command::GetToken(get_token),
            ..
        }) => Ok(get_token.token),
        _ => anyhow::bail!(
            "the exec entry of user {user:?} is not a `get-token` call kubectl-aad understands; re-run convert-kubeconfig"
        ),
    }
}
