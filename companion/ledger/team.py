"""The team in the ledger: members and roles, refund limits, accounts, companions, settings.

Agent names are how the team knows who did what; roles say who may approve; limits are per agent
and currency (amounts are never converted). What counts against a per-day limit is an agent's
refunds of the last 24 hours that may move money (everything but failed ones) and that no approver
took on (approved or awaiting approval), read and decided under the agent's advisory lock inside
the transaction that records the refund.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from psycopg.types.json import Jsonb

from companion.actions.record import ApprovalWhy, money
from companion.errors import BadRequest, NotFound
from companion.ledger.keys import agent_lock
from companion.ledger.link import Conn, LedgerLink
from companion.marketplaces import all_marketplaces

Role = Literal["agent", "approver"]
ROLES: tuple[Role, ...] = ("agent", "approver")
DECIMALS = {m.currency: m.decimals for m in all_marketplaces()}
APPROVAL_TTL = "approval_ttl_seconds"
DEFAULT_APPROVAL_TTL = 8 * 3600


@dataclass(frozen=True)
class Limit:
    """How much one agent may refund in one currency without an approver (None: no cap)."""

    currency: str
    per_refund: Decimal | None
    per_day: Decimal | None


@dataclass(frozen=True)
class Member:
    """One agent of the team."""

    agent: str
    role: Role
    joined_at: datetime
    limits: tuple[Limit, ...]


def check_agent(name: str) -> str:
    """An agent name as stored: trimmed, 1 to 200 characters, printable."""
    agent = name.strip()
    if not agent or len(agent) > 200 or not agent.isprintable():
        raise BadRequest(
            "The agent name must be 1 to 200 printable characters (for example 'Maria').",
            code="agent_invalid",
        )
    return agent


def parse_limit(text: str | None, currency: str) -> Decimal | None:
    """A limit amount: plain digits with at most the currency's decimals, or None (no cap)."""
    if text is None or text.strip().lower() in ("", "none"):
        return None
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        amount = Decimal(-1)
    places = DECIMALS[currency]
    if (
        not amount.is_finite()
        or amount < 0
        or amount != amount.quantize(Decimal(1).scaleb(-places))
    ):
        raise BadRequest(
            f"A limit must be an amount like {'100' if places == 0 else '100.00'} in {currency}.",
            code="limit_invalid",
            params={"currency": currency},
        )
    return amount


def check_currency(code: str) -> str:
    """An ISO code of a currency some Amazon marketplace uses."""
    currency = code.strip().upper()
    if currency not in DECIMALS:
        raise BadRequest(
            f"{code!r} is not a currency of an Amazon marketplace spdesk knows "
            f"({', '.join(sorted(DECIMALS))}).",
            code="currency_invalid",
            params={"text": code},
        )
    return currency


class TeamStore:
    """Members, limits and team settings of one ledger (the CLI's and the engine's view)."""

    def __init__(self, link: LedgerLink) -> None:
        self.link = link

    async def join(self, agent: str) -> Member:
        """Add the agent as a member (role agent) unless it is one already."""
        name = check_agent(agent)
        await self.link.run(
            lambda conn: conn.execute(
                "INSERT INTO members (agent) VALUES (%s) ON CONFLICT (agent) DO NOTHING", (name,)
            )
        )
        return await self.member(name)

    async def members(self) -> list[Member]:
        """Every member with their limits, by name."""

        async def work(conn: Conn) -> list[Member]:
            rows = await (
                await conn.execute("SELECT agent, role, joined_at FROM members ORDER BY agent")
            ).fetchall()
            limits = await (
                await conn.execute(
                    "SELECT agent, currency, per_refund, per_day FROM limits ORDER BY currency"
                )
            ).fetchall()
            return [
                Member(
                    agent,
                    role,
                    joined,
                    tuple(Limit(c, r, d) for who, c, r, d in limits if who == agent),
                )
                for agent, role, joined in rows
            ]

        return await self.link.run(work)

    async def member(self, agent: str) -> Member:
        """One member, or NotFound with the way to add them."""
        for found in await self.members():
            if found.agent == agent:
                return found
        raise NotFound(
            f"{agent!r} is not a member of this team. They join with "
            f"'spdesk team join DSN --agent \"{agent}\"'.",
            code="member_not_found",
            params={"agent": agent},
        )

    async def set_role(self, agent: str, role: Role, *, by: str) -> Member:
        """Make a member an approver or a plain agent."""
        if role not in ROLES:
            raise BadRequest("The role must be 'agent' or 'approver'.", code="role_invalid")
        await self._change(
            "UPDATE members SET role = %s, updated_at = now(), updated_by = %s WHERE agent = %s",
            (role, by, agent),
            agent,
        )
        return await self.member(agent)

    async def set_limit(
        self,
        agent: str,
        currency: str,
        per_refund: Decimal | None,
        per_day: Decimal | None,
        *,
        by: str,
    ) -> Member:
        """Set (or with both None, remove) an agent's limits in one currency."""
        await self.member(agent)
        if per_refund is None and per_day is None:
            sql = "DELETE FROM limits WHERE agent = %s AND currency = %s"
            params: tuple[Any, ...] = (agent, currency)
        else:
            sql = (
                "INSERT INTO limits (agent, currency, per_refund, per_day, updated_by) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (agent, currency) DO UPDATE SET "
                "per_refund = excluded.per_refund, per_day = excluded.per_day, "
                "updated_at = now(), updated_by = excluded.updated_by"
            )
            params = (agent, currency, per_refund, per_day, by)
        await self.link.run(lambda conn: conn.execute(sql, params))
        return await self.member(agent)

    async def _change(self, sql: str, params: tuple[Any, ...], agent: str) -> None:
        cursor = await self.link.run(lambda conn: conn.execute(sql, params))
        if cursor.rowcount == 0:
            await self.member(agent)  # raises the NotFound that explains

    async def setting(self, key: str, default: str) -> str:
        """A team-wide setting."""

        async def work(conn: Conn) -> str:
            cursor = await conn.execute("SELECT value FROM team_settings WHERE key = %s", (key,))
            row = await cursor.fetchone()
            return str(row[0]) if row else default

        return await self.link.run(work)

    async def set_setting(self, key: str, value: str) -> None:
        """Change a team-wide setting."""
        await self.link.run(
            lambda conn: conn.execute(
                "INSERT INTO team_settings (key, value) VALUES (%s, %s) ON CONFLICT (key) "
                "DO UPDATE SET value = excluded.value, updated_at = now()",
                (key, value),
            )
        )

    async def record_account(
        self, name: str, region: str, marketplaces: list[str], seller_id: str | None, *, by: str
    ) -> None:
        """Record a seller account's non-secret metadata (never its credentials)."""
        await self.link.run(
            lambda conn: conn.execute(
                "INSERT INTO accounts (name, region, marketplaces, seller_id, recorded_by) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
                "region = excluded.region, marketplaces = excluded.marketplaces, "
                "seller_id = excluded.seller_id, recorded_at = now(), "
                "recorded_by = excluded.recorded_by",
                (name, region, Jsonb(marketplaces), seller_id, by),
            )
        )

    async def heartbeat(self, companion_id: str, agent: str, version: str) -> None:
        """Say this companion is alive (team status shows who is online)."""
        await self.link.run(
            lambda conn: conn.execute(
                "INSERT INTO companions (id, agent, host, version, started_at, last_seen_at) "
                "VALUES (%s, %s, %s, %s, now(), now()) ON CONFLICT (id) DO UPDATE SET "
                "last_seen_at = now()",
                (companion_id, agent, socket.gethostname(), version),
            )
        )


async def over_limit(conn: Conn, agent: str, currency: str, amount: Decimal) -> ApprovalWhy | None:
    """Why this refund needs an approver, or None; call inside the transaction that records it.

    Takes the agent's advisory lock, so two refunds of one agent on two companions cannot both
    fit under the per-day limit that only one of them fits under.
    """
    await conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", agent_lock(agent))
    rows = await (
        await conn.execute(
            "SELECT currency, per_refund, per_day FROM limits WHERE agent = %s", (agent,)
        )
    ).fetchall()
    if not rows:
        return None  # no limits set for this agent: the team lead has not capped them
    limit = next((Limit(*row) for row in rows if row[0] == currency), None)
    if limit is None:
        return ApprovalWhy(
            f"{agent} has no refund limit in {currency}",
            "over_limit",
            {"case": "no_limit", "agent": agent, "currency": currency},
        )
    whose = {"agent": agent, "currency": currency}
    if limit.per_refund is not None and amount > limit.per_refund:
        return ApprovalWhy(
            f"over {agent}'s limit of {limit.per_refund} {currency} per refund",
            "over_limit",
            {"case": "per_refund", "limit": money(limit.per_refund), **whose},
        )
    if limit.per_day is None:
        return None
    spent = await _refunded_today(conn, agent, currency)
    if spent + amount > limit.per_day:
        return ApprovalWhy(
            f"over {agent}'s limit of {limit.per_day} {currency} per day "
            f"({spent} {currency} refunded in the last 24 hours)",
            "over_limit",
            {"case": "per_day", "limit": money(limit.per_day), "spent": money(spent), **whose},
        )
    return None


async def _refunded_today(conn: Conn, agent: str, currency: str) -> Decimal:
    """What counts against the agent's per-day limit now, in the currency's decimals."""
    cursor = await conn.execute(
        "SELECT coalesce(sum(total), 0) FROM actions a WHERE agent = %s AND kind = 'refund' "
        "AND currency = %s AND state <> 'failed' AND created_at > now() - interval '24 hours' "
        "AND NOT EXISTS (SELECT 1 FROM approvals p WHERE p.action_id = a.id)",
        (agent, currency),
    )
    row = await cursor.fetchone()
    spent = Decimal(row[0]) if row else Decimal(0)
    return spent.quantize(Decimal(1).scaleb(-DECIMALS[currency]))
