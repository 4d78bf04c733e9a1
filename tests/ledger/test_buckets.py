"""The team's shared token buckets on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from companion.ledger.buckets import SharedBuckets
from companion.ledger.link import LedgerLink, LinkSettings
from tests.plugins.postgres import LedgerDb


@pytest.fixture
async def links(ledger_db: LedgerDb) -> AsyncIterator[list[LedgerLink]]:
    made = [LedgerLink(LinkSettings(dsn=ledger_db.dsn, pool_size=4)) for _ in range(3)]
    for link in made:
        await link.open()
    yield made
    for link in made:
        await link.close()


async def test_three_companions_share_one_burst(links: list[LedgerLink]) -> None:
    buckets = [SharedBuckets(link) for link in links]

    async def take(shared: SharedBuckets) -> float:
        return await shared.try_take("acme", "createFeed", 0.0083, 15)

    waits = await asyncio.gather(*(take(buckets[n % 3]) for n in range(20)))
    assert sum(1 for w in waits if w == 0) == 15  # Amazon's burst, not three of them
    assert all(w > 60 for w in waits if w > 0)  # about two minutes until the next token
    assert await buckets[1].tokens("acme", "createFeed", 0.0083, 15) < 1
    assert await buckets[2].tokens("other-account", "createFeed", 0.0083, 15) == 15


async def test_a_learnt_rate_and_a_throttle_apply_to_everyone(links: list[LedgerLink]) -> None:
    ann, bob = SharedBuckets(links[0]), SharedBuckets(links[1])
    assert await ann.try_take("acme", "getFeedDocument", 0.0222, 10) == 0
    await bob.drain("acme", "getFeedDocument")  # Amazon answered bob with a 429
    wait = await ann.try_take("acme", "getFeedDocument", 0.0222, 10)
    assert 40 < wait <= 1 / 0.0222
    # bob learnt a higher rate from x-amzn-RateLimit-Limit: from now on it refills at that rate
    assert await bob.try_take("acme", "getFeedDocument", 1000.0, 10) < 0.01
