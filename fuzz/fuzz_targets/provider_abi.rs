//! The run-time provider JSON ABI, library side: any call document gets a reply, never a panic.
#![no_main]

use kubectl_aad_contract::ffi::library::LineSink;
use kubectl_aad_contract::ffi::{Reply, serve};
use kubectl_aad_contract::{Host, Identity, Provider, ProviderError, Secret, TokenRequest, TokenSet, UiLevel};
use libfuzzer_sys::fuzz_target;

struct Echo;

impl Provider for Echo {
    fn acquire(&self, request: &TokenRequest, host: &dyn Host) -> Result<TokenSet, ProviderError> {
        host.message(&request.client_id);
        let _ = host.var("HOME");
        Ok(TokenSet { access_token: Secret::new(request.tenant_id.clone()), expires_on: host.now_secs(), refresh_token: None, identity: Identity::default(), reuse: None })
    }
}

struct Quiet;

impl LineSink for Quiet {
    fn line(&self, _: UiLevel, _: &str) {}
}

fuzz_target!(|data: &[u8]| {
    match serve(&Echo, data, &Quiet) {
        Reply::Ok(_) | Reply::Err(_) => {}
    }
});
