//! The pure kubeconfig conversion: Entra ID users in, `kubectl-aad` exec entries out.
//!
//! Which users: legacy `auth-provider: azure`, `exec` entries whose command is kubelogin (any
//! path, `.exe`) and our own `kubectl-aad` entries. Where each value comes from follows
//! kubelogin's converter (given on the command line, then the legacy `config` key, then the
//! existing exec argument), and the arguments follow its per-mode order, which each mode's
//! descriptor states ([`ModeDescriptor::writes`]). Our improvements: an existing `--login` is kept
//! when `-l` is not given; `--legacy=false` clears legacy; mode-specific arguments survive a
//! re-conversion to the same mode; PoP claims from the command line go only to the selected
//! context's user (a `u` claim names one cluster); the existing `env`, `provideClusterInfo` and
//! a custom `installHint` are kept.
//!
//! The converter has its own input type, [`ConvertInput`], and knows nothing of flags or
//! settings; nothing here touches disk: `commands::convert_kubeconfig` loads and saves.

mod user;

use std::collections::{BTreeMap, HashMap};

use kube::config::{AuthInfo, Kubeconfig};
use kubectl_aad_contract::{Input, LoginMode, ModeDescriptor};

use crate::exec_credential::ExecApiVersion;

/// The install hint written into converted entries.
pub(crate) const INSTALL_HINT: &str = "\nkubectl-aad is required to sign in to this cluster with Microsoft Entra ID, but it is not installed.\n\n\
Install it with krew:  kubectl krew install aad  (and put ~/.krew/bin on PATH)\n\
or with cargo:         cargo install --locked --git https://github.com/kubectl-aad/kubectl-aad kubectl-aad\n\
or download a release: https://github.com/kubectl-aad/kubectl-aad/releases\n";

/// What the converter needs besides the kubeconfig.
pub(crate) struct ConvertInput<'a> {
    /// The mode the user chose (`-l`, or `AAD_LOGIN_METHOD`); `None` keeps each user's mode.
    pub login: Option<LoginMode>,
    /// The values set explicitly, after environment overrides; switches are `true` / `false`.
    pub given: BTreeMap<Input, String>,
    /// `--context`.
    pub context: Option<&'a str>,
    /// `--azure-config-dir`.
    pub azure_config_dir: Option<&'a str>,
    /// `--exec-api-version`.
    pub exec_api_version: Option<ExecApiVersion>,
    /// The command written into entries.
    pub exec_command: &'a str,
    /// The descriptor of a mode a provider library adds (`None` when no library declares it).
    pub describe: &'a dyn Fn(&LoginMode) -> Option<ModeDescriptor>,
}

/// Why a conversion was refused. Nothing is written when any user fails.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum ConvertError {
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
    /// The user's entry names a cloud that does not exist.
    #[error("user {user:?}: {reason}")]
    Cloud {
        /// The user.
        user: String,
        /// Why, with the fix.
        reason: String,
    },
    /// The user's existing entry has half of the PoP pair (kubelogin refuses it too).
    #[error(
        "user {user:?}: {reason}; fix its exec arguments or pass --pop-enabled --pop-claims \"u=<ARM ID of the cluster>\""
    )]
    PopPair {
        /// The user.
        user: String,
        /// kubelogin's message.
        reason: &'static str,
    },
    /// A library's mode whose library cannot be found.
    #[error(
        "user {user:?}: --login {login} is not built in and no provider library declares it; pass --providers-dir <dir with its library>"
    )]
    UnknownLibraryMode {
        /// The user.
        user: String,
        /// The mode.
        login: LoginMode,
    },
}

/// What a conversion did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ConvertReport {
    /// The users rewritten, with the index of the file that owns each.
    pub converted: Vec<(usize, String)>,
    /// The Entra ID users that were already what the conversion would write.
    pub unchanged: Vec<(usize, String)>,
    /// Things the user should know (dropped PoP flags, secrets written in clear …).
    pub warnings: Vec<String>,
    /// The files that now hold a secret in clear (their mode is tightened to 0600).
    pub secret_files: Vec<usize>,
}

/// Converts the Entra ID users of a kubeconfig file list (in KUBECONFIG order) in place.
///
/// A user is owned by the first file that defines it, as kubectl merges; only owning files
/// change. Returns which users changed; files without changes are left as they were. On an
/// error the files are partly converted and must be discarded (nothing is ever written then).
pub(crate) fn convert(
    files: &mut [Kubeconfig],
    input: &ConvertInput<'_>,
) -> Result<ConvertReport, ConvertError> {
    let owners = user_owners(files);
    let contexts = merged_contexts(files);
    let selected_user = match input.context {
        Some(name) => Some(selected_user(files, &owners, &contexts, name, input)?),
        None => None,
    };
    let mut candidates: Vec<(usize, usize)> = owners
        .iter()
        .filter(|(name, _)| selected_user.as_ref().is_none_or(|s| s == *name))
        .map(|(_, &at)| at)
        .filter(|&(file, index)| is_entra(&files[file].auth_infos[index].auth_info, input))
        .collect();
    candidates.sort_unstable();

    let pop_from_flags = input.given.contains_key(&Input::PopClaims);
    let pop_target = match (&selected_user, pop_from_flags) {
        (Some(user), _) => Some(user.clone()),
        (None, false) => None,
        (None, true) => Some(pop_target(files, &contexts, &candidates)?),
    };

    let mut report = ConvertReport::default();
    let mut rewritten = Vec::new();
    for &(file, index) in &candidates {
        let named = &mut files[file].auth_infos[index];
        let gets_pop = pop_target.as_deref() == Some(named.name.as_str());
        // Moved, not cloned: on an error the caller discards the whole list and writes nothing.
        let old = named.auth_info.take().unwrap_or_default();
        let before = serde_json::to_value(&old).ok();
        let (new, wrote_secret) =
            user::convert_user(&named.name, old, input, gets_pop, &mut report.warnings)?;
        if wrote_secret && !report.secret_files.contains(&file) {
            report.secret_files.push(file);
        }
        let same = before.is_some() && before == serde_json::to_value(&new).ok();
        rewritten.push((file, index, new, same));
    }
    if pop_from_flags
        && candidates.len() > 1
        && let Some(target) = &pop_target
    {
        report.warnings.push(format!(
            "--pop-claims was applied to user {target:?} only; PoP claims name one cluster, convert the others with --context"
        ));
    }
    for (file, index, user, same) in rewritten {
        let named = &mut files[file].auth_infos[index];
        match same {
            true => report.unchanged.push((file, named.name.clone())),
            false => report.converted.push((file, named.name.clone())),
        }
        named.auth_info = Some(user);
    }
    Ok(report)
}

/// The user of `--context`, which must exist and use Entra ID.
fn selected_user(
    files: &[Kubeconfig],
    owners: &BTreeMap<String, (usize, usize)>,
    contexts: &HashMap<String, Option<String>>,
    name: &str,
    input: &ConvertInput<'_>,
) -> Result<String, ConvertError> {
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
    if !is_entra(&files[file].auth_infos[index].auth_info, input) {
        return Err(ConvertError::NotEntra {
            context: name.to_owned(),
            user,
        });
    }
    Ok(user)
}

/// Without `--context`, PoP claims go to the current context's user, or to the only candidate.
fn pop_target(
    files: &[Kubeconfig],
    contexts: &HashMap<String, Option<String>>,
    candidates: &[(usize, usize)],
) -> Result<String, ConvertError> {
    let current = files
        .iter()
        .find_map(|f| f.current_context.clone())
        .filter(|c| !c.is_empty());
    match current.and_then(|c| contexts.get(&c).cloned().flatten()) {
        Some(user) => Ok(user),
        None if candidates.len() == 1 => {
            let (file, index) = candidates[0];
            Ok(files[file].auth_infos[index].name.clone())
        }
        None => Err(ConvertError::PopNeedsContext),
    }
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
fn is_entra(user: &Option<AuthInfo>, input: &ConvertInput<'_>) -> bool {
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
        .is_some_and(|command| is_our_command(command, input.exec_command))
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

#[cfg(test)]
mod tests;
