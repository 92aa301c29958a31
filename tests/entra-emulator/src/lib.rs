//! A test-only Microsoft Entra ID emulator, strict where Entra is strict.
//!
//! # Brief overview
//!
//! * [`TestCa`] makes a CA and server certificates at run time; clients trust the CA the way
//!   users trust a corporate TLS-inspection CA (`SSL_CERT_FILE`), never by turning checks off.
//! * [`Emulator::start`] serves Entra's URL layout over HTTPS on 127.0.0.1: v2.0 OpenID
//!   discovery, JWKS, `/oauth2/v2.0/token` and the v1 `/oauth2/token`, for the tenants,
//!   applications and users in an [`EmulatorConfig`]. Tokens are RS256 JWTs with Entra's claims.
//! * Client secrets are checked; certificate assertions are verified against the registered
//!   certificate (signature, `x5t`/`x5t#S256`, `aud`, `iss`=`sub`, `exp`, `jti` replay). Errors
//!   are Entra-shaped (`error`, `error_description` with `AADSTS…`, `error_codes`).
//! * [`Fault`]s queued by a test apply to the next token requests; the [`LoggedRequest`] log
//!   lets tests count what reached the authority.
//!
//! * Workload identity: federated client assertions are verified against registered OIDC
//!   issuers (a Kubernetes service-account issuer, GitHub Actions-like and Azure DevOps-like
//!   token endpoints served here too), see [`federation`](crate::KUBERNETES_ISSUER).
//! * Managed identity: IMDS and App Service endpoints on a second, plain-HTTP loopback listener
//!   ([`Emulator::identity_url`]), so no test ever talks to 169.254.169.254.
//! * A fake ARM (`/subscriptions`, `/tenants`) for the real Azure CLI's `az login`.
//!
//! Runs on its own tokio runtime so that plain `#[test]` functions can use it.

// Handlers return early with a whole Entra-shaped response; boxing it would only add noise.
#![allow(clippy::result_large_err)]

mod aks;
mod arm;
mod config;
mod federation;
mod handler;
mod keys;
mod managed_identity;
mod pki;
mod state;
mod user_flows;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use aks::{ARM_AUDIENCE, AksCluster};
pub use config::{
    Client, EmulatorConfig, FederatedCredential, ManagedIdentity, Subscription, User,
};
pub use federation::{DEVOPS_ISSUER, GITHUB_ISSUER, KUBERNETES_ISSUER, TOKEN_EXCHANGE_AUDIENCE};
pub use keys::SigningKey;
pub use pki::{ServerCert, TEST_HOST_NAME, TestCa};
pub use state::{Fault, LoggedRequest};

use state::State;

/// The AKS server application id (the default audience).
pub const AKS_SERVER_ID: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
/// The AKS public client application id.
pub const AKS_CLIENT_ID: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    url: String,
    identity_url: String,
    ca: Arc<TestCa>,
    ca_file: PathBuf,
    _dir: tempfile::TempDir,
    shared: Arc<Mutex<State>>,
    handle: axum_server::Handle,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Emulator {
    /// Starts an emulator with a fresh CA.
    pub fn start(config: EmulatorConfig) -> anyhow::Result<Emulator> {
        Emulator::start_with_ca(config, Arc::new(TestCa::new()?))
    }

    /// Starts an emulator whose TLS certificate is issued by `ca`.
    pub fn start_with_ca(config: EmulatorConfig, ca: Arc<TestCa>) -> anyhow::Result<Emulator> {
        let dir = tempfile::tempdir()?;
        let ca_file = dir.path().join("ca.crt");
        std::fs::write(&ca_file, ca.cert_pem())?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let url = format!("https://127.0.0.1:{port}");
        let server = ca.server_cert()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let mut state = State::new(config, url.clone(), SigningKey::generate()?);
        state.issuers = federation::default_issuers()?;
        let shared = Arc::new(Mutex::new(state));
        let app = handler::router(shared.clone());
        let identity_listener = TcpListener::bind("127.0.0.1:0")?;
        identity_listener.set_nonblocking(true)?;
        let identity_url = format!(
            "http://127.0.0.1:{}",
            identity_listener.local_addr()?.port()
        );
        let identity_app = managed_identity::router(shared.clone());
        let identity_listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(identity_listener)?
        };
        runtime.spawn(async move {
            // A serve error ends the listener; the test then fails on its first request.
            let _ = axum::serve(identity_listener, identity_app).await;
        });
        let handle = axum_server::Handle::new();
        let tls = runtime.block_on(axum_server::tls_rustls::RustlsConfig::from_pem(
            server.cert_pem.clone().into_bytes(),
            server.key_pem.clone().into_bytes(),
        ))?;
        let server_handle = handle.clone();
        runtime.spawn(async move {
            let served = axum_server::from_tcp_rustls(listener, tls)
                .handle(server_handle)
                .serve(app.into_make_service())
                .await;
            // A serve error ends the server; the test then fails on its first request.
            let _ = served;
        });
        Ok(Emulator {
            url,
            identity_url,
            ca,
            ca_file,
            _dir: dir,
            shared,
            handle,
            runtime: Some(runtime),
        })
    }

    /// The authority host with a trailing slash, e.g. `https://127.0.0.1:4431/`.
    pub fn authority_host(&self) -> String {
        format!("{}/", self.url)
    }

    /// The base URL without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The v2.0 issuer of a tenant's tokens.
    pub fn issuer(&self, tenant: &str) -> String {
        format!("{}/{tenant}/v2.0", self.url)
    }

    /// The CA that signed the emulator's TLS certificate.
    pub fn ca(&self) -> &Arc<TestCa> {
        &self.ca
    }

    /// A PEM file with the CA certificate (for `SSL_CERT_FILE`).
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The plain-HTTP base of the managed-identity endpoints: IMDS lives at
    /// `<identity_url>/metadata/identity/oauth2/token` (use it as `--imds-endpoint` or
    /// `AZURE_POD_IDENTITY_AUTHORITY_HOST`).
    pub fn identity_url(&self) -> &str {
        &self.identity_url
    }

    /// The App Service `IDENTITY_ENDPOINT`.
    pub fn app_service_endpoint(&self) -> String {
        format!("{}/msi/token", self.identity_url)
    }

    /// Cloud Shell's `MSI_ENDPOINT`.
    pub fn cloud_shell_endpoint(&self) -> String {
        format!("{}/cloudshell/oauth2/token", self.identity_url)
    }

    /// The App Service `IDENTITY_HEADER` secret.
    pub fn app_service_identity_header(&self) -> String {
        self.with_state(|s| s.identity_header.clone())
    }

    /// The next managed-identity request is answered with this HTTP status.
    pub fn push_identity_fault(&self, status: u16) {
        self.with_state(|s| s.identity_faults.push_back((status, None)));
    }

    /// The managed-identity endpoints answer `status` with exactly `body` (plain text unless it
    /// is JSON) next, as a proxy or a platform quirk would.
    pub fn push_identity_answer(&self, status: u16, body: &str) {
        self.with_state(|s| s.identity_faults.push_back((status, Some(body.to_owned()))));
    }

    /// The GitHub Actions-like `ACTIONS_ID_TOKEN_REQUEST_URL` (it already has a query, as
    /// GitHub's does; clients append `&audience=`).
    pub fn github_token_url(&self) -> String {
        format!("{}/_github/idtoken?api-version=2.0", self.url)
    }

    /// The Azure DevOps-like `SYSTEM_OIDCREQUESTURI`.
    pub fn devops_oidc_url(&self) -> String {
        format!("{}/_devops/oidctoken", self.url)
    }

    /// A Kubernetes service-account token for `system:serviceaccount:<namespace>:<name>`, as the
    /// kubelet projects into pods, signed by the registered [`KUBERNETES_ISSUER`].
    pub fn service_account_token(
        &self,
        namespace: &str,
        name: &str,
        audience: &str,
        lifetime_secs: i64,
    ) -> String {
        let subject = format!("system:serviceaccount:{namespace}:{name}");
        self.with_state(|s| {
            federation::mint(s, KUBERNETES_ISSUER, &subject, audience, lifetime_secs)
        })
    }

    /// A token that claims `issuer` but is signed by a key nobody registered.
    pub fn forged_token(&self, issuer: &str, subject: &str, audience: &str) -> String {
        let now = handler::now() as i64;
        let claims = serde_json::json!({
            "iss": issuer, "sub": subject, "aud": [audience],
            "iat": now, "nbf": now, "exp": now + 600,
        });
        SigningKey::generate()
            .map(|key| key.sign(&claims))
            .unwrap_or_default()
    }

    /// Queues a fault for the next token request.
    pub fn push_fault(&self, fault: Fault) {
        self.with_state(|s| s.faults.push_back(fault));
    }

    /// The plain-HTTP capture endpoint (a redirect target that must never be reached).
    pub fn capture_url(&self) -> String {
        format!("{}/capture", self.identity_url)
    }

    /// What reached the capture endpoint.
    pub fn captured(&self) -> Vec<String> {
        self.with_state(|s| s.captured.clone())
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.with_state(|s| s.log.clone())
    }

    /// How many token requests (any grant) were answered so far.
    pub fn token_requests(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.grant_type.is_some())
            .count()
    }

    /// Forgets the request log.
    pub fn clear_log(&self) {
        self.with_state(|s| s.log.clear());
    }

    /// Changes the lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, secs: u64) {
        self.with_state(|s| s.config.token_lifetime_secs = secs);
    }

    /// Adds an AKS cluster to the fake ARM.
    pub fn add_aks_cluster(&self, cluster: AksCluster) {
        self.with_state(|s| s.aks_clusters.push(cluster));
    }

    /// How many clusters one page of the fake ARM's cluster list holds.
    pub fn set_arm_page_size(&self, size: usize) {
        self.with_state(|s| s.arm_page_size = size);
    }

    /// The fake ARM's next answer: `status`, an optional `Retry-After`, and `body`.
    pub fn push_arm_fault(&self, status: u16, retry_after: Option<u64>, body: serde_json::Value) {
        self.with_state(|s| {
            s.arm_faults.push_back(crate::aks::ArmFault {
                status,
                retry_after,
                body,
            })
        });
    }

    /// The refresh tokens the emulator has issued and not yet redeemed.
    pub fn refresh_tokens(&self) -> Vec<String> {
        self.with_state(|s| s.refresh_tokens.keys().cloned().collect())
    }

    /// Every refresh token issued so far stops working (a revoked session, a changed password).
    pub fn revoke_refresh_tokens(&self) {
        self.with_state(|s| s.refresh_tokens.clear());
    }

    /// The user names that completed a sign-in (device code page, browser, password).
    pub fn sign_ins(&self) -> Vec<String> {
        self.with_state(|s| s.sign_ins.clone())
    }

    /// The device code polling interval announced to clients (default 1 s).
    pub fn set_device_interval(&self, secs: u64) {
        self.with_state(|s| s.device_interval_secs = secs);
    }

    /// The public signing key set, as served at the JWKS endpoint.
    pub fn jwks(&self) -> serde_json::Value {
        self.with_state(|s| s.key.jwks())
    }

    /// Signs arbitrary claims with the emulator's token key (for negative tests).
    pub fn sign(&self, claims: &serde_json::Value) -> String {
        self.with_state(|s| s.key.sign(claims))
    }

    fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut guard = self
            .shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.handle.shutdown();
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
