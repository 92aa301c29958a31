//! `get-credentials`: from a cluster name to kubectl in one command, without the Azure CLI.
//!
//! Sign in to Resource Manager with the chosen mode → `listClusterUserCredential` (exec format)
//! or `listClusterAdminCredential` → convert the returned user to `-l MODE` (the mode used for
//! ARM unless another is given) → merge into the kubeconfig file as `az aks get-credentials`
//! does → one atomic write under client-go's lock, with a backup, owner and mode kept; or with
//! `--dry-run` a diff and nothing written. Every check runs before the first byte is written.

use std::io::Write as _;

use anyhow::Context as _;
use std::path::Path;

use kube::config::Kubeconfig;
use kubectl_aad_contract::LoginMode;

use super::clusters::connect;
use super::convert_kubeconfig::{descriptor, given_values};
use crate::arm::{ArmError, aks};
use crate::atomic_file::Keep;
use crate::env::Env;
use crate::error::ExitStatus;
use crate::exec_credential;
use crate::kubeconfig::convert::{self, ConvertInput};
use crate::kubeconfig::merge::{self, Merged};
use crate::kubeconfig::{self, KubeconfigFile, Planned};
use crate::registry::Registry;
use crate::settings::GetCredentialsSettings;

/// Fetches, converts, merges and writes.
pub(crate) fn run(settings: GetCredentialsSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    // A kubeconfig that cannot be read or written fails before anyone is asked to sign in.
    let before = existing(&settings.file)?;
    if !before.text.is_empty() && !settings.dry_run {
        kubeconfig::check_writable(&before.path)?;
    }
    let arm = connect(&settings.arm, env)?;
    let text = aks::credential(&arm, &settings.cluster, settings.admin)?;
    let mut addition = kubeconfig::parse(&text).map_err(|reason| ArmError::BadAnswer {
        endpoint: settings.arm.endpoint.clone(),
        what: format!("a kubeconfig that does not parse ({reason})"),
    })?;
    if let Some(name) = &settings.context {
        merge::rename_context(&mut addition, name);
    }
    if !settings.admin {
        convert_new_user(&settings, &mut addition, env)?;
    }

    if let Some(dir) = settings.file.parent().filter(|d| !d.as_os_str().is_empty())
        && !settings.dry_run
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let _lock = match settings.dry_run {
        true => None,
        false => Some(kubeconfig::lock(std::slice::from_ref(&settings.file))?),
    };
    // Read again under the lock: kubectl may have written it while we signed in.
    let mut target = existing(&settings.file)?;
    let merged = merge::merge(
        &mut target.config,
        addition,
        settings.overwrite,
        &settings.file.display().to_string(),
    )?;
    if !merged.changed {
        env.say(&format!(
            "unchanged: {} already holds context {:?} as Azure returned it",
            target.path.display(),
            merged.context
        ));
        return Ok(ExitStatus::Success);
    }
    let new_text = kubeconfig::render(&target.config, &target.path)?;
    if settings.dry_run {
        write!(
            env.stdout,
            "{}",
            kubeconfig::diff(&target.path, &target.text, &new_text)
        )?;
        env.say("dry run: nothing was written");
        return Ok(ExitStatus::Success);
    }
    write(&settings, &target, &new_text, env)?;
    report(&settings, &target.path, &merged, env);
    Ok(ExitStatus::Success)
}

/// Converts the user Azure returned (a kubelogin devicecode exec entry) to our mode and flags.
fn convert_new_user(
    settings: &GetCredentialsSettings,
    addition: &mut Kubeconfig,
    env: &Env,
) -> anyhow::Result<()> {
    let registry = Registry::new(settings.token.providers_dir.clone(), true);
    let describe = |login: &LoginMode| descriptor(&registry, login);
    let context = addition.contexts.first().map(|c| c.name.clone());
    let input = ConvertInput {
        login: Some(settings.token.login().clone()),
        given: given_values(&settings.token),
        context: context.as_deref(),
        azure_config_dir: None,
        exec_api_version: None,
        exec_command: &settings.exec_command,
        describe: &describe,
    };
    let report = convert::convert(std::slice::from_mut(addition), &input)?;
    for warning in &report.warnings {
        env.warn(warning);
    }
    Ok(())
}

/// The target file as it is, or an empty kubeconfig (0600) when there is none yet.
fn existing(path: &Path) -> anyhow::Result<KubeconfigFile> {
    if path.exists() {
        return Ok(kubeconfig::load(std::slice::from_ref(&path.to_path_buf()))?.remove(0));
    }
    Ok(KubeconfigFile {
        path: path.to_path_buf(),
        keep: Keep {
            mode: 0o600,
            owner: None,
        },
        text: String::new(),
        config: Kubeconfig::default(),
    })
}

fn write(
    settings: &GetCredentialsSettings,
    target: &KubeconfigFile,
    new_text: &str,
    env: &Env,
) -> anyhow::Result<()> {
    let existed = !target.text.is_empty();
    if existed {
        kubeconfig::check_writable(&target.path)?;
    }
    let planned = [Planned {
        path: &target.path,
        old: &target.text,
        new: new_text,
        keep: target.keep,
    }];
    let stamp = exec_credential::rfc3339((env.clock)()).replace(['-', ':'], "");
    let backup = (existed && !settings.no_backup).then_some(stamp.as_str());
    for backup in kubeconfig::save_all(&planned, backup)? {
        env.say(&format!(
            "backup of {} kept at {}",
            target.path.display(),
            backup.display()
        ));
    }
    Ok(())
}

fn report(settings: &GetCredentialsSettings, path: &Path, merged: &Merged, env: &Env) {
    for replaced in &merged.replaced {
        env.say(&format!("replaced {replaced} (--overwrite-existing)"));
    }
    let how = match settings.admin {
        true => "the cluster admin credential (local account)".to_owned(),
        false => format!("signs in with -l {}", settings.token.login()),
    };
    env.say(&format!(
        "merged context {:?} for AKS cluster {} into {}; it is the current context and {how}",
        merged.context,
        settings.cluster.name,
        path.display()
    ));
}
