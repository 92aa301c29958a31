//! `azd auth token --output json` output: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kubectl_aad_azd::fuzz_parse_answer(data);
});
