//! `devicecode` (the default login mode): the OAuth 2.0 device authorization grant (RFC 8628).
//!
//! The flow asks Entra ID's `/devicecode` endpoint for a user code, prints Entra's message
//! ("open <url> and enter the code …") on stderr, and polls the token endpoint at the announced
//! `interval` — `authorization_pending` is not an error, `slow_down` adds five seconds — until the
//! person signs in on any device or the code's own `expires_in` passes. It needs no stdin, so it
//! also runs when kubectl says the run is not interactive; it is bounded by the code's lifetime,
//! not by the network timeout (kubelogin's #641). When the run is interactive the verification
//! page is also opened in the browser (`--browser-command`, `$BROWSER`, or the system's). With `--legacy` it uses the ADAL v1 endpoints
//! (`resource=`), whose tokens carry the `spn:` audience of legacy AAD clusters.
//!
//! Needs: `--client-id` (AKS: 80faf920-1908-4b52-b5ef-a8e7bedfc67a), `--tenant-id`.

mod flow;

pub use flow::DeviceCodeProvider;

/// Parses a device authorization answer as the flow does (bounds, message), for the fuzzer:
/// errors are expected, panics are bugs.
#[doc(hidden)]
pub fn fuzz_parse_authorization(body: &[u8]) -> bool {
    flow::parse_authorization(body).is_some()
}

use kubectl_aad_contract::{LoginMode, Registration};

inventory::submit! { Registration { login: LoginMode::DeviceCode, provider: &DeviceCodeProvider } }

#[cfg(feature = "cdylib")]
kubectl_aad_contract::export_provider!(
    kubectl_aad_contract::LoginMode::DeviceCode,
    crate::DeviceCodeProvider
);
