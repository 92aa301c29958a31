//! Client certificates: arbitrary bytes as PEM and as PFX: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kubectl_aad_spn::fuzz_parse_certificate(data, false, "");
    let _ = kubectl_aad_spn::fuzz_parse_certificate(data, true, "password");
});
