//! Azure Resource Manager answers (error bodies, cluster listings, credential kubeconfigs): no
//! panics on any input. The first byte picks the HTTP status.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let status = match data.first() {
        Some(b) if b % 2 == 0 => 200,
        Some(b) => 400 + u16::from(*b),
        None => 200,
    };
    let _ = kubectl_aad::fuzzing::arm_answer(status, data.get(1..).unwrap_or_default());
});
