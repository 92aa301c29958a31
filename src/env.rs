//! [`Env`]: every side effect a command may have enters here (the composition root).
//!
//! Commands read the environment, the clock, the terminal state and the standard streams only
//! through `Env`, so tests run them in-process with captured output, a fixed environment and a
//! fixed clock. `Env` is also the [`Host`] providers get. Nothing expensive is built here: HTTP
//! clients, TLS roots and provider libraries are made on a cache miss only.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use kubectl_aad_contract::{Host, UiLevel};

/// The environment variables a run sees: the process's (read when asked, because the cache-hit
/// path asks for a handful and copying all of them costs more than the rest of the hit), or a
/// test's fixed set.
#[derive(Debug, Clone, Default)]
pub struct EnvVars(Option<BTreeMap<String, String>>);

impl EnvVars {
    /// The process environment; non-UTF-8 values count as unset.
    pub fn from_process() -> EnvVars {
        EnvVars(None)
    }

    /// A value, treating set-but-empty as unset.
    pub fn get(&self, name: &str) -> Option<String> {
        match &self.0 {
            None => std::env::var(name).ok(),
            Some(vars) => vars.get(name).cloned(),
        }
        .filter(|v| !v.is_empty())
    }

    /// Every variable (for run-time provider libraries).
    pub fn all(&self) -> BTreeMap<String, String> {
        match &self.0 {
            None => std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            Some(vars) => vars.clone(),
        }
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EnvVars {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        EnvVars(Some(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        ))
    }
}

/// The process's side effects.
pub struct Env {
    /// The environment variables.
    pub vars: EnvVars,
    /// The home directory.
    pub home: Option<PathBuf>,
    /// Standard output: the protocol channel (ExecCredential, diffs, listings).
    pub stdout: Box<dyn Write>,
    /// Standard error: every human-facing line.
    stderr: RefCell<Box<dyn Write>>,
    /// Whether standard input is a terminal (a prompt could be answered).
    pub stdin_is_terminal: bool,
    /// Whether standard error is a terminal (a person sees our messages).
    pub stderr_is_terminal: bool,
    /// The clock.
    pub clock: fn() -> SystemTime,
    /// `-v` level.
    pub verbosity: u8,
    /// The name commands we suggest start with.
    program: String,
    /// Secrets this run holds: a line that would show one (an authority echoing a secret back in
    /// an error, say) shows `****` instead.
    secrets: RefCell<Vec<String>>,
}

/// Shorter values are not scrubbed: they would mangle ordinary words, and no real secret is
/// that short.
const MIN_SCRUBBED_LEN: usize = 6;

impl Env {
    /// The real process.
    pub fn from_process() -> Env {
        let vars = EnvVars::from_process();
        let home = vars
            .get("HOME")
            .or_else(|| vars.get("USERPROFILE"))
            .map(PathBuf::from);
        Env {
            vars,
            home,
            stdout: Box::new(io::stdout()),
            stderr: RefCell::new(Box::new(io::stderr())),
            stdin_is_terminal: io::stdin().is_terminal(),
            stderr_is_terminal: io::stderr().is_terminal(),
            clock: SystemTime::now,
            verbosity: 0,
            program: "kubectl-aad".to_owned(),
            secrets: RefCell::new(Vec::new()),
        }
    }

    /// A test environment with the given variables and captured streams.
    pub fn for_test(vars: EnvVars, stdout: Box<dyn Write>, stderr: Box<dyn Write>) -> Env {
        Env {
            home: vars.get("HOME").map(PathBuf::from),
            vars,
            stdout,
            stderr: RefCell::new(stderr),
            stdin_is_terminal: false,
            stderr_is_terminal: false,
            clock: SystemTime::now,
            verbosity: 0,
            program: "kubectl-aad".to_owned(),
            secrets: RefCell::new(Vec::new()),
        }
    }

    /// The program name that suggested commands start with (`kubectl-aad login …`).
    pub fn program(&self) -> &str {
        &self.program
    }

    /// Takes the program name from argv[0]: its file name without `.exe`, so that a symlink
    /// named `kubelogin` suggests `kubelogin …` and converts to `kubelogin`. A name that is not
    /// a plain word (a test harness's, say) keeps `kubectl-aad`.
    pub fn invoked_as(&mut self, arg0: &std::ffi::OsStr) {
        let name = Path::new(arg0)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let name = name.strip_suffix(".exe").unwrap_or(name);
        let plain = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if plain {
            self.program = name.to_owned();
        }
    }

    /// Remembers a secret this run holds, so that no line ever shows it.
    pub fn hold_secret(&self, secret: &str) {
        if secret.len() >= MIN_SCRUBBED_LEN {
            self.secrets.borrow_mut().push(secret.to_owned());
        }
    }

    /// `text` with every held secret replaced by `****`.
    pub fn scrub(&self, text: &str) -> String {
        self.secrets
            .borrow()
            .iter()
            .fold(text.to_owned(), |text, secret| {
                text.replace(secret.as_str(), "****")
            })
    }

    /// Writes one line to stderr when the verbosity allows it, scrubbed of held secrets.
    pub fn log(&self, level: u8, text: &str) {
        if level <= self.verbosity {
            let text = self.scrub(text);
            let mut stderr = self.stderr.borrow_mut();
            let _ = writeln!(stderr, "{text}");
            let _ = stderr.flush();
        }
    }

    /// A user-facing line on stderr (always shown).
    pub fn say(&self, text: &str) {
        self.log(0, text);
    }

    /// A warning on stderr (always shown).
    pub fn warn(&self, text: &str) {
        self.log(0, &format!("warning: {text}"));
    }
}

impl Host for Env {
    fn line(&self, level: UiLevel, text: &str) {
        self.log(level as u8, text);
    }

    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name)
    }

    fn environment(&self) -> BTreeMap<String, String> {
        self.vars.all()
    }

    fn now(&self) -> SystemTime {
        (self.clock)()
    }
}
