//! The ABI's tables and JSON documents. Changing any of them incompatibly bumps
//! [`ABI_VERSION`]; JSON fields are only ever added, with defaults.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_void};

use serde::{Deserialize, Serialize};

use crate::{ProviderError, Secret, TokenRequest, TokenSet};

/// The ABI version this crate speaks and exports.
pub const ABI_VERSION: u32 = 2;

/// The oldest ABI version a host still loads.
pub const OLDEST_ABI_VERSION: u32 = 1;

/// The name of the one exported entry point.
pub const ENTRY_SYMBOL: &str = "kubectl_aad_provider_entry";

/// The host's callback for user-facing text: `level` is a [`UiLevel`](crate::UiLevel) number
/// and `text` a NUL-terminated UTF-8 string valid for the duration of the call.
pub type UiCallback = extern "C" fn(ctx: *mut c_void, level: u32, text: *const c_char);

/// Runs one [`Call`] (UTF-8 JSON, `input_len` bytes) and returns a NUL-terminated [`Reply`]
/// that the host must pass to `free`.
pub type CallFn = extern "C" fn(
    input: *const u8,
    input_len: usize,
    ui: UiCallback,
    ui_ctx: *mut c_void,
) -> *mut c_char;

/// Frees a string returned by a [`CallFn`].
pub type FreeFn = extern "C" fn(reply: *mut c_char);

/// What [`ENTRY_SYMBOL`] points to in a v2 library.
#[repr(C)]
pub struct ProviderVTable {
    /// [`ABI_VERSION`]; checked before any other field is read.
    pub abi_version: u32,
    /// Returns the library's [`ModeDescriptor`](crate::ModeDescriptor) as NUL-terminated JSON,
    /// valid while the library is loaded.
    pub descriptor: extern "C" fn() -> *const c_char,
    /// Runs one call.
    pub call: CallFn,
    /// Frees a reply.
    pub free: FreeFn,
}

/// What [`ENTRY_SYMBOL`] points to in a v1 library: a built-in mode's name instead of a
/// descriptor.
#[repr(C)]
pub struct ProviderVTableV1 {
    /// 1.
    pub abi_version: u32,
    /// The login mode, NUL-terminated (`"spn"`), one of the built-in modes.
    pub login: *const c_char,
    /// Runs one call.
    pub call: CallFn,
    /// Frees a reply.
    pub free: FreeFn,
}

// SAFETY: the tables are immutable statics; their pointers refer to static data or functions.
unsafe impl Sync for ProviderVTable {}
// SAFETY: as above.
unsafe impl Sync for ProviderVTableV1 {}

/// The request half of the JSON protocol. `env` and `now` are the host's environment and clock
/// (v2); a v1 library ignores them and reads its own.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Call {
    /// Run the grant.
    Acquire {
        /// The resolved request.
        request: TokenRequest,
        /// The process environment as the host sees it.
        #[serde(default)]
        env: BTreeMap<String, String>,
        /// The host's time, seconds since the epoch.
        #[serde(default)]
        now: Option<u64>,
    },
    /// Redeem a refresh token.
    Refresh {
        /// The resolved request.
        request: TokenRequest,
        /// The refresh token to redeem.
        refresh_token: Secret,
        /// The process environment as the host sees it.
        #[serde(default)]
        env: BTreeMap<String, String>,
        /// The host's time, seconds since the epoch.
        #[serde(default)]
        now: Option<u64>,
    },
}

/// The reply half of the JSON protocol.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// Tokens.
    Ok(TokenSet),
    /// A typed failure.
    Err(ProviderError),
}
