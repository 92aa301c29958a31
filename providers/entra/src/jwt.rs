//! Unverified JWT claims, the one decoder host and providers share: who a token belongs to,
//! when it expires, what `whoami` shows.
//!
//! Tokens come from the authority over TLS (or from a local tool that got them so) and the API
//! server verifies them; we only read them, so no signature check and no key material here.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kubectl_aad_contract::Identity;
use serde::Deserialize;

/// The Entra ID claims we read.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Claims {
    /// Audience: a string or a list.
    #[serde(default)]
    pub aud: Option<serde_json::Value>,
    /// Issuer.
    #[serde(default)]
    pub iss: Option<String>,
    /// Tenant.
    #[serde(default)]
    pub tid: Option<String>,
    /// Object id.
    #[serde(default)]
    pub oid: Option<String>,
    /// User principal name.
    #[serde(default)]
    pub upn: Option<String>,
    /// v2.0 user name.
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// Application id (v1).
    #[serde(default)]
    pub appid: Option<String>,
    /// Application id (v2.0).
    #[serde(default)]
    pub azp: Option<String>,
    /// Expiry, seconds since the epoch; anything that is not a whole number is ignored.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub exp: Option<u64>,
    /// Group object ids.
    #[serde(default)]
    pub groups: Option<Vec<String>>,
    /// Overage indicator (implicit flow).
    #[serde(default)]
    pub hasgroups: Option<bool>,
    /// Overage pointers: `{"groups": "src1"}` when the user has more than 200 groups.
    #[serde(default, rename = "_claim_names")]
    pub claim_names: Option<serde_json::Map<String, serde_json::Value>>,
    /// Token version, `1.0` or `2.0`.
    #[serde(default)]
    pub ver: Option<String>,
}

fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(serde_json::Value::deserialize(d)?.as_u64())
}

impl Claims {
    /// Decodes the payload of a compact JWT; `None` for anything else.
    pub fn decode(token: &str) -> Option<Claims> {
        let payload = token.split('.').nth(1)?;
        let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The audience, joined when it is a list.
    pub fn audience(&self) -> Option<String> {
        match &self.aud {
            Some(serde_json::Value::String(aud)) => Some(aud.clone()),
            Some(serde_json::Value::Array(list)) => Some(
                list.iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            _ => None,
        }
    }

    /// Whether the groups claim was replaced by an overage pointer.
    pub fn has_group_overage(&self) -> bool {
        self.hasgroups == Some(true)
            || self
                .claim_names
                .as_ref()
                .is_some_and(|names| names.contains_key("groups"))
    }

    /// The identity this token belongs to.
    pub fn identity(&self) -> Identity {
        Identity {
            tenant_id: self.tid.clone(),
            object_id: self.oid.clone(),
            username: self.upn.clone().or_else(|| self.preferred_username.clone()),
            app_id: self.appid.clone().or_else(|| self.azp.clone()),
        }
    }
}

/// The identity claims of a JWT, if it is one.
pub fn identity_of(token: &str) -> Option<Identity> {
    Claims::decode(token).map(|claims| claims.identity())
}

/// The `exp` claim of a JWT, if it is one and has it.
pub fn expiry_of(token: &str) -> Option<u64> {
    Claims::decode(token)?.exp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &serde_json::Value) -> String {
        format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(payload.to_string()))
    }

    #[test]
    fn reads_user_claims_and_overage() {
        let token = jwt(
            &serde_json::json!({"aud": "6dae", "tid": "t", "oid": "o", "upn": "a@b", "exp": 5, "_claim_names": {"groups": "src1"}}),
        );
        let claims = Claims::decode(&token).expect("decodes");
        assert_eq!(claims.audience().as_deref(), Some("6dae"));
        assert!(claims.has_group_overage());
        assert_eq!(claims.identity().username.as_deref(), Some("a@b"));
        assert_eq!(expiry_of(&token), Some(5));
    }

    #[test]
    fn garbage_is_none_and_odd_expiries_are_ignored() {
        assert_eq!(Claims::decode("not-a-jwt"), None);
        assert_eq!(Claims::decode("a.!!!.c"), None);
        for exp in [
            serde_json::json!(-1),
            serde_json::json!("5"),
            serde_json::json!(1e300),
        ] {
            assert_eq!(expiry_of(&jwt(&serde_json::json!({ "exp": exp }))), None);
        }
    }
}
