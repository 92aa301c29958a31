//! The provider contract of kubectl-aad: the only thing grant-flow crates share with the host.
//!
//! # Brief overview
//!
//! * [`Provider`] is one grant flow (device code, client credentials, …). It receives a fully
//!   resolved [`TokenRequest`] and a [`Host`] (stderr lines, environment, clock) and returns a
//!   [`TokenSet`] or a [`ProviderError`].
//! * [`LoginMode`] names the flows; it is the `--login` value. [`ModeDescriptor`] holds every
//!   fact about a mode (user flow, PoP, what it requires, its cache identity, what
//!   convert-kubeconfig writes), and [`Input`] names the things a user can set.
//! * [`Secret`] wraps every secret so that `Debug` and `Display` print `****`.
//! * [`Registration`] is what built-in providers submit with `inventory::submit!`; the host
//!   collects them with [`builtin_providers`].
//! * [`ffi`] is the versioned C ABI through which providers built as shared libraries are
//!   loaded at run time: JSON in, JSON out, no Rust types across the boundary. Providers export
//!   themselves with [`export_provider!`], and may bring a login mode of their own.
//!
//! Providers never touch the token cache, kubeconfig or stdout: the host owns those.
//!
//! ```
//! use kubectl_aad_contract::{Input, LoginMode, TokenRequest};
//!
//! let devicecode = LoginMode::DeviceCode.descriptor().expect("built in");
//! let request = TokenRequest::new(LoginMode::DeviceCode);
//! let unmet = devicecode.check(&request).expect_err("no client id yet");
//! assert_eq!(unmet.missing, "client ID cannot be empty");
//! assert!(devicecode.writes.contains(&Input::TenantId));
//! ```
#![warn(missing_docs)]

pub mod descriptor;
mod error;
pub mod ffi;
mod host;
mod login_mode;
mod request;
mod reuse;
mod secret;
mod token;

pub use descriptor::{ModeDescriptor, Requirement, Unmet};
pub use error::{ErrorKind, ProviderError};
pub use host::{Host, UiLevel};
pub use login_mode::{LoginMode, UnknownLoginMode, built_in_names, is_library_name};
pub use request::{Input, PopRequest, TokenRequest};
pub use reuse::{FileStamp, FileVersion, Reuse};
pub use secret::Secret;
pub use token::{Identity, TokenSet};

/// A grant flow: turns a resolved request into tokens.
///
/// Implementations are stateless unit structs; everything a call needs is in the request and
/// the host. The host has checked the mode's [`Requirement`]s before calling.
pub trait Provider: Send + Sync {
    /// Runs the grant and returns fresh tokens.
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError>;

    /// Redeems a refresh token for new tokens. Flows without refresh tokens keep the default,
    /// which tells the host to run [`Provider::acquire`] instead.
    fn refresh(
        &self,
        request: &TokenRequest,
        refresh_token: &Secret,
        host: &dyn Host,
    ) -> Result<TokenSet, ProviderError> {
        let _ = (request, refresh_token, host);
        Err(ProviderError::new(
            ErrorKind::Unsupported,
            "this login mode has no refresh tokens",
        ))
    }
}

/// A built-in provider, submitted with `inventory::submit!` by each provider crate.
pub struct Registration {
    /// The login mode this provider implements.
    pub login: LoginMode,
    /// The provider itself.
    pub provider: &'static dyn Provider,
}

inventory::collect!(Registration);

/// Every provider compiled into this binary, in registration order.
pub fn builtin_providers() -> impl Iterator<Item = &'static Registration> {
    inventory::iter::<Registration>.into_iter()
}
