//! `spn`: a service principal signs in with OAuth 2.0 client credentials.
//!
//! The grant is `client_credentials` on the v2.0 token endpoint with scope
//! `<server-id>/.default` (or, with `--legacy`, the v1 endpoint with `resource=<server-id>`,
//! which yields the `spn:` audience of legacy AAD clusters). The client proves itself with a
//! client secret or a certificate: PEM (PKCS#1 `RSA PRIVATE KEY`, PKCS#8 `PRIVATE KEY`, with the
//! certificate chain) or PFX/P12 with a password, read in pure Rust. A certificate signs an RS256
//! client assertion that carries its thumbprints and chain (`x5c`). Choose it for CI jobs and
//! automation that hold an app registration's credentials; it never prompts.
//!
//! Needs: `--client-id`, `--tenant-id`, and `--client-secret` or `--client-certificate`
//! (environment variables per kubelogin). Secrets never appear in errors or logs.

mod certificate;
mod error;
mod flow;

pub use flow::SpnProvider;

/// Parses certificate bytes as `--client-certificate` would (PFX when `pfx`), for the fuzzer.
/// Returns whether a usable certificate came out; errors are expected, panics are bugs.
#[doc(hidden)]
pub fn fuzz_parse_certificate(bytes: &[u8], pfx: bool, password: &str) -> bool {
    let password = kubectl_aad_contract::Secret::new(password);
    certificate::parse(
        std::path::Path::new("fuzz-input"),
        bytes,
        pfx,
        Some(&password),
        1_800_000_000,
    )
    .is_ok()
}

use kubectl_aad_contract::{LoginMode, Registration};

inventory::submit! { Registration { login: LoginMode::Spn, provider: &SpnProvider } }

// Only the shared-library build exports the C entry point: every provider uses the same symbol
// name, so two of them linked into one binary would clash.
#[cfg(feature = "cdylib")]
kubectl_aad_contract::export_provider!(kubectl_aad_contract::LoginMode::Spn, crate::SpnProvider);
