//! The pure kubeconfig conversion: Entra ID users in, `kubectl-aad` exec entries out.
//!
//! Which users: legacy `auth-provider: azure`, `exec` entries whose command is kubelogin (any
//! path, `.exe`) and our own `kubectl-aad` entries. Where each value comes from follows
//! kubelogin's converter (flag given on the command line, then the legacy `config` key, then
//! the existing exec argument), and the argument order follows its per-mode table, with these
//! improvements: an existing `--login` is kept when `-l` is not given; `--legacy=false` clears
//! legacy; mode-specific arguments survive a re-conversion to the same mode; PoP claims from the
//! command line go only to the selected context's user (a `u` claim names one cluster); the
//! existing `env`, `provideClusterInfo` and a custom `installHint` are kept.
//!
//! Nothing here touches disk: `commands::convert_kubeconfig` loads and saves.

use std::collections::{BTreeMap, HashMap};

use kube::config::{AuthInfo, ExecInteractiveMode, Kubeconfig};
use kubectl_aad_contract::{LoginMode, Secret};

use super::exec_args::ExecArgs;
use crate::cli::TokenFlags;
use crate::exec_credential::ExecApiVersion;
use crate::settings::TokenOptions;

/// The install hint written into converted entries.
pub const INSTALL_HINT: &str = "\nkubectl-aad is required to sign in to this cluster with Microsoft Entra ID, but it is not installed.\n\n\
Install it with krew:   kubectl krew install aad\n\
or with cargo:          cargo install kubectl-aad\n";

/// What the converter needs besides the kubeconfig.
#[derive(Debug, Clone)]
pub struct ConvertOptions<'a> {
    /// The flags as typed: "given" means present here.
    pub flags: &'a TokenFlags,
    /// The same flags after environment overrides and validation.
    pub resolved: &'a TokenOptions,
    /// `--context`.
    pub context: Option<&'a str>,
    /// `--azure-config-dir`.
    pub azure_config_dir: Option<&'a str>,
    /// `--exec-api-version`.
    pub exec_api_version: Option<ExecApiVersion>,
    /// The command written into entries.
    pub exec_command: &'a str,
}

/// Why a conversion was refused. Nothing is written when any user fails.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConvertError {
    /// `--context` names no context.
    #[error("no context exists with the name {0:?}; `kubectl config get-contexts` lists them")]
    NoSuchContext(String),
    /// The context has no user.
    #[error(
        "context {0:?} has no user to convert; set one with `kubectl config set-context {0} --user=<name>`"
    )]
    ContextWithoutUser(String),
    /// The context's user is not defined.
    #[error("context {context:?} refers to user {user:?}, which no kubeconfig file defines")]
    NoSuchUser {
        /// The context.
        context: String,
        /// The missing user.
        user: String,
    },
    /// The context's user does not authenticate with Entra ID.
    #[error(
        "user {user:?} of context {context:?} does not use Entra ID (no azure auth-provider, kubelogin or kubectl-aad exec entry); nothing to convert"
    )]
    NotEntra {
        /// The context.
        context: String,
        /// Its user.
        user: String,
    },
    /// PoP claims on the command line, but no single cluster to give them to.
    #[error("--pop-claims names one cluster, but no context is selected; add --context <name>")]
    PopNeedsContext,
    /// A required value is missing for a user.
    #[error("user {user:?}: {flag} is required for --login {login}; pass {flag} <value>")]
    Missing {
        /// The user.
        user: String,
        /// The flag.
        flag: &'static str,
        /// The login mode.
        login: LoginMode,
    },
    /// The existing entry's `--login` is not a mode.
    #[error(
        "user {user:?}: its exec entry has --login {login:?}, which is not a supported login method; pass -l <mode>"
    )]
    BadExistingLogin {
        /// The user.
        user: String,
        /// The value found.
        login: String,
    },
}

/// What a conversion did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConvertReport {
    /// The users rewritten, with the index of the file that owns each.
    pub converted: Vec<(usize, String)>,
    /// Things the user should know (dropped PoP flags, secrets written in clear …).
    pub warnings: Vec<String>,
}

/// Converts the Entra ID users of a kubeconfig file list (in KUBECONFIG order) in place.
///
/// A user is owned by the first file that defines it, as kubectl merges; only owning files
/// change. Returns which users changed; files without changes are left as they were. On an
/// error the files are partly converted and must be discarded (nothing is ever written then).
pub fn convert(
    files: &mut [Kubeconfig],
    options: &ConvertOptions<'_>,
) -> Result<ConvertReport, ConvertError> {
    let owners = user_owners(files);
    let contexts = merged_contexts(files);
    let current = files
        .iter()
        .find_map(|f| f.current_context.clone())
        .filter(|c| !c.is_empty());

    let selected_user = match options.context {
        Some(name) => {
            let context = contexts
                .get(name)
                .ok_or_else(|| ConvertError::NoSuchContext(name.to_owned()))?;
            let user = context
                .clone()
                .ok_or_else(|| ConvertError::ContextWithoutUser(name.to_owned()))?;
            let (file, index) = *owners.get(&user).ok_or_else(|| ConvertError::NoSuchUser {
                context: name.to_owned(),
                user: user.clone(),
            })?;
            if !is_entra(
                &files[file].auth_infos[index].auth_info,
                options.exec_command,
            ) {
                return Err(ConvertError::NotEntra {
                    context: name.to_owned(),
                    user,
                });
            }
            Some(user)
        }
        None => None,
    };

    let mut candidates: Vec<(usize, usize)> = owners
        .iter()
        .filter(|(name, _)| selected_user.as_ref().is_none_or(|s| s == *name))
        .map(|(_, &at)| at)
        .filter(|&(file, index)| {
            is_entra(
                &files[file].auth_infos[index].auth_info,
                options.exec_command,
            )
        })
        .collect();
    candidates.sort_unstable();

    let pop_from_flags = options.flags.pop_claims.is_some();
    let pop_target = match (&selected_user, pop_from_flags) {
        (Some(user), _) => Some(user.clone()),
        (None, false) => None,
        (None, true) => {
            let current_user = current
                .as_ref()
                .and_then(|c| contexts.get(c))
                .cloned()
                .flatten();
            match current_user {
                Some(user) => Some(user),
                None if candidates.len() == 1 => {
                    let (file, index) = candidates[0];
                    Some(files[file].auth_infos[index].name.clone())
                }
                None => return Err(ConvertError::PopNeedsContext),
            }
        }
    };

    let mut report = ConvertReport::default();
    let mut rewritten = Vec::new();
    for &(file, index) in &candidates {
        let named = &mut files[file].auth_infos[index];
        let gets_pop = pop_target.as_deref() == Some(named.name.as_str());
        // Moved, not cloned: on an error the caller discards the whole list and writes nothing.
        let user = named.auth_info.take().unwrap_or_default();
        let new_user = convert_user(&named.name, user, options, gets_pop, &mut report.warnings)?;
        rewritten.push((file, index, new_user));
    }
    if pop_from_flags
        && candidates.len() > 1
        && let Some(target) = &pop_target
    {
        report.warnings.push(format!(
                "--pop-claims was applied to user {target:?} only; PoP claims name one cluster, convert the others with --context"
            ));
    }
    for (file, index, user) in rewritten {
        report
            .converted
            .push((file, files[file].auth_infos[index].name.clone()));
        files[file].auth_infos[index].auth_info = Some(user);
    }
    Ok(report)
}

/// Name → (file, index) of the defining entry, first file wins.
fn user_owners(files: &[Kubeconfig]) -> BTreeMap<String, (usize, usize)> {
    let mut owners = BTreeMap::new();
    for (file, config) in files.iter().enumerate() {
        for (index, user) in config.auth_infos.iter().enumerate() {
            owners.entry(user.name.clone()).or_insert((file, index));
        }
    }
    owners
}

/// Context name → its user, first file wins.
fn merged_contexts(files: &[Kubeconfig]) -> HashMap<String, Option<String>> {
    let mut contexts = HashMap::new();
    for config in files {
        for context in &config.contexts {
            contexts.entry(context.name.clone()).or_insert_with(|| {
                context
                    .context
                    .as_ref()
                    .and_then(|c| c.user.clone())
                    .filter(|u| !u.is_empty())
            });
        }
    }
    contexts
}

/// Whether a user authenticates with Entra ID in a way we convert.
fn is_entra(user: &Option<AuthInfo>, exec_command: &str) -> bool {
    let Some(user) = user else { return false };
    if user
        .auth_provider
        .as_ref()
        .is_some_and(|p| p.name == "azure")
    {
        return true;
    }
    user.exec
        .as_ref()
        .and_then(|e| e.command.as_deref())
        .is_some_and(|command| is_our_command(command, exec_command))
}

/// kubelogin (any path, any case, `.exe`) or kubectl-aad (any path, `.exe`, or the configured
/// command).
fn is_our_command(command: &str, exec_command: &str) -> bool {
    let lower = command.to_ascii_lowercase();
    if lower.contains("kubelogin") {
        return true;
    }
    let base = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    base == "kubectl-aad" || command == exec_command
}

/// Where a user's old values come from.
enum Source {
    Legacy(HashMap<String, String>),
    Exec(ExecArgs),
}

impl Source {
    fn legacy(&self, key: &str) -> Option<&str> {
        match self {
            Source::Legacy(config) => config
                .get(key)
                .map(String::as_str)
                .filter(|v| !v.is_empty()),
            Source::Exec(_) => None,
        }
    }

    fn arg(&self, name: &str) -> Option<&str> {
        match self {
            Source::Exec(args) => args.value(name),
            Source::Legacy(_) => None,
        }
    }

    fn arg_flag(&self, name: &str) -> bool {
        matches!(self, Source::Exec(args) if args.flag(name))
    }

    /// The login mode the entry had (legacy entries are user sign-ins: devicecode).
    fn previous_login(&self) -> Option<&str> {
        match self {
            Source::Legacy(_) => Some("devicecode"),
            Source::Exec(args) => args.value("login"),
        }
    }
}

fn convert_user(
    name: &str,
    mut user: AuthInfo,
    options: &ConvertOptions<'_>,
    gets_pop: bool,
    warnings: &mut Vec<String>,
) -> Result<AuthInfo, ConvertError> {
    let flags = options.flags;
    let resolved = options.resolved;
    let old_exec = user.exec.take();
    let source = match (user.auth_provider.take(), &old_exec) {
        (Some(provider), _) if provider.name == "azure" => Source::Legacy(provider.config),
        (_, Some(exec)) => Source::Exec(ExecArgs::parse(exec.args.as_deref().unwrap_or_default())),
        _ => Source::Exec(ExecArgs::default()),
    };

    let login_given = flags.login.is_some()
        || resolved
            .overrides
            .iter()
            .any(|(var, _)| *var == "AAD_LOGIN_METHOD");
    let login = if login_given {
        resolved.login
    } else {
        match source.previous_login() {
            Some(previous) => {
                previous
                    .parse::<LoginMode>()
                    .map_err(|_| ConvertError::BadExistingLogin {
                        user: name.to_owned(),
                        login: previous.to_owned(),
                    })?
            }
            None => LoginMode::DeviceCode,
        }
    };
    let same_mode =
        source.previous_login() == Some(login.as_str()) && matches!(source, Source::Exec(_));
    let carries_identity = matches!(
        login,
        LoginMode::DeviceCode | LoginMode::Interactive | LoginMode::Spn | LoginMode::Ropc
    );

    // flag given → legacy config key → existing argument (kubelogin §5.2)
    let pick =
        |given: Option<String>, legacy_key: &str, arg: &str, carry: bool| -> Option<String> {
            given
                .or_else(|| {
                    carry
                        .then(|| source.legacy(legacy_key))
                        .flatten()
                        .map(str::to_owned)
                })
                .or_else(|| {
                    (carry || same_mode)
                        .then(|| source.arg(arg))
                        .flatten()
                        .map(str::to_owned)
                })
        };
    // flag given → existing argument of the same mode
    let keep = |given: Option<String>, arg: &str| -> Option<String> {
        given.or_else(|| {
            same_mode
                .then(|| source.arg(arg))
                .flatten()
                .map(str::to_owned)
        })
    };
    let given = |flag: &Option<String>, value: Option<String>| flag.as_ref().and(value);
    let exposed = |s: &Option<Secret>| s.as_ref().map(|s| s.expose().to_owned());

    let server_id = pick(
        given(&flags.server_id, Some(resolved.server_id.clone())),
        "apiserver-id",
        "server-id",
        true,
    );
    let client_id = pick(
        given(&flags.client_id, Some(resolved.client_id.clone())),
        "client-id",
        "client-id",
        carries_identity,
    );
    let tenant_id = pick(
        given(&flags.tenant_id, Some(resolved.tenant_id.clone())),
        "tenant-id",
        "tenant-id",
        carries_identity || login == LoginMode::AzurePipelines,
    );
    let environment = pick(
        flags.environment.clone(),
        "environment",
        "environment",
        true,
    );
    let legacy = match flags.legacy {
        Some(value) => value,
        None => match &source {
            Source::Legacy(config) => matches!(
                config.get("config-mode").map(String::as_str),
                None | Some("") | Some("0")
            ),
            Source::Exec(args) => args.flag("legacy"),
        },
    };
    let cache_dir = flags
        .cache_dir
        .clone()
        .or_else(|| flags.token_cache_dir.clone())
        .or_else(|| source.arg("cache-dir").map(str::to_owned))
        .or_else(|| source.arg("token-cache-dir").map(str::to_owned));
    let (pop_enabled, pop_claims) = if gets_pop && flags.pop_claims.is_some() {
        (true, resolved.pop_claims.clone())
    } else {
        (
            source.arg_flag("pop-enabled"),
            source.arg("pop-claims").map(str::to_owned),
        )
    };
    let redirect_url = flags
        .redirect_url
        .clone()
        .or_else(|| source.arg("redirect-url").map(str::to_owned));
    let login_hint = flags
        .login_hint
        .clone()
        .or_else(|| source.arg("login-hint").map(str::to_owned));
    let client_secret = keep(
        given(&flags.client_secret, exposed(&resolved.client_secret)),
        "client-secret",
    );
    let client_certificate = keep(
        given(
            &flags.client_certificate,
            resolved.client_certificate.clone(),
        ),
        "client-certificate",
    );
    let client_certificate_password = keep(
        given(
            &flags.client_certificate_password,
            exposed(&resolved.client_certificate_password),
        ),
        "client-certificate-password",
    );
    let username = keep(
        given(&flags.username, resolved.username.clone()),
        "username",
    );
    let password = keep(
        given(&flags.password, exposed(&resolved.password)),
        "password",
    );
    let identity_resource_id = keep(flags.identity_resource_id.clone(), "identity-resource-id");
    let imds_endpoint = keep(flags.imds_endpoint.clone(), "imds-endpoint");
    let authority_host = keep(
        given(&flags.authority_host, resolved.authority_host.clone()),
        "authority-host",
    );
    let federated_token_file = keep(
        given(
            &flags.federated_token_file,
            resolved.federated_token_file.clone(),
        ),
        "federated-token-file",
    );
    let subscription = keep(flags.subscription.clone(), "subscription");
    let service_connection_id = keep(
        given(
            &flags.azure_pipelines_service_connection_id,
            resolved.service_connection_id.clone(),
        ),
        "azure-pipelines-service-connection-id",
    );
    let disable_env_override = flags.disable_environment_override.unwrap_or(false)
        || (flags.disable_environment_override.is_none()
            && same_mode
            && source.arg_flag("disable-environment-override"));
    let disable_instance_discovery = flags.disable_instance_discovery.unwrap_or(false)
        || (flags.disable_instance_discovery.is_none()
            && same_mode
            && source.arg_flag("disable-instance-discovery"));
    let timeout = keep(flags.timeout.clone(), "timeout");

    let missing = |flag: &'static str| ConvertError::Missing {
        user: name.to_owned(),
        flag,
        login,
    };
    let server_id = server_id.ok_or_else(|| missing("--server-id"))?;

    let mut args = ArgList(vec!["get-token".into()]);
    args.value("--login", Some(login.as_str().to_owned()));
    args.value("--server-id", Some(server_id));
    args.value("--cache-dir", cache_dir);
    let supports_pop = matches!(
        login,
        LoginMode::Interactive | LoginMode::Spn | LoginMode::Ropc
    );
    if pop_enabled && !supports_pop {
        warnings.push(format!(
            "user {name:?}: PoP tokens are only for interactive, spn and ropc; dropped --pop-enabled and --pop-claims for --login {login}"
        ));
    }
    let pop = (pop_enabled && supports_pop)
        .then_some(pop_claims)
        .flatten();
    match login {
        LoginMode::DeviceCode | LoginMode::Interactive | LoginMode::Spn | LoginMode::Ropc => {
            args.value(
                "--client-id",
                Some(client_id.ok_or_else(|| missing("--client-id"))?),
            );
            args.value(
                "--tenant-id",
                Some(tenant_id.ok_or_else(|| missing("--tenant-id"))?),
            );
            args.value("--environment", environment);
            match login {
                LoginMode::DeviceCode => args.flag("--legacy", legacy),
                LoginMode::Interactive => {
                    args.pop(&pop);
                    args.value("--redirect-url", redirect_url);
                    args.value("--login-hint", login_hint);
                }
                LoginMode::Spn => {
                    args.value("--client-secret", client_secret.clone());
                    args.value("--client-certificate", client_certificate);
                    args.value("--client-certificate-password", client_certificate_password);
                    args.flag("--legacy", legacy);
                    args.pop(&pop);
                    args.flag("--disable-environment-override", disable_env_override);
                }
                _ => {
                    args.value("--username", username);
                    args.value("--password", password.clone());
                    args.flag("--legacy", legacy);
                    args.pop(&pop);
                }
            }
        }
        LoginMode::Msi => {
            match client_id {
                Some(id) => args.value("--client-id", Some(id)),
                None => args.value("--identity-resource-id", identity_resource_id),
            }
            args.value("--imds-endpoint", imds_endpoint);
        }
        LoginMode::AzureCli => {
            args.value("--tenant-id", tenant_id);
            args.value("--subscription", subscription);
        }
        LoginMode::Azd => args.value("--tenant-id", tenant_id),
        LoginMode::WorkloadIdentity => {
            args.value("--client-id", client_id);
            args.value("--tenant-id", tenant_id);
            args.value("--authority-host", authority_host.clone());
            args.value("--federated-token-file", federated_token_file);
        }
        LoginMode::AzurePipelines => {
            args.value(
                "--tenant-id",
                Some(tenant_id.ok_or_else(|| missing("--tenant-id"))?),
            );
            args.value(
                "--azure-pipelines-service-connection-id",
                service_connection_id,
            );
            args.value("--client-id", client_id);
        }
    }
    // Our additions come after kubelogin's table, so its prefix order is unchanged.
    // kubelogin honours --authority-host in every mode but writes it only for workload identity.
    if login != LoginMode::WorkloadIdentity {
        args.value("--authority-host", authority_host);
    }
    args.flag(
        "--disable-environment-override",
        disable_env_override && login != LoginMode::Spn,
    );
    args.value("--timeout", timeout);
    args.flag("--disable-instance-discovery", disable_instance_discovery);
    if (login == LoginMode::Spn && client_secret.is_some() && flags.client_secret.is_some())
        || (login == LoginMode::Ropc && password.is_some() && flags.password.is_some())
    {
        warnings.push(format!(
            "user {name:?}: a secret is now stored in clear in kubeconfig; prefer AZURE_CLIENT_SECRET / AZURE_PASSWORD in the environment"
        ));
    }

    let mut env = old_exec
        .as_ref()
        .and_then(|e| e.env.clone())
        .unwrap_or_default();
    if login == LoginMode::AzureCli
        && let Some(dir) = options.azure_config_dir.filter(|d| !d.is_empty())
    {
        env.retain(|entry| entry.get("name").map(String::as_str) != Some("AZURE_CONFIG_DIR"));
        env.push(HashMap::from([
            ("name".to_owned(), "AZURE_CONFIG_DIR".to_owned()),
            ("value".to_owned(), dir.to_owned()),
        ]));
    }
    let install_hint = old_exec
        .as_ref()
        .and_then(|e| e.install_hint.clone())
        .filter(|hint| !hint.trim().is_empty() && !hint.contains("kubelogin is not installed"))
        .unwrap_or_else(|| INSTALL_HINT.to_owned());
    let api_version = options
        .exec_api_version
        .or_else(|| {
            old_exec
                .as_ref()
                .and_then(|e| e.api_version.as_deref())
                .and_then(ExecApiVersion::parse)
        })
        .unwrap_or(ExecApiVersion::V1Beta1);
    let interactive_mode = if login.needs_person() {
        ExecInteractiveMode::IfAvailable
    } else {
        ExecInteractiveMode::Never
    };

    let mut exec = old_exec.unwrap_or_default();
    exec.api_version = Some(api_version.as_str().to_owned());
    exec.command = Some(options.exec_command.to_owned());
    exec.args = Some(args.0);
    exec.env = (!env.is_empty()).then_some(env);
    exec.install_hint = Some(install_hint);
    exec.interactive_mode = Some(interactive_mode);
    user.exec = Some(exec);
    Ok(user)
}

/// The exec arguments being built, in order.
struct ArgList(Vec<String>);

impl ArgList {
    /// `flag value`, when there is a value.
    fn value(&mut self, flag: &str, value: Option<String>) {
        if let Some(value) = value {
            self.0.push(flag.to_owned());
            self.0.push(value);
        }
    }

    /// A flag without a value, when `on`.
    fn flag(&mut self, flag: &str, on: bool) {
        if on {
            self.0.push(flag.to_owned());
        }
    }

    /// `--pop-enabled --pop-claims C`, when PoP is kept.
    fn pop(&mut self, claims: &Option<String>) {
        if let Some(claims) = claims {
            self.flag("--pop-enabled", true);
            self.value("--pop-claims", Some(claims.clone()));
        }
    }
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
