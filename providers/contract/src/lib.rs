//! The provider contract of kubectl-aad: the only thing grant-flow crates share with the host.
//!
//! # Brief overview
//!
//! * [`Provider`] is one grant flow (device code, client credentials, …). It receives a fully
//!   resolved [`TokenRequest`] and returns a [`TokenSet`] or a [`ProviderError`].
//! * [`LoginMode`] names the flows; it is the `--login` value and the provider's name.
//! * [`Secret`] wraps every secret so that `Debug` and `Display` print `****`.
//! * [`Ui`] is the host's stderr handle: user-facing text and verbose logs go through it, never
//!   to stdout.
//! * [`Registration`] is what built-in providers submit with `inventory::submit!`; the host
//!   collects them with [`builtin_providers`].
//! * [`ffi`] is the versioned C ABI through which providers built as shared libraries are
//!   loaded at run time: JSON in, JSON out, no Rust types across the boundary. Providers export
//!   themselves with [`export_provider!`].
//!
//! Providers never touch the token cache, kubeconfig or stdout: the host owns those.

mod error;
pub mod ffi;
mod login_mode;
mod request;
mod reuse;
mod secret;
mod token;
mod ui;

pub use error::{ErrorKind, ProviderError};
pub use login_mode::{LoginMode, UnknownLoginMode};
pub use request::{PopRequest, TokenRequest};
pub use reuse::{FileStamp, FileVersion, Reuse};
pub use secret::Secret;
pub use token::{Identity, TokenSet};
pub use ui::{Ui, UiLevel};

/// A grant flow: turns a resolved request into tokens.
///
/// Implementations are stateless unit structs; everything a call needs is in the request.
pub trait Provider: Send + Sync {
    /// Runs the grant and returns fresh tokens.
    fn acquire(&self, request: &TokenRequest, ui: &dyn Ui) -> Result<TokenSet, ProviderError>;

    /// Redeems a refresh token for new tokens. Flows without refresh tokens keep the default,
    /// which tells the host to run [`Provider::acquire`] instead.
    fn refresh(
        &self,
        request: &TokenRequest,
        refresh_token: &Secret,
        ui: &dyn Ui,
    ) -> Result<TokenSet, ProviderError> {
        let _ = (request, refresh_token, ui);
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
