#!/usr/bin/env bash
# Packs one release archive: the kubectl-aad binary, LICENSE and README.md, named as krew,
# Homebrew and winget expect them (kubectl-aad_vX.Y.Z_<os>_<arch>.tar.gz, .zip on Windows).
#
#   scripts/archive.sh --os linux|darwin|windows --arch amd64|arm64 --binary PATH [--out DIR]
#
# Prints the archive's path. Runs on Linux, macOS and Git Bash on Windows (zip via Python's
# zipfile, which every runner has, so no zip tool is needed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
os="" arch="" binary="" out="$root/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --os) os=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "archive.sh: unknown argument $1 (see the usage at the top of scripts/archive.sh)" >&2; exit 2 ;;
  esac
done
case "$os/$arch" in
  linux/amd64|linux/arm64|darwin/amd64|darwin/arm64|windows/amd64|windows/arm64) ;;
  *) echo "archive.sh: --os and --arch must name a release platform (got '$os/$arch')" >&2; exit 2 ;;
esac
[ -f "$binary" ] || { echo "archive.sh: --binary '$binary' is not a file; build it first" >&2; exit 2; }
version="v$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
out=$(cd "$out" && pwd)
name=kubectl-aad
[ "$os" = windows ] && name=kubectl-aad.exe
cp "$binary" "$stage/$name"
chmod 0755 "$stage/$name"
cp "$root/LICENSE" "$root/README.md" "$stage/"
base="kubectl-aad_${version}_${os}_${arch}"
if [ "$os" = windows ]; then
  archive="$out/$base.zip"
  rm -f "$archive"
  (cd "$stage" && python3 -m zipfile -c "$archive" "$name" LICENSE README.md)
else
  archive="$out/$base.tar.gz"
  # Owner and times fixed, so the same binary gives the same archive.
  tar -C "$stage" --owner=0 --group=0 --numeric-owner --mtime=@0 -czf "$archive" "$name" LICENSE README.md 2>/dev/null \
    || tar -C "$stage" -czf "$archive" "$name" LICENSE README.md
fi
echo "$archive"
