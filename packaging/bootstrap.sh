#!/usr/bin/env bash
# Install what spdesk needs on a fresh Debian/Ubuntu machine: system packages, .venv, npm modules,
# and the built extension (dist/chrome, dist/firefox). Safe to run again: it skips what is there.
# Usage: packaging/bootstrap.sh demo|test
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-demo}"
case "$purpose" in demo|test) ;; *) echo "usage: $0 demo|test" >&2; exit 2 ;; esac

# The keyring (Secret Service over D-Bus) is needed by both; browsers and a PostgreSQL server
# (team mode's tests start private clusters with its initdb) only by the tests.
apt_packages=(dbus dbus-daemon gnome-keyring)
if [ "$purpose" = test ]; then
  apt_packages+=(chromium chromium-driver firefox-esr postgresql)
fi
command -v python3 >/dev/null || apt_packages+=(python3)
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_packages+=(python3-venv)
command -v node >/dev/null || apt_packages+=(nodejs)
if [ "$purpose" = test ]; then
  command -v npm >/dev/null || apt_packages+=(npm)
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

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "spdesk needs Python 3.11 or newer; this machine has $(python3 --version)." >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last successful install for this purpose.
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

# npm modules of the extension's tests and of the Firefox end-to-end driver (puppeteer-core,
# which drives Debian's firefox-esr and never downloads a browser of its own).
if [ "$purpose" = test ]; then
  export PUPPETEER_SKIP_DOWNLOAD=1
  for dir in extension tests/e2e/firefox; do
    # Skip when node_modules already matches the lock file (npm ci would wipe and refetch it).
    if [ -f "$dir/package-lock.json" ] && { [ ! -f "$dir/node_modules/.package-lock.json" ] \
         || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  done
fi

# The packages to load in the browser: dist/chrome and dist/firefox (plain Node, no npm modules).
if [ -f packaging/build-extension.mjs ]; then
  node packaging/build-extension.mjs >/dev/null
fi
