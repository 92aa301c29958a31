//! Cache entry files: parse, decide, compute the reported expiry: no panics, no overflow.
#![no_main]

use kubectl_aad::token_cache::{decide, parse_entry, reported_expiry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(entry) = parse_entry(data) {
        let _ = decide(Some(&entry), 1_800_000_000, false);
        if entry.expires_on >= entry.obtained_at {
            let _ = reported_expiry(&entry);
        }
    }
});
