"""One order at a time: the order lock counts its holder and waiters, and forgets a free order."""

from __future__ import annotations

import asyncio

from companion.actions.guards import OrderLocks


async def test_the_lock_counts_holders_and_waiters() -> None:
    locks = OrderLocks()
    assert locks.waiting("sandbox", "113-0000001-0000001") == 0
    entered = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        async with locks.hold("sandbox", "113-0000001-0000001"):
            entered.set()
            await release.wait()

    first = asyncio.create_task(hold())
    await entered.wait()
    second = asyncio.create_task(hold())
    await asyncio.sleep(0)  # let the second reach the lock
    assert locks.waiting("sandbox", "113-0000001-0000001") == 2
    assert locks.waiting("sandbox", "113-0000002-0000001") == 0
    release.set()
    await asyncio.gather(first, second)
    assert locks.waiting("sandbox", "113-0000001-0000001") == 0
