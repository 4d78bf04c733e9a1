"""The ``spdesk`` command line: one sub-command per module, each with add_arguments() and run()."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from types import ModuleType

from companion import __version__
from companion.errors import SpdeskError

# name -> (module, one-line help). Each module defines add_arguments(parser) and run(args) -> int.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("companion.commands.serve", "run the companion on 127.0.0.1"),
    "sandbox": ("companion.sandbox.cli", "run the local Amazon SP-API sandbox"),
    "demo": ("companion.commands.demo", "run sandbox, companion and a demo helpdesk together"),
    "account": ("companion.commands.account", "add, list, remove or test seller accounts"),
    "pair": ("companion.commands.pair", "pair a browser extension, or revoke a pairing"),
    "doctor": ("companion.commands.doctor", "check keyring, ports, accounts, pairings and Amazon"),
    "audit": ("companion.actions.audit_cli", "export the audit trail of refunds and cancellations"),
    "action": ("companion.actions.action_cli", "list actions, resolve unknown ones"),
    "team": ("companion.commands.team", "share one ledger with a support team (PostgreSQL)"),
}


def _load(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS[name][0])


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every sub-command's own arguments."""
    parser = argparse.ArgumentParser(
        prog="spdesk",
        description="Refunds and cancellations of Amazon orders from inside your helpdesk.",
    )
    parser.add_argument("--version", action="version", version=f"spdesk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        _load(name).add_arguments(sub_parser)
    return parser


def main(*argv: str) -> int:
    """Entry point; takes its arguments so tests can call it directly."""
    args_in: Sequence[str] = argv or tuple(sys.argv[1:])
    parser = build_parser()
    args = parser.parse_args(args_in)
    if not args.command:
        parser.print_help()
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # python-amazon-sp-api logs request headers (the access token) at DEBUG: never let it.
    for noisy in ("sp_api", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(_load(args.command).run(args) or 0)
    except SpdeskError as exc:
        print(f"spdesk: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
