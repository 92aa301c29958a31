//! The Azure CLI profile directory and the files that hold its session.

use std::path::{Path, PathBuf};

use kubectl_aad_contract::{FileStamp, Host, TokenRequest};

/// Files `az login`, `az logout` and `az account set` write.
const SESSION_FILES: [&str; 7] = [
    "azureProfile.json",
    "msal_token_cache.json",
    "msal_token_cache.bin",
    "service_principal_entries.json",
    "service_principal_entries.bin",
    "clouds.config",
    "config",
];

/// The file that names the signed-in accounts and the default subscription.
pub(crate) const PROFILE_FILE: &str = "azureProfile.json";

/// `AZURE_CONFIG_DIR`, else `~/.azure` (as `az` decides).
pub(crate) fn config_dir(request: &TokenRequest, host: &dyn Host) -> Option<PathBuf> {
    if let Some(dir) = &request.azure_config_dir {
        return Some(dir.clone());
    }
    let home = host.var("HOME").or_else(|| host.var("USERPROFILE"))?;
    Some(Path::new(&home).join(".azure"))
}

/// Stamps of every session file in `dir`.
pub(crate) fn stamp_session(dir: &Path) -> Vec<FileStamp> {
    SESSION_FILES
        .iter()
        .map(|name| FileStamp::of(&dir.join(name)))
        .collect()
}
