//! Azure/kubelogin's environment-over-flag precedence (`UpdateFromEnv`), as one table.
//!
//! kubelogin applies variables *after* the flags, so a variable overrides a flag, in the order
//! below (a later row wins over an earlier one for the same input). Rows that depend on the
//! login mode see the mode as it stands after `AAD_LOGIN_METHOD`. Each applied row is recorded,
//! so `-v 1` can say which variable replaced which flag. `--disable-environment-override` skips
//! the whole table. Variables that are set but empty count as unset (a deliberate difference:
//! kubelogin would blank the flag).

use std::collections::BTreeMap;

use kubectl_aad_contract::{Input, LoginMode};

use crate::env::EnvVars;

/// When a row applies.
#[derive(Debug, Clone, PartialEq, Eq)]
enum When {
    /// Always.
    Always,
    /// Unless `--use-azurerm-env-vars` (the `AAD_*` / `AZURE_*` service principal set).
    Plain,
    /// Only with `--use-azurerm-env-vars` (Terraform's `ARM_*` names).
    Arm,
    /// Only for this login mode.
    Mode(LoginMode),
    /// Only for this login mode, and only when the input is still empty (flags win).
    FillIfEmpty(LoginMode),
    /// When the value parses as a duration (kubelogin ignores an `AZURE_CLI_TIMEOUT` that does
    /// not).
    IfDuration,
}

/// One variable that may replace one input.
struct Row {
    var: &'static str,
    input: Input,
    when: When,
}

const fn row(var: &'static str, input: Input, when: When) -> Row {
    Row { var, input, when }
}

use Input::*;
use When::*;

/// The table, in kubelogin's order.
const TABLE: &[Row] = &[
    row("ARM_CLIENT_ID", ClientId, Arm),
    row("ARM_CLIENT_SECRET", ClientSecret, Arm),
    row("ARM_CLIENT_CERTIFICATE_PATH", ClientCertificate, Arm),
    row(
        "ARM_CLIENT_CERTIFICATE_PASSWORD",
        ClientCertificatePassword,
        Arm,
    ),
    row("ARM_TENANT_ID", TenantId, Arm),
    row("AAD_SERVICE_PRINCIPAL_CLIENT_ID", ClientId, Plain),
    row("AZURE_CLIENT_ID", ClientId, Plain),
    row("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", ClientSecret, Plain),
    row("AZURE_CLIENT_SECRET", ClientSecret, Plain),
    row(
        "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE",
        ClientCertificate,
        Plain,
    ),
    row("AZURE_CLIENT_CERTIFICATE_PATH", ClientCertificate, Plain),
    row(
        "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD",
        ClientCertificatePassword,
        Plain,
    ),
    row(
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        ClientCertificatePassword,
        Plain,
    ),
    row("AZURE_TENANT_ID", TenantId, Plain),
    row("AAD_USER_PRINCIPAL_NAME", Username, Always),
    row("AZURE_USERNAME", Username, Always),
    row("AAD_USER_PRINCIPAL_PASSWORD", Password, Always),
    row("AZURE_PASSWORD", Password, Always),
    row("AAD_LOGIN_METHOD", Login, Always),
    row(
        "AZURE_CLIENT_ID",
        ClientId,
        Mode(LoginMode::WorkloadIdentity),
    ),
    row(
        "AZURE_FEDERATED_TOKEN_FILE",
        FederatedTokenFile,
        Mode(LoginMode::WorkloadIdentity),
    ),
    row(
        "AZURE_AUTHORITY_HOST",
        AuthorityHost,
        Mode(LoginMode::WorkloadIdentity),
    ),
    row(
        "AZURESUBSCRIPTION_CLIENT_ID",
        ClientId,
        FillIfEmpty(LoginMode::AzurePipelines),
    ),
    row(
        "AZURESUBSCRIPTION_TENANT_ID",
        TenantId,
        FillIfEmpty(LoginMode::AzurePipelines),
    ),
    row(
        "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
        ServiceConnectionId,
        FillIfEmpty(LoginMode::AzurePipelines),
    ),
    row("AZURE_CLI_TIMEOUT", Timeout, IfDuration),
];

/// A variable that replaced (or filled) an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied {
    /// The variable.
    pub(crate) var: &'static str,
    /// What it set.
    pub(crate) input: Input,
}

impl Applied {
    /// The `-v 1` line.
    pub(crate) fn describe(&self) -> String {
        format!("{} overrides {}", self.var, self.input.flag())
    }
}

/// Applies the table to the values taken from the flags; returns what was applied, in order.
pub(crate) fn apply(
    values: &mut BTreeMap<Input, String>,
    arm: bool,
    env: &EnvVars,
) -> Vec<Applied> {
    let mut applied = Vec::new();
    for row in TABLE {
        let Some(value) = env.get(row.var) else {
            continue;
        };
        let login = values
            .get(&Login)
            .map(String::as_str)
            .unwrap_or("devicecode");
        let applies = match &row.when {
            Always => true,
            Plain => !arm,
            Arm => arm,
            Mode(mode) => login == mode.as_str(),
            FillIfEmpty(mode) => login == mode.as_str() && !values.contains_key(&row.input),
            // Absurd but well-formed values are not ignored: validation then refuses them.
            IfDuration => humantime::parse_duration(value.trim()).is_ok(),
        };
        if applies {
            values.insert(row.input, value);
            applied.push(Applied {
                var: row.var,
                input: row.input,
            });
        }
    }
    applied
}
