"""The journal: lifecycle rules, atomic idempotency keys, durability across reopen."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from companion.actions.journal import Journal
from companion.actions.models import ActionState, new_id
from companion.actions.ports import IdempotencyKeyTaken, InvalidTransition
from companion.actions.record import Action, AmazonResult, RefundLine

QUEUE = ("sandbox", "POST_PAYMENT_ADJUSTMENT_DATA", "ATVPDKIKX0DER")


def action(order_id: str = "113-4820571-0038214") -> Action:
    return Action(
        id=new_id("act"),
        kind="refund",
        account="sandbox",
        order_id=order_id,
        marketplace_id="ATVPDKIKX0DER",
        currency="USD",
        state=ActionState.ACCEPTED,
        total=Decimal("1.00"),
        reason="Other",
        items=(RefundLine("1", 1, {"Principal": Decimal("1.00")}, Decimal("0.00")),),
    )


def test_lifecycle_is_enforced_and_recorded(tmp_path: Path) -> None:
    seen: list[str] = []
    journal = Journal(tmp_path / "j.sqlite3", on_change=lambda a: seen.append(str(a.state)))
    created = journal.create(action(), idempotency_key="key-0001", body_hash="h")
    journal.transition(created.id, ActionState.QUEUED)
    with pytest.raises(InvalidTransition):
        journal.transition(created.id, ActionState.POSTED)
    journal.transition(created.id, ActionState.SUBMITTED, feed_id="500")
    done = journal.transition(created.id, ActionState.SUCCEEDED, amazon=AmazonResult())
    with pytest.raises(InvalidTransition):
        journal.transition(created.id, ActionState.FAILED)  # terminal states never change
    assert seen == ["accepted", "queued", "submitted", "succeeded"]
    assert [h.state for h in done.history] == seen
    assert done.feed_id == "500" and done.terminal


def test_idempotency_key_is_written_with_the_action(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    first = journal.create(action(), idempotency_key="key-0001", body_hash="h1")
    with pytest.raises(IdempotencyKeyTaken):
        journal.create(action(), idempotency_key="key-0001", body_hash="h2")
    assert journal.idempotent("key-0001") == ("h1", first.id)
    assert len(journal.query()) == 1  # the refused insert left nothing behind


def test_everything_survives_a_reopen_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    created = journal.create(action(), idempotency_key=None, body_hash="h")
    journal.transition(created.id, ActionState.QUEUED)
    journal.claim_batch("bat_1", QUEUE, [created.id])
    journal.update_batch("bat_1", state="uploaded", document_id="doc")
    assert journal.start_create_feed("bat_1")
    journal.close()
    again = Journal(path)
    assert again._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [a.id for a in again.unfinished()] == [created.id]
    assert again.open_batches()[0].state == "creating"
    assert again.in_batch("bat_1")[0].message_id == 1
    again.close()


def test_a_batch_claims_only_queued_actions_in_no_live_batch(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    ids = []
    for n in range(3):
        created = journal.create(
            action(f"113-0000000-000000{n}"), idempotency_key=None, body_hash=""
        )
        ids.append(journal.transition(created.id, ActionState.QUEUED).id)
    waiting = journal.create(action(), idempotency_key=None, body_hash="")  # not queued yet
    first = journal.claim_batch("bat_1", QUEUE, [ids[0], ids[1], waiting.id])
    assert [(a.id, a.message_id) for a in first] == [(ids[0], 1), (ids[1], 2)]
    second = journal.claim_batch("bat_2", QUEUE, ids)  # the first two are taken
    assert [(a.id, a.message_id) for a in second] == [(ids[2], 1)]
    assert journal.claim_batch("bat_3", QUEUE, ids) == [] and journal.batch("bat_3") is None
    journal.update_batch("bat_1", state="dissolved")  # never sent: its actions may go again
    assert [a.id for a in journal.claim_batch("bat_4", QUEUE, ids)] == ids[:2]
    for batch_id in ("bat_2", "bat_4"):
        journal.update_batch(batch_id, state="uploaded", document_id="doc")
    assert journal.start_create_feed("bat_2")
    assert not journal.start_create_feed("bat_4")  # one unanswered createFeed per queue
    journal.close()
