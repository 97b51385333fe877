#!/usr/bin/env bash
# Chromium and chromedriver for the browser tests (tests/browser); with --fonts also a CJK font,
# which scripts/screenshots.py needs to draw the zh-hans pages (the tests do not).
# Idempotent: installs only what is missing. Debian packages; runs apt-get as root or with sudo.
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}

packages=()
[[ -x "$CHROMIUM" ]] || packages+=(chromium)
[[ -x "$CHROMEDRIVER" ]] || packages+=(chromium-driver)
if [[ "${1:-}" == "--fonts" ]] && [[ -z "$(fc-list :lang=zh 2>/dev/null)" ]]; then
  packages+=(fonts-noto-cjk)
fi
((${#packages[@]})) || exit 0

echo "Installing for the browser: ${packages[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${packages[@]}"
