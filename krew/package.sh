#!/usr/bin/env bash
# Builds the krew release archive for the host platform (binary + LICENSE), computes its
# sha256 and renders krew/aad.yaml with the host platform's uri and digest filled in and the
# platforms without an archive left out, so the rendered manifest installs as it stands.
#
#   krew/package.sh [--binary PATH] [--out DIR] [--base-url URL]
#
# --binary  an already built kubectl-aad (default: cargo build --release)
# --out     where the archive and the rendered aad.yaml go (default: dist/)
# --base-url  where the archive will be published (default: the GitHub release of the version)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary="" out="$root/dist" base_url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --base-url) base_url=$2; shift 2 ;;
    *) echo "krew/package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
version="v$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)"
if [ -z "$binary" ]; then
  (cd "$root" && cargo build --release --bin kubectl-aad)
  binary="$root/target/release/kubectl-aad"
fi
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "unsupported OS $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) echo "unsupported arch $(uname -m)" >&2; exit 1 ;; esac
[ -n "$base_url" ] || base_url="https://github.com/kubectl-aad/kubectl-aad/releases/download/$version"

archive="kubectl-aad_${version}_${os}_${arch}.tar.gz"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
cp "$binary" "$stage/kubectl-aad"
chmod 0755 "$stage/kubectl-aad"
cp "$root/LICENSE" "$stage/LICENSE"
tar -C "$stage" -czf "$out/$archive" kubectl-aad LICENSE
sha=$(sha256sum "$out/$archive" | cut -d' ' -f1)

# Keep the manifest's header, then only the host platform's entry, with its real uri and digest.
awk -v os="$os" -v arch="$arch" -v uri="$base_url/$archive" -v sha="$sha" '
  /^  platforms:/ { print; in_platforms = 1; next }
  !in_platforms { print; next }
  /^  - selector:/ { flush(); block = $0 "\n"; next }
  { block = block $0 "\n" }
  END { flush() }
  function flush() {
    if (block == "") return
    if (block ~ ("os: " os "\n") && block ~ ("arch: " arch "\n")) {
      sub(/uri: [^\n]*/, "uri: " uri, block)
      sub(/sha256: [^\n]*/, "sha256: \"" sha "\"", block)
      printf "%s", block
    }
    block = ""
  }
' "$root/krew/aad.yaml" > "$out/aad.yaml"
echo "$out/$archive"
echo "$out/aad.yaml"
