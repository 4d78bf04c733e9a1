"""``spdesk pair``: show a one-time pairing code, list or revoke paired extensions."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import urllib.error
import urllib.request

from companion.config import DEMO_PROFILE, Settings
from companion.pairing import Pairing, PairingStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``spdesk pair``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--list", action="store_true", help="list paired extensions")
    group.add_argument("--revoke", metavar="ID", help="revoke one pairing (see --list)")
    group.add_argument(
        "--all", "--revoke-all", dest="revoke_all", action="store_true", help="revoke every pairing"
    )
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


def companion_answers(port: int) -> bool:
    """True when a spdesk companion answers /v1/health on 127.0.0.1:``port``."""
    url = f"http://127.0.0.1:{port}/v1/health"
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return bool(json.loads(response.read()).get("service") == "spdesk-companion")
    except (OSError, ValueError, urllib.error.URLError):
        return False


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
        print(f"Revoked {store.revoke_all()} pairing(s).")
        return 0
    code = store.new_code()
    minutes = int(settings.pairing_code_ttl // 60)
    print(f"Pairing code: {code}\n")
    print(
        f"Enter it in the spdesk extension's options page within {minutes} minutes. "
        "It works once; a new 'spdesk pair' replaces it."
    )
    if not companion_answers(settings.port):
        print(
            f"\nNote: no companion answers on 127.0.0.1:{settings.port} yet. "
            "Start it with 'spdesk serve' before entering the code."
        )
    return 0
