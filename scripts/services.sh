#!/usr/bin/env bash
# Make sure the local PostgreSQL and Redis answer; start them if they do not.
set -euo pipefail

wait_for() {  # wait_for <seconds> <command…>
  local seconds=$1; shift
  for _ in $(seq 1 "$((seconds * 5))"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  "$@"
}

if ! pg_isready -q -h 127.0.0.1; then
  echo "PostgreSQL is not answering; starting it"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_for 30 pg_isready -q -h 127.0.0.1
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Redis is not answering; starting it"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for 15 redis-cli -h 127.0.0.1 -p 6379 ping
fi
