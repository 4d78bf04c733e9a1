"""Per-order critical sections across companions on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from companion.ledger.errors import LedgerUnavailable
from companion.ledger.link import Conn, LedgerLink, LinkSettings
from companion.ledger.scope import Transactions
from tests.plugins.actions import eventually
from tests.plugins.postgres import LedgerDb, LinkProxy

ORDER = ("acme", "111-1111111-1111111")


async def _open(dsn: str, **settings: float) -> Transactions:
    link = LedgerLink(LinkSettings(dsn=dsn, **settings))  # type: ignore[arg-type]
    await link.open()
    return Transactions(link)


@pytest.fixture
async def companions(ledger_db: LedgerDb) -> AsyncIterator[list[Transactions]]:
    made = [await _open(ledger_db.dsn) for _ in range(3)]
    yield made
    for tx in made:
        await tx.link.close()


async def _members(tx: Transactions) -> list[str]:
    async def work(conn: Conn) -> list[str]:
        rows = await (await conn.execute("SELECT agent FROM members ORDER BY agent")).fetchall()
        return [row[0] for row in rows]

    return await tx.run(work)


async def _add(tx: Transactions, agent: str) -> None:
    async def work(conn: Conn) -> None:
        await conn.execute("INSERT INTO members (agent) VALUES (%s)", (agent,))

    await tx.run(work)


async def test_one_order_runs_one_block_at_a_time_across_companions(
    companions: list[Transactions],
) -> None:
    inside, most = 0, 0

    async def block(tx: Transactions, n: int) -> None:
        nonlocal inside, most
        async with tx.order(*ORDER):
            inside += 1
            most = max(most, inside)
            await _add(tx, f"agent-{n:02d}")
            assert f"agent-{n:02d}" in await _members(tx)  # its own write, before commit
            await asyncio.sleep(0.005)
            inside -= 1

    await asyncio.gather(*(block(companions[n % 3], n) for n in range(30)))
    assert most == 1
    assert len(await _members(companions[0])) == 30


async def test_writes_are_seen_by_others_only_after_the_block_and_undone_by_an_error(
    companions: list[Transactions],
) -> None:
    ann, bob, _ = companions
    async with ann.order(*ORDER):
        await _add(ann, "Ann")
        assert await _members(bob) == []  # not committed yet
    assert await _members(bob) == ["Ann"]
    with pytest.raises(RuntimeError):
        async with ann.order(*ORDER):
            await _add(ann, "Ghost")
            raise RuntimeError("a refusal after the write")
    assert await _members(bob) == ["Ann"]


async def test_a_background_task_started_inside_a_block_does_not_join_its_transaction(
    companions: list[Transactions],
) -> None:
    ann = companions[0]
    async with ann.order(*ORDER):
        background = asyncio.create_task(_add(ann, "Background"))
        await background  # committed on its own connection right away
        assert await _members(companions[1]) == ["Background"]


async def test_a_companion_cut_off_inside_a_block_loses_its_write_and_its_lock(
    ledger_db: LedgerDb, companions: list[Transactions], link_proxy: LinkProxy
) -> None:
    cut = await _open(
        ledger_db.cluster.dsn(ledger_db.name, port=link_proxy.port),
        timeout=0.5,
        idle_in_transaction=1.0,
    )
    try:
        entered = asyncio.Event()

        async def doomed() -> None:
            async with cut.order(*ORDER):
                await _add(cut, "Lost")
                entered.set()
                link_proxy.cut()
                await _add(cut, "Never")

        attempt = asyncio.create_task(doomed())
        await entered.wait()
        with pytest.raises(LedgerUnavailable):
            await attempt
        bob = companions[1]
        async with bob.order(*ORDER):  # the server ended the cut-off transaction
            await _add(bob, "Bob")
        assert await eventually(lambda: _members(bob), within=1) == ["Bob"]
    finally:
        link_proxy.restore()
        await cut.link.close()
