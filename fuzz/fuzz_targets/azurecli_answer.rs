//! `az account get-access-token -o json` output: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kubectl_aad_azurecli::fuzz_parse_answer(data);
});
