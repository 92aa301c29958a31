//! [`TokenSet`] and [`Identity`]: what a successful grant returns.

use serde::{Deserialize, Serialize};

use crate::{Reuse, Secret};

/// Tokens from one grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    /// The access token (a JWT for Entra ID).
    pub access_token: Secret,
    /// When the access token expires, in seconds since the Unix epoch.
    pub expires_on: u64,
    /// A refresh token, for user flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Whom the token belongs to.
    #[serde(default)]
    pub identity: Identity,
    /// Limits on serving the token from the cache (tokens of another tool's session); `None`
    /// caches it until near expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse: Option<Reuse>,
}

/// The principal a token was issued to, as far as the provider could tell.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The tenant (`tid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The object id (`oid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// The user principal name (`upn` / `preferred_username`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The application id, for service principals and managed identities (`appid` / `azp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
}
