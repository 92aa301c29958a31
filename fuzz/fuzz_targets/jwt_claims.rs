//! JWT claims decoding (whoami, identity, expiry): no panics.
#![no_main]

use kubectl_aad_entra::jwt::Claims;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(claims) = Claims::decode(text) {
            let _ = (claims.audience(), claims.has_group_overage(), claims.identity());
        }
        let _ = kubectl_aad_entra::expiry_of(text);
    }
});
