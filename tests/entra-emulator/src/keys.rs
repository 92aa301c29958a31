//! [`SigningKey`]: the emulator's RS256 token-signing key and its JWKS.

use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

/// An RSA-2048 key that signs tokens, with its key id.
pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    n: String,
    e: String,
}

impl SigningKey {
    /// Generates a key.
    pub fn generate() -> anyhow::Result<SigningKey> {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)?;
        let encoding = EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes())?;
        let lc = aws_lc_rs::rsa::KeyPair::from_pkcs8(&pair.serialize_der())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let components = aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(lc.public_key());
        let n = URL_SAFE_NO_PAD.encode(&components.n);
        let kid = URL_SAFE_NO_PAD.encode(
            &aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &components.n).as_ref()[..12],
        );
        Ok(SigningKey {
            kid,
            encoding,
            n,
            e: URL_SAFE_NO_PAD.encode(&components.e),
        })
    }

    /// The public key, for verifying what this key signed.
    pub(crate) fn decoding_key(&self) -> Option<jsonwebtoken::DecodingKey> {
        jsonwebtoken::DecodingKey::from_rsa_components(&self.n, &self.e).ok()
    }

    /// The JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": self.n, "e": self.e}]})
    }

    /// Signs claims as an RS256 JWT with this key's `kid`.
    pub fn sign(&self, claims: &serde_json::Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap_or_default()
    }
}
