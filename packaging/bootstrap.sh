#!/usr/bin/env bash
# Install what spdesk needs on a fresh Debian/Ubuntu machine: system packages, .venv, npm modules.
# Usage: packaging/bootstrap.sh demo|test
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-demo}"

apt_packages=(dbus dbus-daemon gnome-keyring)
if [ "$purpose" = test ]; then
  apt_packages+=(chromium chromium-driver firefox-esr)
fi

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "spdesk: installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive NO_UPDATE_NOTIFIER=1
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.spdesk-$purpose-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  if [ "$purpose" = test ]; then
    .venv/bin/pip install -q --disable-pip-version-check -e ".[test]"
  else
    .venv/bin/pip install -q --disable-pip-version-check -e .
  fi
  touch "$stamp"
fi

if [ "$purpose" = test ] && [ -f extension/package.json ]; then
  (cd extension && npm ci --no-audit --no-fund --loglevel=error)
fi

# puppeteer-core drives firefox-esr in the end-to-end tests; it never downloads a browser.
if [ "$purpose" = test ] && [ -f tests/e2e/firefox/package.json ]; then
  (cd tests/e2e/firefox && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
