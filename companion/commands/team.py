"""``spdesk team``: set up a shared ledger, join it, and manage members, limits and approvals.

Every sub-command talks to the ledger directly (a running companion is not needed). Names are
fixed so scripts can drive them: ``init``, ``join``, ``status``, ``members``, ``limit``,
``role``, ``approve``, ``reject``. See docs/team.md.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg

from companion.config import Settings
from companion.errors import SpdeskError
from companion.ledger import status as team_status
from companion.ledger.approvals import Approvals, Decision
from companion.ledger.dsn import check_dsn, describe
from companion.ledger.errors import LedgerUnavailable
from companion.ledger.journal import PostgresJournal
from companion.ledger.link import LedgerLink, LinkSettings
from companion.ledger.migrate import check_version, migrate
from companion.ledger.scope import Transactions
from companion.ledger.secret import ledger_password, store_ledger_password
from companion.ledger.setup import initialise
from companion.ledger.team import (
    APPROVAL_TTL,
    ROLES,
    TeamStore,
    check_agent,
    check_currency,
    parse_limit,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sub-commands of ``spdesk team``."""
    sub = parser.add_subparsers(dest="team_command", metavar="SUBCOMMAND", required=True)
    init = sub.add_parser("init", help="create or upgrade the ledger; import this journal once")
    init.add_argument("dsn", metavar="DSN", help="postgresql://USER@HOST:PORT/DB (no password)")
    init.add_argument("--agent", help="also join the team as this agent")
    init.add_argument("--approval-hours", type=float, help="how long approvals stay open")
    _password_option(init)
    join = sub.add_parser("join", help="use the team ledger from this companion")
    join.add_argument("dsn", metavar="DSN")
    join.add_argument("--agent", required=True, help="your name as the team sees it")
    _password_option(join)
    sub.add_parser("status", help="the ledger, the feed builder, companions, waiting work")
    sub.add_parser("members", help="members, roles and limits")
    limit = sub.add_parser("limit", help="cap what an agent refunds without an approver")
    limit.add_argument("agent", metavar="AGENT")
    limit.add_argument("--per-refund", metavar="AMOUNT", help="largest single refund ('none')")
    limit.add_argument("--per-day", metavar="AMOUNT", help="refunds in 24 hours ('none')")
    limit.add_argument("--currency", required=True, help="e.g. USD; limits are per currency")
    role = sub.add_parser("role", help="make a member an approver or a plain agent")
    role.add_argument("agent", metavar="AGENT")
    role.add_argument("role", choices=ROLES)
    for verdict in ("approve", "reject"):
        decide = sub.add_parser(verdict, help=f"{verdict} a refund waiting for approval")
        decide.add_argument("action", metavar="ACTION", help="the action id (act_…)")
        decide.add_argument("--by", required=True, metavar="NAME", help="the approver")
        decide.add_argument("--note", default="", help="why, for the agent and the audit")


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the database password from standard input (kept in the keyring)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``spdesk team …``."""
    settings = Settings.load()
    handler = {
        "init": _init,
        "join": _join,
        "status": _status,
        "members": _members,
        "limit": _limit,
        "role": _role,
        "approve": _decide,
        "reject": _decide,
    }[args.team_command]
    return asyncio.run(handler(settings, args))


# -- reaching the ledger ---------------------------------------------------------------------
async def _reachable(settings: Settings, dsn: str, from_stdin: bool) -> LinkSettings:
    """The link settings of a ledger that answers, asking for and keeping its password."""
    password = sys.stdin.readline().rstrip("\n") if from_stdin else None
    password = password or ledger_password(settings.keyring_service, dsn)
    link = LinkSettings(dsn=dsn, password=password, timeout=settings.ledger_timeout)
    try:
        await _probe(link)
    except psycopg.OperationalError as exc:
        if "password" not in str(exc) or password or not sys.stdin.isatty():
            raise _unreachable(dsn, exc) from None
        link = LinkSettings(dsn=dsn, password=getpass.getpass(f"Password for {describe(dsn)}: "))
        try:
            await _probe(link)
        except psycopg.OperationalError as again:
            raise _unreachable(dsn, again) from None
    if link.password and link.password != ledger_password(settings.keyring_service, dsn):
        store_ledger_password(settings.keyring_service, dsn, link.password)
    return link


async def _probe(link: LinkSettings) -> None:
    # libpq's own error text says what is wrong (no password, wrong host …); connect_timeout
    # bounds the wait.
    conn = await psycopg.AsyncConnection.connect(link.dsn, **link.connect_kwargs())
    await conn.close()


def _unreachable(dsn: str, exc: Exception) -> SpdeskError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return LedgerUnavailable(
        f"spdesk cannot reach the ledger at {describe(dsn)}: {reason}",
        details={"ledger": describe(dsn)},
    )


@asynccontextmanager
async def _ledger(settings: Settings) -> AsyncIterator[tuple[LedgerLink, TeamStore]]:
    """The configured ledger, checked to have this spdesk's schema."""
    if not settings.ledger:
        raise SpdeskError(
            "This companion is not in a team. Join one with 'spdesk team join DSN --agent NAME'.",
            code="not_in_team",
        )
    link = LedgerLink(await _reachable(settings, check_dsn(settings.ledger), False))
    await link.open()
    try:
        await link.run(check_version)
        yield link, TeamStore(link)
    finally:
        await link.close()


def _me(settings: Settings) -> str:
    return settings.agent or "(unknown agent)"


# -- sub-commands ----------------------------------------------------------------------------
async def _init(settings: Settings, args: argparse.Namespace) -> int:
    dsn = check_dsn(args.dsn)
    link = LedgerLink(await _reachable(settings, dsn, args.password_stdin))
    await link.open()
    try:
        applied = await link.run(migrate, seconds=60.0)
        print(
            f"Ledger {describe(dsn)}: schema "
            + (f"upgraded ({applied})" if applied else "up to date")
        )
        agent = check_agent(args.agent) if args.agent else settings.agent or "team init"
        for line in await initialise(settings, link, by=agent):
            print(line)
        if args.approval_hours is not None:
            await TeamStore(link).set_setting(APPROVAL_TTL, str(int(args.approval_hours * 3600)))
    finally:
        await link.close()
    if args.agent:
        return await _join_as(settings, dsn, args.agent, False)
    return 0


async def _join(settings: Settings, args: argparse.Namespace) -> int:
    return await _join_as(settings, check_dsn(args.dsn), args.agent, args.password_stdin)


async def _join_as(settings: Settings, dsn: str, agent: str, from_stdin: bool) -> int:
    link = LedgerLink(await _reachable(settings, dsn, from_stdin))
    await link.open()
    try:
        await link.run(check_version)
        member = await TeamStore(link).join(agent)
    finally:
        await link.close()
    settings.save(ledger=dsn, agent=member.agent)
    print(f"This companion now works for {member.agent} ({member.role}) on {describe(dsn)}.")
    print("Restart the companion to use the ledger: systemctl --user restart spdesk")
    return 0


async def _status(settings: Settings, args: argparse.Namespace) -> int:
    async with _ledger(settings) as (link, _):
        for line in await team_status.report(link, settings):
            print(line)
    return 0


async def _members(settings: Settings, args: argparse.Namespace) -> int:
    async with _ledger(settings) as (_, team):
        print(team_status.members_table(await team.members()))
    return 0


async def _limit(settings: Settings, args: argparse.Namespace) -> int:
    currency = check_currency(args.currency)
    per_refund = parse_limit(args.per_refund, currency)
    per_day = parse_limit(args.per_day, currency)
    async with _ledger(settings) as (_, team):
        member = await team.set_limit(args.agent, currency, per_refund, per_day, by=_me(settings))
    print(team_status.members_table([member]))
    return 0


async def _role(settings: Settings, args: argparse.Namespace) -> int:
    async with _ledger(settings) as (_, team):
        member = await team.set_role(args.agent, args.role, by=_me(settings))
    print(f"{member.agent} is now {'an approver' if member.role == 'approver' else 'an agent'}.")
    return 0


async def _decide(settings: Settings, args: argparse.Namespace) -> int:
    verdict = "approved" if args.team_command == "approve" else "rejected"
    async with _ledger(settings) as (link, _):
        approvals = Approvals(PostgresJournal(Transactions(link)))
        action = await approvals.decide(args.action, Decision(verdict, args.by, args.note))
    print(f"{action.id} ({action.total} {action.currency}, order {action.order_id}): {verdict}.")
    return 0
