"""Ledger notifications on a real PostgreSQL server: committed changes only, in order, resets."""

from __future__ import annotations

import asyncio
from contextlib import suppress

import psycopg

from companion.ledger.link import LinkSettings
from companion.ledger.notify import ACTIONS_CHANNEL, Listener
from tests.plugins.actions import eventually
from tests.plugins.postgres import LedgerDb


async def test_listeners_see_committed_changes_in_commit_order_and_reset_after_a_loss(
    ledger_db: LedgerDb,
) -> None:
    seen: list[str] = []
    resets: list[int] = []

    async def on_action(payload: str) -> None:
        seen.append(payload)

    async def on_reset() -> None:
        resets.append(len(seen))

    link = LinkSettings(dsn=ledger_db.dsn, timeout=0.5, application_name="spdesk listener")
    listener = Listener(link, {ACTIONS_CHANNEL: on_action}, on_reset, probe_every=0.2)
    task = asyncio.create_task(listener.run())
    try:
        await asyncio.wait_for(listener.connected.wait(), 5)
        async with await psycopg.AsyncConnection.connect(ledger_db.dsn) as writer:
            await writer.execute("SELECT pg_notify(%s, 'rolled-back')", (ACTIONS_CHANNEL,))
            await writer.rollback()
            for n in range(5):
                await writer.execute("SELECT pg_notify(%s, %s)", (ACTIONS_CHANNEL, f"a{n}"))
                await writer.commit()
        await eventually(lambda: len(seen) == 5, within=2)
        assert seen == ["a0", "a1", "a2", "a3", "a4"] and resets == [0]
        ledger_db.cluster.terminate(ledger_db.name)
        await eventually(lambda: len(resets) == 2, within=3)
        async with await psycopg.AsyncConnection.connect(ledger_db.dsn, autocommit=True) as c:
            await c.execute("SELECT pg_notify(%s, 'after')", (ACTIONS_CHANNEL,))
        await eventually(lambda: seen[-1:] == ["after"], within=2)
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
