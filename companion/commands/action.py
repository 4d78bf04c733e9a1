"""``spdesk action``: list refunds and cancellations, and record what a person found in Amazon."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from companion.actions.models import ActionState
from companion.actions.ports import ActionQuery, Ledger
from companion.actions.record import Action, money
from companion.actions.resolve import resolve_action
from companion.config import DEMO_PROFILE, Settings
from companion.errors import SpdeskError
from companion.ledger.factory import opened
from companion.vocabulary import check_order_id

_HEADER = ("ACTION", "CONFIRMATION", "KIND", "STATE", "ORDER", "TOTAL", "AGENT", "REQUESTED")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``spdesk action``."""
    demo = argparse.ArgumentParser(add_help=False)
    demo.add_argument(
        "--demo", action="store_true", help="the journal of 'spdesk demo' (its own profile)"
    )
    sub = parser.add_subparsers(dest="action_command", metavar="COMMAND", required=True)
    listing = sub.add_parser(
        "list", help="list refunds and cancellations, newest first", parents=[demo]
    )
    listing.add_argument(
        "--state",
        choices=[s.value for s in ActionState],
        help="only actions in this state (e.g. unknown: to check in Amazon)",
    )
    listing.add_argument("--order", metavar="ID", help="only this Amazon order id")
    listing.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text table (default) or json (full action objects)",
    )
    resolve = sub.add_parser(
        "resolve",
        parents=[demo],
        help="record whether Amazon applied an action whose outcome is unknown",
        description="After checking the order in Seller Central, record whether Amazon applied "
        "an action spdesk could not confirm (state unknown).",
    )
    resolve.add_argument("action_id", metavar="ACTION_ID")
    finding = resolve.add_mutually_exclusive_group(required=True)
    finding.add_argument(
        "--applied",
        action="store_true",
        help="Amazon shows the refund or cancellation: it becomes succeeded",
    )
    finding.add_argument(
        "--not-applied",
        action="store_true",
        help="Amazon does not show it: it becomes failed (nothing is resent)",
    )
    resolve.add_argument("--by", required=True, metavar="NAME", help="who checked Amazon")
    resolve.add_argument("--note", default="", metavar="TEXT", help="what was seen, for the audit")


async def list_actions(ledger: Ledger, state: str | None, order: str | None) -> list[Action]:
    """Actions by state and/or order, newest first."""
    if order:
        check_order_id(order)
    states = frozenset({ActionState(state)}) if state else None
    return await ledger.find(ActionQuery(states=states, order_id=order))


def table(actions: list[Action]) -> str:
    """The actions as an aligned text table."""
    rows = [
        _HEADER,
        *[
            (
                a.id,
                a.confirmation,
                a.kind,
                str(a.state),
                a.order_id,
                f"{money(a.total)} {a.currency}",
                a.agent or "-",
                a.created_at,
            )
            for a in actions
        ],
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    return "".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in rows
    )


def run(args: argparse.Namespace) -> int:
    """Run ``spdesk action list`` or ``spdesk action resolve``."""
    try:
        action = asyncio.run(_run(args))
    except SpdeskError as exc:
        print(f"spdesk: {exc.message} [{exc.code}]", file=sys.stderr)
        return exc.exit_status
    if action is None:
        return 0
    print(
        f"Action {action.id} ({action.confirmation}) is now {action.state}: "
        f"{action.history[-1].detail or ''}"
    )
    return 0


async def _run(args: argparse.Namespace) -> Action | None:
    settings = Settings.profile(DEMO_PROFILE) if args.demo else Settings.load()
    async with opened(settings) as ledger:
        if args.action_command == "list":
            found = await list_actions(ledger, args.state, args.order)
            sys.stdout.write(
                json.dumps({"actions": [a.to_json() for a in found]}, indent=2) + "\n"
                if args.format == "json"
                else table(found)
            )
            return None
        return await resolve_action(
            ledger, args.action_id, applied=args.applied, by=args.by, note=args.note
        )
