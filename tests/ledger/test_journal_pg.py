"""The team journal on a real PostgreSQL server: keys, transitions, claims, fencing, events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from decimal import Decimal

import psycopg
import pytest

from companion.actions.models import ActionState, new_id
from companion.actions.ports import ActionQuery, IdempotencyKeyTaken, InvalidTransition
from companion.actions.record import Action, AmazonResult, RefundLine
from companion.ledger.journal import NotLeader, PostgresJournal
from companion.ledger.link import LedgerLink, LinkSettings
from companion.ledger.notify import ACTIONS_CHANNEL, WORK_CHANNEL, Listener
from companion.ledger.scope import Transactions
from tests.plugins.actions import eventually
from tests.plugins.postgres import LedgerDb

ORDER = "111-1111111-1111111"
KEY = ("acme", "_POST_PAYMENT_ADJUSTMENT_DATA_", "ATVPDKIKX0DER")


def refund(order_id: str = ORDER, total: str = "12.50", agent: str = "Tom") -> Action:
    return Action(
        id=new_id("act"),
        kind="refund",
        account="acme",
        order_id=order_id,
        marketplace_id="ATVPDKIKX0DER",
        currency="USD",
        state=ActionState.ACCEPTED,
        total=Decimal(total),
        reason="Other",
        items=(RefundLine("1", 1, {"Principal": Decimal(total)}),),
        agent=agent,
    )


@pytest.fixture
async def journals(ledger_db: LedgerDb) -> AsyncIterator[list[PostgresJournal]]:
    made = []
    for n in range(2):
        link = LedgerLink(LinkSettings(dsn=ledger_db.dsn))
        await link.open()
        made.append(PostgresJournal(Transactions(link), companion_id=f"c{n}"))
    yield made
    for journal in made:
        await journal.tx.link.close()


async def test_an_action_and_its_key_are_one_record_for_every_companion(
    journals: list[PostgresJournal],
) -> None:
    ann, bob = journals
    stored = await ann.create(refund(total="12.50"), idempotency_key="key-00001", body_hash="h1")
    assert str(stored.total) == "12.50" and stored.state is ActionState.ACCEPTED
    assert [h.state for h in stored.history] == ["accepted"]
    assert stored.created_at.endswith("Z")
    assert await bob.idempotent("key-00001") == ("h1", stored.id)
    with pytest.raises(IdempotencyKeyTaken):
        await bob.create(refund(), idempotency_key="key-00001", body_hash="h2")
    assert [a.id for a in await bob.for_order(ORDER)] == [stored.id]
    yen = await bob.create(refund(total="1200"), idempotency_key=None, body_hash="")
    assert str(yen.total) == "1200" and yen.refund_lines[0].components["Principal"] == 1200


async def test_transitions_follow_the_lifecycle(journals: list[PostgresJournal]) -> None:
    ann, bob = journals
    action = await ann.create(refund(), idempotency_key=None, body_hash="")
    queued = await bob.transition(action.id, ActionState.QUEUED)
    assert queued.state is ActionState.QUEUED
    with pytest.raises(InvalidTransition):
        await ann.transition(action.id, ActionState.POSTED)
    done = await ann.transition(
        action.id, ActionState.FAILED, detail="refused", amazon=AmazonResult(description="no")
    )
    assert done.amazon.description == "no"
    assert [(h.state, h.detail) for h in done.history][-1] == ("failed", "refused")
    assert [a.id for a in await bob.unfinished()] == []
    failed = await bob.find(ActionQuery(states=frozenset({ActionState.FAILED}), account="acme"))
    assert [a.id for a in failed] == [action.id]


async def test_an_action_is_claimed_by_one_batch_only(journals: list[PostgresJournal]) -> None:
    ann, bob = journals
    ids = []
    for n in range(6):
        action = await ann.create(
            refund(f"111-1111111-11111{n:02d}"), idempotency_key=None, body_hash=""
        )
        await ann.transition(action.id, ActionState.QUEUED)
        ids.append(action.id)
    first, second = await asyncio.gather(
        ann.claim_batch("bat_a", KEY, ids, 0), bob.claim_batch("bat_b", KEY, ids[::-1], 0)
    )
    assert sorted(a.id for a in first + second) == sorted(ids)  # each exactly once
    won = first or second
    assert [a.message_id for a in won] == list(range(1, len(won) + 1))
    batch_id = won[0].batch_id
    assert batch_id is not None
    await ann.update_batch(batch_id, state="dissolved", detail={"step": "upload"})
    again = await bob.claim_batch("bat_c", KEY, ids, 0)
    assert {a.id for a in again} == {a.id for a in won}
    assert await ann.claim_batch("bat_d", KEY, ids, 0) == []
    assert await ann.batch("bat_d") is None  # nothing claimed, no batch


async def test_only_the_current_feed_builder_may_start_a_create_feed(
    ledger_db: LedgerDb, journals: list[PostgresJournal]
) -> None:
    ann, _ = journals
    with psycopg.connect(ledger_db.dsn, autocommit=True) as admin:
        admin.execute(
            "INSERT INTO leader (name, epoch, holder, since, heartbeat_at) "
            "VALUES ('feeds', 7, 'ann', now(), now())"
        )
    ids = []
    for n in range(2):
        action = await ann.create(
            refund(f"111-1111111-22222{n:02d}"), idempotency_key=None, body_hash=""
        )
        ids.append((await ann.transition(action.id, ActionState.QUEUED)).id)
    with pytest.raises(NotLeader):
        await ann.claim_batch("bat_old", KEY, ids[:1], 6)
    assert await ann.claim_batch("bat_1", KEY, ids[:1], 7)
    assert await ann.claim_batch("bat_2", KEY, ids[1:], 7)
    for batch_id in ("bat_1", "bat_2"):
        await ann.update_batch(batch_id, state="uploaded", document_id="doc")
    assert not await ann.start_create_feed("bat_1", 6)  # a stale builder sends nothing
    assert await ann.start_create_feed("bat_1", 7)
    assert not await ann.start_create_feed("bat_2", 7)  # one unanswered createFeed per queue
    submitted = await ann.batch_submitted("bat_1", "feed-1")
    assert [(a.state, a.feed_id) for a in submitted] == [(ActionState.SUBMITTED, "feed-1")]
    assert await ann.start_create_feed("bat_2", 7)
    assert await ann.known_feed_ids("acme") == {"feed-1"}
    assert [b.id for b in await ann.open_batches()] == ["bat_1", "bat_2"]


async def test_every_change_is_announced_after_commit(
    ledger_db: LedgerDb, journals: list[PostgresJournal]
) -> None:
    seen: list[tuple[str, str]] = []

    def handler(channel: str) -> Callable[[str], Awaitable[None]]:
        async def on(payload: str) -> None:
            seen.append((channel, payload))

        return on

    async def nothing() -> None:
        return None

    listener = Listener(
        LinkSettings(dsn=ledger_db.dsn),
        {ACTIONS_CHANNEL: handler("actions"), WORK_CHANNEL: handler("work")},
        nothing,
    )
    task = asyncio.create_task(listener.run())
    try:
        await asyncio.wait_for(listener.connected.wait(), 5)
        ann, _ = journals
        action = await ann.create(refund(), idempotency_key=None, body_hash="")
        await ann.transition(action.id, ActionState.QUEUED)
        await eventually(lambda: len(seen) == 3, within=2)
        assert seen == [("actions", action.id), ("work", action.id), ("actions", action.id)]
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def test_resolving_an_unknown_action_records_who_and_when(
    journals: list[PostgresJournal],
) -> None:
    ann, bob = journals
    action = await ann.create(refund(), idempotency_key=None, body_hash="")
    await ann.transition(action.id, ActionState.UNKNOWN)
    assert (
        await bob.resolve(action.id, ActionState.SUCCEEDED, by="Maria", note="seen", detail="ok")
        is ActionState.UNKNOWN
    )
    assert (
        await ann.resolve(action.id, ActionState.FAILED, by="Tom", note="", detail="no")
        is ActionState.SUCCEEDED
    )
    resolved = await ann.get(action.id)
    assert resolved is not None and resolved.state is ActionState.SUCCEEDED
    assert resolved.resolution is not None and resolved.resolution.by == "Maria"
    assert resolved.resolution.at == resolved.history[-1].at  # one moment, one entry
    assert resolved.to_json()["history"][-1]["code"] == "resolved"
