//! `convert-kubeconfig`: rewrite Entra ID users into `kubectl-aad` exec entries, in place.
//!
//! stdout: the unified diff with `--dry-run`, else nothing. stderr: one line per converted user,
//! warnings, and the backup paths. Every check (flags, YAML, writability, required values) runs
//! before the first byte is written, so a failure leaves every file byte-identical.

use std::collections::BTreeMap;
use std::io::Write as _;

use kubectl_aad_contract::{Input, LoginMode, ModeDescriptor};

use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential;
use crate::kubeconfig::convert::{self, ConvertInput, ConvertReport};
use crate::kubeconfig::{self, KubeconfigError, KubeconfigFile, Planned};
use crate::registry::Registry;
use crate::settings::{ConvertSettings, TokenSettings};

/// Runs the conversion.
pub(crate) fn run(settings: ConvertSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    for applied in &settings.token.overrides {
        env.log(1, &applied.describe());
    }
    // client-go's lock on every file from before it is read until it is replaced, so that a
    // concurrent kubectl write is never lost; a dry run writes nothing and takes none.
    let _locks = match settings.dry_run {
        true => None,
        false => Some(kubeconfig::lock(&settings.paths)?),
    };
    let mut files = kubeconfig::load(&settings.paths)?;
    let listed = files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if files.iter().all(|f| f.config.auth_infos.is_empty()) {
        return Err(KubeconfigError::Empty(listed).into());
    }

    // The parsed configs are converted in place; the original text stays for diffs.
    let mut configs: Vec<_> = files
        .iter_mut()
        .map(|f| std::mem::take(&mut f.config))
        .collect();
    let registry = Registry::new(settings.token.providers_dir.clone(), true);
    let describe = |login: &LoginMode| descriptor(&registry, login);
    let report = convert::convert(&mut configs, &convert_input(&settings, &describe))?;
    for warning in &report.warnings {
        env.warn(warning);
    }
    for (index, user) in &report.unchanged {
        env.say(&format!(
            "unchanged: user {user:?} in {} already is what this conversion writes",
            files[*index].path.display()
        ));
    }
    if report.converted.is_empty() {
        if report.unchanged.is_empty() {
            env.say(&format!(
                "no Entra ID users found in {listed}; nothing changed"
            ));
        }
        return Ok(ExitStatus::Success);
    }
    let mut changes = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let text = kubeconfig::render(&configs[index], &file.path)?;
        if report.converted.iter().any(|(owner, _)| *owner == index) && text != file.text {
            changes.push((index, text));
        }
    }
    if settings.dry_run {
        for (index, text) in &changes {
            let file = &files[*index];
            write!(
                env.stdout,
                "{}",
                kubeconfig::diff(&file.path, &file.text, text)
            )?;
        }
        env.say(&format!(
            "dry run: {} file(s) would change; nothing was written",
            changes.len()
        ));
        return Ok(ExitStatus::Success);
    }
    write_changes(&settings, &files, &changes, &report, env)?;
    for (index, user) in &report.converted {
        env.say(&format!(
            "converted user {user:?} in {}",
            files[*index].path.display()
        ));
    }
    Ok(ExitStatus::Success)
}

/// Writes the changed files: all staged, then backed up, then renamed. A file that now holds a
/// secret in clear becomes readable by its owner only.
fn write_changes(
    settings: &ConvertSettings,
    files: &[KubeconfigFile],
    changes: &[(usize, String)],
    report: &ConvertReport,
    env: &Env,
) -> anyhow::Result<()> {
    for (index, _) in changes {
        kubeconfig::check_writable(&files[*index].path)?;
    }
    let mut planned = Vec::new();
    for (index, text) in changes {
        let file = &files[*index];
        let mut keep = file.keep;
        if report.secret_files.contains(index) && keep.mode & 0o077 != 0 {
            env.warn(&format!(
                "{} now holds a secret in clear: its mode changes from {:04o} to {:04o} so that only its owner can read it",
                file.path.display(),
                keep.mode,
                keep.mode & 0o7700 & !0o100
            ));
            keep.mode = keep.mode & 0o7700 & !0o100;
        }
        planned.push(Planned {
            path: &file.path,
            old: &file.text,
            new: text,
            keep,
        });
    }
    let stamp = exec_credential::rfc3339((env.clock)()).replace(['-', ':'], "");
    let backups = kubeconfig::save_all(&planned, (!settings.no_backup).then_some(stamp.as_str()))?;
    for (file, backup) in planned.iter().zip(&backups) {
        env.say(&format!(
            "backup of {} kept at {}",
            file.path.display(),
            backup.display()
        ));
    }
    Ok(())
}

/// The descriptor of `login` as the registry has it (a library's mode included), for the
/// converter.
pub(crate) fn descriptor(registry: &Registry, login: &LoginMode) -> Option<ModeDescriptor> {
    registry
        .find(login)
        .ok()
        .map(|found| found.descriptor().clone())
}

/// The converter's input for these settings.
pub(crate) fn convert_input<'a>(
    settings: &'a ConvertSettings,
    describe: &'a dyn Fn(&LoginMode) -> Option<ModeDescriptor>,
) -> ConvertInput<'a> {
    let token = &settings.token;
    ConvertInput {
        login: token
            .given
            .contains(Input::Login)
            .then(|| token.login().clone()),
        given: given_values(token),
        context: settings.context.as_deref(),
        azure_config_dir: settings.azure_config_dir.as_deref(),
        exec_api_version: settings.exec_api_version,
        exec_command: &settings.exec_command,
        describe,
    }
}

/// What the user set explicitly, with the values in force (a variable may have replaced a
/// flag's value, as kubelogin's converter writes it); switches as `true` / `false`.
pub(crate) fn given_values(token: &TokenSettings) -> BTreeMap<Input, String> {
    Input::ALL
        .into_iter()
        .filter(|input| token.given.contains(*input) && *input != Input::Login)
        .filter_map(|input| {
            let value = match input {
                Input::Legacy => Some(token.request.legacy.to_string()),
                Input::DisableEnvironmentOverride => {
                    Some(token.disable_environment_override.to_string())
                }
                Input::DisableInstanceDiscovery => {
                    Some(token.request.disable_instance_discovery.to_string())
                }
                _ => token.value(input),
            };
            Some((input, value?))
        })
        .collect()
}
