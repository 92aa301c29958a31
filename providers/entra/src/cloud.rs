//! The Azure clouds kubelogin knows (`--environment`), and their Entra ID authority hosts.

/// An Azure cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// Azure public cloud.
    Public,
    /// Azure US Government.
    UsGovernment,
    /// Azure China (21Vianet).
    China,
}

/// Why an `--environment` name names no cloud.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloudError {
    /// Not a name kubelogin accepts.
    #[error("unknown --environment {0:?}; use one of {names}", names = Cloud::NAMES)]
    Unknown(String),
    /// A cloud that no longer exists.
    #[error("--environment {0:?} was retired (Azure Germany closed in 2021); use AzurePublicCloud")]
    Retired(String),
    /// Azure Stack: no fixed authority to name.
    #[error(
        "--environment {0:?} has no fixed authority; pass --authority-host with your Azure Stack authority (e.g. https://adfs.local.azurestack.external/) instead"
    )]
    Stack(String),
}

impl Cloud {
    /// The names kubelogin accepts, case-insensitively.
    pub const NAMES: &'static str = "AzurePublicCloud (AzureCloud, AzurePublic), AzureUSGovernmentCloud (AzureUSGovernment), AzureChinaCloud";

    /// One name per cloud, with what it is (shell completion offers these).
    pub const CANONICAL: [(&'static str, &'static str); 3] = [
        ("AzurePublicCloud", "Azure public cloud (the default)"),
        ("AzureUSGovernmentCloud", "Azure US Government"),
        ("AzureChinaCloud", "Azure China, operated by 21Vianet"),
    ];

    /// Looks a name up like kubelogin, but refuses names it does not know (kubelogin silently
    /// falls back to the public cloud).
    pub fn from_name(name: &str) -> Result<Cloud, CloudError> {
        match name.to_ascii_lowercase().as_str() {
            "azurecloud" | "azurepublic" | "azurepubliccloud" => Ok(Cloud::Public),
            "azureusgovernment" | "azureusgovernmentcloud" => Ok(Cloud::UsGovernment),
            "azurechinacloud" => Ok(Cloud::China),
            "azuregermancloud" | "azuregermany" => Err(CloudError::Retired(name.to_owned())),
            "azurestackcloud" => Err(CloudError::Stack(name.to_owned())),
            _ => Err(CloudError::Unknown(name.to_owned())),
        }
    }

    /// The Entra ID authority host, with a trailing slash.
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com/",
            Cloud::UsGovernment => "https://login.microsoftonline.us/",
            Cloud::China => "https://login.chinacloudapi.cn/",
        }
    }

    /// Azure Resource Manager's endpoint, without a trailing slash.
    pub fn arm_endpoint(self) -> &'static str {
        match self {
            Cloud::Public => "https://management.azure.com",
            Cloud::UsGovernment => "https://management.usgovcloudapi.net",
            Cloud::China => "https://management.chinacloudapi.cn",
        }
    }

    /// The audience of tokens for Resource Manager (the one the Azure CLI asks for).
    pub fn arm_audience(self) -> &'static str {
        match self {
            Cloud::Public => "https://management.core.windows.net/",
            Cloud::UsGovernment => "https://management.core.usgovcloudapi.net/",
            Cloud::China => "https://management.core.chinacloudapi.cn/",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kubelogins_case_insensitively_and_unknown_ones_are_refused() {
        for (name, host) in [
            ("azurecloud", "https://login.microsoftonline.com/"),
            ("AzureUSGovernment", "https://login.microsoftonline.us/"),
            ("AZURECHINACLOUD", "https://login.chinacloudapi.cn/"),
        ] {
            assert_eq!(Cloud::from_name(name).map(Cloud::authority_host), Ok(host));
        }
        for (name, _) in Cloud::CANONICAL {
            assert!(
                Cloud::from_name(name).is_ok(),
                "{name} is offered, so it must parse"
            );
        }
        let err = Cloud::from_name("Mars").expect_err("unknown");
        assert!(err.to_string().contains("AzureChinaCloud"), "{err}");
        assert!(matches!(
            Cloud::from_name("AzureGermanCloud"),
            Err(CloudError::Retired(_))
        ));
        assert!(
            Cloud::from_name("AzureStackCloud")
                .expect_err("stack")
                .to_string()
                .contains("--authority-host")
        );
    }
}
