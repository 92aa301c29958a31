//! The library side of the ABI: [`serve`] runs one JSON call against a provider, and
//! [`export_provider!`](crate::export_provider) generates the exported table around it.
//! Providers never write `extern "C"` code themselves.

use std::collections::BTreeMap;
use std::ffi::{CString, c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::types::{Call, Reply, UiCallback};
use crate::{ErrorKind, Host, LoginMode, ModeDescriptor, Provider, ProviderError, UiLevel};

/// Where a provider's lines go inside a library: the host's callback (or nowhere, in tests).
pub trait LineSink {
    /// Writes one line.
    fn line(&self, level: UiLevel, text: &str);
}

/// The [`Host`] a library hands its provider: the host's environment and time as sent in the
/// call, and its line callback.
struct CallHost<'a> {
    env: BTreeMap<String, String>,
    now: Option<u64>,
    sink: &'a dyn LineSink,
}

impl Host for CallHost<'_> {
    fn line(&self, level: UiLevel, text: &str) {
        self.sink.line(level, text);
    }

    fn var(&self, name: &str) -> Option<String> {
        match self.now {
            // A v2 host sent its environment: that is the one the provider must see.
            Some(_) => self.env.get(name).filter(|v| !v.is_empty()).cloned(),
            None => std::env::var(name).ok().filter(|v| !v.is_empty()),
        }
    }

    fn environment(&self) -> BTreeMap<String, String> {
        match self.now {
            Some(_) => self.env.clone(),
            None => std::env::vars().collect(),
        }
    }

    fn now(&self) -> SystemTime {
        match self.now {
            Some(secs) => UNIX_EPOCH + Duration::from_secs(secs),
            None => SystemTime::now(),
        }
    }
}

/// Runs one JSON call against a provider. Pure, so it is tested without loading a library.
pub fn serve(provider: &dyn Provider, input: &[u8], sink: &dyn LineSink) -> Reply {
    let call: Call = match serde_json::from_slice(input) {
        Ok(call) => call,
        Err(err) => {
            return Reply::Err(ProviderError::new(
                ErrorKind::Internal,
                format!("the provider could not parse the host's request: {err}"),
            ));
        }
    };
    let result = match call {
        Call::Acquire { request, env, now } => {
            provider.acquire(&request, &CallHost { env, now, sink })
        }
        Call::Refresh {
            request,
            refresh_token,
            env,
            now,
        } => provider.refresh(&request, &refresh_token, &CallHost { env, now, sink }),
    };
    match result {
        Ok(tokens) => Reply::Ok(tokens),
        Err(err) => Reply::Err(err),
    }
}

/// What a library describes its mode with: a built-in [`LoginMode`] or its own descriptor.
pub trait DescriptorSource {
    /// The descriptor as JSON.
    fn descriptor_json(&self) -> String;
}

impl DescriptorSource for LoginMode {
    fn descriptor_json(&self) -> String {
        match self.descriptor() {
            Some(descriptor) => descriptor.descriptor_json(),
            None => serde_json::json!({ "name": self.as_str(), "summary": "" }).to_string(),
        }
    }
}

impl DescriptorSource for ModeDescriptor {
    fn descriptor_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A [`LineSink`] that forwards to the host's callback.
struct CallbackSink {
    callback: UiCallback,
    ctx: *mut c_void,
}

impl LineSink for CallbackSink {
    fn line(&self, level: UiLevel, text: &str) {
        let text = CString::new(text.replace('\0', " ")).unwrap_or_default();
        (self.callback)(self.ctx, level as u32, text.as_ptr());
    }
}

/// The text of a panic payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Runs `body` with panics caught and the default hook's multi-line report kept off stderr.
/// The library has its own copy of std, so the hook change stays inside it.
fn quietly<T>(body: impl FnOnce() -> T) -> Result<T, String> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(body));
    std::panic::set_hook(previous_hook);
    outcome.map_err(|payload| panic_text(payload.as_ref()))
}

/// Library side of `call`: used by [`crate::export_provider!`]; not for direct use.
///
/// # Safety
///
/// `input` must point to `input_len` initialised bytes that stay alive for the call, and
/// `ui_ctx` must be what the host expects back in `ui`.
#[doc(hidden)]
pub unsafe fn entry_call(
    provider: &dyn Provider,
    input: *const u8,
    input_len: usize,
    ui: UiCallback,
    ui_ctx: *mut c_void,
) -> *mut c_char {
    let reply = quietly(|| {
        if input.is_null() {
            return Reply::Err(ProviderError::new(ErrorKind::Internal, "null request"));
        }
        // SAFETY: the host passes a pointer to `input_len` initialised bytes that it keeps alive
        // for the whole call (see `LoadedLibrary::call`).
        let bytes = unsafe { std::slice::from_raw_parts(input, input_len) };
        let sink = CallbackSink {
            callback: ui,
            ctx: ui_ctx,
        };
        serve(provider, bytes, &sink)
    })
    .unwrap_or_else(|what| {
        Reply::Err(ProviderError::new(
            ErrorKind::Internal,
            format!("the provider panicked: {what}"),
        ))
    });
    let json = serde_json::to_string(&reply).unwrap_or_else(|_| {
        r#"{"err":{"kind":"internal","message":"the provider could not encode its reply"}}"#
            .to_owned()
    });
    CString::new(json).unwrap_or_default().into_raw()
}

/// Library side of `descriptor`: the JSON, made once and kept for the library's lifetime. A
/// panic while describing yields an empty document, which the host refuses with the file name.
#[doc(hidden)]
pub fn entry_descriptor(
    cell: &'static std::sync::OnceLock<CString>,
    source: impl FnOnce() -> String,
) -> *const c_char {
    cell.get_or_init(|| {
        let json = quietly(source).unwrap_or_default();
        CString::new(json).unwrap_or_default()
    })
    .as_ptr()
}

/// Library side of `free`: used by [`crate::export_provider!`]; not for direct use.
///
/// # Safety
///
/// `reply` must be null or a pointer returned by [`entry_call`] of this library, freed once.
#[doc(hidden)]
pub unsafe fn entry_free(reply: *mut c_char) {
    if !reply.is_null() {
        // SAFETY: `reply` came from `CString::into_raw` in `entry_call` of this same library and
        // the host frees each reply exactly once.
        drop(unsafe { CString::from_raw(reply) });
    }
}

/// Exports a provider from a `cdylib` through the versioned C ABI. The first argument is what
/// describes the mode: a built-in [`LoginMode`](crate::LoginMode), or a
/// [`ModeDescriptor`](crate::ModeDescriptor) for a mode of the library's own.
///
/// ```ignore
/// kubectl_aad_contract::export_provider!(LoginMode::Spn, SpnProvider);
/// kubectl_aad_contract::export_provider!(crate::descriptor(), crate::TokenFileProvider);
/// ```
#[macro_export]
macro_rules! export_provider {
    ($descriptor:expr, $provider:expr) => {
        #[doc(hidden)]
        #[allow(unsafe_code)]
        pub mod __kubectl_aad_export {
            use super::*;
            use std::ffi::{c_char, c_void};

            extern "C" fn descriptor() -> *const c_char {
                static JSON: ::std::sync::OnceLock<::std::ffi::CString> =
                    ::std::sync::OnceLock::new();
                $crate::ffi::library::entry_descriptor(&JSON, || {
                    $crate::ffi::DescriptorSource::descriptor_json(&$descriptor)
                })
            }

            extern "C" fn call(
                input: *const u8,
                input_len: usize,
                ui: $crate::ffi::UiCallback,
                ui_ctx: *mut c_void,
            ) -> *mut c_char {
                // SAFETY: the host upholds the ABI: `input` holds `input_len` bytes for the call.
                unsafe {
                    $crate::ffi::library::entry_call(&$provider, input, input_len, ui, ui_ctx)
                }
            }

            extern "C" fn free(reply: *mut c_char) {
                // SAFETY: the host passes back each reply of `call` exactly once.
                unsafe { $crate::ffi::library::entry_free(reply) }
            }

            static VTABLE: $crate::ffi::ProviderVTable = $crate::ffi::ProviderVTable {
                abi_version: $crate::ffi::ABI_VERSION,
                descriptor,
                call,
                free,
            };

            /// The versioned entry point the kubectl-aad host looks up.
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub extern "C" fn kubectl_aad_provider_entry() -> *const $crate::ffi::ProviderVTable {
                &VTABLE
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Identity, Secret, TokenRequest, TokenSet};

    struct Echo;
    impl Provider for Echo {
        fn acquire(
            &self,
            request: &TokenRequest,
            host: &dyn Host,
        ) -> Result<TokenSet, ProviderError> {
            host.message("working");
            Ok(TokenSet {
                access_token: Secret::new(format!(
                    "token-for-{}-{}",
                    request.client_id,
                    host.var("WHO").unwrap_or_default()
                )),
                expires_on: host.now_secs() + 60,
                refresh_token: None,
                identity: Identity::default(),
                reuse: None,
            })
        }
    }

    struct Quiet;
    impl LineSink for Quiet {
        fn line(&self, _: UiLevel, _: &str) {}
    }

    fn request() -> TokenRequest {
        TokenRequest {
            client_id: "c".into(),
            ..TokenRequest::new(LoginMode::Spn)
        }
    }

    #[test]
    fn serve_round_trips_json_with_the_hosts_environment_and_clock() {
        let call = Call::Acquire {
            request: request(),
            env: [("WHO".to_owned(), "host".to_owned())].into(),
            now: Some(1000),
        };
        let input = serde_json::to_vec(&call).expect("encode");
        match serve(&Echo, &input, &Quiet) {
            Reply::Ok(tokens) => {
                assert_eq!(tokens.access_token.expose(), "token-for-c-host");
                assert_eq!(tokens.expires_on, 1060);
            }
            Reply::Err(err) => panic!("unexpected error {err}"),
        }
    }

    #[test]
    fn a_v1_call_without_environment_still_parses() {
        let input = format!(
            r#"{{"op":"acquire","request":{}}}"#,
            serde_json::to_string(&request()).expect("encode")
        );
        assert!(matches!(
            serve(&Echo, input.as_bytes(), &Quiet),
            Reply::Ok(_)
        ));
    }

    #[test]
    fn serve_rejects_invalid_json_and_unsupported_refresh() {
        assert!(
            matches!(serve(&Echo, b"{not json", &Quiet), Reply::Err(e) if e.kind == ErrorKind::Internal)
        );
        let input = serde_json::to_vec(&Call::Refresh {
            request: request(),
            refresh_token: Secret::new("r"),
            env: BTreeMap::new(),
            now: None,
        })
        .expect("encode");
        assert!(
            matches!(serve(&Echo, &input, &Quiet), Reply::Err(e) if e.kind == ErrorKind::Unsupported)
        );
    }

    #[test]
    fn a_built_in_mode_describes_itself_with_its_descriptor() {
        let json = LoginMode::Spn.descriptor_json();
        let back: ModeDescriptor = serde_json::from_str(&json).expect("decode");
        assert_eq!(Some(&back), LoginMode::Spn.descriptor());
    }
}
