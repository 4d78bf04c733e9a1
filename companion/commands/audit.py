"""``spdesk audit export``: the audit trail per order or date range, as CSV or JSON."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from companion.actions.audit import parse_bound, select, to_csv, to_json
from companion.config import DEMO_PROFILE, Settings
from companion.errors import SpdeskError
from companion.ledger.factory import opened
from companion.vocabulary import check_order_id


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``spdesk audit``."""
    sub = parser.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    export = sub.add_parser("export", help="export refunds and cancellations with their evidence")
    export.add_argument(
        "--demo", action="store_true", help="the journal of 'spdesk demo' (its own profile)"
    )
    export.add_argument("--order", metavar="ID", help="only this Amazon order id")
    export.add_argument("--since", metavar="DATE", help="requested on or after (YYYY-MM-DD or ISO)")
    export.add_argument("--until", metavar="DATE", help="requested before the end of this date")
    export.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="csv (default, one row per action) or json (with full history)",
    )
    export.add_argument("--output", metavar="FILE", help="write here instead of standard output")


async def export(
    settings: Settings, *, order: str | None, since: str | None, until: str | None, fmt: str
) -> str:
    """The export as text: every agent's actions when the companion is in a team."""
    if order:
        check_order_id(order)
    bounds = (parse_bound(since), parse_bound(until, end=True))
    async with opened(settings) as ledger:
        actions = await select(ledger, order, *bounds)
    return to_json(actions) if fmt == "json" else to_csv(actions)


def run(args: argparse.Namespace) -> int:
    """Run ``spdesk audit export``."""
    try:
        settings = Settings.profile(DEMO_PROFILE) if args.demo else Settings.load()
        text = asyncio.run(
            export(
                settings,
                order=args.order,
                since=args.since,
                until=args.until,
                fmt=args.format,
            )
        )
    except SpdeskError as exc:
        print(f"spdesk: {exc.message}", file=sys.stderr)
        return exc.exit_status
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"Audit trail written to {args.output}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
