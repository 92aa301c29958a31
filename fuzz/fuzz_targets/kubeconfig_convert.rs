//! Kubeconfig text → parse → convert (every login mode) → render: no panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mode = ["devicecode", "spn", "azurecli", "msi", "interactive"][data.len() % 5];
    let outcome = kubectl_aad::fuzzing::convert_kubeconfig(text, (data.len() % 2 == 0).then_some(mode));
    assert!(!matches!(outcome, Err(kubectl_aad::fuzzing::ConvertOutcome::RenderFailed(_))), "{outcome:?}");
});
