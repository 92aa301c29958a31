//! The closed set of login modes, spelled exactly as Azure/kubelogin's `--login` values.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A grant flow, named by its `--login` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoginMode {
    /// OAuth 2.0 device authorization grant (the default).
    DeviceCode,
    /// Authorization code with PKCE in the system browser.
    Interactive,
    /// Service principal: client credentials with a secret or certificate.
    Spn,
    /// Resource owner password credentials.
    Ropc,
    /// Azure managed identity (IMDS, App Service).
    Msi,
    /// The token of the signed-in Azure CLI.
    AzureCli,
    /// The token of the signed-in Azure Developer CLI.
    Azd,
    /// Workload identity federation (federated token file or GitHub Actions OIDC).
    WorkloadIdentity,
    /// Azure Pipelines service connection OIDC.
    AzurePipelines,
}

impl LoginMode {
    /// Every mode, in kubelogin's documentation order.
    pub const ALL: [LoginMode; 9] = [
        LoginMode::DeviceCode,
        LoginMode::Interactive,
        LoginMode::Spn,
        LoginMode::Ropc,
        LoginMode::Msi,
        LoginMode::AzureCli,
        LoginMode::Azd,
        LoginMode::WorkloadIdentity,
        LoginMode::AzurePipelines,
    ];

    /// The `--login` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LoginMode::DeviceCode => "devicecode",
            LoginMode::Interactive => "interactive",
            LoginMode::Spn => "spn",
            LoginMode::Ropc => "ropc",
            LoginMode::Msi => "msi",
            LoginMode::AzureCli => "azurecli",
            LoginMode::Azd => "azd",
            LoginMode::WorkloadIdentity => "workloadidentity",
            LoginMode::AzurePipelines => "azurepipelines",
        }
    }

    /// Whether a person signs in (these flows get refresh tokens and may interact).
    pub fn is_user_flow(self) -> bool {
        matches!(
            self,
            LoginMode::DeviceCode | LoginMode::Interactive | LoginMode::Ropc
        )
    }

    /// Whether the mode may need a terminal or a browser, which decides the `interactiveMode`
    /// written into kubeconfig. Device code only writes to stderr, but still needs a person.
    pub fn needs_person(self) -> bool {
        self.is_user_flow()
    }
}

impl fmt::Display for LoginMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--login` value that names no mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a supported login method; use one of: devicecode, interactive, spn, ropc, msi, azurecli, azd, workloadidentity, azurepipelines"
)]
pub struct UnknownLoginMode(pub String);

impl FromStr for LoginMode {
    type Err = UnknownLoginMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LoginMode::ALL
            .into_iter()
            .find(|mode| mode.as_str() == s)
            .ok_or_else(|| UnknownLoginMode(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_spelling() {
        for mode in LoginMode::ALL {
            assert_eq!(mode.as_str().parse::<LoginMode>(), Ok(mode));
            let json = serde_json::to_string(&mode).expect("serialize");
            assert_eq!(json, format!("\"{}\"", mode.as_str()));
        }
    }

    #[test]
    fn rejects_unknown_and_wrong_case() {
        assert!("DeviceCode".parse::<LoginMode>().is_err());
        let err = "kerberos".parse::<LoginMode>().unwrap_err();
        assert!(
            err.to_string()
                .contains("'kerberos' is not a supported login method")
        );
    }
}
