//! Settings of the commands that talk to Azure Resource Manager (`get-credentials`, `clusters`)
//! and of `status`: which cluster, which ARM endpoint, and the sign-in to ARM derived from the
//! token flags — the same mode, the cloud's ARM audience, and for a person's sign-in the Azure
//! CLI's public client (ARM does not accept the AKS client app).

use std::path::PathBuf;

use kubectl_aad_contract::LoginMode;
use kubectl_aad_entra::Cloud;

use super::{SettingsError, TokenSettings};
use crate::arm::aks::{ClusterId, valid_segment};
use crate::cli::{ClustersArgs, GetCredentialsArgs, OutputFormat, StatusArgs};
use crate::env::Env;
use crate::kubeconfig;

/// The Azure CLI's first-party public client, which ARM accepts for user sign-ins.
pub(crate) const AZURE_CLI_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// The AKS client app, which kubeconfigs carry for the cluster's own sign-in.
const AKS_CLIENT_ID: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

/// How to reach Resource Manager.
pub(crate) struct ArmSettings {
    /// The sign-in for an ARM token (cached like any other).
    pub(crate) token: TokenSettings,
    /// The endpoint, https, no trailing slash.
    pub(crate) endpoint: String,
}

impl ArmSettings {
    /// From the token flags: `--arm-endpoint` or the cloud's, and its audience.
    fn resolve(
        token: &TokenSettings,
        endpoint: Option<&str>,
    ) -> Result<ArmSettings, SettingsError> {
        let cloud = match &token.environment {
            Some(name) => Cloud::from_name(name)?,
            None => Cloud::Public,
        };
        let endpoint = endpoint
            .filter(|e| !e.is_empty())
            .unwrap_or(cloud.arm_endpoint())
            .trim_end_matches('/')
            .to_owned();
        match url::Url::parse(&endpoint) {
            Ok(url) if url.scheme() == "https" && url.host_str().is_some() => {}
            _ => return Err(SettingsError::ArmEndpoint(endpoint)),
        }
        let mut arm = token.clone();
        arm.request.server_id = cloud.arm_audience().to_owned();
        arm.pop_claims = None;
        arm.request.pop = None;
        let person = matches!(
            arm.login(),
            LoginMode::DeviceCode | LoginMode::Interactive | LoginMode::Ropc
        );
        if person && (arm.request.client_id.is_empty() || arm.request.client_id == AKS_CLIENT_ID) {
            arm.request.client_id = AZURE_CLI_CLIENT_ID.to_owned();
        }
        Ok(ArmSettings {
            token: arm,
            endpoint,
        })
    }
}

/// `get-credentials`.
pub(crate) struct GetCredentialsSettings {
    /// The token settings the new user is converted with.
    pub(crate) token: TokenSettings,
    /// How to reach ARM.
    pub(crate) arm: ArmSettings,
    /// The cluster.
    pub(crate) cluster: ClusterId,
    /// `--admin`.
    pub(crate) admin: bool,
    /// The kubeconfig file to merge into.
    pub(crate) file: PathBuf,
    /// `--context`.
    pub(crate) context: Option<String>,
    /// `--overwrite-existing`.
    pub(crate) overwrite: bool,
    /// `--dry-run`.
    pub(crate) dry_run: bool,
    /// `--no-backup`.
    pub(crate) no_backup: bool,
    /// The command written into the exec entry.
    pub(crate) exec_command: String,
}

impl GetCredentialsSettings {
    /// The cluster from `--id`, or from `--subscription`, `--resource-group` and `--name`.
    pub(crate) fn resolve(
        args: &GetCredentialsArgs,
        env: &Env,
    ) -> anyhow::Result<GetCredentialsSettings> {
        let token = TokenSettings::resolve(&args.token, env)?;
        let cluster = match &args.id {
            Some(id) => ClusterId::parse(id).ok_or_else(|| SettingsError::ClusterId(id.clone()))?,
            None => {
                let part = |value: Option<&String>, flag: &'static str| {
                    let value = value
                        .filter(|v| !v.is_empty())
                        .ok_or(SettingsError::ClusterMissing(flag))?;
                    match valid_segment(value) {
                        true => Ok(value.clone()),
                        false => Err(SettingsError::ClusterPart {
                            flag,
                            value: value.clone(),
                        }),
                    }
                };
                ClusterId {
                    subscription: part(token.request.subscription.as_ref(), "--subscription")?,
                    group: part(args.resource_group.as_ref(), "--resource-group")?,
                    name: part(args.name.as_ref(), "--name")?,
                }
            }
        };
        // Where kubectl writes new entries: the first KUBECONFIG file, else ~/.kube/config;
        // either may not exist yet.
        let file = match &args.file {
            Some(file) => file.clone(),
            None => env
                .vars
                .get("KUBECONFIG")
                .and_then(|list| std::env::split_paths(&list).find(|p| !p.as_os_str().is_empty()))
                .or_else(|| env.home.as_ref().map(|h| h.join(".kube").join("config")))
                .ok_or(SettingsError::NoKubeconfigFile)?,
        };
        Ok(GetCredentialsSettings {
            arm: ArmSettings::resolve(&token, args.arm_endpoint.as_deref())?,
            token,
            cluster,
            admin: args.admin,
            file,
            context: args.context.clone().filter(|c| !c.is_empty()),
            overwrite: args.overwrite_existing,
            dry_run: args.dry_run,
            no_backup: args.no_backup,
            exec_command: args
                .exec_command
                .clone()
                .unwrap_or_else(|| env.program().to_owned()),
        })
    }
}

/// `clusters`.
pub(crate) struct ClustersSettings {
    /// How to reach ARM.
    pub(crate) arm: ArmSettings,
    /// The subscription whose clusters to list; `None`: list the subscriptions.
    pub(crate) subscription: Option<String>,
    /// `-o`.
    pub(crate) output: OutputFormat,
}

impl ClustersSettings {
    /// The sign-in, and `--subscription` when given.
    pub(crate) fn resolve(args: &ClustersArgs, env: &Env) -> anyhow::Result<ClustersSettings> {
        let token = TokenSettings::resolve(&args.token, env)?;
        let subscription = token.request.subscription.clone().filter(|s| !s.is_empty());
        if let Some(value) = &subscription
            && !valid_segment(value)
        {
            return Err(SettingsError::ClusterPart {
                flag: "--subscription",
                value: value.clone(),
            }
            .into());
        }
        Ok(ClustersSettings {
            arm: ArmSettings::resolve(&token, args.arm_endpoint.as_deref())?,
            subscription,
            output: args.output,
        })
    }
}

/// `status`.
pub(crate) struct StatusSettings {
    /// The kubeconfig files, in KUBECONFIG order.
    pub(crate) paths: Vec<PathBuf>,
    /// `-o`.
    pub(crate) output: OutputFormat,
}

impl StatusSettings {
    /// `--kubeconfig`, else KUBECONFIG, else ~/.kube/config.
    pub(crate) fn resolve(args: &StatusArgs, env: &Env) -> anyhow::Result<StatusSettings> {
        Ok(StatusSettings {
            paths: kubeconfig::paths(args.kubeconfig.as_deref(), &env.vars, env.home.as_deref())?,
            output: args.output,
        })
    }
}
