#!/usr/bin/env bash
# Serve the embedded default (SQLite in var/, Celery tasks in-process) unless DATABASE_URL /
# REDIS_URL say otherwise: migrate, load the demo year (idempotent), runserver on HOST:PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# The demo year is Yongjia county's: its bureau's name at the top of every page (a deployment sets its own).
export PINGSHEN_AUTHORITY_NAME="${PINGSHEN_AUTHORITY_NAME:-永嘉县科学技术局}"
mkdir -p var/static
$PY manage.py migrate --noinput
$PY manage.py load_demo
echo "Demo logins: admin, demo_staff, demo_applicant, demo_expert1 … (password demo-pass-2026); see README.md"
exec $PY manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
