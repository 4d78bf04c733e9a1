"""The journal: lifecycle rules, atomic idempotency keys, durability across reopen."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from companion.actions.journal import InvalidTransition, Journal
from companion.actions.models import ActionState, new_id
from companion.actions.record import Action, AmazonResult, RefundLine


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
    with pytest.raises(sqlite3.IntegrityError):
        journal.create(action(), idempotency_key="key-0001", body_hash="h2")
    assert journal.idempotent("key-0001") == ("h1", first.id)
    assert len(journal.query()) == 1  # the refused insert left nothing behind


def test_everything_survives_a_reopen_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    created = journal.create(action(), idempotency_key=None, body_hash="h")
    journal.create_batch(
        "bat_1", "sandbox", "POST_PAYMENT_ADJUSTMENT_DATA", "ATVPDKIKX0DER", [(created.id, 1)]
    )
    journal.update_batch("bat_1", state="creating", create_started_at="2026-11-26T10:00:00Z")
    journal.close()
    again = Journal(path)
    assert again._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [a.id for a in again.unfinished()] == [created.id]
    assert again.open_batches()[0].state == "creating"
    assert again.in_batch("bat_1")[0].message_id == 1
    again.close()
