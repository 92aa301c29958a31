//! The emulator's mutable state: configuration, request log, queued faults, used assertion ids.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use crate::config::EmulatorConfig;
use crate::keys::SigningKey;

/// A fault applied to the next token request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer after a delay (then normally).
    Delay(Duration),
    /// Answer with this HTTP status and an Entra-shaped `server_error`.
    Status(u16),
    /// Answer 400 with this OAuth error and AADSTS code.
    Error {
        /// `error`, e.g. `invalid_grant`.
        error: String,
        /// The AADSTS code, e.g. 53003.
        code: u64,
        /// The description after `AADSTS<code>: `.
        description: String,
    },
    /// Answer with a redirect (`status` 301/302/307/308) to `location`, as a hostile or
    /// misconfigured endpoint would.
    Redirect {
        /// The 3xx status.
        status: u16,
        /// The `Location` header.
        location: String,
    },
    /// Answer normally, then replace these top-level fields of a successful JSON answer
    /// (`null` removes one): hostile or odd expiries, empty tokens, real-world shapes.
    Patch(serde_json::Value),
    /// Answer with exactly this status and body (`application/json`).
    Raw {
        /// The HTTP status.
        status: u16,
        /// The body, sent as is.
        body: String,
    },
    /// Answer 200 with a body that never ends.
    Endless,
}

/// One request the emulator saw.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// `grant_type` of token requests.
    pub grant_type: Option<String>,
    /// `client_id` of token requests.
    pub client_id: Option<String>,
    /// The HTTP status answered.
    pub status: u16,
}

/// A pending device authorization.
pub(crate) struct DeviceCode {
    pub(crate) user_code: String,
    pub(crate) client_id: String,
    pub(crate) resource: String,
    pub(crate) tenant: String,
    pub(crate) expires_at: u64,
    pub(crate) approved_user: Option<String>,
}

/// An issued authorization code.
pub(crate) struct AuthCode {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: String,
    pub(crate) resource: String,
    pub(crate) tenant: String,
    pub(crate) user: String,
}

/// What a refresh token redeems for.
#[derive(Clone)]
pub(crate) struct RefreshGrant {
    pub(crate) client_id: String,
    pub(crate) user: String,
    pub(crate) resource: String,
    pub(crate) tenant: String,
}

pub(crate) struct State {
    pub(crate) config: EmulatorConfig,
    pub(crate) url: String,
    pub(crate) key: SigningKey,
    pub(crate) log: Vec<LoggedRequest>,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) used_jti: HashSet<String>,
    pub(crate) device_codes: HashMap<String, DeviceCode>,
    pub(crate) auth_codes: HashMap<String, AuthCode>,
    pub(crate) refresh_tokens: HashMap<String, RefreshGrant>,
    pub(crate) device_interval_secs: u64,
    pub(crate) sign_ins: Vec<String>,
    /// What the managed-identity endpoints answer next, before answering normally: a status,
    /// with a raw body (`None`: an IMDS-shaped error).
    pub(crate) identity_faults: VecDeque<(u16, Option<String>)>,
    /// The secret App Service passes in `IDENTITY_HEADER`.
    pub(crate) identity_header: String,
    /// External OIDC issuers whose keys the emulator knows (federated credentials).
    pub(crate) issuers: Vec<OidcIssuer>,
    /// What reached the plain-HTTP capture endpoint (`/capture…` on the identity listener):
    /// method, path and body.
    pub(crate) captured: Vec<String>,
    /// The AKS clusters the fake ARM knows.
    pub(crate) aks_clusters: Vec<crate::aks::AksCluster>,
    /// How many clusters one page of the fake ARM's list holds.
    pub(crate) arm_page_size: usize,
    /// What the fake ARM answers next, before answering normally.
    pub(crate) arm_faults: VecDeque<crate::aks::ArmFault>,
}

/// An external OIDC issuer: its `iss` and signing key.
pub(crate) struct OidcIssuer {
    pub(crate) issuer: String,
    pub(crate) key: SigningKey,
}

impl State {
    pub(crate) fn new(config: EmulatorConfig, url: String, key: SigningKey) -> State {
        State {
            config,
            url,
            key,
            log: vec![],
            faults: VecDeque::new(),
            used_jti: HashSet::new(),
            device_codes: HashMap::new(),
            auth_codes: HashMap::new(),
            refresh_tokens: HashMap::new(),
            device_interval_secs: 1,
            sign_ins: vec![],
            identity_faults: VecDeque::new(),
            identity_header: uuid::Uuid::new_v4().to_string(),
            issuers: vec![],
            captured: vec![],
            aks_clusters: vec![],
            arm_page_size: 100,
            arm_faults: VecDeque::new(),
        }
    }
}
