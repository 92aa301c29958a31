//! Kubeconfig text → parse → convert (every login mode) → render: no panics.
#![no_main]

use kubectl_aad::cli::TokenFlags;
use kubectl_aad::kubeconfig::{self, convert};
use kubectl_aad::settings::{EnvVars, resolve_token_options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(config) = kubeconfig::parse(text) else { return };
    let mode = ["devicecode", "spn", "azurecli", "msi", "interactive"][data.len() % 5];
    let flags = TokenFlags { login: (data.len() % 2 == 0).then(|| mode.to_owned()), ..TokenFlags::default() };
    let Ok(resolved) = resolve_token_options(&flags, &EnvVars::default(), None) else { return };
    let options = convert::ConvertOptions { flags: &flags, resolved: &resolved, context: None, azure_config_dir: None, exec_api_version: None, exec_command: "kubectl-aad" };
    let mut files = vec![config];
    if convert::convert(&mut files, &options).is_ok() {
        let _ = kubeconfig::render(&files[0], std::path::Path::new("fuzz"));
    }
});
