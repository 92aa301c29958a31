//! The Entra ID client the kubectl-aad grant flows share.
//!
//! # Brief overview
//!
//! * [`EntraClient`] talks to one authority (`<authority host><tenant>`): it builds the HTTP
//!   client (timeouts, extra CA files, the standard proxy variables), posts token requests to the
//!   v2.0 or v1 endpoint and turns answers into a [`TokenSet`](kubectl_aad_contract::TokenSet).
//! * [`aadsts`] maps Entra's error bodies (`error`, `error_description` with `AADSTS…` codes) to
//!   a typed [`ProviderError`](kubectl_aad_contract::ProviderError) with a hint naming the fix,
//!   and never copies a request (which may carry a secret) into a message.
//! * [`browser`] opens a sign-in page without letting the browser write to our stdout.
//! * [`assertion`] signs RS256 client assertions with a certificate (`x5t`, `x5t#S256`, `x5c`).
//! * [`exchange_federated_token`] redeems an external OIDC token as a client assertion
//!   (workload identity, GitHub Actions, Azure Pipelines).
//! * [`external_tool`] runs `az` / `azd` with captured outputs and a timeout.
//! * [`expiry`] is the one checked conversion of every expiry an answer carries.
//! * [`http`] sends every request: no redirects, bounded answers, https-only authorities.
//! * [`text`] makes outside text safe for the terminal (no escape sequences, one line, bounded).
//! * [`cloud`] names the Azure clouds and their authority hosts; [`jwt`] reads token claims
//!   (the one decoder the host and every flow use).
//!
//! Flows and the host use this crate; it knows nothing about caching, kubeconfig or stdout.

pub mod aadsts;
pub mod assertion;
pub mod browser;
mod client;
pub mod cloud;
pub mod expiry;
pub mod external_tool;
mod federated;
pub mod http;
pub mod jwt;
mod process;
#[cfg(target_os = "linux")]
mod resolver;
pub mod text;

pub use federated::exchange_federated_token;

pub use client::{
    EntraClient, TokenFailure, TokenResponse, http_client, network_error, user_scope,
};
pub use cloud::{Cloud, CloudError};
pub use jwt::{Claims, expiry_of, identity_of};
