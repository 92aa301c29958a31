//! `clusters`: the AKS clusters of a subscription (name, resource group, location, Kubernetes
//! version, Entra ID integration, local accounts), or without `--subscription` the
//! subscriptions, that the signed-in identity can see. A table, or `-o json`.
//!
//! Also home of [`connect`], the ARM sign-in that `get-credentials` shares.

use std::io::Write as _;

use crate::arm::{Arm, aks};
use crate::cli::OutputFormat;
use crate::env::Env;
use crate::error::ExitStatus;
use crate::settings::ClustersSettings;
use crate::settings::arm::ArmSettings;
use crate::token::{self, Lookup};

/// Signs in to Resource Manager (a cached token when there is one) and returns the client.
pub(super) fn connect(arm: &ArmSettings, env: &Env) -> anyhow::Result<Arm> {
    let registry = arm.token.registry();
    let lookup = Lookup {
        settings: &arm.token,
        interactive: env.stdin_is_terminal,
        attended: env.stderr_is_terminal,
        force_refresh: false,
        program: env.program(),
    };
    let issued = token::fresh(&lookup, &registry, env)?;
    let token = issued.entry.access_token.expose().to_owned();
    Ok(Arm::new(&arm.endpoint, token, &arm.token.request)?)
}

/// Lists clusters or subscriptions.
pub(crate) fn run(settings: ClustersSettings, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let arm = connect(&settings.arm, env)?;
    let (json, rows) = match &settings.subscription {
        Some(subscription) => {
            let clusters = aks::clusters(&arm, subscription)?;
            let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
            let rows: Vec<Vec<String>> = clusters
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        c.resource_group.clone(),
                        c.location.clone(),
                        c.kubernetes_version.clone(),
                        yes_no(c.entra_id),
                        yes_no(c.azure_rbac),
                        yes_no(c.local_accounts_disabled),
                    ]
                })
                .collect();
            let header = [
                "NAME",
                "RESOURCE GROUP",
                "LOCATION",
                "VERSION",
                "ENTRA ID",
                "AZURE RBAC",
                "LOCAL ACCOUNTS OFF",
            ];
            (serde_json::to_value(&clusters)?, table(&header, &rows))
        }
        None => {
            let subscriptions = aks::subscriptions(&arm)?;
            let rows: Vec<Vec<String>> = subscriptions
                .iter()
                .map(|s| {
                    vec![
                        s.id.clone(),
                        s.name.clone(),
                        s.tenant_id.clone(),
                        s.state.clone(),
                    ]
                })
                .collect();
            (
                serde_json::to_value(&subscriptions)?,
                table(&["SUBSCRIPTION", "NAME", "TENANT", "STATE"], &rows),
            )
        }
    };
    match settings.output {
        OutputFormat::Json => writeln!(env.stdout, "{}", serde_json::to_string_pretty(&json)?)?,
        OutputFormat::Table => write!(env.stdout, "{rows}")?,
    }
    Ok(ExitStatus::Success)
}

/// Left-aligned columns, two spaces apart, the header first.
pub(super) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&mut header.iter().copied());
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn tables_align_on_the_widest_cell() {
        let rows = vec![
            vec!["aks-prod".to_owned(), "rg".to_owned()],
            vec!["a".to_owned(), "group-long".to_owned()],
        ];
        assert_eq!(
            super::table(&["NAME", "GROUP"], &rows),
            "NAME      GROUP\naks-prod  rg\na         group-long\n"
        );
    }
}
