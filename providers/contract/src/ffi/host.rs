//! The host side of the ABI: load a shared library, check its table and descriptor, and call
//! it. Every failure names the file and keeps the loader's own reason.

use std::collections::BTreeMap;
use std::ffi::{CStr, c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use super::types::{
    ABI_VERSION, Call, CallFn, ENTRY_SYMBOL, FreeFn, OLDEST_ABI_VERSION, ProviderVTable,
    ProviderVTableV1, Reply,
};
use crate::{
    ErrorKind, Host, LoginMode, ModeDescriptor, Provider, ProviderError, Secret, TokenRequest,
    TokenSet, UiLevel, is_library_name,
};

/// The largest descriptor a library may declare.
const MAX_DESCRIPTOR_BYTES: usize = 64 * 1024;

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
    /// The library speaks an ABI version this host does not.
    #[error(
        "{path} speaks provider ABI v{found}, but this kubectl-aad speaks v{OLDEST_ABI_VERSION} to v{ABI_VERSION}; rebuild the provider against this release"
    )]
    AbiVersion {
        /// The library.
        path: PathBuf,
        /// The version it declares.
        found: u32,
    },
    /// A v1 library names a mode that is not built in (v1 cannot describe a mode of its own).
    #[error(
        "{path} declares an unknown login mode {login:?} (ABI v1 libraries implement built-in modes only)"
    )]
    UnknownLogin {
        /// The library.
        path: PathBuf,
        /// What it declared.
        login: String,
    },
    /// The declared login mode or descriptor is unusable.
    #[error("{path} declares an unusable login mode: {reason}")]
    BadDescriptor {
        /// The library.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

enum Table {
    V1(*const ProviderVTableV1),
    V2(*const ProviderVTable),
}

/// A provider library that passed the ABI checks and stays loaded while this value lives.
pub struct LoadedLibrary {
    path: PathBuf,
    abi_version: u32,
    login: LoginMode,
    descriptor: ModeDescriptor,
    table: Table,
    // Declared last so the table pointer is never used after the library is unloaded.
    _library: libloading::Library,
}

// SAFETY: the table points into the loaded library's static data, which is immutable and
// lives as long as `_library`; its functions are thread-safe by the ABI contract.
unsafe impl Send for LoadedLibrary {}
// SAFETY: as above.
unsafe impl Sync for LoadedLibrary {}

impl LoadedLibrary {
    /// Loads `path` and checks the entry point, the ABI version and the declared mode.
    ///
    /// Loading runs the library's initialisers: the caller decides which files are trusted
    /// (owner and permissions) before calling this.
    pub fn open(path: &Path) -> Result<LoadedLibrary, LoadError> {
        let path_buf = path.to_path_buf();
        // SAFETY: loading runs the library's initialisers; the registry only loads files it has
        // checked no other user can write, which is the trust decision documented there.
        let library = unsafe { libloading::Library::new(path) }.map_err(|err| LoadError::Open {
            path: path_buf.clone(),
            reason: err.to_string(),
        })?;
        type Entry = extern "C" fn() -> *const u32;
        // SAFETY: the symbol's type is fixed by this ABI; a library exporting the name with
        // another signature breaks the contract it claims by exporting it.
        let entry: Entry = unsafe { library.get::<Entry>(ENTRY_SYMBOL.as_bytes()) }
            .map(|symbol| *symbol)
            .map_err(|_| LoadError::MissingSymbol {
                path: path_buf.clone(),
            })?;
        let header = entry();
        if header.is_null() {
            return Err(LoadError::NullTable { path: path_buf });
        }
        // SAFETY: non-null, points to the library's static table, whose first field is the
        // version in every ABI version; nothing else is read until the version is known.
        let found = unsafe { *header };
        let bad = |reason: String| LoadError::BadDescriptor {
            path: path_buf.clone(),
            reason,
        };
        let (table, login, descriptor) = match found {
            1 => {
                let table = header.cast::<ProviderVTableV1>();
                // SAFETY: version 1, so the table has the v1 layout; `login` is static.
                let name =
                    unsafe { c_text((*table).login) }.ok_or_else(|| bad("no name".into()))?;
                let login = LoginMode::parse(&name)
                    .ok()
                    .filter(LoginMode::is_built_in)
                    .ok_or_else(|| LoadError::UnknownLogin {
                        path: path_buf.clone(),
                        login: name.clone(),
                    })?;
                let descriptor = login.descriptor().cloned().ok_or_else(|| bad(name))?;
                (Table::V1(table), login, descriptor)
            }
            2 => {
                let table = header.cast::<ProviderVTable>();
                // SAFETY: version 2, so the table has the v2 layout.
                let describe = unsafe { (*table).descriptor };
                let json = c_text(describe()).ok_or_else(|| bad("no descriptor".into()))?;
                let (login, descriptor) = parse_descriptor(&json).map_err(bad)?;
                (Table::V2(table), login, descriptor)
            }
            _ => {
                return Err(LoadError::AbiVersion {
                    path: path_buf,
                    found,
                });
            }
        };
        Ok(LoadedLibrary {
            path: path_buf,
            abi_version: found,
            login,
            descriptor,
            table,
            _library: library,
        })
    }

    /// The file this provider came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The login mode it implements.
    pub fn login(&self) -> &LoginMode {
        &self.login
    }

    /// The mode's facts: the built-in descriptor for a built-in name, else the library's.
    pub fn descriptor(&self) -> &ModeDescriptor {
        &self.descriptor
    }

    /// The ABI version the library speaks.
    pub fn abi_version(&self) -> u32 {
        self.abi_version
    }

    fn functions(&self) -> (CallFn, FreeFn) {
        // SAFETY: the table was validated in `open` and the library is still loaded.
        unsafe {
            match self.table {
                Table::V1(table) => ((*table).call, (*table).free),
                Table::V2(table) => ((*table).call, (*table).free),
            }
        }
    }

    fn call(&self, call: &Call, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let input = serde_json::to_vec(call).map_err(|err| {
            ProviderError::new(ErrorKind::Internal, format!("could not encode call: {err}"))
        })?;
        let (call_fn, free_fn) = self.functions();
        let mut host_ref: &dyn Host = host;
        let ctx = (&mut host_ref) as *mut &dyn Host as *mut c_void;
        let reply_ptr = call_fn(input.as_ptr(), input.len(), forward, ctx);
        if reply_ptr.is_null() {
            return Err(self.broken("returned no reply"));
        }
        // SAFETY: non-null and NUL-terminated by the ABI; copied before it is freed.
        let reply_bytes = unsafe { CStr::from_ptr(reply_ptr) }.to_bytes().to_vec();
        free_fn(reply_ptr);
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

/// A static C string's text, bounded, or `None` for null.
fn c_text(pointer: *const c_char) -> Option<String> {
    if pointer.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated by the ABI; static in the library.
    let bytes = unsafe { CStr::from_ptr(pointer) }.to_bytes();
    (bytes.len() <= MAX_DESCRIPTOR_BYTES).then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// Validates a declared descriptor; a built-in name gets the built-in facts.
fn parse_descriptor(json: &str) -> Result<(LoginMode, ModeDescriptor), String> {
    let declared: ModeDescriptor =
        serde_json::from_str(json).map_err(|err| format!("invalid descriptor JSON ({err})"))?;
    let login = LoginMode::parse(&declared.name).map_err(|err| err.to_string())?;
    if let Some(built_in) = login.descriptor() {
        return Ok((login, built_in.clone()));
    }
    if let Some(alias) = declared.aliases.iter().find(|a| !is_library_name(a)) {
        return Err(format!("alias {alias:?} is not a valid mode name"));
    }
    Ok((login, declared))
}

extern "C" fn forward(ctx: *mut c_void, level: u32, text: *const c_char) {
    if ctx.is_null() || text.is_null() {
        return;
    }
    // SAFETY: `ctx` is the `&mut &dyn Host` set up in `LoadedLibrary::call`, alive for the
    // call; `text` is NUL-terminated by the ABI.
    let (host, text) = unsafe { (*(ctx as *mut &dyn Host), CStr::from_ptr(text)) };
    let _ = catch_unwind(AssertUnwindSafe(|| {
        host.line(UiLevel::from_u32(level), &text.to_string_lossy());
    }));
}

/// What the host sends a library about itself with every call.
fn host_context(host: &dyn Host) -> (BTreeMap<String, String>, Option<u64>) {
    (host.environment(), Some(host.now_secs()))
}

impl Provider for LoadedLibrary {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        let (env, now) = host_context(host);
        self.call(
            &Call::Acquire {
                request: request.clone(),
                env,
                now,
            },
            host,
        )
    }

    fn refresh(
        &self,
        request: &TokenRequest,
        refresh_token: &Secret,
        host: &dyn Host,
    ) -> Result<TokenSet, ProviderError> {
        let (env, now) = host_context(host);
        self.call(
            &Call::Refresh {
                request: request.clone(),
                refresh_token: refresh_token.clone(),
                env,
                now,
            },
            host,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_are_validated_and_built_in_names_keep_built_in_facts() {
        let (login, descriptor) =
            parse_descriptor(r#"{"name":"spn","summary":"mine","user_flow":true}"#).expect("ok");
        assert_eq!(login, LoginMode::Spn);
        assert!(!descriptor.user_flow, "the built-in facts win");
        let (login, descriptor) =
            parse_descriptor(r#"{"name":"tokenfile","summary":"a file","pop":true}"#).expect("ok");
        assert_eq!(login, LoginMode::Library("tokenfile".into()));
        assert!(descriptor.pop);
        for bad in [
            "{",
            r#"{"name":"Bad Name","summary":""}"#,
            r#"{"name":"x","summary":"","aliases":["Y"]}"#,
        ] {
            assert!(parse_descriptor(bad).is_err(), "{bad}");
        }
    }
}
