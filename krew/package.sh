#!/usr/bin/env bash
# Renders every package manifest of a release from the set of its built archives: the krew
# manifest (krew/aad.yaml with each platform's uri and sha256), the Homebrew formula, the
# winget manifests, and SHA256SUMS. It refuses — and writes nothing — when an archive is
# missing, doubled, empty, of another version or of an unknown platform, or when anything it
# rendered still holds a placeholder (a zero digest, an @...@ marker).
#
#   krew/package.sh [--base-url URL] [--out DIR] ARCHIVE...
#
# ARCHIVE     kubectl-aad_vX.Y.Z_<os>_<arch>.tar.gz (.zip on Windows), from scripts/archive.sh;
#             one for each platform of krew/aad.yaml (linux, darwin: amd64, arm64; windows: amd64)
# --base-url  where the archives are published (default: the GitHub release of the version)
# --out       where the rendered files go (default: dist/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/dist" base_url=""
archives=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --base-url) base_url=$2; shift 2 ;;
    --*) echo "krew/package.sh: unknown option $1 (see the usage at the top of krew/package.sh)" >&2; exit 2 ;;
    *) archives+=("$1"); shift ;;
  esac
done
fail() { echo "krew/package.sh: $*" >&2; exit 1; }
version="v$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)"
[ -n "$base_url" ] || base_url="https://github.com/kubectl-aad/kubectl-aad/releases/download/$version"
case "$base_url" in https://*) ;; *) fail "--base-url must be an https URL (got '$base_url')" ;; esac
base_url=${base_url%/}
sha256() { if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }

# The platforms a release must cover are the ones the krew template lists.
required=$(awk '/os: /{os=$2} /arch: /{print os "_" $2}' "$root/krew/aad.yaml")
declare -A uri sha
for archive in "${archives[@]}"; do
  [ -f "$archive" ] || fail "$archive is not a file"
  [ -s "$archive" ] || fail "$archive is empty; build the archives again with scripts/archive.sh"
  file=$(basename "$archive")
  [[ $file =~ ^kubectl-aad_(v[0-9][^_]*)_([a-z]+)_([a-z0-9]+)\.(tar\.gz|zip)$ ]] \
    || fail "$file is not named kubectl-aad_<version>_<os>_<arch>.tar.gz|.zip"
  [ "${BASH_REMATCH[1]}" = "$version" ] || fail "$file is of version ${BASH_REMATCH[1]}, the tree is $version"
  platform="${BASH_REMATCH[2]}_${BASH_REMATCH[3]}"
  grep -qx "$platform" <<<"$required" || fail "$file is for $platform, which krew/aad.yaml has no entry for"
  [ -z "${sha[$platform]:-}" ] || fail "two archives for $platform"
  uri[$platform]="$base_url/$file"
  sha[$platform]=$(sha256 "$archive")
done
missing=""
for platform in $required; do [ -n "${sha[$platform]:-}" ] || missing="$missing $platform"; done
[ -z "$missing" ] || fail "no archive for:$missing (a release covers every platform of krew/aad.yaml)"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# krew: fill each platform block of the template with its uri and digest.
awk -v uris="$(for p in $required; do echo "$p ${uri[$p]}"; done)" \
    -v shas="$(for p in $required; do echo "$p ${sha[$p]}"; done)" '
  BEGIN {
    n = split(uris, lines, "\n"); for (i = 1; i <= n; i++) { split(lines[i], f, " "); u[f[1]] = f[2] }
    n = split(shas, lines, "\n"); for (i = 1; i <= n; i++) { split(lines[i], f, " "); s[f[1]] = f[2] }
  }
  /^#/ && !started { next }
  { started = 1 }
  /^ +os: / { os = $2 }
  /^ +arch: / { arch = $2 }
  /^ +uri: / { sub(/uri: .*/, "uri: " u[os "_" arch]) }
  /^ +sha256: / { sub(/sha256: .*/, "sha256: \"" s[os "_" arch] "\"") }
  { print }
' "$root/krew/aad.yaml" | sed "s/^  version: .*/  version: $version/" > "$stage/aad.yaml"

# Homebrew and winget: replace @VERSION@ and @<OS>_<ARCH>_URI|SHA256[_UPPER]@.
substitutions=(-e "s|@VERSION@|${version#v}|g")
for platform in $required; do
  key=$(tr '[:lower:]' '[:upper:]' <<<"$platform")
  upper=$(tr '[:lower:]' '[:upper:]' <<<"${sha[$platform]}")
  substitutions+=(-e "s|@${key}_URI@|${uri[$platform]}|g" -e "s|@${key}_SHA256@|${sha[$platform]}|g"
                  -e "s|@${key}_SHA256_UPPER@|$upper|g")
done
sed "${substitutions[@]}" "$root/packaging/homebrew/kubectl-aad.rb.in" > "$stage/kubectl-aad.rb"
mkdir -p "$stage/winget"
for template in "$root"/packaging/winget/*.yaml.in; do
  sed "${substitutions[@]}" "$template" > "$stage/winget/$(basename "${template%.in}")"
done
for archive in "${archives[@]}"; do
  printf '%s  %s\n' "$(sha256 "$archive")" "$(basename "$archive")"
done | sort -k2 > "$stage/SHA256SUMS"

# Nothing leaves with a placeholder in it.
if grep -rlE '0{64}|@[A-Z0-9_]+@' "$stage" >/dev/null; then
  fail "a rendered file still holds a placeholder: $(grep -rlE '0{64}|@[A-Z0-9_]+@' "$stage" | sed "s|$stage/||" | tr '\n' ' ')"
fi
mkdir -p "$out"
cp -R "$stage"/. "$out"/
for file in aad.yaml kubectl-aad.rb winget SHA256SUMS; do echo "$out/$file"; done
