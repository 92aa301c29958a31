//! [`TokenRequest`]: everything a grant flow needs, resolved by the host from flags,
//! environment and `KUBERNETES_EXEC_INFO`; and [`Input`], the name of each thing a user can set,
//! which mode descriptors use to say what a mode requires, caches by and writes into kubeconfig.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{LoginMode, Secret};

/// A fully resolved token request. Providers read it; they never look at flags themselves, and
/// read platform variables and the clock through the [`Host`](crate::Host).
///
/// The JSON shape is part of the provider ABI: fields are only ever added, with defaults.
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
    /// Whether a person can see the messages while a flow waits for them (stderr is a terminal,
    /// or `login` was run). Unattended, a device code flow waits only `timeout_secs`.
    #[serde(default = "attended_by_default")]
    pub attended: bool,
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
    /// `--provider-option KEY=VALUE` pairs, for the modes that run-time libraries add.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// A request from a host before `attended` existed: it waited for a person as long as a code lived.
fn attended_by_default() -> bool {
    true
}

impl TokenRequest {
    /// A request for `login` with every optional field empty.
    pub fn new(login: LoginMode) -> TokenRequest {
        TokenRequest {
            login,
            authority_host: String::new(),
            tenant_id: String::new(),
            client_id: String::new(),
            server_id: String::new(),
            legacy: false,
            client_secret: None,
            client_certificate: None,
            client_certificate_password: None,
            username: None,
            password: None,
            identity_resource_id: None,
            federated_token_file: None,
            subscription: None,
            service_connection_id: None,
            redirect_url: None,
            login_hint: None,
            browser_command: None,
            pop: None,
            interactive: false,
            attended: true,
            timeout_secs: 60,
            disable_instance_discovery: false,
            extra_ca_files: Vec::new(),
            imds_endpoint: None,
            azure_config_dir: None,
            options: BTreeMap::new(),
        }
    }

    /// The v2.0 scope for the server application: trailing slashes removed, `/.default` added.
    pub fn scope(&self) -> String {
        let server = self.server_id.trim_end_matches('/');
        if server.ends_with("/.default") {
            server.to_owned()
        } else {
            format!("{server}/.default")
        }
    }

    /// The extra token-request parameters of a PoP request (none for bearer tokens).
    pub fn pop_params(&self) -> Vec<(&'static str, &str)> {
        match &self.pop {
            Some(pop) => vec![("token_type", "pop"), ("req_cnf", pop.req_cnf.as_str())],
            None => vec![],
        }
    }

    /// The value of an input that lives in the request, as text (`None` when unset, and for
    /// inputs that only the host holds, such as `--cache-dir`).
    pub fn value(&self, input: Input) -> Option<String> {
        let text = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        let secret = |s: &Option<Secret>| s.as_ref().map(|s| s.expose().to_owned());
        match input {
            Input::Login => Some(self.login.as_str().to_owned()),
            Input::ServerId => text(&self.server_id),
            Input::ClientId => text(&self.client_id),
            Input::TenantId => text(&self.tenant_id),
            Input::ClientSecret => secret(&self.client_secret),
            Input::ClientCertificate => path(&self.client_certificate),
            Input::ClientCertificatePassword => secret(&self.client_certificate_password),
            Input::Username => self.username.clone(),
            Input::Password => secret(&self.password),
            Input::IdentityResourceId => self.identity_resource_id.clone(),
            Input::FederatedTokenFile => path(&self.federated_token_file),
            Input::AuthorityHost => text(&self.authority_host),
            Input::ImdsEndpoint => self.imds_endpoint.clone(),
            Input::Subscription => self.subscription.clone(),
            Input::ServiceConnectionId => self.service_connection_id.clone(),
            Input::RedirectUrl => self.redirect_url.clone(),
            Input::LoginHint => self.login_hint.clone(),
            Input::BrowserCommand => self.browser_command.clone(),
            Input::AzureConfigDir => path(&self.azure_config_dir),
            Input::Legacy => self.legacy.then(|| "true".to_owned()),
            Input::DisableInstanceDiscovery => {
                self.disable_instance_discovery.then(|| "true".to_owned())
            }
            Input::ProviderOptions => (!self.options.is_empty()).then(|| {
                self.options
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
            Input::CacheDir
            | Input::TokenCacheStorage
            | Input::Environment
            | Input::PopClaims
            | Input::Timeout
            | Input::DisableEnvironmentOverride
            | Input::ProvidersDir => None,
        }
    }
}

/// Something a user sets with a flag (or the environment), named once for every layer that
/// talks about it: descriptors, the settings precedence table, convert-kubeconfig and messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Input {
    /// `--login`.
    Login,
    /// `--server-id`.
    ServerId,
    /// `--client-id`.
    ClientId,
    /// `--tenant-id`.
    TenantId,
    /// `--client-secret`.
    ClientSecret,
    /// `--client-certificate`.
    ClientCertificate,
    /// `--client-certificate-password`.
    ClientCertificatePassword,
    /// `--username`.
    Username,
    /// `--password`.
    Password,
    /// `--identity-resource-id`.
    IdentityResourceId,
    /// `--federated-token-file`.
    FederatedTokenFile,
    /// `--authority-host`.
    AuthorityHost,
    /// `--imds-endpoint`.
    ImdsEndpoint,
    /// `--subscription`.
    Subscription,
    /// `--azure-pipelines-service-connection-id`.
    ServiceConnectionId,
    /// `--redirect-url`.
    RedirectUrl,
    /// `--login-hint`.
    LoginHint,
    /// `--browser-command`.
    BrowserCommand,
    /// `AZURE_CONFIG_DIR` (convert: `--azure-config-dir`).
    AzureConfigDir,
    /// `--legacy`.
    Legacy,
    /// `--disable-instance-discovery`.
    DisableInstanceDiscovery,
    /// `--provider-option KEY=VALUE` (repeatable).
    ProviderOptions,
    /// `--cache-dir`.
    CacheDir,
    /// `--token-cache-storage` (auto, keyring, file, none).
    TokenCacheStorage,
    /// `--environment`.
    Environment,
    /// `--pop-enabled` with `--pop-claims`.
    PopClaims,
    /// `--timeout`.
    Timeout,
    /// `--disable-environment-override`.
    DisableEnvironmentOverride,
    /// `--providers-dir`.
    ProvidersDir,
}

impl Input {
    /// Every input, in declaration order.
    pub const ALL: [Input; 29] = [
        Input::Login,
        Input::ServerId,
        Input::ClientId,
        Input::TenantId,
        Input::ClientSecret,
        Input::ClientCertificate,
        Input::ClientCertificatePassword,
        Input::Username,
        Input::Password,
        Input::IdentityResourceId,
        Input::FederatedTokenFile,
        Input::AuthorityHost,
        Input::ImdsEndpoint,
        Input::Subscription,
        Input::ServiceConnectionId,
        Input::RedirectUrl,
        Input::LoginHint,
        Input::BrowserCommand,
        Input::AzureConfigDir,
        Input::Legacy,
        Input::DisableInstanceDiscovery,
        Input::ProviderOptions,
        Input::CacheDir,
        Input::TokenCacheStorage,
        Input::Environment,
        Input::PopClaims,
        Input::Timeout,
        Input::DisableEnvironmentOverride,
        Input::ProvidersDir,
    ];

    /// The long flag, e.g. `--client-id`.
    pub fn flag(self) -> &'static str {
        match self {
            Input::Login => "--login",
            Input::ServerId => "--server-id",
            Input::ClientId => "--client-id",
            Input::TenantId => "--tenant-id",
            Input::ClientSecret => "--client-secret",
            Input::ClientCertificate => "--client-certificate",
            Input::ClientCertificatePassword => "--client-certificate-password",
            Input::Username => "--username",
            Input::Password => "--password",
            Input::IdentityResourceId => "--identity-resource-id",
            Input::FederatedTokenFile => "--federated-token-file",
            Input::AuthorityHost => "--authority-host",
            Input::ImdsEndpoint => "--imds-endpoint",
            Input::Subscription => "--subscription",
            Input::ServiceConnectionId => "--azure-pipelines-service-connection-id",
            Input::RedirectUrl => "--redirect-url",
            Input::LoginHint => "--login-hint",
            Input::BrowserCommand => "--browser-command",
            Input::AzureConfigDir => "--azure-config-dir",
            Input::Legacy => "--legacy",
            Input::DisableInstanceDiscovery => "--disable-instance-discovery",
            Input::ProviderOptions => "--provider-option",
            Input::CacheDir => "--cache-dir",
            Input::TokenCacheStorage => "--token-cache-storage",
            Input::Environment => "--environment",
            Input::PopClaims => "--pop-claims",
            Input::Timeout => "--timeout",
            Input::DisableEnvironmentOverride => "--disable-environment-override",
            Input::ProvidersDir => "--providers-dir",
        }
    }

    /// Whether the flag takes no value (`--legacy`).
    pub fn is_switch(self) -> bool {
        matches!(
            self,
            Input::Legacy | Input::DisableInstanceDiscovery | Input::DisableEnvironmentOverride
        )
    }

    /// Whether the value is a secret (never logged, warned about when written to kubeconfig).
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            Input::ClientSecret | Input::ClientCertificatePassword | Input::Password
        )
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
