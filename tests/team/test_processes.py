"""Three `spdesk serve` processes on one PostgreSQL ledger against the sandbox: exactly once under
concurrency, SIGKILLs of the feed builder, a PostgreSQL restart and a companion cut off."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from companion.config import Settings
from spdesk_sandbox.processor import feeds_of
from tests.plugins.postgres import LedgerDb, LinkProxy
from tests.plugins.team import AGENTS
from tests.team.stack import TeamStack, applied_once, one_dollar, pick, refunded, shipped_bulk

pytestmark = pytest.mark.slow
SEED = 20261206
KILL_TRIALS = 20


@pytest.fixture
async def stack(
    sandbox_factory: Any, ledger_db: LedgerDb, tmp_path: Path, settings: Settings
) -> AsyncIterator[TeamStack]:
    # Feeds done within milliseconds: the tests are about the team, not Amazon's pace.
    sandbox = await sandbox_factory(
        bulk_orders=120, feed_queue_seconds=1.0, feed_processing_seconds=1.0
    )
    async with aiohttp.ClientSession() as session:
        team = TeamStack(sandbox, session, tmp_path, ledger_db.dsn, settings.keyring_service)
        try:
            yield team
        finally:
            await team.stop()


async def test_three_companions_on_one_ledger_apply_each_refund_once(stack: TeamStack) -> None:
    mates = await stack.start_team(AGENTS)
    sandbox = stack.sandbox
    (one, one_item), (many, many_item), *spread = shipped_bulk(sandbox, 52)
    # 100 concurrent requests for one refund, one Idempotency-Key, over three companions.
    body, key = one_dollar(one, one_item, "x"), "team-one-key-0001"
    replies = await asyncio.gather(*(stack.refund(mates[n % 3], body, key) for n in range(100)))
    assert {status for status, _ in replies} == {202}
    assert len({reply["id"] for _, reply in replies}) == 1
    # 100 refunds of one item with different keys: never more than the buyer paid.
    charged = sandbox.state.orders[many].items[0].charged["Principal"]
    amount = (charged / 40).quantize(Decimal("0.01"))
    replies = await asyncio.gather(
        *(
            stack.refund(mates[n % 3], one_dollar(many, many_item, "x", str(amount)))
            for n in range(100)
        )
    )
    statuses = [status for status, _ in replies]
    assert set(statuses) <= {202, 422} and statuses.count(202) <= 40
    # 200 refunds over 50 orders from three companions: each applied once, feeds shared.
    rng = random.Random(SEED)
    await asyncio.gather(
        *(stack.refund(pick(mates, rng), one_dollar(oid, item, "x")) for oid, item in spread * 4)
    )
    actions = await stack.settle(mates[0])
    applied_once(sandbox, actions)
    assert refunded(sandbox, one) == Decimal("1.00")
    assert refunded(sandbox, many) <= charged
    assert len(actions) == 1 + statuses.count(202) + 200
    assert len(feeds_of(sandbox.state)) < len(actions) / 10  # a handful of shared feeds


async def test_the_feed_builder_killed_at_random_moments_loses_and_doubles_nothing(
    stack: TeamStack,
) -> None:
    mates = await stack.start_team(AGENTS)
    rng = random.Random(SEED)
    targets = shipped_bulk(stack.sandbox, 50)
    kills = 0
    for trial in range(KILL_TRIALS):
        builder = await stack.feed_builder()
        others = [m for m in mates if m is not builder and m.pid]
        burst = [
            stack.refund(rng.choice(others), one_dollar(*targets[(trial * 3 + n) % 50], "x"))
            for n in range(3)
        ]
        sending = asyncio.gather(*burst)
        await asyncio.sleep(rng.uniform(0.0, 0.6))  # a random moment of the feed's life
        await stack.kill(builder)
        kills += 1
        await sending
        await stack.start(builder.name)  # the teammate starts the companion again
    assert kills >= 20
    actions = await stack.settle(mates[0], within=90)
    applied_once(stack.sandbox, actions)
    assert {a["state"] for a in actions} <= {"succeeded", "posted"}, actions


async def test_a_postgresql_restart_mid_run_loses_and_doubles_nothing(
    stack: TeamStack, ledger_db: LedgerDb
) -> None:
    mates = await stack.start_team(AGENTS)
    rng = random.Random(SEED)
    targets = shipped_bulk(stack.sandbox, 30)
    first = asyncio.gather(
        *(stack.refund(pick(mates, rng), one_dollar(*t, "x")) for t in targets[:15])
    )
    await asyncio.sleep(0.3)
    await asyncio.to_thread(ledger_db.cluster.restart, "immediate")  # a crash of the server
    await first
    during = [await stack.refund(pick(mates, rng), one_dollar(*t, "x")) for t in targets[15:]]
    assert {status for status, _ in during} <= {202, 503}
    refused = [reply for status, reply in during if status == 503]
    assert all(r["error"]["code"] == "ledger_unavailable" for r in refused)
    actions = await stack.settle(mates[0], within=90)  # every request again, same key
    applied_once(stack.sandbox, actions)
    assert len(actions) == 30 and {a["state"] for a in actions} <= {"succeeded", "posted"}


async def test_a_companion_cut_off_from_the_ledger_refuses_and_comes_back(
    stack: TeamStack, ledger_db: LedgerDb, link_proxy: LinkProxy
) -> None:
    ann, bob = await stack.start_team(AGENTS[:2])
    cyd = await stack.start("Cyd", ledger_db.cluster.dsn(ledger_db.name, port=link_proxy.port))
    targets = shipped_bulk(stack.sandbox, 6)
    assert (await stack.refund(cyd, one_dollar(*targets[0], "x")))[0] == 202
    link_proxy.cut()
    status, reply = await stack.refund(cyd, one_dollar(*targets[1], "x"))
    assert status == 503 and reply["error"]["code"] == "ledger_unavailable"
    assert (await stack.refund(ann, one_dollar(*targets[2], "x")))[0] == 202  # the team goes on
    assert (await stack.refund(bob, one_dollar(*targets[3], "x")))[0] == 202
    link_proxy.restore()

    async def back() -> bool:
        status, _ = await stack.refund(cyd, one_dollar(*targets[4], "x"), "cyd-is-back-0001")
        return status == 202

    from tests.plugins.actions import eventually

    await eventually(back, within=15, interval=0.3)
    actions = await stack.settle(ann)
    applied_once(stack.sandbox, actions)
