//! [`TokenRequest`]: everything a grant flow needs, resolved by the host from flags,
//! environment and `KUBERNETES_EXEC_INFO`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{LoginMode, Secret};

/// A fully resolved token request. Providers read it; they never look at flags or the
/// environment themselves (except the variables a platform defines for its own flow).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// The grant flow to run.
    pub login: LoginMode,
    /// The authority host with a trailing slash, e.g. `https://login.microsoftonline.com/`.
    pub authority_host: String,
    /// The tenant id or domain.
    pub tenant_id: String,
    /// The client (application) id.
    pub client_id: String,
    /// The server application id; the scope is `<server_id>/.default`.
    pub server_id: String,
    /// ADAL v1 endpoints and the `spn:` audience.
    pub legacy: bool,
    /// The client secret (spn).
    pub client_secret: Option<Secret>,
    /// A PEM or PFX certificate file (spn).
    pub client_certificate: Option<PathBuf>,
    /// The PFX password (spn).
    pub client_certificate_password: Option<Secret>,
    /// The user name (ropc) or the expected account.
    pub username: Option<String>,
    /// The password (ropc).
    pub password: Option<Secret>,
    /// A user-assigned managed identity by ARM resource id (msi).
    pub identity_resource_id: Option<String>,
    /// The federated token file (workloadidentity).
    pub federated_token_file: Option<PathBuf>,
    /// The Azure subscription passed to `az` (azurecli).
    pub subscription: Option<String>,
    /// The Azure Pipelines service connection id (azurepipelines).
    pub service_connection_id: Option<String>,
    /// The loopback redirect URL (interactive).
    pub redirect_url: Option<String>,
    /// The account to pre-fill on the sign-in page (interactive).
    pub login_hint: Option<String>,
    /// The command that opens the sign-in URL (interactive); else `$BROWSER`, else the system's.
    #[serde(default)]
    pub browser_command: Option<String>,
    /// Proof-of-possession settings, when PoP tokens are requested.
    pub pop: Option<PopRequest>,
    /// Whether the flow may prompt on the terminal or open a browser.
    pub interactive: bool,
    /// The bound on each network call, in seconds.
    pub timeout_secs: u64,
    /// Skip instance discovery (ADFS and custom authorities).
    pub disable_instance_discovery: bool,
    /// Extra PEM files of CA certificates to trust besides the system store.
    #[serde(default)]
    pub extra_ca_files: Vec<PathBuf>,
    /// The managed-identity endpoint base (msi): `--imds-endpoint`, else
    /// `AZURE_POD_IDENTITY_AUTHORITY_HOST`; `None` means `http://169.254.169.254`.
    #[serde(default)]
    pub imds_endpoint: Option<String>,
    /// The Azure CLI profile directory (`AZURE_CONFIG_DIR`), when set (azurecli).
    #[serde(default)]
    pub azure_config_dir: Option<PathBuf>,
}

impl TokenRequest {
    /// The v2.0 scope for the server application: trailing slashes removed, `/.default` added.
    pub fn scope(&self) -> String {
        let server = self.server_id.trim_end_matches('/');
        if server.ends_with("/.default") {
            server.to_owned()
        } else {
            format!("{server}/.default")
        }
    }
}

/// Proof-of-possession parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopRequest {
    /// The RFC 7638 thumbprint of the PoP public key (the `kid`).
    pub key_id: String,
    /// The `req_cnf` parameter: base64url of `{"kid":…,"xms_ksl":"sw"}`.
    pub req_cnf: String,
}

impl TokenRequest {
    /// The extra token-request parameters of a PoP request (none for bearer tokens).
    pub fn pop_params(&self) -> Vec<(&'static str, &str)> {
        match &self.pop {
            Some(pop) => vec![("token_type", "pop"), ("req_cnf", pop.req_cnf.as_str())],
            None => vec![],
        }
    }
}
