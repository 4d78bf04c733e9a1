"""`spdesk team status` and `spdesk team members`: what a team lead checks first."""

from __future__ import annotations

from companion.config import Settings
from companion.ledger.dsn import describe
from companion.ledger.link import Conn, LedgerLink
from companion.ledger.migrate import current_version
from companion.ledger.team import Member

ONLINE_SECONDS = 30


async def report(link: LedgerLink, settings: Settings) -> list[str]:
    """The ledger, this companion's agent, the feed builder, companions and waiting work."""

    async def work(conn: Conn) -> list[str]:
        version = await current_version(conn)
        leader = await (
            await conn.execute(
                "SELECT holder, epoch, extract(epoch FROM now() - heartbeat_at) FROM leader "
                "WHERE name = 'feeds'"
            )
        ).fetchone()
        online = await (
            await conn.execute(
                "SELECT agent, host FROM companions WHERE last_seen_at > now() - %s * "
                "interval '1 second' ORDER BY agent",
                (ONLINE_SECONDS,),
            )
        ).fetchall()
        counts = await (
            await conn.execute(
                "SELECT count(*) FILTER (WHERE state IN ('accepted', 'queued', 'submitted', "
                "'processing')), count(*) FILTER (WHERE state = 'awaiting_approval'), "
                "count(*) FILTER (WHERE state = 'unknown') FROM actions"
            )
        ).fetchone()
        assert counts is not None
        return [
            f"Ledger:        {describe(link.settings.dsn)} (schema {version})",
            f"This agent:    {settings.agent or '(not set)'}",
            "Feed builder:  "
            + (
                f"{leader[0]} (term {leader[1]}, last heard {float(leader[2]):.0f} s ago)"
                if leader
                else "none yet (starts with the first companion)"
            ),
            f"Online:        {', '.join(f'{a} on {h}' for a, h in online) or 'no companion'}",
            f"In progress:   {counts[0]} action(s); waiting for approval: {counts[1]}; "
            f"unknown (check Seller Central): {counts[2]}",
        ]

    return await link.run(work)


def members_table(members: list[Member]) -> str:
    """Members with their role and limits, one line each."""
    lines = [f"{'AGENT':<24} {'ROLE':<9} LIMITS"]
    for member in members:
        limits = "; ".join(
            f"{x.currency}: {x.per_refund if x.per_refund is not None else 'any'} per refund, "
            f"{x.per_day if x.per_day is not None else 'any'} per day"
            for x in member.limits
        )
        lines.append(f"{member.agent:<24} {member.role:<9} {limits or 'none'}")
    return "\n".join(lines)
