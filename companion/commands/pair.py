"""``spdesk pair``: show a one-time pairing code, list or revoke paired extensions."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from companion.commands.reach import PortState, find_companion
from companion.config import DEMO_PROFILE, Settings
from companion.errors import BadRequest
from companion.pairing import Pairing, PairingStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``spdesk pair``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--list", action="store_true", help="list paired extensions")
    group.add_argument("--revoke", metavar="ID", help="revoke one pairing (see --list)")
    group.add_argument(
        "--all",
        "--revoke-all",
        dest="revoke_all",
        action="store_true",
        help="revoke every pairing (asks first)",
    )
    parser.add_argument("--yes", action="store_true", help="with --all: do not ask (for scripts)")
    parser.add_argument(
        "--demo", action="store_true", help="pair with the companion of a running 'spdesk demo'"
    )


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "never"
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def describe(pairing: Pairing) -> str:
    """One line per pairing, for --list and doctor."""
    return (
        f"{pairing.id}  {pairing.label:<24} {pairing.origin}  "
        f"paired {_when(pairing.created_at)}, last used {_when(pairing.last_seen_at)}"
    )


def _confirmed(count: int, yes: bool) -> bool:
    """Whether to revoke every pairing: --yes, or a person at a terminal says so."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise BadRequest(
            "spdesk pair --all revokes every paired browser; add --yes to do it without a "
            "question (from a script), or run it in a terminal.",
            code="confirmation_required",
        )
    answer = input(f"Revoke all {count} pairing(s)? Every paired browser must pair again. [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _revoke_all(store: PairingStore, yes: bool) -> int:
    count = len(store.list())
    if count == 0:
        print("No browser extension is paired.")
        return 0
    if not _confirmed(count, yes):
        print("Nothing was revoked.")
        return 1
    print(f"Revoked {store.revoke_all()} pairing(s).")
    return 0


def _where(settings: Settings, demo: bool) -> str:
    """Which companion the new code is for, and whether it answers there."""
    check = find_companion(settings)
    start = "spdesk demo" if demo else "spdesk serve"
    if check.state is PortState.OURS:
        return (
            f"The code is for the companion at {check.address}: the extension must be "
            "connected to that address."
        )
    if check.state is PortState.FREE:
        return (
            f"Note: no companion answers on {check.address} yet. Start it with '{start}' "
            "before entering the code."
        )
    if check.state is PortState.OTHER_SPDESK:
        return (
            f"Warning: the spdesk answering on {check.address} is not this one (another "
            "user's, or the demo's: 'spdesk pair --demo' pairs with the demo). The code works "
            f"only with this one: start it with '{start}' on a free port."
        )
    return (
        f"Warning: another program uses port {check.port}, so this companion cannot answer there. "
        f"Start it on a free port ('{start} --port N')."
    )


def run(args: argparse.Namespace) -> int:
    """Run ``spdesk pair``."""
    settings = Settings.profile(DEMO_PROFILE) if args.demo else Settings.load()
    store = PairingStore.for_settings(settings)
    if args.list:
        pairings = store.list()
        for pairing in pairings:
            print(describe(pairing))
        if not pairings:
            print("No browser extension is paired.")
        return 0
    if args.revoke:
        store.revoke(args.revoke)
        print(f"Revoked {args.revoke}: that browser must pair again.")
        return 0
    if args.revoke_all:
        return _revoke_all(store, args.yes)
    code = store.new_code()
    minutes = int(settings.pairing_code_ttl // 60)
    print(f"Pairing code: {code}\n")
    print(
        f"Enter it in the spdesk extension's options page within {minutes} minutes. "
        "It works once; a new 'spdesk pair' replaces it."
    )
    print(f"\n{_where(settings, args.demo)}")
    return 0
