"""The ``spdesk`` command line: one sub-command per module, each with add_arguments() and run().

Only the module of the command being run is imported, so ``spdesk pair`` or ``spdesk --help``
start without aiohttp or the SP-API client. The product's own commands are listed here. Other
packages add theirs through the ``spdesk.commands`` entry point group (the simulator's
``spdesk sandbox``, the demo's ``spdesk demo``; see pyproject.toml): each entry point names a small
module holding the command's ``HELP`` and the ``MODULE`` that implements it. The product never
names those packages, and the entry points are read only when a command is not the product's own
(or for the list of commands).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType

from companion import __version__
from companion.errors import SpdeskError

ENTRY_POINT_GROUP = "spdesk.commands"


@dataclass(frozen=True, slots=True)
class Command:
    """A sub-command: its one-line help and the module with its add_arguments() and run()."""

    help: str
    module: str

    def load(self) -> ModuleType:
        """Import the command's module (only the command being run is ever imported)."""
        return importlib.import_module(self.module)


COMMANDS: dict[str, Command] = {
    "serve": Command("run the companion on 127.0.0.1", "companion.commands.serve"),
    "account": Command("add, list, remove or test seller accounts", "companion.commands.account"),
    "pair": Command("pair a browser extension, or revoke a pairing", "companion.commands.pair"),
    "doctor": Command(
        "check keyring, ports, accounts, pairings and Amazon", "companion.commands.doctor"
    ),
    "audit": Command(
        "export the audit trail of refunds and cancellations", "companion.commands.audit"
    ),
    "action": Command("list actions, resolve unknown ones", "companion.commands.action"),
    "journal": Command(
        "verify, back up or accept a loss of the journal", "companion.commands.journal"
    ),
    "team": Command("share one ledger with a support team (PostgreSQL)", "companion.commands.team"),
}


def added_commands() -> dict[str, Command]:
    """Commands other installed packages add through the ``spdesk.commands`` entry points."""
    found: dict[str, Command] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        spec = entry.load()
        found[entry.name] = Command(str(spec.HELP), str(spec.MODULE))
    return found


def commands_for(argv: Sequence[str]) -> tuple[dict[str, Command], str | None]:
    """The commands the parser needs, and the one named in ``argv`` (None when there is none)."""
    # The options before the command take no values, so the first other word is the command.
    name = next((arg for arg in argv if not arg.startswith("-")), None)
    if name in COMMANDS:
        return {name: COMMANDS[name]}, name
    every = {**COMMANDS, **added_commands()}
    return every, name if name in every else None


def build_parser(
    commands: dict[str, Command], chosen: str | None
) -> tuple[argparse.ArgumentParser, ModuleType | None]:
    """The parser: every command's help line, and the chosen command's own arguments."""
    parser = argparse.ArgumentParser(
        prog="spdesk",
        description="Refunds and cancellations of Amazon orders from inside your helpdesk.",
    )
    parser.add_argument("--version", action="version", version=f"spdesk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    module = None
    for name, command in commands.items():
        sub_parser = sub.add_parser(name, help=command.help, description=command.help)
        if name == chosen:
            module = command.load()
            module.add_arguments(sub_parser)
    return parser, module


def _quiet_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # python-amazon-sp-api logs request headers (the access token) at DEBUG: never let it.
    for noisy in ("sp_api", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(*argv: str) -> int:
    """Entry point; takes its arguments so tests can call it directly."""
    args_in: Sequence[str] = argv or tuple(sys.argv[1:])
    commands, chosen = commands_for(args_in)
    parser, module = build_parser(commands, chosen)
    args = parser.parse_args(args_in)
    if module is None:
        parser.print_help()
        return 2
    _quiet_logging(args.verbose)
    try:
        return int(module.run(args) or 0)
    except SpdeskError as exc:
        print(f"spdesk: {exc.message}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
