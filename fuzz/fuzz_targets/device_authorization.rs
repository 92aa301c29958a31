//! Device authorization answers (`/devicecode`): no panic, whatever the authority sends.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kubectl_aad_devicecode::fuzz_parse_authorization(data);
});
