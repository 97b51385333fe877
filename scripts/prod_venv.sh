#!/usr/bin/env bash
# Build (once) a clean virtualenv from requirements.txt ALONE — what the Dockerfile installs —
# and print its path. tests/deploy run the production path from it, so a runtime import of a
# dev-only package fails the tests. Cached under var/prodenv/<hash>, keyed on requirements.txt
# and the interpreter version: a second run costs nothing. A build counts only once its
# marker file is written, so an interrupted one is thrown away and redone.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
key=$( (cat requirements.txt; "$PYTHON" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
root=var/prodenv
target="$root/$key"
mkdir -p "$root"
exec 9>"$root/.lock"
flock 9  # two test runs at once build it once
if [[ ! -f "$target/.complete" ]]; then
  echo "building the production virtualenv $target from requirements.txt alone" >&2
  rm -rf "$target"
  "$PYTHON" -m venv "$target"
  "$target/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt >&2
  touch "$target/.complete"
fi
# Builds for other requirements are stale: keep only the current one.
find "$root" -mindepth 1 -maxdepth 1 -type d -not -name "$key" -exec rm -rf {} +
realpath "$target"
