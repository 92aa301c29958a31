#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time (not part of the default test run).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     # default 30 s, all targets
#
# cargo-fuzz needs nightly-only compiler flags; RUSTC_BOOTSTRAP=1 lets the installed stable
# toolchain accept them. Each target starts from fuzz/seeds/<target> and the checked-in
# fuzz/regressions/<target> inputs; a crash leaves its input in fuzz/artifacts/<target>/ — fix
# the bug, then move the input to fuzz/regressions/<target>/ so tests/it/fuzz_regressions.rs
# replays it on every test run.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-30}
shift || true
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
# A real certificate + key for the certificate target's corpus, made here so no key is committed.
mkdir -p corpus/certificate
if command -v openssl >/dev/null && [ ! -f corpus/certificate/seed.pem ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout corpus/certificate/k -out corpus/certificate/c -days 36500 \
    -subj "/CN=kubectl-aad fuzz seed" >/dev/null 2>&1 && cat corpus/certificate/c corpus/certificate/k > corpus/certificate/seed.pem
  rm -f corpus/certificate/c corpus/certificate/k
fi
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "regressions/$target"
  echo "== $target ($secs s)"
  cargo fuzz run --sanitizer none "$target" "corpus/$target" "seeds/$target" "regressions/$target" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 2>&1 | grep -E 'Done|stat::number_of_executed_units|stat::new_units_added|ERROR|panicked|SUMMARY' || true
  if ls "artifacts/$target"/crash-* >/dev/null 2>&1; then
    echo "!! $target found crashes: $(ls artifacts/$target/crash-*)"; exit 1
  fi
done
