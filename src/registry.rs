//! Finds the provider for a login mode: the built-in ones (collected with `inventory`) and the
//! run-time ones (shared libraries in `--providers-dir` / `KUBECTL_AAD_PROVIDERS_DIR`).
//!
//! Libraries are only loaded on a cache miss or by `providers`; the cache-hit path never gets
//! here. A library that fails the ABI checks, or that claims a built-in mode without
//! `--allow-provider-override`, is an error naming the file.

use std::fs;
use std::path::{Path, PathBuf};

use kubectl_aad_contract::ffi::{LoadError, LoadedLibrary};
use kubectl_aad_contract::{LoginMode, Provider, builtin_providers};

/// Where a provider came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderSource {
    /// Compiled into this binary.
    BuiltIn,
    /// Loaded from this shared library.
    Library(PathBuf),
}

/// A registered provider.
pub struct RegisteredProvider {
    /// Its login mode.
    pub login: LoginMode,
    /// Where it came from.
    pub source: ProviderSource,
    provider: ProviderRef,
}

enum ProviderRef {
    Static(&'static dyn Provider),
    Loaded(LoadedLibrary),
}

impl RegisteredProvider {
    /// The provider.
    pub fn provider(&self) -> &dyn Provider {
        match &self.provider {
            ProviderRef::Static(provider) => *provider,
            ProviderRef::Loaded(library) => library,
        }
    }
}

/// Why the providers directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A library failed to load or failed the ABI checks.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A library claims a built-in login mode.
    #[error(
        "provider library {path} implements --login {login}, which is built in; remove the library or pass --allow-provider-override"
    )]
    Clash {
        /// The library.
        path: PathBuf,
        /// The mode.
        login: LoginMode,
    },
    /// Two libraries claim the same mode.
    #[error("provider libraries {first} and {second} both implement --login {login}; remove one")]
    Duplicate {
        /// The first library.
        first: PathBuf,
        /// The second library.
        second: PathBuf,
        /// The mode.
        login: LoginMode,
    },
    /// The directory could not be listed.
    #[error("cannot read providers directory {path}: {reason}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The OS reason.
        reason: String,
    },
}

/// All providers available to this run.
#[derive(Default)]
pub struct Registry {
    providers: Vec<RegisteredProvider>,
}

impl Registry {
    /// The providers compiled into this binary.
    pub fn builtin() -> Registry {
        let mut providers: Vec<RegisteredProvider> = builtin_providers()
            .map(|registration| RegisteredProvider {
                login: registration.login,
                source: ProviderSource::BuiltIn,
                provider: ProviderRef::Static(registration.provider),
            })
            .collect();
        providers.sort_by_key(|p| p.login);
        Registry { providers }
    }

    /// The built-in providers plus every library in `dir` (if given).
    pub fn load(dir: Option<&Path>, allow_override: bool) -> Result<Registry, RegistryError> {
        let mut registry = Registry::builtin();
        let Some(dir) = dir else { return Ok(registry) };
        for path in library_files(dir)? {
            let library = LoadedLibrary::open(&path)?;
            let login = library.login();
            if let Some(existing) = registry.providers.iter().position(|p| p.login == login) {
                match &registry.providers[existing].source {
                    ProviderSource::BuiltIn if allow_override => {
                        registry.providers.remove(existing);
                    }
                    ProviderSource::BuiltIn => return Err(RegistryError::Clash { path, login }),
                    ProviderSource::Library(first) => {
                        return Err(RegistryError::Duplicate {
                            first: first.clone(),
                            second: path,
                            login,
                        });
                    }
                }
            }
            registry.providers.push(RegisteredProvider {
                login,
                source: ProviderSource::Library(path),
                provider: ProviderRef::Loaded(library),
            });
        }
        registry.providers.sort_by_key(|p| p.login);
        Ok(registry)
    }

    /// The provider for a mode.
    pub fn find(&self, login: LoginMode) -> Option<&RegisteredProvider> {
        self.providers.iter().find(|p| p.login == login)
    }

    /// Every provider, by mode.
    pub fn iter(&self) -> impl Iterator<Item = &RegisteredProvider> {
        self.providers.iter()
    }
}

/// Shared libraries in a directory, sorted (`.so`, `.dylib`, `.dll`).
fn library_files(dir: &Path) -> Result<Vec<PathBuf>, RegistryError> {
    let entries = fs::read_dir(dir).map_err(|err| RegistryError::Dir {
        path: dir.to_path_buf(),
        reason: err.to_string(),
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "so" | "dylib" | "dll"))
        })
        .collect();
    files.sort();
    Ok(files)
}
