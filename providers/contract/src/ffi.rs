//! The versioned C ABI for providers built as shared libraries.
//!
//! A library exports one symbol, [`ENTRY_SYMBOL`], a function returning a pointer to a static
//! [`ProviderVTable`]. The table's first field is the ABI version, so a host can refuse a library
//! built for another version before it reads anything else. Calls exchange JSON documents
//! ([`Call`] in, [`Reply`] out): no Rust type crosses the boundary, and the library frees the
//! strings it allocates through the table's `free`. A panic inside the library is caught at the
//! boundary and reported as an error reply.
//!
//! Providers never write this by hand: [`crate::export_provider!`] generates the symbol. The host
//! side ([`LoadedLibrary`], feature `host`) loads a file with `libloading` and turns every failure
//! (missing symbol, wrong version, invalid JSON, panic) into a [`LoadError`] or [`ProviderError`]
//! naming the file.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde::{Deserialize, Serialize};

use crate::{ErrorKind, Provider, ProviderError, Secret, TokenRequest, TokenSet, Ui, UiLevel};

/// The ABI version this crate speaks. Bump it whenever [`ProviderVTable`] or the JSON shapes
/// change incompatibly.
pub const ABI_VERSION: u32 = 1;

/// The name of the one exported entry point.
pub const ENTRY_SYMBOL: &str = "kubectl_aad_provider_entry";

/// The host's callback for user-facing text: `level` is a [`UiLevel`] number and `text` a
/// NUL-terminated UTF-8 string valid for the duration of the call.
pub type UiCallback = extern "C" fn(ctx: *mut c_void, level: u32, text: *const c_char);

/// What [`ENTRY_SYMBOL`] points to.
#[repr(C)]
pub struct ProviderVTable {
    /// Must equal the host's [`ABI_VERSION`]; checked before any other field is read.
    pub abi_version: u32,
    /// The login mode, NUL-terminated (`"spn"`).
    pub login: *const c_char,
    /// Runs one [`Call`] (UTF-8 JSON, `input_len` bytes) and returns a NUL-terminated [`Reply`]
    /// that the host must pass to `free`.
    pub call: extern "C" fn(
        input: *const u8,
        input_len: usize,
        ui: UiCallback,
        ui_ctx: *mut c_void,
    ) -> *mut c_char,
    /// Frees a string returned by `call`.
    pub free: extern "C" fn(reply: *mut c_char),
}

// SAFETY: the table is immutable and its only pointer refers to a `'static` string literal.
unsafe impl Sync for ProviderVTable {}

/// The request half of the JSON protocol.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Call {
    /// Run the grant.
    Acquire {
        /// The resolved request.
        request: TokenRequest,
    },
    /// Redeem a refresh token.
    Refresh {
        /// The resolved request.
        request: TokenRequest,
        /// The refresh token to redeem.
        refresh_token: Secret,
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

/// Library side: runs one JSON call against a provider. Pure, so it is tested without loading.
pub fn serve(provider: &dyn Provider, input: &[u8], ui: &dyn Ui) -> Reply {
    let call: Call = match serde_json::from_slice(input) {
        Ok(call) => call,
        Err(err) => {
            return Reply::Err(ProviderError::new(
                ErrorKind::Internal,
                format!("the provider could not parse the host's request: {err}"),
            ));
        }
    };
    let result = match &call {
        Call::Acquire { request } => provider.acquire(request, ui),
        Call::Refresh {
            request,
            refresh_token,
        } => provider.refresh(request, refresh_token, ui),
    };
    match result {
        Ok(tokens) => Reply::Ok(tokens),
        Err(err) => Reply::Err(err),
    }
}

/// A [`Ui`] that forwards to the host's callback.
struct CallbackUi {
    callback: UiCallback,
    ctx: *mut c_void,
}

impl Ui for CallbackUi {
    fn line(&self, level: UiLevel, text: &str) {
        let text = std::ffi::CString::new(text.replace('\0', " ")).unwrap_or_default();
        (self.callback)(self.ctx, level as u32, text.as_ptr());
    }
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
    // The panic is reported in the reply; keep the default hook's multi-line report off stderr.
    // This library has its own copy of std, so the hook change stays inside it.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if input.is_null() {
            return Reply::Err(ProviderError::new(ErrorKind::Internal, "null request"));
        }
        // SAFETY: the host passes a pointer to `input_len` initialised bytes that it keeps alive
        // for the whole call (see `LoadedLibrary::call`).
        let bytes = unsafe { std::slice::from_raw_parts(input, input_len) };
        let ui = CallbackUi {
            callback: ui,
            ctx: ui_ctx,
        };
        serve(provider, bytes, &ui)
    }));
    std::panic::set_hook(previous_hook);
    let reply = outcome.unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Reply::Err(ProviderError::new(
            ErrorKind::Internal,
            format!("the provider panicked: {what}"),
        ))
    });
    let json = serde_json::to_string(&reply).unwrap_or_else(|_| {
        r#"{"err":{"kind":"internal","message":"the provider could not encode its reply"}}"#
            .to_owned()
    });
    std::ffi::CString::new(json).unwrap_or_default().into_raw()
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
        drop(unsafe { std::ffi::CString::from_raw(reply) });
    }
}

/// Exports a provider from a `cdylib` through the versioned C ABI.
///
/// ```ignore
/// kubectl_aad_contract::export_provider!(LoginMode::Spn, SpnProvider);
/// ```
#[macro_export]
macro_rules! export_provider {
    ($login:expr, $provider:expr) => {
        #[doc(hidden)]
        #[allow(unsafe_code)]
        pub mod __kubectl_aad_export {
            use super::*;
            use std::ffi::{c_char, c_void};

            static LOGIN: &::std::ffi::CStr = match $login {
                $crate::LoginMode::DeviceCode => c"devicecode",
                $crate::LoginMode::Interactive => c"interactive",
                $crate::LoginMode::Spn => c"spn",
                $crate::LoginMode::Ropc => c"ropc",
                $crate::LoginMode::Msi => c"msi",
                $crate::LoginMode::AzureCli => c"azurecli",
                $crate::LoginMode::Azd => c"azd",
                $crate::LoginMode::WorkloadIdentity => c"workloadidentity",
                $crate::LoginMode::AzurePipelines => c"azurepipelines",
            };

            extern "C" fn call(
                input: *const u8,
                input_len: usize,
                ui: $crate::ffi::UiCallback,
                ui_ctx: *mut c_void,
            ) -> *mut c_char {
                // SAFETY: the host upholds the ABI: `input` holds `input_len` bytes for the call.
                unsafe { $crate::ffi::entry_call(&$provider, input, input_len, ui, ui_ctx) }
            }

            extern "C" fn free(reply: *mut c_char) {
                // SAFETY: the host passes back each reply of `call` exactly once.
                unsafe { $crate::ffi::entry_free(reply) }
            }

            static VTABLE: $crate::ffi::ProviderVTable = $crate::ffi::ProviderVTable {
                abi_version: $crate::ffi::ABI_VERSION,
                login: LOGIN.as_ptr(),
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

#[cfg(feature = "host")]
pub use host::{LoadError, LoadedLibrary};

#[cfg(feature = "host")]
mod host {
    use std::ffi::CStr;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::LoginMode;

    /// Why a shared library could not be used as a provider. Each names the file.
    #[derive(Debug, thiserror::Error)]
    pub enum LoadError {
        /// The dynamic loader refused the file.
        #[error("could not load provider library {path}: {reason}")]
        Open {
            /// The library.
            path: PathBuf,
            /// The loader's reason.
            reason: String,
        },
        /// The file exports no entry point.
        #[error("{path} is not a kubectl-aad provider: it does not export `{ENTRY_SYMBOL}`")]
        MissingSymbol {
            /// The library.
            path: PathBuf,
        },
        /// The entry point returned null.
        #[error("{path} returned no provider table")]
        NullTable {
            /// The library.
            path: PathBuf,
        },
        /// The library speaks another ABI version.
        #[error(
            "{path} speaks provider ABI v{found}, but this kubectl-aad speaks v{ABI_VERSION}; rebuild the provider against this release"
        )]
        AbiVersion {
            /// The library.
            path: PathBuf,
            /// The version it declares.
            found: u32,
        },
        /// The declared login mode is not one of ours.
        #[error("{path} declares an unknown login mode {login:?}")]
        UnknownLogin {
            /// The library.
            path: PathBuf,
            /// What it declared.
            login: String,
        },
    }

    /// A provider library that passed the ABI checks and stays loaded while this value lives.
    pub struct LoadedLibrary {
        path: PathBuf,
        login: LoginMode,
        table: *const ProviderVTable,
        // Declared last so the table pointer is never used after the library is unloaded.
        _library: libloading::Library,
    }

    // SAFETY: the table points into the loaded library's static data, which is immutable and
    // lives as long as `_library`; its functions are thread-safe by the ABI contract.
    unsafe impl Send for LoadedLibrary {}
    // SAFETY: as above.
    unsafe impl Sync for LoadedLibrary {}

    impl LoadedLibrary {
        /// Loads `path` and checks the entry point, the ABI version and the login mode.
        pub fn open(path: &Path) -> Result<LoadedLibrary, LoadError> {
            let path_buf = path.to_path_buf();
            // SAFETY: loading runs the library's initialisers. Only files the user placed in the
            // providers directory are loaded, which is the trust decision the flag documents.
            let library =
                unsafe { libloading::Library::new(path) }.map_err(|err| LoadError::Open {
                    path: path_buf.clone(),
                    reason: err.to_string(),
                })?;
            type Entry = extern "C" fn() -> *const ProviderVTable;
            // SAFETY: the symbol's type is fixed by this ABI; a library exporting the name with
            // another signature breaks the contract it claims by exporting it.
            let entry: Entry = unsafe { library.get::<Entry>(ENTRY_SYMBOL.as_bytes()) }
                .map(|symbol| *symbol)
                .map_err(|_| LoadError::MissingSymbol {
                    path: path_buf.clone(),
                })?;
            let table = entry();
            if table.is_null() {
                return Err(LoadError::NullTable { path: path_buf });
            }
            // SAFETY: non-null, points to the library's static table. Only the first field is
            // read until the version matches, and that field's layout never changes.
            let found = unsafe { (*table).abi_version };
            if found != ABI_VERSION {
                return Err(LoadError::AbiVersion {
                    path: path_buf,
                    found,
                });
            }
            // SAFETY: the version matches, so the table has this crate's layout and `login` is a
            // NUL-terminated static string.
            let login_raw = unsafe { (*table).login };
            if login_raw.is_null() {
                return Err(LoadError::UnknownLogin {
                    path: path_buf,
                    login: String::new(),
                });
            }
            // SAFETY: checked non-null above; the string is static in the library.
            let login_name = unsafe { CStr::from_ptr(login_raw) }
                .to_string_lossy()
                .into_owned();
            let login = login_name
                .parse::<LoginMode>()
                .map_err(|_| LoadError::UnknownLogin {
                    path: path_buf.clone(),
                    login: login_name,
                })?;
            Ok(LoadedLibrary {
                path: path_buf,
                login,
                table,
                _library: library,
            })
        }

        /// The file this provider came from.
        pub fn path(&self) -> &Path {
            &self.path
        }

        /// The login mode it implements.
        pub fn login(&self) -> LoginMode {
            self.login
        }

        fn call(&self, call: &Call, ui: &dyn Ui) -> Result<TokenSet, ProviderError> {
            let input = serde_json::to_vec(call).map_err(|err| {
                ProviderError::new(ErrorKind::Internal, format!("could not encode call: {err}"))
            })?;
            let mut ui_ref: &dyn Ui = ui;
            let ctx = (&mut ui_ref) as *mut &dyn Ui as *mut c_void;
            // SAFETY: the table was validated in `open` and the library is still loaded;
            // `input` outlives the call and `ctx` points to `ui_ref`, alive until it returns.
            let reply_ptr =
                unsafe { ((*self.table).call)(input.as_ptr(), input.len(), forward, ctx) };
            if reply_ptr.is_null() {
                return Err(self.broken("returned no reply"));
            }
            // SAFETY: non-null and NUL-terminated by the ABI; copied before it is freed.
            let reply_bytes = unsafe { CStr::from_ptr(reply_ptr) }.to_bytes().to_vec();
            // SAFETY: the pointer came from this library's `call` and is freed exactly once.
            unsafe { ((*self.table).free)(reply_ptr) };
            match serde_json::from_slice::<Reply>(&reply_bytes) {
                Ok(Reply::Ok(tokens)) => Ok(tokens),
                Ok(Reply::Err(mut err)) => {
                    if err.kind == ErrorKind::Internal {
                        err.message = format!("provider {}: {}", self.path.display(), err.message);
                    }
                    Err(err)
                }
                Err(err) => Err(self.broken(&format!("replied with invalid JSON ({err})"))),
            }
        }

        fn broken(&self, what: &str) -> ProviderError {
            ProviderError::new(
                ErrorKind::Internal,
                format!("provider library {} {what}", self.path.display()),
            )
        }
    }

    extern "C" fn forward(ctx: *mut c_void, level: u32, text: *const c_char) {
        if ctx.is_null() || text.is_null() {
            return;
        }
        // SAFETY: `ctx` is the `&mut &dyn Ui` set up in `LoadedLibrary::call`, alive for the
        // call; `text` is NUL-terminated by the ABI.
        let (ui, text) = unsafe { (*(ctx as *mut &dyn Ui), CStr::from_ptr(text)) };
        let _ = catch_unwind(AssertUnwindSafe(|| {
            ui.line(UiLevel::from_u32(level), &text.to_string_lossy());
        }));
    }

    impl Provider for LoadedLibrary {
        fn acquire(&self, request: &TokenRequest, ui: &dyn Ui) -> Result<TokenSet, ProviderError> {
            self.call(
                &Call::Acquire {
                    request: request.clone(),
                },
                ui,
            )
        }

        fn refresh(
            &self,
            request: &TokenRequest,
            refresh_token: &Secret,
            ui: &dyn Ui,
        ) -> Result<TokenSet, ProviderError> {
            self.call(
                &Call::Refresh {
                    request: request.clone(),
                    refresh_token: refresh_token.clone(),
                },
                ui,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Identity, LoginMode};

    struct Echo;
    impl Provider for Echo {
        fn acquire(&self, request: &TokenRequest, ui: &dyn Ui) -> Result<TokenSet, ProviderError> {
            ui.message("working");
            Ok(TokenSet {
                access_token: Secret::new(format!("token-for-{}", request.client_id)),
                expires_on: 42,
                refresh_token: None,
                identity: Identity::default(),
                reuse: None,
            })
        }
    }

    struct Quiet;
    impl Ui for Quiet {
        fn line(&self, _: UiLevel, _: &str) {}
    }

    pub(crate) fn request() -> TokenRequest {
        TokenRequest {
            login: LoginMode::Spn,
            authority_host: "https://login.microsoftonline.com/".into(),
            tenant_id: "t".into(),
            client_id: "c".into(),
            server_id: "s".into(),
            legacy: false,
            client_secret: Some(Secret::new("x")),
            client_certificate: None,
            client_certificate_password: None,
            username: None,
            password: None,
            identity_resource_id: None,
            federated_token_file: None,
            subscription: None,
            service_connection_id: None,
            redirect_url: None,
            login_hint: None,
            browser_command: None,
            pop: None,
            interactive: false,
            timeout_secs: 60,
            disable_instance_discovery: false,
            extra_ca_files: vec![],
            imds_endpoint: None,
            azure_config_dir: None,
        }
    }

    #[test]
    fn serve_round_trips_json() {
        let input = serde_json::to_vec(&Call::Acquire { request: request() }).expect("encode");
        match serve(&Echo, &input, &Quiet) {
            Reply::Ok(tokens) => assert_eq!(tokens.access_token.expose(), "token-for-c"),
            Reply::Err(err) => panic!("unexpected error {err}"),
        }
    }

    #[test]
    fn serve_rejects_invalid_json_and_unsupported_refresh() {
        assert!(
            matches!(serve(&Echo, b"{not json", &Quiet), Reply::Err(e) if e.kind == ErrorKind::Internal)
        );
        let input = serde_json::to_vec(&Call::Refresh {
            request: request(),
            refresh_token: Secret::new("r"),
        })
        .expect("encode");
        assert!(
            matches!(serve(&Echo, &input, &Quiet), Reply::Err(e) if e.kind == ErrorKind::Unsupported)
        );
    }
}
