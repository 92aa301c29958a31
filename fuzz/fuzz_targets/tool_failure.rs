//! A failed az/azd run's stdout and stderr, summarised into one line: no panic, one line.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (stdout, stderr) = data.split_at(split);
    let summary = kubectl_aad_entra::external_tool::fuzz_failure_summary(stdout, &String::from_utf8_lossy(stderr));
    assert!(!summary.contains('\n'));
});
