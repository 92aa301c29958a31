//! Proof-of-possession (PoP) tokens: the claims, the client's RSA key, and the signed HTTP
//! request (SHR) that wraps the access token on every get-token.
//!
//! The access token is requested with `token_type=pop` and `req_cnf` = base64url of
//! `{"kid":"<thumbprint>","xms_ksl":"sw"}`, so Entra ID binds it to our key. Each kubectl call
//! then gets a fresh SHR: header `{"typ":"pop","alg":"RS256","kid":…}`, payload `at`, `ts`, `u`,
//! `cnf.jwk`, `nonce`, RS256 over both parts. The JSON is built with serde (kubelogin formats it
//! by hand and does not escape `u`). The key is RSA-2048, created once per cache key and kept
//! as PKCS#8 PEM (0600) beside the cache; when that file cannot be used, a warning and an
//! ephemeral key — never a failure of the run.

use std::path::{Path, PathBuf};

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;

use kubectl_aad_contract::{LoginMode, PopRequest};

use std::io::Read as _;

use crate::atomic_file;
use crate::env::Env;
use crate::private_file::{self, PrivateFileError};
use crate::settings::TokenSettings;
use crate::token_cache::{CacheError, Storage, TokenCache, TokenCacheKey, Vault};

/// Why the PoP claims are unusable (kubelogin's messages, one line each).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum PopClaimsError {
    /// Nothing to parse.
    #[error(
        "failed to parse PoP token claims: no claims provided; pass --pop-claims \"u=<ARM ID of the cluster>\""
    )]
    Empty,
    /// An item without `key=value`.
    #[error(
        "failed to parse PoP token claims {0:?}: ensure the claims are formatted as key=value pairs separated by commas"
    )]
    Malformed(String),
    /// No `u`.
    #[error(
        "required u-claim not provided for PoP token flow; pass --pop-claims \"u=<ARM ID of the cluster>\""
    )]
    NoU,
}

/// Parses `key=value,key2=value2`: keys and values trimmed, a value may contain `=`; `u` is
/// required and is the only claim that reaches the token. Returns `u`.
pub(crate) fn parse_claims(text: &str) -> Result<String, PopClaimsError> {
    if text.trim().is_empty() {
        return Err(PopClaimsError::Empty);
    }
    let mut u = None;
    for item in text.split(',') {
        let (key, value) = item
            .split_once('=')
            .ok_or_else(|| PopClaimsError::Malformed(item.to_owned()))?;
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || value.is_empty() {
            return Err(PopClaimsError::Malformed(item.to_owned()));
        }
        if key == "u" {
            u = Some(value.to_owned());
        }
    }
    u.ok_or(PopClaimsError::NoU)
}

/// The client's PoP key.
pub(crate) struct PopKey {
    pair: KeyPair,
    n: String,
    e: String,
    kid: String,
}

impl PopKey {
    /// Loads the key at `path`, or creates and stores it; when it cannot be stored, returns an
    /// ephemeral key and the warning to show. A key file that cannot be trusted (a link, another
    /// user's, readable by others — someone may hold a copy of the private key) is an error.
    pub(crate) fn load_or_create(
        path: &Path,
        vault: &Vault,
    ) -> Result<(PopKey, Option<String>), CacheError> {
        let existing = match private_file::open_existing(path) {
            Ok(file) => file,
            // Unreadable for an ordinary reason: try to store a new key (a warning if that
            // fails too).
            Err(PrivateFileError::Io { .. }) => None,
            Err(untrusted) => return Err(untrusted.into()),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(mut file) = existing {
            let mut bytes = Vec::new();
            let read = std::io::Read::read_to_end(&mut (&mut file).take(64 * 1024), &mut bytes);
            // A sealed key whose data key is gone cannot be used again: replaced below.
            if let (Ok(_), Some(opened)) = (read, vault.open(&name, bytes)?) {
                return Ok(
                    match std::str::from_utf8(&opened.plain).ok().and_then(from_pem) {
                        Some(key) => {
                            if opened.migrate {
                                let _ = store(path, &name, &key, vault);
                            }
                            (key, None)
                        }
                        None => (
                            PopKey::generate(),
                            Some(format!(
                                "PoP key {} is not a PKCS#8 RSA key; using a temporary key for this run (delete the file to replace it)",
                                path.display()
                            )),
                        ),
                    },
                );
            }
        }
        let key = PopKey::generate();
        let warning = store(path, &name, &key, vault)
            .err()
            .map(|err| format!("cannot store the PoP key at {}: {err}; using a temporary key, so each run signs in again", path.display()));
        Ok((key, warning))
    }

    /// An ephemeral key, for memory-only storage.
    pub(crate) fn temporary() -> PopKey {
        PopKey::generate()
    }

    fn generate() -> PopKey {
        // Key generation only fails on a broken crypto library; then there is nothing to do.
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA-2048 key generation");
        PopKey::from_pair(pair)
    }

    fn from_pair(pair: KeyPair) -> PopKey {
        let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        let n = URL_SAFE_NO_PAD.encode(&components.n);
        let e = URL_SAFE_NO_PAD.encode(&components.e);
        // RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()).as_ref(),
        );
        PopKey { pair, n, e, kid }
    }

    fn to_pem(&self) -> String {
        let der = self
            .pair
            .as_der()
            .map(|d| d.as_ref().to_vec())
            .unwrap_or_default();
        let body = STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        )
    }

    /// The RFC 7638 thumbprint, used as `kid`.
    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// The `req_cnf` token request parameter.
    pub(crate) fn req_cnf(&self) -> String {
        URL_SAFE_NO_PAD.encode(json!({"kid": self.kid, "xms_ksl": "sw"}).to_string())
    }

    /// A fresh signed HTTP request wrapping `access_token` for the resource `u`.
    pub(crate) fn signed_request(&self, access_token: &str, u: &str, now: u64) -> String {
        let header = json!({"typ": "pop", "alg": "RS256", "kid": self.kid});
        let payload = json!({
            "at": access_token,
            "ts": now,
            "u": u,
            "cnf": {"jwk": {"kty": "RSA", "e": self.e, "n": self.n, "alg": "RS256", "kid": self.kid}},
            "nonce": uuid::Uuid::new_v4().simple().to_string(),
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let mut signature = vec![0; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        // Signing with a valid key into a modulus-sized buffer does not fail.
        let _ = self.pair.sign(
            &RSA_PKCS1_SHA256,
            &rng,
            signing_input.as_bytes(),
            &mut signature,
        );
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

fn from_pem(pem: &str) -> Option<PopKey> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = STANDARD.decode(body.trim()).ok()?;
    KeyPair::from_pkcs8(&der).ok().map(PopKey::from_pair)
}

/// Writes the key's PEM, sealed as the vault says.
fn store(path: &Path, name: &str, key: &PopKey, vault: &Vault) -> anyhow::Result<()> {
    let bytes = vault.seal(name, key.to_pem().as_bytes())?;
    atomic_file::write(path, &bytes, 0o600)?;
    Ok(())
}

/// Where the PoP key for a cache entry lives (beside the cache, per identity).
fn key_path(cache_dir: &Path, identity_stem: &str) -> PathBuf {
    cache_dir.join(format!("{identity_stem}.pop-key.pem"))
}

/// PoP for a run: the client's key and the `u` claim it signs for.
pub(crate) struct PopBinding {
    /// The key.
    pub(crate) key: PopKey,
    /// The `u` claim (the cluster's ARM id).
    pub(crate) u: String,
}

impl PopBinding {
    /// What the token request carries.
    pub(crate) fn request(&self) -> PopRequest {
        PopRequest {
            key_id: self.key.kid().to_owned(),
            req_cnf: self.key.req_cnf(),
        }
    }
}

/// Sets up PoP when it is requested. A built-in mode without PoP support ignores the PoP flags,
/// as kubelogin does; a library's mode is checked against its descriptor on the miss path. A key
/// file that cannot be used is a warning and an ephemeral key, never a failure.
pub(crate) fn binding(
    settings: &TokenSettings,
    cache: &TokenCache,
    env: &Env,
) -> anyhow::Result<Option<PopBinding>> {
    let Some(claims) = &settings.pop_claims else {
        return Ok(None);
    };
    let login = settings.login();
    if login.descriptor().is_some_and(|d| !d.pop) {
        env.log(
            1,
            &format!(
                "PoP tokens are only for {}; ignoring --pop-enabled for --login {login}",
                pop_modes()
            ),
        );
        return Ok(None);
    }
    let u = parse_claims(claims)?;
    if cache.vault().storage() == Storage::Memory {
        return Ok(Some(PopBinding {
            key: PopKey::temporary(),
            u,
        }));
    }
    // Best effort: a directory that cannot be made shows up as a key warning just below.
    let _ = cache.prepare_dir();
    let stem = TokenCacheKey::for_request(&settings.request, None).file_stem();
    let (key, warning) =
        PopKey::load_or_create(&key_path(&settings.cache_dir, &stem), cache.vault())?;
    if let Some(warning) = warning {
        env.warn(&warning);
    }
    Ok(Some(PopBinding { key, u }))
}

/// The key id of the PoP key these settings would use, when it exists already (`status`: read
/// only, nothing is created).
pub(crate) fn existing_kid(settings: &TokenSettings, cache: &TokenCache) -> Option<String> {
    let stem = TokenCacheKey::for_request(&settings.request, None).file_stem();
    let path = key_path(&settings.cache_dir, &stem);
    let mut file = private_file::open_existing(&path).ok()??;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut (&mut file).take(64 * 1024), &mut bytes).ok()?;
    let name = path.file_name()?.to_string_lossy().into_owned();
    let opened = cache.vault().open(&name, bytes).ok()??;
    let key = from_pem(std::str::from_utf8(&opened.plain).ok()?)?;
    Some(key.kid().to_owned())
}

/// The built-in modes that support PoP, from their descriptors (`interactive, spn and ropc`).
pub(crate) fn pop_modes() -> String {
    let names: Vec<&str> = LoginMode::BUILT_IN
        .iter()
        .filter(|m| m.descriptor().is_some_and(|d| d.pop))
        .map(LoginMode::as_str)
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_follow_kubelogins_rules_but_keep_equals_signs() {
        assert_eq!(
            parse_claims("u=/subscriptions/x/clusters/c"),
            Ok("/subscriptions/x/clusters/c".into())
        );
        assert_eq!(parse_claims(" u = a=b=c , p = q "), Ok("a=b=c".into()));
        assert_eq!(parse_claims(""), Err(PopClaimsError::Empty));
        assert_eq!(parse_claims("p=q"), Err(PopClaimsError::NoU));
        assert!(matches!(
            parse_claims("u=x,novalue"),
            Err(PopClaimsError::Malformed(_))
        ));
        assert!(matches!(
            parse_claims("u="),
            Err(PopClaimsError::Malformed(_))
        ));
    }

    #[test]
    fn keys_persist_and_sign_verifiable_requests() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("k.pem");
        let vault = Vault::new(dir.path(), Storage::File);
        let (first, warning) = PopKey::load_or_create(&path, &vault).expect("creates");
        assert!(warning.is_none());
        let (second, _) = PopKey::load_or_create(&path, &vault).expect("loads");
        assert_eq!(first.kid(), second.kid(), "the key is reused");
        #[cfg(unix)]
        assert_eq!(
            atomic_file::mode_of(&std::fs::metadata(&path).expect("meta")),
            0o600
        );

        let shr = second.signed_request("the-at", "/u/\"quoted\"\\back", 1_800_000_000);
        let parts: Vec<&str> = shr.split('.').collect();
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
        assert_eq!(payload["u"], "/u/\"quoted\"\\back");
        assert_eq!(payload["cnf"]["jwk"]["kid"], first.kid());
        let public = aws_lc_rs::signature::RsaPublicKeyComponents {
            n: URL_SAFE_NO_PAD.decode(&first.n).expect("n"),
            e: URL_SAFE_NO_PAD.decode(&first.e).expect("e"),
        };
        public
            .verify(
                &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &URL_SAFE_NO_PAD.decode(parts[2]).expect("sig"),
            )
            .expect("signature verifies");
    }

    #[cfg(unix)]
    #[test]
    fn a_key_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("k.pem");
        let vault = Vault::new(dir.path(), Storage::File);
        PopKey::load_or_create(&path, &vault).expect("creates");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(
            PopKey::load_or_create(&path, &vault),
            Err(CacheError::Unsafe(PrivateFileError::Readable(_)))
        ));
    }

    #[test]
    fn the_pop_modes_come_from_the_descriptors() {
        assert_eq!(pop_modes(), "interactive, spn and ropc");
    }

    #[test]
    fn an_unusable_key_file_gives_a_warning_and_a_temporary_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocked = dir.path().join("not-a-directory");
        std::fs::write(&blocked, "").expect("a file where the folder would be");
        let vault = Vault::new(dir.path(), Storage::File);
        let (_, warning) =
            PopKey::load_or_create(&blocked.join("key"), &vault).expect("a warning, not an error");
        assert!(warning.is_some_and(|w| w.contains("temporary key")));
    }
}
