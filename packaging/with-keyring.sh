#!/usr/bin/env bash
# Run a command with a usable freedesktop Secret Service. Uses the desktop's keyring when one
# answers; otherwise starts a private, throwaway GNOME Keyring for this command only (removed
# afterwards). Only the keyring daemon gets the throwaway data dir: the command keeps the user's.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${SPDESK_PRIVATE_KEYRING:-}" ] \
   && .venv/bin/python -c 'import keyring, keyring.backends.fail as f, sys; sys.exit(isinstance(keyring.get_keyring(), f.Keyring))' 2>/dev/null; then
  exec "$@"
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/spdesk-keyring.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/data" "$scratch/runtime"
chmod 700 "$scratch/runtime"
export SPDESK_KEYRING_DATA="$scratch/data" SPDESK_KEYRING_RUNTIME="$scratch/runtime"
# The user's own XDG_DATA_HOME (or none) is handed back to the command after the daemon starts.
export SPDESK_USER_XDG_DATA_HOME="${XDG_DATA_HOME-__unset__}"
status=0
# The throwaway keyring's password is random and lives only in a shell variable of the inner
# shell, handed to the daemon on a pipe by printf (a builtin): no process's environment or
# command line ever holds it (dbus-daemon and the keyring daemon inherit the environment).
dbus-run-session -- bash -c '
  export XDG_RUNTIME_DIR="$SPDESK_KEYRING_RUNTIME"
  password="$(head -c 24 /dev/urandom | base64)"
  printf %s "$password" \
    | XDG_DATA_HOME="$SPDESK_KEYRING_DATA" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset password SPDESK_KEYRING_DATA SPDESK_KEYRING_RUNTIME
  if [ "$SPDESK_USER_XDG_DATA_HOME" = __unset__ ]; then unset XDG_DATA_HOME
  else export XDG_DATA_HOME="$SPDESK_USER_XDG_DATA_HOME"; fi
  unset SPDESK_USER_XDG_DATA_HOME
  exec "$@"' spdesk-keyring "$@" || status=$?
exit "$status"
