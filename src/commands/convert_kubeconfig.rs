//! `convert-kubeconfig`: rewrite Entra ID users into `kubectl-aad` exec entries, in place.
//!
//! stdout: the unified diff with `--dry-run`, else nothing. stderr: one line per converted user,
//! warnings, and the backup paths. Every check (flags, YAML, writability, required values) runs
//! before the first byte is written, so a failure leaves every file byte-identical.

use std::collections::BTreeMap;
use std::io::Write as _;

use anyhow::Context as _;
use kubectl_aad_contract::{Input, LoginMode, ModeDescriptor};

use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential;
use crate::kubeconfig::convert::{self, ConvertInput};
use crate::kubeconfig::{self, KubeconfigError};
use crate::registry::Registry;
use crate::settings::{ConvertSettings, TokenSettings};

/// Runs the conversion.
pub(crate) fn run(settings: ConvertSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    for applied in &settings.token.overrides {
        env.log(1, &applied.describe());
    }
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
    let describe = |login: &LoginMode| -> Option<ModeDescriptor> {
        registry
            .find(login)
            .ok()
            .map(|found| found.descriptor().clone())
    };
    let report = convert::convert(&mut configs, &convert_input(&settings, &describe))?;
    for warning in &report.warnings {
        env.warn(warning);
    }
    if report.converted.is_empty() {
        env.say(&format!(
            "no Entra ID users found in {listed}; nothing changed"
        ));
        return Ok(ExitStatus::Success);
    }

    let mut changes = Vec::new();
    for (index, file) in files.iter().enumerate() {
        if !report.converted.iter().any(|(owner, _)| *owner == index) {
            continue;
        }
        let text = kubeconfig::render(&configs[index], &file.path)?;
        if text != file.text {
            changes.push((file, text));
        }
    }

    if settings.dry_run {
        for (file, text) in &changes {
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

    for (file, _) in &changes {
        kubeconfig::check_writable(&file.path)?;
    }
    let stamp = exec_credential::rfc3339((env.clock)()).replace(['-', ':'], "");
    for (file, text) in &changes {
        let backup = kubeconfig::save(
            &file.path,
            text,
            (!settings.no_backup).then_some(stamp.as_str()),
        )
        .with_context(|| format!("converting {}", file.path.display()))?;
        if let Some(backup) = backup {
            env.say(&format!(
                "backup of {} kept at {}",
                file.path.display(),
                backup.display()
            ));
        }
    }
    for (index, user) in &report.converted {
        env.say(&format!(
            "converted user {user:?} in {}",
            files[*index].path.display()
        ));
    }
    Ok(ExitStatus::Success)
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
fn given_values(token: &TokenSettings) -> BTreeMap<Input, String> {
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
