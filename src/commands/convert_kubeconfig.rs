//! `convert-kubeconfig`: rewrite Entra ID users into `kubectl-aad` exec entries, in place.
//!
//! stdout: the unified diff with `--dry-run`, else nothing. stderr: one line per converted user,
//! warnings, and the backup paths. Every check (flags, YAML, writability, required values) runs
//! before the first byte is written, so a failure leaves every file byte-identical.

use anyhow::Context as _;

use crate::cli::{ConvertArgs, ExecApiVersionArg};
use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential::{self, ExecApiVersion};
use crate::kubeconfig::convert::{self, ConvertOptions};
use crate::kubeconfig::{self, KubeconfigError};
use crate::settings;

/// Runs the conversion.
pub fn run(args: ConvertArgs, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let resolved = settings::resolve_token_options(&args.token, &env.vars, env.home.as_deref())?;
    for (var, flag) in &resolved.overrides {
        env.log(1, &format!("{var} overrides {flag}"));
    }
    let paths = kubeconfig::paths(args.kubeconfig.as_deref(), &env.vars, env.home.as_deref())?;
    let mut files = kubeconfig::load(&paths)?;
    let listed = files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if files.iter().all(|f| f.config.auth_infos.is_empty()) {
        return Err(KubeconfigError::Empty(listed.clone()).into());
    }

    // The parsed configs are converted in place; the original text stays for diffs.
    let mut configs: Vec<_> = files
        .iter_mut()
        .map(|f| std::mem::take(&mut f.config))
        .collect();
    let options = ConvertOptions {
        flags: &args.token,
        resolved: &resolved,
        context: args.context.as_deref(),
        azure_config_dir: args.azure_config_dir.as_deref(),
        exec_api_version: args.exec_api_version.map(|v| match v {
            ExecApiVersionArg::V1 => ExecApiVersion::V1,
            ExecApiVersionArg::V1beta1 => ExecApiVersion::V1Beta1,
        }),
        exec_command: &args.exec_command,
    };
    let report = convert::convert(&mut configs, &options)?;
    for warning in &report.warnings {
        env.warn(warning);
    }
    if report.converted.is_empty() {
        env.say(&format!(
            "no Entra ID users found in {}; nothing changed",
            listed.clone()
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

    if args.dry_run {
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
            (!args.no_backup).then_some(stamp.as_str()),
        )
        .with_context(|| format!("converting {}", file.path.display()))?;
        if let Some(backup) = backup {
            env.log(
                0,
                &format!(
                    "backup of {} kept at {}",
                    file.path.display(),
                    backup.display()
                ),
            );
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

use std::io::Write as _;
