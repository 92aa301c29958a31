//! Token endpoint answers: success bodies and AADSTS error bodies: no panics.
#![no_main]

use kubectl_aad_entra::{TokenResponse, aadsts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(response) = serde_json::from_slice::<TokenResponse>(data) {
        let _ = response.into_token_set(1_800_000_000);
    }
    let _ = aadsts::to_provider_error(400, data, "https://login/t/oauth2/v2.0/token", aadsts::Grant::Refresh);
    let _ = aadsts::oauth_error(data);
});
