#!/usr/bin/env bash
# The whole check, as CI runs it: PostgreSQL and Redis, lint, Django checks, every test on a
# fresh test database. Every stage runs even if an earlier one failed (so one run reports
# everything); the exit status is non-zero if any stage failed (pytest's own code if it did).
# Extra arguments go to pytest, e.g. `scripts/test.sh -x -k outbox`.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/pingshen}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"  # a Redis database of its own for tests
BIN=.venv/bin

scripts/services.sh
scripts/browser_deps.sh  # Chromium for tests/browser
"$BIN/python" scripts/ensure_db.py
mkdir -p var/static  # WhiteNoise warns on every request when STATIC_ROOT is missing

failed=()
stage() {  # stage <name> <command…>
  local name=$1
  shift
  echo "== $name"
  "$@" || failed+=("$name")
}

stage "ruff check" "$BIN/ruff" check .
stage "ruff format --check" "$BIN/ruff" format --check .
stage "mypy" "$BIN/mypy" accounts api applications audit awards core aftergrant funding integrity notifications pages reviews upward workflow
stage "makemigrations --check" "$BIN/python" manage.py makemigrations --check --dry-run
stage "manage.py check" "$BIN/python" manage.py check

# The production path (tests/deploy) runs from a clean virtualenv of requirements.txt alone,
# built once per requirements.txt (under var/prodenv/; pip needs PyPI the first time).
echo "== production virtualenv (requirements.txt alone)"
if PINGSHEN_PROD_VENV=$(scripts/prod_venv.sh); then
  export PINGSHEN_PROD_VENV
else
  failed+=("production virtualenv")
fi

echo "== pytest (DATABASE_URL=${DATABASE_URL}, REDIS_URL=${REDIS_URL})"
status=0
"$BIN/pytest" tests --create-db "$@" || status=$?

if ((${#failed[@]})); then
  printf 'FAILED stage: %s\n' "${failed[@]}" >&2
  ((status)) || status=1
fi
exit "$status"
