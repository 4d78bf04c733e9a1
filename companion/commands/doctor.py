"""``spdesk doctor``: keyring, port, accounts, paired extensions and whether Amazon answers."""

from __future__ import annotations

import argparse
import asyncio
import shutil

from companion import __version__
from companion.accounts import AccountStore, keyring_backend_name
from companion.actions.journal import JOURNAL_FILE, check_journal, journal_behind
from companion.commands.pair import describe
from companion.commands.probe import probe_account
from companion.commands.reach import PortState, find_companion
from companion.config import Settings
from companion.errors import SpdeskError
from companion.pairing import PairingStore
from companion.storage import StorageUnusable, check_writable

# Less free space than this on the data disk is worth saying before a write fails.
LOW_DISK = 20 * 2**20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``spdesk doctor``."""
    parser.add_argument("--offline", action="store_true", help="do not contact Amazon")


def _line(ok: bool | None, topic: str, text: str) -> None:
    mark = {True: "ok  ", False: "FAIL", None: "info"}[ok]
    print(f"[{mark}] {topic:<10} {text}")


def port_state(settings: Settings) -> tuple[bool, str]:
    """Whether this installation's companion answers, the port is free, or something else has it."""
    check = find_companion(settings)
    where = f"127.0.0.1:{check.port}"
    if check.state is PortState.OURS:
        return True, f"this installation's companion answers on {where}"
    if check.state is PortState.FREE:
        return True, f"port {check.port} is free (start the companion with 'spdesk serve')"
    if check.state is PortState.OTHER_SPDESK:
        return False, (
            f"a spdesk that is not this installation's answers on {where} (another user's, the "
            "demo's, or a program posing as spdesk): stop it, or run this one on another port "
            "(spdesk serve --port N)"
        )
    return False, f"port {check.port} is used by another program: pick another with --port"


def _check_keyring() -> bool:
    try:
        _line(True, "keyring", keyring_backend_name())
        return True
    except SpdeskError as exc:
        _line(False, "keyring", exc.message)
        return False


def _check_accounts(store: AccountStore, keyring_ok: bool, offline: bool) -> bool:
    accounts = store.list()
    if not accounts:
        _line(False, "accounts", "none yet: add one with 'spdesk account add'")
        return False
    ok = True
    default = store.default_name()
    for account in accounts:
        label = f"{account.name} ({account.region.value}: {','.join(account.marketplaces)})"
        label += " [default]" if account.name == default else ""
        if not keyring_ok:
            _line(None, "account", label)
            continue
        try:
            store.credentials(account.name)  # the secrets are still in the keyring
        except SpdeskError as exc:
            _line(False, "account", f"{label}: {exc.message}")
            ok = False
            continue
        if offline:
            _line(True, "account", f"{label}: credentials in the keyring (not tried: --offline)")
            continue
        result = asyncio.run(probe_account(store, account.name))
        _line(result.ok, "account", f"{label}: {result.message}")
        ok = ok and result.ok
    return ok


def _check_storage(settings: Settings) -> bool:
    """What `spdesk serve` needs of the disk at start-up, each said as serve would say it."""
    folder, journal = settings.data_dir, settings.data_dir / JOURNAL_FILE
    try:
        settings.make_private_dirs()
        check_writable(folder)
        free = shutil.disk_usage(folder).free
        if free < LOW_DISK:
            _line(
                False,
                "disk",
                f"The disk holding {folder} is almost full ({free // 2**20} "
                "MiB free). Free some space before spdesk needs it.",
            )
            return False
        _line(True, "disk", f"{folder} is writable ({free // 2**20} MiB free)")
        if journal.exists():
            count = check_journal(journal)
            behind = journal_behind(settings)
            if behind is not None:
                _line(False, "journal", behind.message)
                return False
            _line(True, "journal", f"{journal}: {count} action(s), intact, nothing lost")
    except StorageUnusable as exc:
        _line(False, "storage", exc.message)
        return False
    return True


def _check_pairings(settings: Settings) -> bool:
    try:
        pairings = PairingStore.for_settings(settings).list()
    except StorageUnusable as exc:
        _line(False, "paired", exc.message)
        return False
    for pairing in pairings:
        _line(True, "paired", describe(pairing))
    if not pairings:
        _line(None, "paired", "no browser extension yet: run 'spdesk pair'")
    return True


def run(args: argparse.Namespace) -> int:
    """Run ``spdesk doctor``; exit 1 when something needs attention."""
    settings = Settings.load()
    _line(None, "spdesk", f"{__version__}; config {settings.config_dir}; data {settings.data_dir}")
    storage_ok = _check_storage(settings)
    keyring_ok = _check_keyring()
    port_ok, port_text = port_state(settings) if storage_ok else (False, "not checked")
    _line(port_ok, "port", port_text)
    accounts_ok = _check_accounts(AccountStore(settings), keyring_ok, args.offline)
    pairings_ok = storage_ok and _check_pairings(settings)
    healthy = storage_ok and pairings_ok and keyring_ok and port_ok and accounts_ok
    print("All good." if healthy else "Some checks need attention (see FAIL above).")
    return 0 if healthy else 1
