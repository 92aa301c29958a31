#!/usr/bin/env bash
# The whole test suite: unit tests, the end-to-end tests (real kubectl, the Entra ID emulator,
# the token-validating API server) and the run-time provider tests.
#
# The run-time provider test needs a kubectl-aad built WITHOUT the spn provider compiled in,
# which then loads spn from its shared library. It is built here first, into the same target
# directory (only the root crate recompiles), and handed to the tests by path.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cargo build --quiet --no-default-features --bin kubectl-aad
mkdir -p target/no-builtin-spn
cp target/debug/kubectl-aad target/no-builtin-spn/kubectl-aad
export KUBECTL_AAD_NO_BUILTIN_SPN_BIN="$PWD/target/no-builtin-spn/kubectl-aad"
# The spn flow as a shared library, kept apart because other builds of the crate overwrite
# target/debug/libkubectl_aad_spn.so without the exported entry point.
cargo build --quiet -p kubectl-aad-spn --features cdylib
mkdir -p target/providers
cp target/debug/libkubectl_aad_spn.so target/providers/
export KUBECTL_AAD_TEST_SPN_LIB="$PWD/target/providers/libkubectl_aad_spn.so"
# The example library that adds a login mode of its own (providers/examples/tokenfile).
cargo build --quiet -p kubectl-aad-tokenfile
cp target/debug/libkubectl_aad_tokenfile.so target/providers/
export KUBECTL_AAD_TEST_TOKENFILE_LIB="$PWD/target/providers/libkubectl_aad_tokenfile.so"
# One deliberately broken provider library per way of breaking the ABI.
mkdir -p target/broken-providers
for kind in missing-symbol wrong-abi null-table unknown-login panics bad-json constructor; do
  if [ "$kind" = missing-symbol ]; then features=(); else features=(--features "$kind"); fi
  cargo build --quiet -p broken-provider "${features[@]}"
  cp target/debug/libbroken_provider.so "target/broken-providers/$kind.so"
done
export KUBECTL_AAD_TEST_BROKEN_DIR="$PWD/target/broken-providers"
# Test-only binaries (the emulator's stand-in browser) used by the end-to-end tests.
cargo build --quiet -p entra-emulator --bins
cargo test --workspace --no-fail-fast "$@"
