//! [`Host`]: what the host lends a provider for one call — the stderr line sink, the process
//! environment and the clock — so providers never read `std::env` or the system clock
//! themselves and can be driven in-process by tests with a fixed environment and time.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// How a line is meant: for the user, or for `-v` diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u32)]
pub enum UiLevel {
    /// Always shown: a device code message, "opening the browser", a warning.
    Message = 0,
    /// Shown from `-v 1`.
    Info = 1,
    /// Shown from `-v 5` (kubelogin's flow-step level).
    Debug = 5,
}

impl UiLevel {
    /// The level for a raw number crossing the C ABI; unknown numbers are debug lines.
    pub fn from_u32(value: u32) -> UiLevel {
        match value {
            0 => UiLevel::Message,
            1 => UiLevel::Info,
            _ => UiLevel::Debug,
        }
    }
}

/// The host's side of a provider call. Text goes to stderr; stdout is never reachable.
///
/// Never pass a secret to the line methods.
pub trait Host {
    /// Writes one line at the given level.
    fn line(&self, level: UiLevel, text: &str);

    /// An environment variable; set-but-empty counts as unset.
    fn var(&self, name: &str) -> Option<String>;

    /// Every environment variable (sent to run-time libraries with each call, so that they see
    /// the same environment as built-in providers).
    fn environment(&self) -> BTreeMap<String, String>;

    /// The current time.
    fn now(&self) -> SystemTime;

    /// A line for the user, always shown.
    fn message(&self, text: &str) {
        self.line(UiLevel::Message, text);
    }

    /// A diagnostic line, shown at `-v 5` and above.
    fn debug(&self, text: &str) {
        self.line(UiLevel::Debug, text);
    }

    /// The current time in seconds since the Unix epoch (0 for a clock before 1970).
    fn now_secs(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}
