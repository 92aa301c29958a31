//! Finds the provider for a login mode: the built-in ones (collected with `inventory`) and the
//! run-time ones (shared libraries in `--providers-dir` / `KUBECTL_AAD_PROVIDERS_DIR`).
//!
//! A library is found by its file name — `<mode>`, `lib<mode>`, `kubectl_aad_<mode>` or
//! `libkubectl_aad_<mode>` (dashes as underscores), with the platform's extension — and loaded
//! only when it is needed: its mode is not built in, or `--allow-provider-override` asks for it.
//! So a constructor in some other library of the folder never runs for `-l spn`, and one broken
//! library cannot break another mode. Making a [`Registry`] does no I/O; the cache-hit path never
//! asks it for anything. `providers` inspects every library of the folder.

use std::cell::OnceCell;
use std::fs;
use std::path::{Path, PathBuf};

use kubectl_aad_contract::ffi::{ABI_VERSION, LoadError, LoadedLibrary};
use kubectl_aad_contract::{LoginMode, ModeDescriptor, Provider, builtin_providers};

// Whether a library file may be loaded: per platform.
#[cfg(unix)]
mod trust_unix;
#[cfg(unix)]
use trust_unix::check_trusted;
#[cfg(windows)]
mod trust_windows;
#[cfg(windows)]
use trust_windows::check_trusted;

/// Why no provider could be found for a mode.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RegistryError {
    /// A library failed to load or failed the ABI checks.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A library claims a built-in login mode without `--allow-provider-override`.
    #[error(
        "provider library {path} implements --login {login}, which is built in; remove the library or pass --allow-provider-override"
    )]
    Clash {
        /// The library.
        path: PathBuf,
        /// The mode.
        login: LoginMode,
    },
    /// A library declares another mode than its file name says.
    #[error(
        "provider library {path} is named for --login {expected} but declares --login {declared}; rename the file after the mode it declares"
    )]
    Misnamed {
        /// The library.
        path: PathBuf,
        /// The mode its name says.
        expected: LoginMode,
        /// The mode it declares.
        declared: LoginMode,
    },
    /// A library (or a folder on its path) that another user could have written.
    #[error("refusing provider library {path}: {why}")]
    Untrusted {
        /// The library.
        path: PathBuf,
        /// What is wrong, and the fix.
        why: String,
    },
    /// The providers directory could not be listed.
    #[error("cannot read providers directory {path}: {reason}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The OS reason.
        reason: String,
    },
    /// The mode is neither built in nor provided by a library.
    #[error(
        "login mode {0} is not available in this build; `kubectl-aad providers` lists the available ones"
    )]
    Unavailable(LoginMode),
}

/// A provider found for a mode.
pub(crate) struct Found<'a> {
    provider: &'a dyn Provider,
    descriptor: &'a ModeDescriptor,
}

impl Found<'_> {
    /// The provider.
    pub(crate) fn provider(&self) -> &dyn Provider {
        self.provider
    }

    /// The facts about its mode.
    pub(crate) fn descriptor(&self) -> &ModeDescriptor {
        self.descriptor
    }
}

/// The providers available to this run.
pub(crate) struct Registry {
    dir: Option<PathBuf>,
    allow_override: bool,
    loaded: OnceCell<LoadedLibrary>,
    /// Providers a test puts in front of everything else.
    #[cfg(test)]
    fakes: Vec<(ModeDescriptor, Box<dyn Provider>)>,
}

impl Registry {
    /// A registry over the built-in providers and the libraries in `dir`. No I/O.
    pub(crate) fn new(dir: Option<PathBuf>, allow_override: bool) -> Registry {
        Registry {
            dir,
            allow_override,
            loaded: OnceCell::new(),
            #[cfg(test)]
            fakes: Vec::new(),
        }
    }

    /// A registry whose only providers are `fakes`, for in-process tests of the miss path.
    #[cfg(test)]
    pub(crate) fn with_fakes(fakes: Vec<(ModeDescriptor, Box<dyn Provider>)>) -> Registry {
        Registry {
            fakes,
            ..Registry::new(None, false)
        }
    }

    /// The provider for `login`, loading its library when (and only when) one is needed.
    pub(crate) fn find(&self, login: &LoginMode) -> Result<Found<'_>, RegistryError> {
        #[cfg(test)]
        if let Some((descriptor, provider)) =
            self.fakes.iter().find(|(d, _)| d.name == login.as_str())
        {
            return Ok(Found {
                provider: provider.as_ref(),
                descriptor,
            });
        }
        let library = self.dir.as_deref().and_then(|dir| library_file(dir, login));
        match (login.descriptor(), library) {
            // Refused loudly rather than ignored, so nobody wonders which of the two signed in.
            (Some(_), Some(path)) if !self.allow_override && built_in(login).is_some() => {
                Err(RegistryError::Clash {
                    path,
                    login: login.clone(),
                })
            }
            (Some(descriptor), None) => match built_in(login) {
                Some(provider) => Ok(Found {
                    provider,
                    descriptor,
                }),
                None => Err(RegistryError::Unavailable(login.clone())),
            },
            (_, Some(path)) => self.load(login, &path),
            (None, None) => Err(RegistryError::Unavailable(login.clone())),
        }
    }

    fn load(&self, login: &LoginMode, path: &Path) -> Result<Found<'_>, RegistryError> {
        let library = open_trusted(path)?;
        if library.login() != login {
            return Err(RegistryError::Misnamed {
                path: path.to_path_buf(),
                expected: login.clone(),
                declared: library.login().clone(),
            });
        }
        let library = self.loaded.get_or_init(|| library);
        Ok(Found {
            provider: library,
            descriptor: library.descriptor(),
        })
    }
}

/// Loads a library after checking, as OpenSSH's StrictModes does, that no other user could have
/// written it or swapped it: the file is no link, is regular, owned by root or by us and not
/// writable by group or others; every folder of its resolved path is owned by root or by us and
/// not writable by others — except a sticky root-owned folder such as /tmp on the way, whose
/// entries others cannot replace (the providers folder itself never may be one).
fn open_trusted(path: &Path) -> Result<LoadedLibrary, RegistryError> {
    let untrusted = |why: String| RegistryError::Untrusted {
        path: path.to_path_buf(),
        why,
    };
    check_trusted(path).map_err(untrusted)?;
    Ok(LoadedLibrary::open(path)?)
}

fn built_in(login: &LoginMode) -> Option<&'static dyn Provider> {
    builtin_providers()
        .find(|registration| &registration.login == login)
        .map(|registration| registration.provider)
}

/// The library file for `login` in `dir`, by name; nothing is opened.
pub(crate) fn library_file(dir: &Path, login: &LoginMode) -> Option<PathBuf> {
    let name = login.as_str();
    let snake = name.replace('-', "_");
    [
        name.to_owned(),
        format!("lib{name}"),
        format!("kubectl_aad_{snake}"),
        format!("libkubectl_aad_{snake}"),
    ]
    .into_iter()
    .map(|stem| dir.join(format!("{stem}.{}", std::env::consts::DLL_EXTENSION)))
    .find(|path| path.is_file())
}

/// One row of `kubectl aad providers`.
pub(crate) struct Listed {
    /// The mode (or, for a file that failed to load, its name).
    pub(crate) login: String,
    /// The ABI version, `-` when unknown.
    pub(crate) abi: String,
    /// Where it comes from, or what is wrong.
    pub(crate) source: String,
}

/// Every built-in mode and every library in `dir`, saying what get-token would use for each
/// mode. Loading runs each library's initialisers: only `providers` does this.
pub(crate) fn inspect(dir: Option<&Path>) -> Result<Vec<Listed>, RegistryError> {
    let mut libraries = Vec::new();
    let mut broken = Vec::new();
    let files = match dir {
        Some(dir) => library_files(dir)?,
        None => Vec::new(),
    };
    for path in files {
        match open_trusted(&path) {
            Ok(library) => libraries.push(library),
            Err(err) => broken.push(Listed {
                login: file_name(&path),
                abi: "-".into(),
                source: format!("error: {err}"),
            }),
        }
    }
    let mut rows: Vec<Listed> = LoginMode::BUILT_IN
        .iter()
        .map(|mode| {
            let library = libraries.iter().find(|l| l.login() == mode);
            let source = match (built_in(mode), library) {
                (Some(_), Some(l)) => format!(
                    "built in ({} is used only with --allow-provider-override)",
                    l.path().display()
                ),
                (Some(_), None) => "built in".to_owned(),
                (None, Some(l)) => l.path().display().to_string(),
                (None, None) => "not available".to_owned(),
            };
            let abi = match (built_in(mode), library) {
                (None, Some(l)) => format!("v{}", l.abi_version()),
                (Some(_), _) => format!("v{ABI_VERSION}"),
                (None, None) => "-".to_owned(),
            };
            Listed {
                login: mode.as_str().to_owned(),
                abi,
                source,
            }
        })
        .collect();
    rows.extend(
        libraries
            .iter()
            .filter(|l| !l.login().is_built_in())
            .map(|l| Listed {
                login: l.login().as_str().to_owned(),
                abi: format!("v{}", l.abi_version()),
                source: format!("{} — {}", l.path().display(), l.descriptor().summary),
            }),
    );
    rows.extend(broken);
    Ok(rows)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Shared libraries in a directory, sorted; an absent directory has none, an unreadable one is
/// an error.
/// The modes the libraries in `dir` would add, read from their file names; nothing is opened
/// (shell completion must not run a library's code).
pub(crate) fn library_modes(dir: &Path) -> Vec<String> {
    let mut modes: Vec<String> = library_files(dir)
        .unwrap_or_default()
        .iter()
        .filter_map(|path| path.file_stem()?.to_str().map(str::to_owned))
        .filter_map(|stem| {
            let name = ["libkubectl_aad_", "kubectl_aad_", "lib"]
                .iter()
                .find_map(|prefix| stem.strip_prefix(prefix))
                .unwrap_or(&stem)
                .replace('_', "-");
            let login = LoginMode::parse(&name).ok()?;
            (!login.is_built_in()).then_some(name)
        })
        .collect();
    modes.dedup();
    modes
}

fn library_files(dir: &Path) -> Result<Vec<PathBuf>, RegistryError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => {
            return Err(RegistryError::Dir {
                path: dir.to_path_buf(),
                reason: err.to_string(),
            });
        }
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .is_some_and(|e| e == std::env::consts::DLL_EXTENSION)
        })
        .collect();
    files.sort();
    Ok(files)
}
