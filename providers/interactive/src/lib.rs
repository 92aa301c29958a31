//! `interactive`: authorization code with PKCE (RFC 7636, S256) in the system browser.
//!
//! The flow listens on a loopback port (127.0.0.1, a random free port unless `--redirect-url`
//! names one), opens the browser at Entra ID's `/authorize` page (`--browser-command`, else
//! `$BROWSER`, else the system's opener; the opener's stdout never reaches ours), and waits for
//! the redirect with the code, accepted as a query or a `form_post`. `state` must match; the code
//! is redeemed with the PKCE verifier. When no browser can be opened the URL is printed on
//! stderr and the flow keeps waiting. It never starts when the run is not interactive: kubectl
//! could not show a browser to anyone, so the host tells the user to run `kubectl aad login`.
//!
//! Needs: `--client-id`, `--tenant-id`; optional `--login-hint`, `--redirect-url`.

mod flow;
mod loopback;

pub use flow::InteractiveProvider;

use kubectl_aad_contract::{LoginMode, Registration};

inventory::submit! { Registration { login: LoginMode::Interactive, provider: &InteractiveProvider } }

#[cfg(feature = "cdylib")]
kubectl_aad_contract::export_provider!(
    kubectl_aad_contract::LoginMode::Interactive,
    crate::InteractiveProvider
);
