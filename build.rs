//! Links the kubectl-aad executable as non-PIE on Linux.
//!
//! get-token runs on every kubectl call, and its cache-hit path costs little more than process
//! start. For a position-independent executable the loader must apply tens of thousands of
//! relative relocations at start (one page fault per touched page); a non-PIE executable has
//! them resolved at link time. Only this package's binaries are affected: provider shared
//! libraries stay position-independent. `scripts/bench.sh` measures the difference.
//!
//! The static release build (`scripts/build-static.sh`) is non-PIE already: it links with
//! `-C target-feature=+crt-static -C relocation-model=static`, i.e. `-static`. A crt-static
//! build left position-independent links with `-static-pie`, which `-no-pie` would turn into an
//! executable that crashes at start; such a build gets no `-no-pie`.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let static_crt = features.split(',').any(|f| f == "crt-static");
    if os == "linux" && env == "gnu" && !static_crt {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
