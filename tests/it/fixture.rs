//! A cluster for end-to-end tests: the Entra ID emulator and the token-validating API server
//! (both HTTPS, one test CA), service principal credentials in every format, and a kubeconfig
//! converted by kubectl-aad itself.

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use api_server::{ApiServer, ApiServerConfig};
use entra_emulator::{
    AKS_CLIENT_ID, AKS_SERVER_ID, Client, DEVOPS_ISSUER, Emulator, EmulatorConfig,
    FederatedCredential, GITHUB_ISSUER, KUBERNETES_ISSUER, ManagedIdentity, Subscription,
    TOKEN_EXCHANGE_AUDIENCE, TestCa, User,
};

use crate::util::*;

pub(crate) const TENANT: &str = "tenant1";
pub(crate) const SECRET_APP: &str = "11111111-1111-1111-1111-111111111111";
pub(crate) const SECRET_APP_OID: &str = "aaaaaaaa-0000-0000-0000-000000000001";
pub(crate) const CERT_APP: &str = "22222222-2222-2222-2222-222222222222";
pub(crate) const CERT_APP_OID: &str = "aaaaaaaa-0000-0000-0000-000000000002";
/// Distinctive, so a leak is easy to grep for.
pub(crate) const CLIENT_SECRET: &str = "Sup3r-s3cret-CLIENT-value~42";
pub(crate) const PFX_PASSWORD: &str = "pfx-P4ssw0rd-not-for-logs";
pub(crate) const ALICE: &str = "alice@contoso.test";
pub(crate) const ALICE_OID: &str = "bbbbbbbb-0000-0000-0000-00000000a11c";
pub(crate) const ALICE_PASSWORD: &str = "alice-Pa55word-never-logged";
pub(crate) const BOB: &str = "bob@contoso.test";
pub(crate) const BOB_PASSWORD: &str = "bob-Pa55word-never-logged";
/// The machine's system-assigned managed identity.
pub(crate) const MI_SYSTEM_CLIENT: &str = "44444444-4444-4444-4444-444444444444";
pub(crate) const MI_SYSTEM_OID: &str = "cccccccc-0000-0000-0000-00000000005a";
/// A user-assigned managed identity.
pub(crate) const MI_USER_CLIENT: &str = "55555555-5555-5555-5555-555555555555";
pub(crate) const MI_USER_OID: &str = "cccccccc-0000-0000-0000-0000000000ua";
pub(crate) const MI_USER_RESOURCE_ID: &str = "/subscriptions/9f6c1e0a-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer";
/// An application with federated credentials for a service account and a GitHub repository.
pub(crate) const WI_APP: &str = "66666666-6666-6666-6666-666666666666";
pub(crate) const WI_APP_OID: &str = "dddddddd-0000-0000-0000-0000000000w1";
pub(crate) const WI_NAMESPACE: &str = "apps";
pub(crate) const WI_SERVICE_ACCOUNT: &str = "deployer";
/// GitHub's `ACTIONS_ID_TOKEN_REQUEST_TOKEN` of the emulated job.
pub(crate) const GITHUB_REQUEST_TOKEN: &str = "ghs_RequestToken-never-logged";
/// An application behind an Azure DevOps service connection.
pub(crate) const PIPELINES_APP: &str = "77777777-7777-7777-7777-777777777777";
pub(crate) const PIPELINES_APP_OID: &str = "dddddddd-0000-0000-0000-0000000000p1";
pub(crate) const SERVICE_CONNECTION: &str = "3f2b9c4e-1111-2222-3333-444455556666";
/// The pipeline's `SYSTEM_ACCESSTOKEN`.
pub(crate) const SYSTEM_ACCESS_TOKEN: &str = "devops-System-AccessToken-never-logged";
/// The Azure CLI's own public client id.
pub(crate) const AZURE_CLI_CLIENT: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
pub(crate) const SUBSCRIPTION: &str = "9f6c1e0a-0000-0000-0000-000000000001";

/// A certificate and its key, in the formats users have.
pub(crate) struct CertFiles {
    pub der: Vec<u8>,
    pub pem_pkcs8: PathBuf,
    pub pem_pkcs1: PathBuf,
    pub pfx: PathBuf,
}

pub(crate) struct Cluster {
    pub env: TestEnv,
    pub emulator: Emulator,
    pub api: ApiServer,
    pub ca_file: PathBuf,
    pub cache_dir: PathBuf,
    pub kubeconfig: PathBuf,
    pub cert: CertFiles,
    pub expired_cert: CertFiles,
    pub unregistered_cert: CertFiles,
}

impl Cluster {
    /// Emulator with a secret app and a certificate app; API server expecting the AKS audience.
    pub(crate) fn start() -> Cluster {
        Cluster::start_with(None)
    }

    /// The same, with an API server that requires PoP tokens signed for `pop_u`.
    pub(crate) fn start_with(pop_u: Option<&str>) -> Cluster {
        let env = TestEnv::new();
        let cert = make_cert(&env, "spn", false);
        let expired_cert = make_cert(&env, "expired", true);
        let unregistered_cert = make_cert(&env, "stranger", false);
        let config = EmulatorConfig::default()
            .with_client(Client {
                id: SECRET_APP.into(),
                secret: Some(CLIENT_SECRET.into()),
                object_id: SECRET_APP_OID.into(),
                groups: vec!["group-a".into()],
                ..Client::default()
            })
            .with_client(Client {
                id: CERT_APP.into(),
                certificate_der: Some(cert.der.clone()),
                object_id: CERT_APP_OID.into(),
                ..Client::default()
            })
            .with_client(Client {
                id: "33333333-3333-3333-3333-333333333333".into(),
                certificate_der: Some(expired_cert.der.clone()),
                object_id: "oid-expired".into(),
                ..Client::default()
            })
            .with_public_client(AKS_CLIENT_ID)
            .with_public_client(AZURE_CLI_CLIENT)
            // Azure Stack Hub's ADFS authority: `--tenant-id adfs` means `<host>/adfs`.
            .with_tenant("adfs")
            .with_managed_identity(ManagedIdentity {
                client_id: MI_SYSTEM_CLIENT.into(),
                object_id: MI_SYSTEM_OID.into(),
                tenant: TENANT.into(),
                system_assigned: true,
                ..ManagedIdentity::default()
            })
            .with_managed_identity(ManagedIdentity {
                client_id: MI_USER_CLIENT.into(),
                object_id: MI_USER_OID.into(),
                resource_id: MI_USER_RESOURCE_ID.into(),
                tenant: TENANT.into(),
                system_assigned: false,
            })
            .with_client(Client {
                id: WI_APP.into(),
                object_id: WI_APP_OID.into(),
                federated_credentials: vec![
                    FederatedCredential {
                        issuer: KUBERNETES_ISSUER.into(),
                        subject: format!(
                            "system:serviceaccount:{WI_NAMESPACE}:{WI_SERVICE_ACCOUNT}"
                        ),
                        audience: TOKEN_EXCHANGE_AUDIENCE.into(),
                    },
                    FederatedCredential {
                        issuer: GITHUB_ISSUER.into(),
                        subject: EmulatorConfig::default().github_subject,
                        audience: TOKEN_EXCHANGE_AUDIENCE.into(),
                    },
                ],
                ..Client::default()
            })
            .with_client(Client {
                id: PIPELINES_APP.into(),
                object_id: PIPELINES_APP_OID.into(),
                federated_credentials: vec![FederatedCredential {
                    issuer: DEVOPS_ISSUER.into(),
                    subject: "sc://contoso/aks/deployer".into(),
                    audience: TOKEN_EXCHANGE_AUDIENCE.into(),
                }],
                ..Client::default()
            })
            .with_subscription(Subscription {
                id: SUBSCRIPTION.into(),
                name: "Contoso AKS".into(),
                tenant: TENANT.into(),
            })
            .with_user(User {
                username: ALICE.into(),
                password: ALICE_PASSWORD.into(),
                object_id: ALICE_OID.into(),
                groups: vec!["aks-admins".into()],
            })
            .with_user(User {
                username: BOB.into(),
                password: BOB_PASSWORD.into(),
                object_id: "bbbbbbbb-0000-0000-0000-000000000b0b".into(),
                groups: (0..250).map(|i| format!("group-{i}")).collect(),
            });
        let config = EmulatorConfig {
            github_request_token: Some(GITHUB_REQUEST_TOKEN.into()),
            devops_access_token: Some(SYSTEM_ACCESS_TOKEN.into()),
            service_connections: vec![(
                SERVICE_CONNECTION.into(),
                "sc://contoso/aks/deployer".into(),
            )],
            ..config
        };
        let ca = Arc::new(TestCa::new().expect("CA"));
        let emulator = Emulator::start_with_ca(config, ca.clone()).expect("emulator");
        let server = ca.server_cert().expect("server cert");
        let api = ApiServer::start(ApiServerConfig {
            discovery_issuer: emulator.issuer(TENANT),
            issuers: vec![
                emulator.issuer(TENANT),
                format!("{}/{TENANT}/", emulator.url()),
            ],
            audiences: vec![AKS_SERVER_ID.into(), format!("spn:{AKS_SERVER_ID}")],
            issuer_ca_pem: ca.cert_pem().to_owned(),
            cert_pem: server.cert_pem,
            key_pem: server.key_pem,
            pop_u: pop_u.map(str::to_owned),
        })
        .expect("api server");
        let ca_file = env.path("ca.crt");
        fs::write(&ca_file, ca.cert_pem()).expect("ca file");
        let cache_dir = env.path("cache");
        let kubeconfig = env.path("kubeconfig");
        Cluster {
            env,
            emulator,
            api,
            ca_file,
            cache_dir,
            kubeconfig,
            cert,
            expired_cert,
            unregistered_cert,
        }
    }

    /// Writes an `az aks get-credentials`-style kubeconfig and converts it with `convert_args`.
    pub(crate) fn kubeconfig_for(&self, convert_args: &[&str]) {
        self.write_kubelogin_kubeconfig();
        let output = run(self
            .env
            .aad()
            .args(["convert-kubeconfig", "--no-backup", "--kubeconfig"])
            .arg(&self.kubeconfig)
            .args([
                "--authority-host",
                &self.emulator.authority_host(),
                "--cache-dir",
            ])
            .arg(&self.cache_dir)
            .args(convert_args));
        assert!(
            output.status.success(),
            "convert failed: {}",
            stderr(&output)
        );
    }

    /// The kubeconfig `az aks get-credentials` writes for an Entra ID cluster (kubelogin's
    /// devicecode exec entry), pointing at this cluster's API server.
    pub(crate) fn write_kubelogin_kubeconfig(&self) {
        let text = format!(
            r#"apiVersion: v1
kind: Config
clusters:
- name: aks
  cluster:
    server: {server}
    certificate-authority: {ca}
contexts:
- name: aks
  context: {{cluster: aks, user: aks-user}}
current-context: aks
users:
- name: aks-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --environment, AzurePublicCloud, --server-id, {AKS_SERVER_ID}, --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, {TENANT}, --login, devicecode]
"#,
            server = self.api.url(),
            ca = self.ca_file.display(),
        );
        fs::write(&self.kubeconfig, text).expect("kubeconfig");
    }

    /// The directory of the test-only binaries (`emulator-browser`).
    pub(crate) fn helper(&self, name: &str) -> PathBuf {
        let path = aad_bin().parent().expect("bin dir").join(name);
        assert!(
            path.exists(),
            "{} is missing: run the suite with scripts/test.sh (it builds the emulator's binaries)",
            path.display()
        );
        path
    }

    /// The user on the device code page: reads the code from a sign-in message and submits it
    /// with the user's credentials, as a person would in a browser.
    pub(crate) fn complete_device_code(&self, message: &str, username: &str, password: &str) {
        let code = message
            .split("enter the code ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a user code in the message");
        let ca = reqwest::Certificate::from_pem(fs::read(&self.ca_file).expect("ca").as_slice())
            .expect("ca pem");
        let client = reqwest::blocking::Client::builder()
            .tls_certs_merge([ca])
            .build()
            .expect("client");
        let page = client
            .get(format!("{}/devicelogin", self.emulator.url()))
            .send()
            .expect("page");
        assert!(page.status().is_success());
        let response = client
            .post(format!("{}/devicelogin", self.emulator.url()))
            .form(&[
                ("user_code", code),
                ("username", username),
                ("password", password),
            ])
            .send()
            .expect("submit");
        assert!(
            response.status().is_success(),
            "the device code page refused the sign-in: {}",
            response.text().unwrap_or_default()
        );
    }

    /// kubectl against the cluster, trusting the emulator's CA for the plugin's HTTPS calls.
    pub(crate) fn kubectl(&self) -> Command {
        let mut command = self.env.kubectl();
        command
            .env("KUBECONFIG", &self.kubeconfig)
            .env("SSL_CERT_FILE", &self.ca_file);
        command
    }

    /// kubectl-aad get-token with the emulator as authority.
    pub(crate) fn get_token(&self, args: &[&str]) -> Command {
        let mut command = self.env.aad();
        command
            .args([
                "get-token",
                "--server-id",
                AKS_SERVER_ID,
                "--tenant-id",
                TENANT,
                "--authority-host",
                &self.emulator.authority_host(),
                "--cache-dir",
            ])
            .arg(&self.cache_dir)
            .args(args)
            .env("SSL_CERT_FILE", &self.ca_file);
        command
    }
}

/// A self-signed RSA certificate (optionally long expired) in PEM (PKCS#8 and PKCS#1) and PFX.
pub(crate) fn make_cert(env: &TestEnv, name: &str, expired: bool) -> CertFiles {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("rsa key");
    let mut params =
        rcgen::CertificateParams::new(vec![format!("{name}.kubectl-aad.test")]).expect("params");
    if expired {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let cert = params.self_signed(&key).expect("cert");
    let pkcs8 = key.serialize_der();
    let pem_pkcs8 = env.path(&format!("{name}.pem"));
    fs::write(&pem_pkcs8, format!("{}{}", cert.pem(), key.serialize_pem())).expect("pem");
    let pem_pkcs1 = env.path(&format!("{name}-rsa.pem"));
    fs::write(&pem_pkcs1, format!("{}{}", pkcs1_pem(&pkcs8), cert.pem())).expect("pem pkcs1");
    let mut store = p12_keystore::KeyStore::new();
    let chain = p12_keystore::PrivateKeyChain::new(
        "key1",
        p12_keystore::PrivateKey::from_der(&pkcs8).expect("p12 key"),
        [p12_keystore::Certificate::from_der(cert.der()).expect("p12 cert")],
    );
    store.add_entry("spn", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    let pfx = env.path(&format!("{name}.PFX"));
    fs::write(&pfx, store.writer(PFX_PASSWORD).write().expect("pfx")).expect("write pfx");
    CertFiles {
        der: cert.der().to_vec(),
        pem_pkcs8,
        pem_pkcs1,
        pfx,
    }
}

/// The `RSA PRIVATE KEY` PEM inside a PKCS#8 RSA key (the OCTET STRING after the algorithm).
fn pkcs1_pem(pkcs8: &[u8]) -> String {
    use base64::Engine as _;
    // SEQUENCE { INTEGER 0, AlgorithmIdentifier (15 bytes), OCTET STRING { RSAPrivateKey } }
    let skip_header = |der: &[u8]| -> usize {
        if der[1] & 0x80 == 0 {
            2
        } else {
            2 + (der[1] & 0x7f) as usize
        }
    };
    let body = &pkcs8[skip_header(pkcs8)..];
    let after_version = &body[3..];
    let after_algorithm = &after_version[15..];
    let inner = &after_algorithm[skip_header(after_algorithm)..];
    let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

/// Asserts a secret appears nowhere in a process's output.
pub(crate) fn assert_no_secret(output: &std::process::Output, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !stdout(output).contains(secret) && !stderr(output).contains(secret),
            "secret {secret:?} leaked"
        );
    }
}

/// The ExecCredential of a successful get-token: exactly one JSON line on stdout.
pub(crate) fn exec_credential(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "get-token failed: {}",
        stderr(output)
    );
    let text = stdout(output);
    assert_eq!(
        text.lines().count(),
        1,
        "exactly one JSON line on stdout: {text:?}"
    );
    serde_json::from_str(&text).expect("stdout is one JSON document")
}

/// A JWT's claims, unverified.
pub(crate) fn claims_of(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("jwt");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("b64"),
    )
    .expect("claims")
}

/// The token of an ExecCredential.
pub(crate) fn token_of(credential: &serde_json::Value) -> String {
    credential["status"]["token"]
        .as_str()
        .expect("token")
        .to_owned()
}
