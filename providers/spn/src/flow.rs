//! [`SpnProvider`]: client credentials with a secret or a certificate assertion.

use kubectl_aad_contract::{ErrorKind, Host, Provider, ProviderError, TokenRequest, TokenSet};
use kubectl_aad_entra::EntraClient;

use crate::certificate;
use crate::error::SpnError;

/// The service principal grant.
pub struct SpnProvider;

impl Provider for SpnProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let now = host.now_secs();
        let client = EntraClient::new(request)?;
        let endpoint = client.token_endpoint();
        // kubelogin prefers the certificate when both are given (its ADAL path does); so do we.
        let assertion = match &request.client_certificate {
            Some(path) => {
                host.debug(&format!(
                    "signing a client assertion with {}",
                    path.display()
                ));
                let cert = certificate::load(
                    path,
                    request.client_certificate_password.as_ref(),
                    i64::try_from(now).unwrap_or(i64::MAX),
                )?;
                Some(cert.assertion(&request.client_id, &endpoint, now)?)
            }
            None => None,
        };
        let secret = match (&assertion, &request.client_secret) {
            (Some(_), _) => None,
            (None, Some(secret)) if !secret.is_empty() => Some(secret.expose()),
            (None, _) => return Err(SpnError::NoCredential.into()),
        };
        let scope = request.scope();
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "client_credentials"),
            ("client_id", &request.client_id),
        ];
        if client.v1() {
            form.push(("resource", &request.server_id));
        } else {
            form.push(("scope", &scope));
        }
        match (&assertion, secret) {
            (Some(assertion), _) => {
                form.push((
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ));
                form.push(("client_assertion", assertion));
            }
            (None, Some(secret)) => form.push(("client_secret", secret)),
            (None, None) => {
                return Err(ProviderError::new(
                    ErrorKind::Internal,
                    "no credential selected",
                ));
            }
        }
        host.debug(&format!(
            "requesting a token from {endpoint} for client {}",
            request.client_id
        ));
        form.extend(request.pop_params());
        client.post_token(&endpoint, &form)?.into_token_set(now)
    }
}
