#!/usr/bin/env bash
# Run a command with a usable freedesktop Secret Service. Uses the desktop's keyring when one
# answers; otherwise starts a private, throwaway GNOME Keyring for this command only.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${SPDESK_PRIVATE_KEYRING:-}" ] \
   && .venv/bin/python -c 'import keyring, keyring.backends.fail as f, sys; sys.exit(isinstance(keyring.get_keyring(), f.Keyring))' 2>/dev/null; then
  exec "$@"
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/spdesk-keyring.XXXXXX")"
mkdir -p "$scratch/data" "$scratch/runtime"
chmod 700 "$scratch/runtime"
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/runtime"
export SPDESK_KEYRING_PASSWORD="spdesk-throwaway-$$"
exec dbus-run-session -- bash -c '
  printf %s "$SPDESK_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset SPDESK_KEYRING_PASSWORD
  exec "$@"' spdesk-keyring "$@"
