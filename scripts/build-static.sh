#!/usr/bin/env bash
# A fully static, non-PIE Linux kubectl-aad (glibc's static CRT): no dynamic loader, no shared
# libraries, no NSS (host names are looked up by hickory over /etc/hosts and /etc/resolv.conf).
#
#   scripts/build-static.sh [--release] [--target TRIPLE] [--out FILE]
#
# Only the final crate is built with the static flags (cargo rustc), so the dependencies are
# shared with an ordinary build. Provider libraries still load: glibc's static dlopen maps a
# library and the libc.so it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=(); dir=debug; target=(); triple=""; out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=(--release); dir=release; shift ;;
    --target) triple=$2; target=(--target "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "build-static.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$(uname -s)" in Linux) ;; *) echo "build-static.sh: static builds are for Linux" >&2; exit 1 ;; esac
cargo rustc --quiet "${profile[@]}" "${target[@]}" --bin kubectl-aad -- \
  -C target-feature=+crt-static -C relocation-model=static
built=target/${triple:+$triple/}$dir/kubectl-aad
if command -v file >/dev/null; then
  file "$built" | grep -q "statically linked" \
    || { echo "build-static.sh: $built is not statically linked" >&2; exit 1; }
fi
if [ -n "$out" ]; then
  mkdir -p "$(dirname "$out")"
  cp "$built" "$out"
  echo "$out"
else
  echo "$built"
fi
