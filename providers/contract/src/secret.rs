//! [`Secret`]: a string that never prints itself.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A secret value (client secret, password, refresh or access token, certificate password).
///
/// `Debug` and `Display` print `****`; the value is only reachable through [`Secret::expose`],
/// so that a stray `{:?}` in a log or an error message cannot leak it. It serializes in clear,
/// because the cache and the run-time provider ABI need the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value. Call this only where the value is sent or stored.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret}"), "****");
        assert_eq!(format!("{secret:?}"), "Secret(****)");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(Secret(****))");
        assert_eq!(secret.expose(), "hunter2");
    }
}
