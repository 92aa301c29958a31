//! [`Ui`]: the host's stderr handle that providers write user-facing text and logs through.

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

/// Where a provider's text goes. The host routes it to stderr; stdout is never reachable.
///
/// Never pass a secret to these methods.
pub trait Ui {
    /// Writes one line at the given level.
    fn line(&self, level: UiLevel, text: &str);

    /// A line for the user, always shown.
    fn message(&self, text: &str) {
        self.line(UiLevel::Message, text);
    }

    /// A diagnostic line, shown at `-v 5` and above.
    fn debug(&self, text: &str) {
        self.line(UiLevel::Debug, text);
    }
}
