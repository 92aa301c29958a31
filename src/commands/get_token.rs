//! `get-token`: the kubectl exec credential plugin.
//!
//! stdout: exactly one ExecCredential JSON document, in the apiVersion `KUBERNETES_EXEC_INFO`
//! asks for, and nothing else. stderr: every prompt, message and log. The cache-hit path reads
//! one file and prints; everything else (HTTP, providers, locks) happens on a miss only.

use std::io::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use crate::cli::GetTokenArgs;
use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential::{self, ExecInfo};
use crate::pipeline::{self, PopBinding, TokenJob};
use crate::settings::{self, TokenOptions};
use crate::token_cache::{self, CacheEntry, TokenCache};

/// Prints a token for kubectl.
pub fn run(args: GetTokenArgs, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let exec_info = exec_credential::parse_exec_info(env.vars.get("KUBERNETES_EXEC_INFO"))?;
    let options = settings::resolve_token_options(&args.token, &env.vars, env.home.as_deref())?;
    pipeline::check_required(&options)?;
    let pop = pipeline::pop_binding(&options, env)?;
    let cache = TokenCache::new(&options.cache_dir);
    let key = pipeline::cache_key_for(&options, pop.as_ref());

    if !args.force_refresh
        && let Some(entry) = pipeline::cached(&cache, &key, pipeline::now_secs(env))?
    {
        return print(env, &exec_info, &entry, pop.as_ref());
    }

    log_options(env, &options);
    let job = TokenJob {
        options: &options,
        interactive: is_interactive(&exec_info, env),
        force_refresh: args.force_refresh,
        providers_dir: args
            .providers_dir
            .or_else(|| env.vars.get("KUBECTL_AAD_PROVIDERS_DIR").map(Into::into)),
        allow_provider_override: args.allow_provider_override,
        pop: pop.as_ref(),
    };
    let entry = pipeline::obtain(&job, env, &cache, &key)?;
    print(env, &exec_info, &entry, pop.as_ref())
}

/// A prompt is possible only when kubectl says so (or nobody asked, in a manual run) and
/// stdin really is a terminal: other clients compute `spec.interactive` loosely.
fn is_interactive(exec_info: &ExecInfo, env: &Env) -> bool {
    exec_info.interactive.unwrap_or(true) && env.stdin_is_terminal
}

fn print(
    env: &mut Env,
    exec_info: &ExecInfo,
    entry: &CacheEntry,
    pop: Option<&PopBinding>,
) -> anyhow::Result<ExitStatus> {
    let expires = UNIX_EPOCH + Duration::from_secs(token_cache::reported_expiry(entry));
    let token = pipeline::presented_token(entry, pop, pipeline::now_secs(env));
    let json = exec_credential::render(
        exec_info.api_version,
        &token,
        expires,
        exec_info.interactive.unwrap_or(false),
    );
    env.stdout.write_all(json.as_bytes())?;
    env.stdout.flush()?;
    Ok(ExitStatus::Success)
}

/// `-v 1` says which variables overrode flags; `-v 10` dumps the options (never secrets).
fn log_options(env: &Env, options: &TokenOptions) {
    for (var, flag) in &options.overrides {
        env.log(1, &format!("{var} overrides {flag}"));
    }
    env.log(
        10,
        &format!(
            "options: login={} environment={:?} authority={} tenant={:?} client-id={:?} server-id={:?} legacy={} cache-dir={} timeout={:?} subscription={:?} identity-resource-id={:?} imds-endpoint={:?} azure-config-dir={:?} federated-token-file={:?} client-secret={} password={}",
            options.login,
            options.environment,
            options.effective_authority_host(),
            options.tenant_id,
            options.client_id,
            options.server_id,
            options.legacy,
            options.cache_dir.display(),
            options.timeout,
            options.subscription,
            options.identity_resource_id,
            options.imds_endpoint,
            options.azure_config_dir,
            options.federated_token_file,
            if options.client_secret.is_some() { "(set)" } else { "(unset)" },
            if options.password.is_some() { "(set)" } else { "(unset)" },
        ),
    );
}
