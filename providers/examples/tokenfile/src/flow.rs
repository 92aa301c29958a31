//! [`TokenFileProvider`]: read the token file, find its expiry, bind the cache to the file.

use std::io::Read as _;
use std::path::Path;

use kubectl_aad_contract::{
    ErrorKind, FileStamp, Host, Provider, ProviderError, Reuse, Secret, TokenRequest, TokenSet,
};
use serde::Deserialize;

/// The largest token file read.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// The token-file grant.
pub struct TokenFileProvider;

#[derive(Deserialize)]
struct Document {
    access_token: Secret,
    expires_on: serde_json::Value,
}

fn invalid(message: String) -> ProviderError {
    ProviderError::new(ErrorKind::InvalidRequest, message)
}

impl Provider for TokenFileProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let path = request.options.get("path").ok_or_else(|| {
            invalid("the token file is not set".into())
                .with_hint("pass --provider-option path=<file holding the token>")
        })?;
        let path = Path::new(path);
        host.debug(&format!("reading the token from {}", path.display()));
        let stamp = FileStamp::of(path);
        let text = read_bounded(path)?;
        let (access_token, expires_on) = parse(text.trim(), path)?;
        if expires_on <= host.now_secs() {
            return Err(ProviderError::new(
                ErrorKind::Authentication,
                format!("the token in {} has expired", path.display()),
            )
            .with_hint("check the agent that refreshes the file"));
        }
        Ok(TokenSet {
            identity: kubectl_aad_entra::identity_of(access_token.expose()).unwrap_or_default(),
            access_token,
            expires_on,
            refresh_token: None,
            // Served from the cache only while the agent has not rewritten the file.
            reuse: Some(Reuse {
                max_age_secs: u64::MAX,
                while_unchanged: vec![stamp],
            }),
        })
    }
}

fn read_bounded(path: &Path) -> Result<String, ProviderError> {
    let cannot = |why: String| {
        invalid(format!("cannot read token file {}: {why}", path.display()))
            .with_hint("check --provider-option path=… and the agent that writes the file")
    };
    let file = std::fs::File::open(path).map_err(|err| cannot(err.to_string()))?;
    let metadata = file.metadata().map_err(|err| cannot(err.to_string()))?;
    if !metadata.is_file() {
        return Err(cannot("not a regular file".into()));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(cannot(format!("larger than {MAX_FILE_BYTES} bytes")));
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(|err| cannot(err.to_string()))?;
    Ok(text)
}

/// A JWT (expiry from `exp`) or `{"access_token", "expires_on"}`.
fn parse(text: &str, path: &Path) -> Result<(Secret, u64), ProviderError> {
    let unusable = |why: &str| invalid(format!("token file {} {why}", path.display()));
    if text.is_empty() {
        return Err(unusable("is empty"));
    }
    if text.starts_with('{') {
        let document: Document = serde_json::from_str(text)
            .map_err(|_| unusable("is JSON without access_token and expires_on"))?;
        let expires_on = match &document.expires_on {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.trim().parse().ok().or_else(|| {
                humantime::parse_rfc3339_weak(s.trim().trim_end_matches('Z'))
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs())
            }),
            _ => None,
        }
        .ok_or_else(|| unusable("has an expires_on that is not a time"))?;
        return Ok((document.access_token, expires_on));
    }
    let expires_on = kubectl_aad_entra::expiry_of(text).ok_or_else(|| {
        unusable("holds neither a JWT with an exp claim nor JSON with expires_on")
    })?;
    Ok((Secret::new(text), expires_on))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn jwt(exp: u64) -> String {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::json!({ "exp": exp, "oid": "o" }).to_string());
        format!("e30.{payload}.sig")
    }

    #[test]
    fn reads_a_jwt_or_json_and_refuses_the_rest() {
        let path = Path::new("f");
        assert_eq!(parse(&jwt(5000), path).map(|(_, exp)| exp), Ok(5000));
        let json = r#"{"access_token":"opaque","expires_on":"2026-12-01T20:00:00Z"}"#;
        assert_eq!(parse(json, path).map(|(_, exp)| exp), Ok(1_796_155_200));
        assert_eq!(
            parse(r#"{"access_token":"a","expires_on":7}"#, path).map(|(_, e)| e),
            Ok(7)
        );
        for bad in ["", "opaque", "{", r#"{"access_token":"a","expires_on":[]}"#] {
            assert!(parse(bad, path).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_file_must_be_small_and_regular() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(read_bounded(dir.path()).is_err(), "a directory");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 70 * 1024]).expect("big");
        assert!(read_bounded(&big).is_err());
        let ok = dir.path().join("ok");
        std::fs::write(&ok, "t").expect("ok");
        assert_eq!(read_bounded(&ok).ok().as_deref(), Some("t"));
    }
}
