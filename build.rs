//! Links the kubectl-aad executable as non-PIE on Linux.
//!
//! get-token runs on every kubectl call, and its cache-hit path costs little more than process
//! start. For a position-independent executable the dynamic loader must apply tens of thousands
//! of relative relocations at start (one page fault per touched page); a non-PIE executable has
//! them resolved at link time. Only this package's binaries are affected: provider shared
//! libraries stay position-independent. `scripts/bench.sh` measures the difference.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
