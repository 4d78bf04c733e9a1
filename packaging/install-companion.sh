#!/usr/bin/env bash
# Install the spdesk companion for the current user on Linux: a private virtualenv in the data
# dir, an `spdesk` launcher in ~/.local/bin and a systemd user service that keeps it running.
# Run it again to upgrade or repair; --uninstall removes what it installed. See docs/install.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: packaging/install-companion.sh [--from CHECKOUT|WHEEL] [--python PYTHON] [--no-service]
       packaging/install-companion.sh --uninstall [--purge [--yes]]

  --from PATH     install from this spdesk checkout or wheel (default: the checkout holding
                  this script)
  --python PATH   the Python (3.11 or newer) to build the virtualenv with (default: python3)
  --no-service    install the systemd unit but do not enable or start it
  --uninstall     remove the virtualenv, the launcher and the systemd unit; keeps settings,
                  accounts, the keyring entries and the audit journal
  --purge         with --uninstall: also delete the keyring entries, settings, pairings and the
                  audit journal (asks first; --yes answers for you)
USAGE
}

say() { printf 'spdesk: %s\n' "$*"; }
warn() { printf 'spdesk: %s\n' "$*" >&2; }
die() { printf 'spdesk: %s\n' "$*" >&2; exit 1; }

# ---- where things go (the same directories platformdirs gives the companion) -------------------
[ -n "${HOME:-}" ] || die "HOME is not set; cannot tell where to install."
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
config_home="${XDG_CONFIG_HOME:-$HOME/.config}"
app_data="$data_home/spdesk"
app_config="$config_home/spdesk"
venv="$app_data/venv"
install_log="$app_data/install.log"
bin_dir="${XDG_BIN_HOME:-$HOME/.local/bin}"
launcher="$bin_dir/spdesk"
unit_dir="$config_home/systemd/user"
unit="$unit_dir/spdesk.service"
dropin_dir="$unit_dir/spdesk.service.d"
dropin="$dropin_dir/sandbox.conf"
here="$(cd "$(dirname "$0")" && pwd)"
checkout="$(cd "$here/.." && pwd)"
marker="# spdesk launcher, written by install-companion.sh"

# ---- arguments -------------------------------------------------------------------------------
action=install source="" python="${SPDESK_PYTHON:-python3}" purge=no assume_yes=no service=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --from) source="${2:-}"; [ -n "$source" ] || die "--from needs a checkout or a wheel."; shift 2 ;;
    --python) python="${2:-}"; [ -n "$python" ] || die "--python needs a path."; shift 2 ;;
    --no-service) service=no; shift ;;
    --uninstall) action=uninstall; shift ;;
    --purge) purge=yes; shift ;;
    --yes) assume_yes=yes; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)." ;;
  esac
done
[ "$purge" = no ] || [ "$action" = uninstall ] || die "--purge goes with --uninstall."

[ "$(uname -s)" = Linux ] \
  || die "this installer is for Linux; for macOS and Windows see docs/install.md."

# ---- systemd --user --------------------------------------------------------------------------
systemd_user() { systemctl --user show-environment >/dev/null 2>&1; }

# The filesystem sandbox needs user namespaces: try its options on a throwaway unit first.
sandbox_works() {
  local args=() line
  while IFS= read -r line; do
    case "$line" in [A-Z]*=*) [[ "$line" == *%* ]] || args+=(-p "$line") ;; esac
  done <"$here/systemd/spdesk.service.d/sandbox.conf"
  timeout 60 systemd-run --user --wait --quiet --collect "${args[@]}" /bin/true >/dev/null 2>&1
}

# ---- rendering the unit ------------------------------------------------------------------------
# systemd needs % doubled; sed's replacement needs \, & and | escaped.
sed_escape() { printf '%s' "$1" | sed -e 's/%/%%/g' -e 's/[\\&|]/\\&/g'; }

render() {
  local template="$1" target="$2" tmp
  tmp="$(mktemp "$target.XXXXXX")"
  sed -e "s|%h/.local/share/spdesk|$(sed_escape "$app_data")|g" \
      -e "s|%h/.config/spdesk|$(sed_escape "$app_config")|g" "$template" >"$tmp"
  # The service must use the same directories as the `spdesk` command in the user's shell.
  if [ -n "${XDG_CONFIG_HOME:-}${XDG_DATA_HOME:-}" ]; then
    local env_line="Environment=\"XDG_CONFIG_HOME=$config_home\" \"XDG_DATA_HOME=$data_home\""
    sed -i "s|^Environment=PYTHONUNBUFFERED=1\$|&\n$(sed_escape "$env_line")|" "$tmp"
  fi
  chmod 644 "$tmp"
  mv -f "$tmp" "$target"
}

# ---- install -----------------------------------------------------------------------------------
check_python() {
  command -v "$python" >/dev/null 2>&1 \
    || die "'$python' was not found. Install Python 3.11 or newer: sudo apt install python3 python3-venv"
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
    || die "spdesk needs Python 3.11 or newer, which '$python' is not. Pass another with --python."
  "$python" -c 'import venv, ensurepip' 2>/dev/null \
    || die "'$python' cannot create virtualenvs. Install them with: sudo apt install python3-venv"
}

check_launcher_free() {
  if [ -e "$launcher" ] && ! grep -qxF "$marker" "$launcher" 2>/dev/null; then
    die "$launcher exists and was not written by this installer. Remove it (or 'pip uninstall spdesk' if you installed it with pip) and run again."
  fi
}

resolve_source() {
  [ -n "$source" ] || source="$checkout"
  [ -e "$source" ] || die "$source does not exist."
  source="$(cd "$(dirname "$source")" && pwd)/$(basename "$source")"
  if [ -f "$source" ]; then
    case "$source" in *.whl) ;; *) die "$source is not a wheel (.whl)." ;; esac
  elif [ ! -f "$source/pyproject.toml" ] || [ ! -d "$source/companion" ]; then
    die "$source is neither an spdesk checkout nor a wheel."
  fi
}

make_venv() {
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    return
  fi
  [ ! -e "$venv" ] || { say "the virtualenv in $venv does not run any more; making it again."; rm -rf "$venv"; }
  if [ ! -d "$app_data" ]; then mkdir -p "$app_data"; chmod 700 "$app_data"; fi
  say "creating a virtualenv in $venv"
  "$python" -m venv "$venv" >>"$install_log" 2>&1 || die "could not create the virtualenv (see $install_log)."
}

pip_install() {
  "$venv/bin/python" -m pip install --disable-pip-version-check -q "$@" >>"$install_log" 2>&1 && return
  tail -n 15 "$install_log" >&2
  die "pip could not install spdesk (the last lines of $install_log are above)."
}

install_package() {
  local wheel="$source"
  if [ -d "$source" ]; then
    say "building spdesk from $source"
    wheel="$("$here/build-wheel.sh" --python "$venv/bin/python" --out "$scratch" "$source" 2>>"$install_log")" \
      || { tail -n 15 "$install_log" >&2; die "could not build spdesk from $source (see $install_log)."; }
  fi
  local upgrade=no
  "$venv/bin/python" -m pip show -q spdesk >/dev/null 2>&1 && upgrade=yes
  say "installing $(basename "$wheel") and its dependencies (this can take a minute)"
  pip_install "$wheel"
  # Same version number, newer code (a checkout): replace spdesk itself, keep the dependencies.
  [ "$upgrade" = no ] || pip_install --force-reinstall --no-deps "$wheel"
  version="$("$venv/bin/spdesk" --version 2>>"$install_log")" \
    || die "spdesk was installed but does not start (see $install_log)."
}

write_launcher() {
  mkdir -p "$bin_dir"
  local quoted tmp
  quoted="'$(printf '%s' "$venv/bin/spdesk" | sed "s/'/'\\\\''/g")'"
  tmp="$(mktemp "$launcher.XXXXXX")"
  printf '#!/bin/sh\n%s\nexec %s "$@"\n' "$marker" "$quoted" >"$tmp"
  chmod 755 "$tmp"
  mv -f "$tmp" "$launcher"
}

# Only our own drop-in: overrides the user made with `systemctl --user edit spdesk` stay.
remove_dropin() {
  rm -f "$dropin"
  rmdir "$dropin_dir" 2>/dev/null || true
}

install_unit() {
  mkdir -p "$unit_dir"
  render "$here/systemd/spdesk.service" "$unit"
  remove_dropin
  [ "$service" = yes ] && systemd_user || return 0
  if sandbox_works; then
    mkdir -p "$dropin_dir"
    render "$here/systemd/spdesk.service.d/sandbox.conf" "$dropin"
  else
    say "this system does not allow the filesystem sandbox for user services; running without it."
  fi
}

start_service() {
  if [ "$service" = no ]; then
    say "the service is installed but not enabled (--no-service). Start it with: systemctl --user enable --now spdesk"
    return
  fi
  if ! systemd_user; then
    say "systemd --user is not running here, so nothing will start spdesk automatically."
    say "start it by hand with:  spdesk serve   (leave it running; Ctrl-C stops it)"
    say "to run it as a service, run this installer again in a session where systemd --user runs."
    return
  fi
  systemctl --user daemon-reload
  systemctl --user enable --quiet spdesk.service
  # restart, not start: an upgrade must replace the running old code.
  systemctl --user restart spdesk.service \
    || die "the service did not start; see: systemctl --user status spdesk; journalctl --user -u spdesk"
  say "the service is enabled and running; it starts again whenever you log in."
  say "logs and the pairing code: journalctl --user -u spdesk"
}

do_install() {
  check_python
  check_launcher_free
  resolve_source
  make_venv
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/spdesk-install.XXXXXX")"
  trap 'rm -rf "$scratch"' EXIT
  install_package
  write_launcher
  install_unit
  say "installed $version: $venv"
  say "launcher: $launcher"
  case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) say "$bin_dir is not on your PATH: log out and in again, or add to ~/.profile:"
       say "  export PATH=\"$bin_dir:\$PATH\"" ;;
  esac
  start_service
  say "next: 'spdesk account add NAME' (once), then 'spdesk pair' to pair the browser extension."
}

# ---- uninstall ---------------------------------------------------------------------------------
confirm_purge() {
  warn "--purge deletes for good: the seller credentials in the keyring, settings and accounts"
  warn "($app_config), pairings and the audit journal of refunds and cancellations ($app_data)."
  [ "$assume_yes" = yes ] && return
  local answer=""
  printf "spdesk: type 'purge' to go on: " >&2
  read -r answer || true
  [ "$answer" = purge ] || die "nothing was removed."
}

# Deletes each account's keyring entry (real and demo) with the companion's own code.
purge_keyring() {
  if [ ! -x "$venv/bin/python" ]; then
    warn "the companion is no longer installed, so its keyring entries cannot be removed from here."
    warn "Install it again and repeat --uninstall --purge, or delete the entries of the services"
    warn "'spdesk' and 'spdesk-demo' with your keyring tool (Seahorse, or:"
    warn "  secret-tool clear service spdesk username ACCOUNT)."
    die "nothing was removed."
  fi
  "$venv/bin/python" - <<'PY' || die "the keyring entries could not be removed (see above); unlock the keyring and try again. Nothing else was removed."
import sys

from companion.accounts import AccountStore
from companion.config import DEMO_PROFILE, Settings
from companion.errors import SpdeskError

try:
    for settings in (Settings.load(), Settings.profile(DEMO_PROFILE)):
        store = AccountStore(settings)
        for account in store.list():
            store.remove(account.name)
            print(f"spdesk: removed the keyring entry of '{account.name}' "
                  f"(service {settings.keyring_service})")
except SpdeskError as exc:
    print(f"spdesk: {exc.message}", file=sys.stderr)
    sys.exit(1)
except OSError as exc:
    print(f"spdesk: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

stop_service() {
  if [ -e "$unit" ] && systemd_user; then
    systemctl --user disable --now --quiet spdesk.service 2>/dev/null || true
  fi
}

do_uninstall() {
  local found=no
  for path in "$venv" "$launcher" "$unit" "$dropin" "$install_log"; do [ -e "$path" ] && found=yes; done
  [ "$purge" = yes ] && { [ -e "$app_config" ] || [ -e "$app_data" ]; } && found=yes
  if [ "$found" = no ]; then say "spdesk is not installed for this user; nothing to remove."; return; fi
  [ "$purge" = no ] || confirm_purge
  [ "$purge" = no ] || purge_keyring
  stop_service
  remove_dropin
  rm -f "$unit"
  if systemd_user; then
    systemctl --user daemon-reload 2>/dev/null || true
    systemctl --user reset-failed spdesk.service 2>/dev/null || true
  fi
  if [ -e "$launcher" ]; then
    if grep -qxF "$marker" "$launcher" 2>/dev/null; then rm -f "$launcher"
    else warn "left $launcher alone: this installer did not write it."; fi
  fi
  rm -rf "$venv"
  rm -f "$install_log"
  if [ "$purge" = yes ]; then
    rm -rf "$app_config" "$app_data"
    say "removed spdesk, its keyring entries, settings, pairings and audit journal."
  else
    rmdir "$app_data" 2>/dev/null || true
    say "removed spdesk (virtualenv, launcher, systemd unit)."
    if [ -e "$app_config" ] || [ -e "$app_data" ]; then
      say "kept your settings, accounts, pairings, audit journal and keyring entries"
      say "($app_config, $app_data); '--uninstall --purge' deletes them."
    fi
  fi
}

if [ "$action" = install ]; then do_install; else do_uninstall; fi
