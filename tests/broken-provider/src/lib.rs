//! Provider libraries that are broken on purpose, one way per cargo feature, so the host's
//! loader can be tested against each: a wrong ABI version, a null table, an unknown login mode,
//! a provider that panics (exported through the contract's macro, which must catch it), a reply
//! that is not JSON, a library whose constructor leaves a mark when it is loaded, and (with no
//! feature) no entry point. All but `panics` export an ABI v1
//! table by hand, so loading v1 libraries stays tested. scripts/test.sh builds one library per
//! feature.
#![allow(unsafe_code, missing_docs)]

/// A provider whose code panics, exported through the contract's own macro, which must catch it.
#[cfg(feature = "panics")]
mod panicking {
    use kubectl_aad_contract::{Host, Provider, ProviderError, TokenRequest, TokenSet};

    pub struct PanickingProvider;

    impl Provider for PanickingProvider {
        fn acquire(
            &self,
            request: &TokenRequest,
            _host: &dyn Host,
        ) -> Result<TokenSet, ProviderError> {
            let reason = "deliberate panic in a test provider";
            if !request.client_id.is_empty() {
                panic!("{reason}");
            }
            Err(ProviderError::new(
                kubectl_aad_contract::ErrorKind::Internal,
                reason,
            ))
        }
    }

    kubectl_aad_contract::export_provider!(
        kubectl_aad_contract::LoginMode::Spn,
        crate::panicking::PanickingProvider
    );
}

#[cfg(any(
    feature = "wrong-abi",
    feature = "null-table",
    feature = "unknown-login",
    feature = "bad-json"
))]
mod exported {
    use std::ffi::{c_char, c_void};

    use kubectl_aad_contract::ffi::{ProviderVTableV1, UiCallback};

    extern "C" fn call(
        _input: *const u8,
        _len: usize,
        _ui: UiCallback,
        _ctx: *mut c_void,
    ) -> *mut c_char {
        let reply = if cfg!(feature = "bad-json") {
            "this is not json"
        } else {
            r#"{"err":{"kind":"internal","message":"unused"}}"#
        };
        std::ffi::CString::new(reply).unwrap_or_default().into_raw()
    }

    extern "C" fn free(reply: *mut c_char) {
        if !reply.is_null() {
            // SAFETY: `reply` came from `CString::into_raw` in `call` above.
            drop(unsafe { std::ffi::CString::from_raw(reply) });
        }
    }

    static VTABLE: ProviderVTableV1 = ProviderVTableV1 {
        abi_version: if cfg!(feature = "wrong-abi") { 999 } else { 1 },
        login: if cfg!(feature = "unknown-login") {
            c"kerberos".as_ptr()
        } else {
            c"spn".as_ptr()
        },
        call,
        free,
    };

    #[unsafe(no_mangle)]
    pub extern "C" fn kubectl_aad_provider_entry() -> *const ProviderVTableV1 {
        if cfg!(feature = "null-table") {
            std::ptr::null()
        } else {
            &VTABLE
        }
    }
}

/// A library whose load-time constructor leaves a mark (the file named by
/// `KUBECTL_AAD_TEST_MARKER`): proof of whether the host loaded it at all.
#[cfg(feature = "constructor")]
mod constructor {
    extern "C" fn mark() {
        if let Some(path) = std::env::var_os("KUBECTL_AAD_TEST_MARKER") {
            let _ = std::fs::write(path, "loaded");
        }
    }

    #[used]
    #[unsafe(link_section = ".init_array")]
    static CONSTRUCTOR: extern "C" fn() = mark;
}

/// Keeps the library non-empty when no feature is chosen.
#[unsafe(no_mangle)]
pub extern "C" fn broken_provider_marker() -> u32 {
    7
}
