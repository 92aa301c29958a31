//! One user's conversion: read where its old values live, pick each value (given → legacy
//! config key → existing argument), check what the mode requires, and write the exec entry in
//! the mode's order.

use std::collections::{BTreeMap, HashMap};

use kube::config::{AuthInfo, ExecConfig, ExecInteractiveMode};
use kubectl_aad_contract::{Input, LoginMode, ModeDescriptor};

use super::{ConvertError, ConvertInput, INSTALL_HINT};
use crate::argv::{ArgList, ExecArgs};
use crate::exec_credential::ExecApiVersion;

/// Inputs that every mode carries over from the old entry, whatever its mode was.
const ALWAYS_CARRIED: [Input; 2] = [Input::ServerId, Input::Environment];

/// Inputs kept from the old entry whatever the old and new modes are: where the cache lives,
/// where libraries live, how a person signs in, and PoP (dropped with a warning where the new
/// mode has none).
const STICKY: [Input; 6] = [
    Input::CacheDir,
    Input::TokenCacheStorage,
    Input::ProvidersDir,
    Input::RedirectUrl,
    Input::LoginHint,
    Input::PopClaims,
];

/// Inputs every mode may carry after its own list, in kubelogin's order (our additions come
/// after kubelogin's table, so its prefix order is unchanged).
const TRAILING: [Input; 4] = [
    Input::AuthorityHost,
    Input::DisableEnvironmentOverride,
    Input::Timeout,
    Input::DisableInstanceDiscovery,
];

/// Where a user's old values come from.
enum Source {
    Legacy(HashMap<String, String>),
    Exec(ExecArgs),
}

impl Source {
    fn read(user: &mut AuthInfo, old_exec: Option<&ExecConfig>) -> Source {
        match (user.auth_provider.take(), old_exec) {
            (Some(provider), _) if provider.name == "azure" => Source::Legacy(provider.config),
            (_, Some(exec)) => {
                Source::Exec(ExecArgs::parse(exec.args.as_deref().unwrap_or_default()))
            }
            _ => Source::Exec(ExecArgs::default()),
        }
    }

    /// The legacy `config` key of an input, where kubelogin's converter reads one.
    fn legacy(&self, input: Input) -> Option<&str> {
        let key = match input {
            Input::ServerId => "apiserver-id",
            Input::ClientId => "client-id",
            Input::TenantId => "tenant-id",
            Input::Environment => "environment",
            _ => return None,
        };
        match self {
            Source::Legacy(config) => config
                .get(key)
                .map(String::as_str)
                .filter(|v| !v.is_empty()),
            Source::Exec(_) => None,
        }
    }

    /// The existing exec argument of an input (switches read as `true`).
    fn arg(&self, input: Input) -> Option<String> {
        let Source::Exec(args) = self else {
            return None;
        };
        match input {
            Input::PopClaims => args
                .value(input)
                .filter(|_| args.switch("pop-enabled"))
                .map(str::to_owned),
            Input::ProviderOptions => {
                Some(args.provider_options().join(",")).filter(|v| !v.is_empty())
            }
            _ if input.is_switch() => args
                .switch(input.flag().trim_start_matches('-'))
                .then(|| "true".into()),
            _ => args.value(input).map(str::to_owned),
        }
    }

    /// kubelogin's message when the existing arguments hold only one of the PoP flags.
    fn half_pop_pair(&self) -> Option<&'static str> {
        let Source::Exec(args) = self else {
            return None;
        };
        match (
            args.switch("pop-enabled"),
            args.value(Input::PopClaims).is_some(),
        ) {
            (true, false) => Some("--pop-claims is required when specifying --pop-enabled"),
            (false, true) => Some("--pop-enabled is required when specifying --pop-claims"),
            _ => None,
        }
    }

    /// Whether the old entry sets `--legacy` (a legacy entry: unless `config-mode` is 1).
    fn legacy_mode(&self) -> bool {
        match self {
            Source::Legacy(config) => matches!(
                config.get("config-mode").map(String::as_str),
                None | Some("") | Some("0")
            ),
            Source::Exec(args) => args.switch("legacy"),
        }
    }

    /// The login mode the entry had (legacy entries are user sign-ins: devicecode).
    fn previous_login(&self) -> Option<&str> {
        match self {
            Source::Legacy(_) => Some("devicecode"),
            Source::Exec(args) => args.value(Input::Login),
        }
    }
}

/// The mode a user ends up with, and its facts.
fn target_mode(
    name: &str,
    source: &Source,
    input: &ConvertInput<'_>,
) -> Result<(LoginMode, ModeDescriptor), ConvertError> {
    let login = match (&input.login, source.previous_login()) {
        (Some(login), _) => login.clone(),
        (None, Some(previous)) => {
            LoginMode::parse(previous).map_err(|_| ConvertError::BadExistingLogin {
                user: name.to_owned(),
                login: previous.to_owned(),
            })?
        }
        (None, None) => LoginMode::DeviceCode,
    };
    let descriptor = match login.descriptor() {
        Some(descriptor) => descriptor.clone(),
        None => (input.describe)(&login).ok_or_else(|| ConvertError::UnknownLibraryMode {
            user: name.to_owned(),
            login: login.clone(),
        })?,
    };
    Ok((login, descriptor))
}

/// The values to write for each input.
struct Picked {
    values: BTreeMap<Input, String>,
}

impl Picked {
    fn get(&self, input: Input) -> Option<String> {
        self.values.get(&input).cloned()
    }

    /// given → legacy config key → existing argument, as far as the new mode carries each.
    fn from(
        source: &Source,
        input: &ConvertInput<'_>,
        login: &LoginMode,
        descriptor: &ModeDescriptor,
    ) -> Picked {
        let same_mode =
            matches!(source, Source::Exec(_)) && source.previous_login() == Some(login.as_str());
        // What the new mode requires at convert time is carried over from any old mode.
        let required = |i: Input| {
            descriptor
                .requires
                .iter()
                .any(|r| r.at_convert && r.any_of.contains(&i))
        };
        let mut values = BTreeMap::new();
        for i in Input::ALL {
            let carried = ALWAYS_CARRIED.contains(&i) || required(i);
            let value = match (input.given.get(&i), i) {
                (Some(given), _) => Some(given.clone()),
                (None, Input::Legacy) => source.legacy_mode().then(|| "true".into()),
                (None, _) => carried
                    .then(|| source.legacy(i).map(str::to_owned))
                    .flatten()
                    .or_else(|| {
                        (carried || same_mode || STICKY.contains(&i))
                            .then(|| source.arg(i))
                            .flatten()
                    }),
            };
            // A switch given as false is written as absent.
            if let Some(value) = value.filter(|v| !(i.is_switch() && v == "false")) {
                values.insert(i, value);
            }
        }
        Picked { values }
    }
}

pub(super) fn convert_user(
    name: &str,
    mut user: AuthInfo,
    input: &ConvertInput<'_>,
    gets_pop: bool,
    warnings: &mut Vec<String>,
) -> Result<(AuthInfo, bool), ConvertError> {
    let old_exec = user.exec.take();
    let source = Source::read(&mut user, old_exec.as_ref());
    let (login, descriptor) = target_mode(name, &source, input)?;
    let mut picked = Picked::from(&source, input, &login, &descriptor);
    // PoP claims given on the command line name one cluster: others keep their own.
    if input.given.contains_key(&Input::PopClaims) && !gets_pop {
        picked.values.remove(&Input::PopClaims);
        if let Some(own) = source.arg(Input::PopClaims) {
            picked.values.insert(Input::PopClaims, own);
        }
    }
    let missing = |flag: &'static str| ConvertError::Missing {
        user: name.to_owned(),
        flag,
        login: login.clone(),
    };
    let server_id = picked
        .get(Input::ServerId)
        .ok_or_else(|| missing("--server-id"))?;
    // Whatever its source (flag, legacy config key, existing argument), a cloud must exist.
    if let Some(environment) = picked.get(Input::Environment) {
        kubectl_aad_entra::Cloud::from_name(&environment).map_err(|err| ConvertError::Cloud {
            user: name.to_owned(),
            reason: err.to_string(),
        })?;
    }
    // Half a PoP pair in the existing arguments is refused, as kubelogin does, for the modes
    // that would write it.
    if descriptor.pop
        && !input.given.contains_key(&Input::PopClaims)
        && let Some(reason) = source.half_pop_pair()
    {
        return Err(ConvertError::PopPair {
            user: name.to_owned(),
            reason,
        });
    }
    for requirement in descriptor.requires.iter().filter(|r| r.at_convert) {
        if requirement.any_of.iter().all(|i| picked.get(*i).is_none()) {
            return Err(missing(requirement.any_of[0].flag()));
        }
    }
    if picked.get(Input::PopClaims).is_some() && !descriptor.pop {
        warnings.push(format!(
            "user {name:?}: PoP tokens are only for {}; dropped --pop-enabled and --pop-claims for --login {login}",
            crate::token::pop::pop_modes()
        ));
    }
    let args = write_args(&login, &descriptor, server_id, &picked);
    let wrote_secret = descriptor
        .writes
        .iter()
        .any(|i| i.is_secret() && picked.get(*i).is_some());
    if wrote_secret
        && descriptor
            .writes
            .iter()
            .any(|i| i.is_secret() && input.given.contains_key(i))
    {
        warnings.push(format!(
            "user {name:?}: a secret is now stored in clear in kubeconfig; prefer AZURE_CLIENT_SECRET / AZURE_PASSWORD in the environment"
        ));
    }
    user.exec = Some(exec_entry(old_exec, input, &descriptor, args));
    Ok((user, wrote_secret))
}

/// `get-token --login M --server-id S [--cache-dir D]`, the mode's own inputs in its order, then
/// the trailing ones.
fn write_args(
    login: &LoginMode,
    descriptor: &ModeDescriptor,
    server_id: String,
    picked: &Picked,
) -> Vec<String> {
    let mut args = ArgList::new(&["get-token"]);
    args.value("--login", Some(login.as_str().to_owned()));
    args.value("--server-id", Some(server_id));
    args.value("--cache-dir", picked.get(Input::CacheDir));
    args.value(
        "--token-cache-storage",
        picked.get(Input::TokenCacheStorage),
    );
    let has_client_id = picked.get(Input::ClientId).is_some();
    for &i in descriptor.writes.iter() {
        let value = match i {
            // kubelogin: a client id picks the identity; the resource id only without one.
            Input::IdentityResourceId if has_client_id => None,
            Input::PopClaims if !descriptor.pop => None,
            // Written into the exec environment, not the arguments.
            Input::AzureConfigDir => None,
            _ => picked.get(i),
        };
        args.input(i, value);
    }
    for i in TRAILING
        .into_iter()
        .filter(|i| !descriptor.writes.contains(i))
    {
        args.input(i, picked.get(i));
    }
    if !login.is_built_in() {
        args.input(Input::ProviderOptions, picked.get(Input::ProviderOptions));
    }
    args.input(Input::ProvidersDir, picked.get(Input::ProvidersDir));
    args.0
}

/// The new exec entry: our command and arguments, the old entry's environment (plus
/// `AZURE_CONFIG_DIR` for the modes that read it), its custom install hint and its
/// `provideClusterInfo`.
fn exec_entry(
    old_exec: Option<ExecConfig>,
    input: &ConvertInput<'_>,
    descriptor: &ModeDescriptor,
    args: Vec<String>,
) -> ExecConfig {
    let mut env = old_exec
        .as_ref()
        .and_then(|e| e.env.clone())
        .unwrap_or_default();
    if descriptor.writes.contains(&Input::AzureConfigDir)
        && let Some(dir) = input.azure_config_dir
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
    let api_version = input
        .exec_api_version
        .or_else(|| {
            old_exec
                .as_ref()
                .and_then(|e| e.api_version.as_deref())
                .and_then(ExecApiVersion::parse)
        })
        .unwrap_or(ExecApiVersion::V1Beta1);
    let mut exec = old_exec.unwrap_or_default();
    exec.api_version = Some(api_version.as_str().to_owned());
    exec.command = Some(input.exec_command.to_owned());
    exec.args = Some(args);
    exec.env = (!env.is_empty()).then_some(env);
    exec.install_hint = Some(install_hint);
    exec.interactive_mode = Some(match descriptor.user_flow {
        true => ExecInteractiveMode::IfAvailable,
        false => ExecInteractiveMode::Never,
    });
    exec
}
