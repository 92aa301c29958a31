//! [`RopcProvider`]: user name + password for tokens.

use kubectl_aad_contract::{
    ErrorKind, Host, Provider, ProviderError, Secret, TokenRequest, TokenSet,
};
use kubectl_aad_entra::{EntraClient, user_scope};

/// The password grant.
pub struct RopcProvider;

impl Provider for RopcProvider {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        // The host checked the mode's requirements; the user name is one of them.
        let username = request.username.as_deref().unwrap_or_default();
        let password = match &request.password {
            Some(password) if !password.is_empty() => password.clone(),
            _ if request.interactive => prompt(username, host)?,
            _ => {
                return Err(ProviderError::new(
                    ErrorKind::InteractionRequired,
                    "password cannot be empty",
                )
                .with_hint(
                    "pass --password, set AZURE_PASSWORD, or run in a terminal to be asked for it",
                ));
            }
        };
        let client = EntraClient::new(request)?;
        let endpoint = client.token_endpoint();
        let scope = user_scope(request);
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "password"),
            ("client_id", &request.client_id),
            ("username", username),
            ("password", password.expose()),
        ];
        if client.v1() {
            form.push(("resource", &request.server_id));
        } else {
            form.push(("scope", &scope));
        }
        form.extend(request.pop_params());
        client
            .post_token(&endpoint, &form)?
            .into_token_set(host.now_secs())
    }

    fn refresh(
        &self,
        request: &TokenRequest,
        refresh_token: &Secret,
        host: &dyn Host,
    ) -> Result<TokenSet, ProviderError> {
        EntraClient::new(request)?.refresh(request, refresh_token, host.now_secs())
    }
}

/// Asks for the password on the terminal: hidden input, prompt on stderr.
fn prompt(username: &str, host: &dyn Host) -> Result<Secret, ProviderError> {
    host.debug("asking for the password on the terminal");
    dialoguer::Password::new()
        .with_prompt(format!("Password for {username}"))
        .interact()
        .map(Secret::new)
        .map_err(|err| {
            ProviderError::new(
                ErrorKind::InteractionRequired,
                format!("cannot ask for the password: {err}"),
            )
            .with_hint("pass --password or set AZURE_PASSWORD")
        })
}
