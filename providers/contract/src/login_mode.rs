//! [`LoginMode`]: the `--login` value. Nine modes are built in (Azure/kubelogin's, spelled as
//! kubelogin spells them, in [`crate::descriptor`]); any other well-formed name is a mode that a
//! run-time provider library may add, resolved by the host's registry.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::descriptor::{BUILT_IN, ModeDescriptor};

/// A grant flow, named by its `--login` value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LoginMode {
    /// OAuth 2.0 device authorization grant (the default).
    DeviceCode,
    /// Authorization code with PKCE in the system browser.
    Interactive,
    /// Service principal: client credentials with a secret or certificate.
    Spn,
    /// Resource owner password credentials.
    Ropc,
    /// Azure managed identity (IMDS, App Service, Cloud Shell).
    Msi,
    /// The token of the signed-in Azure CLI.
    AzureCli,
    /// The token of the signed-in Azure Developer CLI.
    Azd,
    /// Workload identity federation (federated token file or GitHub Actions OIDC).
    WorkloadIdentity,
    /// Azure Pipelines service connection OIDC.
    AzurePipelines,
    /// A mode that no built-in provider implements: a run-time library may declare it.
    Library(String),
}

/// The longest name a library may give its mode.
const MAX_LIBRARY_NAME: usize = 32;

impl LoginMode {
    /// The built-in modes, in kubelogin's documentation order.
    pub const BUILT_IN: [LoginMode; 9] = [
        LoginMode::DeviceCode,
        LoginMode::Interactive,
        LoginMode::Spn,
        LoginMode::Ropc,
        LoginMode::Msi,
        LoginMode::AzureCli,
        LoginMode::Azd,
        LoginMode::WorkloadIdentity,
        LoginMode::AzurePipelines,
    ];

    /// The facts about a built-in mode; `None` for a library's mode (its library declares them).
    pub fn descriptor(&self) -> Option<&'static ModeDescriptor> {
        let index = match self {
            LoginMode::DeviceCode => 0,
            LoginMode::Interactive => 1,
            LoginMode::Spn => 2,
            LoginMode::Ropc => 3,
            LoginMode::Msi => 4,
            LoginMode::AzureCli => 5,
            LoginMode::Azd => 6,
            LoginMode::WorkloadIdentity => 7,
            LoginMode::AzurePipelines => 8,
            LoginMode::Library(_) => return None,
        };
        Some(&BUILT_IN[index])
    }

    /// The `--login` spelling.
    pub fn as_str(&self) -> &str {
        match (self, self.descriptor()) {
            (LoginMode::Library(name), _) => name.as_str(),
            (_, Some(descriptor)) => descriptor.name.as_ref(),
            // Every other variant has a descriptor.
            (_, None) => "",
        }
    }

    /// Whether the mode is compiled into kubectl-aad.
    pub fn is_built_in(&self) -> bool {
        !matches!(self, LoginMode::Library(_))
    }

    /// Whether a person signs in (refresh tokens, prompts, a long lock wait). A library's mode
    /// answers through its descriptor, which only the registry has.
    pub fn is_user_flow(&self) -> bool {
        self.descriptor().is_some_and(|d| d.user_flow)
    }

    /// Parses a name: a built-in mode (or one of its aliases), else a well-formed library mode
    /// name (lowercase letters, digits and `-`, starting with a letter, at most 32 bytes).
    pub fn parse(name: &str) -> Result<LoginMode, UnknownLoginMode> {
        if let Some(mode) = LoginMode::BUILT_IN.into_iter().find(|mode| {
            mode.descriptor()
                .is_some_and(|d| d.name == name || d.aliases.iter().any(|a| a == name))
        }) {
            return Ok(mode);
        }
        if is_library_name(name) {
            Ok(LoginMode::Library(name.to_owned()))
        } else {
            Err(UnknownLoginMode(name.to_owned()))
        }
    }
}

/// Whether `name` may name a library's mode.
pub fn is_library_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= MAX_LIBRARY_NAME
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The built-in mode names, comma separated (for messages and help).
pub fn built_in_names() -> String {
    LoginMode::BUILT_IN
        .iter()
        .map(LoginMode::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for LoginMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--login` value that names no mode (kubelogin's message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a supported login method; use one of: {names}", names = built_in_names())]
pub struct UnknownLoginMode(pub String);

impl FromStr for LoginMode {
    type Err = UnknownLoginMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LoginMode::parse(s)
    }
}

impl Serialize for LoginMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LoginMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        LoginMode::parse(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_built_in_spelling() {
        for mode in LoginMode::BUILT_IN {
            assert_eq!(mode.as_str().parse::<LoginMode>(), Ok(mode.clone()));
            let json = serde_json::to_string(&mode).expect("serialize");
            assert_eq!(json, format!("\"{}\"", mode.as_str()));
            assert_eq!(serde_json::from_str::<LoginMode>(&json).ok(), Some(mode));
        }
    }

    #[test]
    fn other_names_are_library_modes_or_errors() {
        assert_eq!(
            "tokenfile".parse::<LoginMode>(),
            Ok(LoginMode::Library("tokenfile".into()))
        );
        for bad in ["DeviceCode", "", "1x", "a b", "x/y", &"x".repeat(33)] {
            let err = bad.parse::<LoginMode>().expect_err(bad);
            assert!(
                err.to_string().contains(
                    "is not a supported login method; use one of: devicecode, interactive"
                ),
                "{err}"
            );
        }
    }
}
