"""The test plugin's PostgreSQL helpers do what the team-mode tests rely on."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from tests.plugins.postgres import LedgerDb, LinkProxy


async def _count(dsn: str) -> int:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        cursor = await conn.execute("SELECT count(*) FROM members")
        row = await cursor.fetchone()
        assert row is not None
        return int(row[0])


async def test_each_test_gets_its_own_migrated_database(ledger_db: LedgerDb) -> None:
    async with await psycopg.AsyncConnection.connect(ledger_db.dsn, autocommit=True) as conn:
        await conn.execute("INSERT INTO members (agent) VALUES ('ann')")
    assert await _count(ledger_db.dsn) == 1
    other = ledger_db.cluster.create_database()
    try:
        assert await _count(ledger_db.cluster.dsn(other)) == 0
    finally:
        ledger_db.cluster.drop_database(other)


async def test_a_committed_row_survives_an_immediate_stop(ledger_db: LedgerDb) -> None:
    async with await psycopg.AsyncConnection.connect(ledger_db.dsn, autocommit=True) as conn:
        await conn.execute("INSERT INTO members (agent) VALUES ('ann')")
    await asyncio.to_thread(ledger_db.cluster.restart, "immediate")
    assert await _count(ledger_db.dsn) == 1


async def test_a_cut_link_hangs_until_restored_and_a_reset_link_fails_at_once(
    ledger_db: LedgerDb, link_proxy: LinkProxy
) -> None:
    dsn = ledger_db.cluster.dsn(ledger_db.name, port=link_proxy.port)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute("SELECT 1")
        link_proxy.cut()
        query = asyncio.create_task(conn.execute("SELECT 1"))
        done, _ = await asyncio.wait([query], timeout=0.3)
        assert not done  # no error, no answer: a partition
        link_proxy.restore()
        await query
    assert await _count(dsn) == 0
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        link_proxy.reset()
        with pytest.raises(psycopg.OperationalError):
            await conn.execute("SELECT 1")
