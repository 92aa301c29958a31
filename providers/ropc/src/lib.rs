//! `ropc`: the resource owner password credentials grant.
//!
//! Posts the user name and password to the v2.0 token endpoint (or, with `--legacy`, the v1
//! endpoint, for the `spn:` audience). It does not work for accounts with MFA or federated
//! sign-in; prefer `interactive` or `devicecode` for people. When the password is missing and the
//! run is interactive it is asked for on the terminal (hidden input, on stderr); it is never
//! echoed or logged.
//!
//! Needs: `--client-id`, `--tenant-id`, `--username` (or `AAD_USER_PRINCIPAL_NAME` /
//! `AZURE_USERNAME`), `--password` (or `AAD_USER_PRINCIPAL_PASSWORD` / `AZURE_PASSWORD`).

mod flow;

pub use flow::RopcProvider;

use kubectl_aad_contract::{LoginMode, Registration};

inventory::submit! { Registration { login: LoginMode::Ropc, provider: &RopcProvider } }

#[cfg(feature = "cdylib")]
kubectl_aad_contract::export_provider!(kubectl_aad_contract::LoginMode::Ropc, crate::RopcProvider);
