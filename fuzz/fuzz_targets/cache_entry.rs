//! Cache entry files: parse, decide, compute the reported expiry: no panics, no overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kubectl_aad::fuzzing::cache_entry(data);
});
