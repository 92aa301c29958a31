//! `status`: one row per context of the kubeconfig — its user, login mode, cluster, who the
//! cached token belongs to and until when (or "not signed in"), PoP, and how the cache keeps
//! it. Read locally: each entry's get-token arguments are resolved as get-token would resolve
//! them and its cache entry is read; nothing is sent anywhere and nothing is written.

use std::io::Write as _;

use kube::config::Kubeconfig;
use kubectl_aad_contract::Host as _;
use serde::Serialize;

use super::clusters::table;
use crate::argv;
use crate::cli::OutputFormat;
use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential;
use crate::kubeconfig;
use crate::settings::{StatusSettings, TokenSettings};
use crate::token::pop;
use crate::token_cache::TokenCacheKey;

/// One context's row.
#[derive(Debug, Serialize)]
struct Row {
    context: String,
    user: String,
    login: String,
    cluster: String,
    identity: String,
    expires: String,
    pop: bool,
    storage: String,
}

/// Prints the rows.
pub(crate) fn run(settings: StatusSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let files = kubeconfig::load(&settings.paths)?;
    let configs: Vec<&Kubeconfig> = files.iter().map(|f| &f.config).collect();
    let mut rows = Vec::new();
    for context in configs.iter().flat_map(|c| &c.contexts) {
        let inner = context.context.as_ref();
        let user = inner.and_then(|c| c.user.clone()).unwrap_or_default();
        let cluster = inner.map(|c| c.cluster.clone()).unwrap_or_default();
        let server = configs
            .iter()
            .flat_map(|c| &c.clusters)
            .find(|c| c.name == cluster)
            .and_then(|c| c.cluster.as_ref())
            .and_then(|c| c.server.clone())
            .map(|s| kubectl_aad_entra::http::host_of(&s))
            .unwrap_or_else(|| cluster.clone());
        let mut row = Row {
            context: context.name.clone(),
            user: user.clone(),
            login: "-".into(),
            cluster: server,
            identity: "-".into(),
            expires: "-".into(),
            pop: false,
            storage: "-".into(),
        };
        match ours(&files, &context.name) {
            None => row.identity = "(not an Entra ID exec entry)".into(),
            Some(Err(err)) => row.identity = format!("(cannot read: {err})"),
            Some(Ok((args, user))) => fill(&mut row, &args, &user, env),
        }
        rows.push(row);
    }
    match settings.output {
        OutputFormat::Json => writeln!(env.stdout, "{}", serde_json::to_string_pretty(&rows)?)?,
        OutputFormat::Table => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.context.clone(),
                        r.user.clone(),
                        r.login.clone(),
                        r.cluster.clone(),
                        r.identity.clone(),
                        r.expires.clone(),
                        if r.pop { "yes" } else { "no" }.to_owned(),
                        r.storage.clone(),
                    ]
                })
                .collect();
            let header = [
                "CONTEXT", "USER", "LOGIN", "CLUSTER", "IDENTITY", "EXPIRES", "POP", "STORAGE",
            ];
            write!(env.stdout, "{}", table(&header, &cells))?;
        }
    }
    Ok(ExitStatus::Success)
}

/// The get-token arguments of the context's user, when it runs kubectl-aad or kubelogin.
fn ours(
    files: &[kubeconfig::KubeconfigFile],
    context: &str,
) -> Option<anyhow::Result<(Vec<String>, String)>> {
    match kubeconfig::context::exec_args(files, context) {
        Ok((user, args)) if args.iter().any(|a| a == "get-token") => Some(Ok((args, user))),
        _ => None,
    }
}

/// The login mode, and what the cache holds for the entry's key.
fn fill(row: &mut Row, args: &[String], user: &str, env: &Env) {
    let settings = match argv::parse_get_token(args, user)
        .and_then(|flags| Ok(TokenSettings::resolve(&flags, env)?))
    {
        Ok(settings) => settings,
        Err(err) => {
            row.identity = format!("(cannot read: {err})");
            return;
        }
    };
    row.login = settings.login().to_string();
    row.pop = settings.pop_claims.is_some();
    let cache = settings.cache();
    row.storage = settings.storage.as_str().to_owned();
    let kid = match row.pop {
        true => match pop::existing_kid(&settings, &cache) {
            Some(kid) => Some(kid),
            None => {
                row.identity = "not signed in".into();
                return;
            }
        },
        false => None,
    };
    let key = TokenCacheKey::for_request(&settings.request, kid.as_deref());
    match cache.read(&key) {
        Ok(Some(entry)) => {
            let who = &entry.identity;
            row.identity = who
                .username
                .clone()
                .or(who.app_id.clone())
                .or(who.object_id.clone())
                .unwrap_or_else(|| "(unknown)".into());
            let now = env.now_secs();
            row.expires = match entry.expires_on > now {
                true => exec_credential::rfc3339_secs(entry.expires_on),
                false if entry.refresh_token.is_some() => "expired (refreshable)".into(),
                false => "expired".into(),
            };
        }
        Ok(None) => row.identity = "not signed in".into(),
        Err(err) => row.identity = format!("(cache: {err})"),
    }
}
