//! `azd`: the token of the signed-in Azure Developer CLI (`azd auth login`).
//!
//! Runs `azd auth token --output json --scope <server-id>/.default [--tenant-id]` and reads
//! `{"token", "expiresOn"}`. `azd`'s stdout never reaches ours; a failure becomes one line (its
//! JSON console message, with `azd auth login` named when it says so), and it is stopped after
//! `--timeout`. Its tokens are not kept in our cache: azd's session files are not a documented
//! interface we could watch for `azd auth logout`, so every kubectl process asks azd once (azd
//! answers from its own cache); kubectl is told azd's own expiry (less the usual margin), so
//! within one kubectl process the token is reused as kubectl reuses any other.

mod flow;

pub use flow::AzdProvider;

/// Parses `azd auth token` output as the flow does, for the fuzzer: errors are expected, panics
/// are bugs.
#[doc(hidden)]
pub fn fuzz_parse_answer(stdout: &[u8]) -> bool {
    flow::parse_answer(stdout, 1_800_000_000).is_ok()
}

use kubectl_aad_contract::{LoginMode, Registration};

inventory::submit! { Registration { login: LoginMode::Azd, provider: &AzdProvider } }

#[cfg(feature = "cdylib")]
kubectl_aad_contract::export_provider!(kubectl_aad_contract::LoginMode::Azd, crate::AzdProvider);
