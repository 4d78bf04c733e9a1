"""``spdesk serve``: run the companion on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from companion.accounts import AccountStore, keyring_backend_name
from companion.commands.reach import PortState, check_port
from companion.config import Settings
from companion.errors import KeyringUnavailable, SpdeskError
from companion.identity import load_identity
from companion.keys import PAIRINGS
from companion.server import RunningCompanion, start_companion, stop_signals

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``spdesk serve``."""
    parser.add_argument("--port", type=int, help="port on 127.0.0.1 (default 8765)")
    parser.add_argument(
        "--ledger",
        metavar="DSN",
        help="the team ledger, postgresql://USER@HOST:PORT/DB (overrides settings.json)",
    )


async def serve(settings: Settings) -> None:
    """Start the companion, say where it listens, run until asked to stop."""
    if settings.port and await asyncio.to_thread(_ours_answers, settings):
        raise SpdeskError(
            f"spdesk is already running on 127.0.0.1:{settings.port}.",
            code="already_running",
            params={"port": settings.port},
        )
    store = AccountStore(settings)
    async with stop_signals() as stop:
        server = await start_companion(settings, store=store)
        try:
            _greet(server, store, settings)
            await stop.wait()
        finally:
            await server.stop()
            print("spdesk companion stopped.", flush=True)


def _ours_answers(settings: Settings) -> bool:
    identity = load_identity(settings.data_dir)
    return check_port(settings.port, identity).state is PortState.OURS


def _greet(server: RunningCompanion, store: AccountStore, settings: Settings) -> None:
    """Say where the companion listens and what to set up next: account, keyring, pairing."""
    accounts = store.list()
    print(f"spdesk companion listening on {server.url}", flush=True)
    if not accounts:
        print("No seller account yet: add one with 'spdesk account add'.", flush=True)
    else:
        try:
            keyring_backend_name()
        except KeyringUnavailable as exc:
            print(f"Warning: {exc.message}", flush=True)
    pairings = server.app[PAIRINGS]
    if pairings.list():
        return
    if not sys.stdout.isatty():
        # Standard output is a log here (systemd's journal, a file): a code must not stay there.
        print("No browser is paired yet: run 'spdesk pair' for a pairing code.", flush=True)
        return
    code = pairings.new_code()
    minutes = int(settings.pairing_code_ttl // 60)
    print(
        f"No browser is paired yet. Pairing code: {code} (valid {minutes} minutes; "
        "'spdesk pair' makes a new one)",
        flush=True,
    )


def run(args: argparse.Namespace) -> int:
    """Run ``spdesk serve``."""
    asyncio.run(serve(Settings.load(port=args.port, ledger=args.ledger)))
    return 0
