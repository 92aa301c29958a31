//! Certificate client assertions (RFC 7523 as Entra ID profiles it): an RS256 JWT with `aud` =
//! the token endpoint, `iss` = `sub` = the client id, a fresh `jti`, a short lifetime, and the
//! certificate's `x5t` (SHA-1) and `x5t#S256` thumbprints plus the `x5c` chain in the header.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use kubectl_aad_contract::{ErrorKind, ProviderError};
use serde::Serialize;

/// A certificate and its RSA private key, ready to sign assertions.
pub struct ClientCertificate {
    chain: Vec<Vec<u8>>,
    key: EncodingKey,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    aud: &'a str,
    iss: &'a str,
    sub: &'a str,
    jti: String,
    nbf: u64,
    iat: u64,
    exp: u64,
}

impl ClientCertificate {
    /// `chain[0]` is the leaf certificate (DER); `pkcs8_key` its RSA key as PKCS#8 DER.
    pub fn new(chain: Vec<Vec<u8>>, pkcs8_key: &[u8]) -> Result<ClientCertificate, ProviderError> {
        if chain.is_empty() {
            return Err(ProviderError::new(
                ErrorKind::InvalidRequest,
                "the certificate file holds no certificate",
            ));
        }
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD.encode(pkcs8_key)
        );
        let key = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| {
            ProviderError::new(
                ErrorKind::InvalidRequest,
                "the certificate's private key is not an RSA key",
            )
            .with_hint("Entra ID client certificates need RSA keys")
        })?;
        Ok(ClientCertificate { chain, key })
    }

    /// The leaf certificate, DER.
    pub fn leaf(&self) -> &[u8] {
        &self.chain[0]
    }

    /// Signs an assertion for `client_id` towards `audience` (the token endpoint), valid from
    /// `now` (seconds since the epoch) for ten minutes.
    pub fn assertion(
        &self,
        client_id: &str,
        audience: &str,
        now: u64,
    ) -> Result<String, ProviderError> {
        let mut header = Header::new(Algorithm::RS256);
        header.x5t = Some(URL_SAFE_NO_PAD.encode(digest(
            &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            self.leaf(),
        )));
        header.x5t_s256 =
            Some(URL_SAFE_NO_PAD.encode(digest(&aws_lc_rs::digest::SHA256, self.leaf())));
        header.x5c = Some(self.chain.iter().map(|der| STANDARD.encode(der)).collect());
        let claims = AssertionClaims {
            aud: audience,
            iss: client_id,
            sub: client_id,
            jti: uuid::Uuid::new_v4().to_string(),
            nbf: now.saturating_sub(60),
            iat: now,
            exp: now.saturating_add(600),
        };
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|err| {
            ProviderError::new(
                ErrorKind::Internal,
                format!("cannot sign the client assertion: {err}"),
            )
        })
    }
}

fn digest(algorithm: &'static aws_lc_rs::digest::Algorithm, data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(algorithm, data).as_ref().to_vec()
}
