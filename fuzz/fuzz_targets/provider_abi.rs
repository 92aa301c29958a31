//! The run-time provider JSON ABI, library side: any call document gets a reply, never a panic.
#![no_main]

use kubectl_aad_contract::ffi::{Reply, serve};
use kubectl_aad_contract::{Identity, Provider, ProviderError, Secret, TokenRequest, TokenSet, Ui, UiLevel};
use libfuzzer_sys::fuzz_target;

struct Echo;

impl Provider for Echo {
    fn acquire(&self, request: &TokenRequest, ui: &dyn Ui) -> Result<TokenSet, ProviderError> {
        ui.message(&request.client_id);
        Ok(TokenSet { access_token: Secret::new(request.tenant_id.clone()), expires_on: 1, refresh_token: None, identity: Identity::default(), reuse: None })
    }
}

struct Quiet;

impl Ui for Quiet {
    fn line(&self, _: UiLevel, _: &str) {}
}

fuzz_target!(|data: &[u8]| {
    match serve(&Echo, data, &Quiet) {
        Reply::Ok(_) | Reply::Err(_) => {}
    }
});
