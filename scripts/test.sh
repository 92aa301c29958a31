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
cargo build --quiet -p kubectl-aad-spn --features cdylib
cargo test --workspace --no-fail-fast "$@"
