//! [`Env`]: every side effect a command may have enters here (the composition root).
//!
//! Commands read the environment, the clock, the terminal state and the standard streams only
//! through `Env`, so tests can run them in-process with captured output and a fixed clock.
//! Nothing expensive is built here: HTTP clients, TLS roots and provider libraries are made by
//! the commands that need them, on a cache miss only.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::SystemTime;

use kubectl_aad_contract::{Ui, UiLevel};

use crate::settings::EnvVars;

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
    /// The clock.
    pub clock: fn() -> SystemTime,
    /// `-v` level.
    pub verbosity: u8,
}

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
            clock: SystemTime::now,
            verbosity: 0,
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
            clock: SystemTime::now,
            verbosity: 0,
        }
    }

    /// Writes one line to stderr when the verbosity allows it.
    pub fn log(&self, level: u8, text: &str) {
        if level <= self.verbosity {
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

impl Ui for Env {
    fn line(&self, level: UiLevel, text: &str) {
        self.log(level as u8, text);
    }
}
