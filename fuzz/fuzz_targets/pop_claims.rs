//! --pop-claims parsing: no panics; a parsed u never loses characters it was given.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(u) = kubectl_aad::fuzzing::pop_claims(text) {
            assert!(!u.is_empty() && text.contains(u.as_str()));
        }
    }
});
