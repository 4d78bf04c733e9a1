"""The ledger's versioned migrations on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import psycopg
import pytest
from psycopg.rows import TupleRow

from companion.actions.models import ActionState
from companion.actions.ports import ApprovalRequest
from companion.actions.record import ApprovalWhy
from companion.ledger import migrate as migrate_module
from companion.ledger.errors import LedgerSchemaError
from companion.ledger.journal import PostgresJournal
from companion.ledger.link import LedgerLink, LinkSettings
from companion.ledger.migrate import Migration, check_version, migrate, migrations, newest_version
from companion.ledger.scope import Transactions
from tests.ledger.test_journal_pg import refund
from tests.plugins.postgres import LedgerDb

Conn = psycopg.AsyncConnection[TupleRow]


@pytest.fixture
async def conn(empty_db: LedgerDb) -> AsyncIterator[Conn]:
    async with await psycopg.AsyncConnection.connect(empty_db.dsn, autocommit=True) as conn:
        yield conn


async def _tables(conn: Conn) -> set[str]:
    cursor = await conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {row[0] for row in await cursor.fetchall()}


async def test_an_empty_database_gets_every_migration_once(conn: Conn) -> None:
    assert await migrate(conn) == list(range(1, newest_version() + 1))
    assert await migrate(conn) == []
    assert {"actions", "idempotency", "batches", "members", "approvals", "leader"} <= (
        await _tables(conn)
    )
    assert await check_version(conn) == newest_version()


async def test_companions_starting_together_apply_each_migration_once(empty_db: LedgerDb) -> None:
    async def one() -> list[int]:
        async with await psycopg.AsyncConnection.connect(empty_db.dsn, autocommit=True) as c:
            return await migrate(c)

    results = await asyncio.gather(*(one() for _ in range(4)))
    assert sorted(results, key=len) == [[], [], [], list(range(1, newest_version() + 1))]


async def test_a_ledger_newer_than_this_spdesk_is_refused(conn: Conn) -> None:
    await migrate(conn)
    await conn.execute("INSERT INTO schema_version (version, name) VALUES (999, 'future')")
    with pytest.raises(LedgerSchemaError) as refused:
        await migrate(conn)
    assert refused.value.code == "ledger_too_new"
    with pytest.raises(LedgerSchemaError) as refused:
        await check_version(conn)
    assert refused.value.code == "ledger_too_new"


async def test_a_database_without_a_ledger_is_named_as_such(conn: Conn) -> None:
    with pytest.raises(LedgerSchemaError) as refused:
        await check_version(conn)
    assert refused.value.code == "ledger_not_initialised"


async def test_an_outdated_ledger_asks_for_team_init(
    conn: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    await migrate(conn)
    later = Migration(newest_version() + 1, "later", "CREATE TABLE later (x int)")
    monkeypatch.setattr(migrate_module, "migrations", lambda: [*migrations(), later])
    with pytest.raises(LedgerSchemaError) as refused:
        await check_version(conn)
    assert refused.value.code == "ledger_outdated"
    assert await migrate(conn) == [later.version]
    assert "later" in await _tables(conn)


async def test_a_failing_migration_changes_nothing(
    conn: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    await migrate(conn)
    before = newest_version()
    broken = Migration(
        before + 1, "broken", "CREATE TABLE half_done (x int); SELECT no_such_function()"
    )
    monkeypatch.setattr(migrate_module, "migrations", lambda: [*migrations(), broken])
    with pytest.raises(psycopg.errors.UndefinedFunction):
        await migrate(conn)
    assert "half_done" not in await _tables(conn)
    cursor = await conn.execute("SELECT max(version) FROM schema_version")
    assert (await cursor.fetchone()) == (before,)


async def test_the_schema_refuses_self_approval_and_a_second_unanswered_create_feed(
    ledger_db: LedgerDb,
) -> None:
    async with await psycopg.AsyncConnection.connect(ledger_db.dsn, autocommit=True) as c:
        await c.execute(
            "INSERT INTO actions (id, kind, account, order_id, marketplace_id, currency, state, "
            "total, reason, items, agent, channel, created_at, updated_at) VALUES ('act_1', "
            "'refund', 'a', '111-1111111-1111111', 'M', 'USD', 'awaiting_approval', 120.00, "
            "'Other', '[]', 'ann', 'FBM', now(), now())"
        )
        await c.execute(
            "INSERT INTO approvals (action_id, requested_by, requested_at, expires_at, why) "
            "VALUES ('act_1', 'ann', now(), now() + interval '1 hour', 'over limit')"
        )
        with pytest.raises(psycopg.errors.CheckViolation):
            await c.execute(
                "UPDATE approvals SET decision = 'approved', decided_by = 'ann', "
                "decided_at = now() WHERE action_id = 'act_1'"
            )
        batch = (
            "INSERT INTO batches (id, account, feed_type, marketplace_id, state, created_at, "
            "updated_at) VALUES (%s, 'a', 'F', 'M', 'creating', now(), now())"
        )
        await c.execute(batch, ("bat_1",))
        with pytest.raises(psycopg.errors.UniqueViolation):
            await c.execute(batch, ("bat_2",))


async def test_version_2_keeps_the_sentence_of_a_request_waiting_since_version_1(
    empty_db: LedgerDb, conn: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate_module, "migrations", lambda: migrations()[:1])
    assert await migrate(conn) == [1]  # the ledger as a spdesk of schema version 1 left it
    await conn.execute(
        "INSERT INTO actions (id, kind, account, order_id, marketplace_id, currency, state, "
        "total, reason, items, agent, channel, created_at, updated_at) VALUES ('act_old', "
        "'refund', 'acme', '111-1111111-1111111', 'ATVPDKIKX0DER', 'USD', 'awaiting_approval', "
        "120.00, 'Other', '[]', 'Ann', 'FBM', now(), now())"
    )
    await conn.execute(
        "INSERT INTO approvals (action_id, requested_by, requested_at, expires_at, why) VALUES "
        "('act_old', 'Ann', now(), now() + interval '1 hour', "
        "'over Ann''s limit of 100.00 USD per refund')"
    )
    monkeypatch.undo()
    assert await migrate(conn) == [2]  # what `spdesk team init` runs
    link = LedgerLink(LinkSettings(dsn=empty_db.dsn))
    await link.open()
    try:
        journal = PostgresJournal(Transactions(link), companion_id="c1")
        old = await journal.get("act_old")
        assert old is not None and old.approval is not None
        assert old.approval.why == ApprovalWhy("over Ann's limit of 100.00 USD per refund")
        said = old.approval.to_json()
        assert (said["state"], said["whyCode"], said["whyParams"]) == ("pending", None, {})
        why = ApprovalWhy(
            "Ann has no refund limit in USD",
            "over_limit",
            {"case": "no_limit", "agent": "Ann", "currency": "USD"},
        )
        new = await journal.create(
            replace(refund(agent="Ann"), state=ActionState.AWAITING_APPROVAL),
            idempotency_key=None,
            body_hash="",
            approval=ApprovalRequest(why, 3600),
        )
        assert new.approval is not None and new.approval.why == why
    finally:
        await link.close()
