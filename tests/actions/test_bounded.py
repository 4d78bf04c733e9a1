"""Uncertainty has bounds: a feed Amazon forgot, a batch the disk refused, a FATAL feed's reach.

Before: a feed answering 404 kept its actions `submitted` for 48 hours (also across restarts); a
batch whose journal write failed was dropped from its queue, its refunds `queued` until a restart;
one feed could hold 500 messages, all `unknown` after one FATAL.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

import pytest

from companion.config import Settings
from companion.keys import ACTIONS
from spdesk_sandbox.processor import feeds_of
from tests.actions.test_faults import faults, small_refund
from tests.actions.test_refund_flow import final, order_id, refund
from tests.plugins.actions import FAST_ACTIONS, eventually
from tests.plugins.companion import start_client, stop_client


@pytest.fixture
def actions_settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """Fast feeds, plus the settings the test names."""
    return settings.model_copy(update={**FAST_ACTIONS, **getattr(request, "param", {})})


async def _submitted(spdesk: Any) -> dict[str, Any]:
    """A refund whose feed Amazon took and keeps processing (it never ends by itself)."""
    faults(spdesk).add("feed_stuck")
    reply = await refund(spdesk, small_refund(order_id(spdesk, "us-fbm-shipped")))
    assert reply.status == 202, reply.body

    async def in_feed() -> dict[str, Any] | None:
        action = (await spdesk.request("GET", f"/v1/actions/{reply.json()['id']}")).json()
        return action if action["feedId"] else None

    action: dict[str, Any] = await eventually(in_feed)
    return action


def _forget(spdesk: Any, feed_id: str) -> None:
    """Amazon no longer knows the feed: getFeed answers 404."""
    del spdesk.extra["sandbox"].state.feeds[feed_id]


@pytest.mark.parametrize("actions_settings", [{"feed_gone_grace": 0.3}], indirect=True)
async def test_a_feed_amazon_no_longer_knows_becomes_unknown(spdesk: Any) -> None:
    action = await _submitted(spdesk)
    _forget(spdesk, action["feedId"])
    done = await final(spdesk, action["id"])
    assert done["state"] == "unknown"
    assert done["amazon"]["code"] == "feed_gone"
    assert done["amazon"]["params"]["feedId"] == action["feedId"]
    assert "no longer knows feed" in done["amazon"]["description"]


@pytest.mark.parametrize("actions_settings", [{"feed_gone_grace": 3600.0}], indirect=True)
async def test_the_grace_of_a_forgotten_feed_counts_across_restarts(
    spdesk: Any, actions_settings: Settings
) -> None:
    action = await _submitted(spdesk)
    _forget(spdesk, action["feedId"])
    ledger = spdesk.app[ACTIONS].ledger

    async def first_404() -> Any:
        batch = await ledger.batch((await ledger.get(action["id"])).batch_id)
        return batch.detail.get("feedGoneSince")

    since = await eventually(first_404)
    await stop_client(spdesk)
    # While stopped, the hour of grace passes (the journal says when the 404s began).
    earlier = (datetime.fromisoformat(since) - timedelta(hours=2)).isoformat()
    with sqlite3.connect(actions_settings.data_dir / "actions.sqlite3") as db:
        (detail,) = db.execute(
            "SELECT detail FROM batches WHERE feed_id=?", (action["feedId"],)
        ).fetchone()
        moved = {**json.loads(detail), "feedGoneSince": earlier}
        db.execute(
            "UPDATE batches SET detail=? WHERE feed_id=?", (json.dumps(moved), action["feedId"])
        )
    again = await start_client(actions_settings, spdesk.store)
    again.token, again.origin = spdesk.token, spdesk.origin
    try:
        done = await final(again, action["id"])
        assert (done["state"], done["amazon"]["code"]) == ("unknown", "feed_gone")
    finally:
        await stop_client(again)


async def test_a_batch_the_journal_could_not_write_is_retried(
    spdesk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = spdesk.app[ACTIONS].ledger
    write = ledger.claim_batch
    refusals = [sqlite3.OperationalError("database or disk is full")] * 3

    async def full_disk(*args: Any, **kwargs: Any) -> Any:
        if refusals:
            raise refusals.pop()
        return await write(*args, **kwargs)

    monkeypatch.setattr(ledger, "claim_batch", full_disk)
    reply = await refund(spdesk, small_refund(order_id(spdesk, "us-fbm-shipped")))
    assert reply.status == 202
    done = await final(spdesk, reply.json()["id"])
    assert refusals == [] and done["state"] == "succeeded"


@pytest.mark.parametrize("actions_settings", [{"feed_max_messages": 2}], indirect=True)
async def test_a_feed_holds_at_most_the_cap(spdesk: Any) -> None:
    sandbox = spdesk.extra["sandbox"]
    labels = [
        ("us-fbm-shipped", "29384756102938"),
        ("us-fbm-shipped-partly-refunded", "70491836275104"),
        ("us-fbm-partially-shipped", None),
        ("us-fbm-unshipped-multi", None),
        ("us-fbm-unshipped-single", None),
    ]
    bodies = []
    for label, item in labels:
        oid = order_id(spdesk, label)
        code = item or sandbox.state.orders[oid].items[0].item_code
        bodies.append(small_refund(oid, code, "0.50"))
    replies = await asyncio.gather(*(refund(spdesk, body) for body in bodies))
    assert [r.status for r in replies] == [202] * 5, [r.body for r in replies]
    for reply in replies:
        await final(spdesk, reply.json()["id"])
    ledger = spdesk.app[ACTIONS].ledger
    sizes = [len(await ledger.in_batch(b.id)) for b in await _batches(spdesk)]
    assert sum(sizes) == 5 and max(sizes) <= 2
    assert len(feeds_of(sandbox.state)) == len(sizes)


async def _batches(spdesk: Any) -> list[Any]:
    return [b for b in await spdesk.app[ACTIONS].ledger.batches("sandbox") if b.feed_id]


def test_the_default_cap_is_fifty() -> None:
    # Why fifty: docs/architecture.md, "Bounded uncertainty".
    assert Settings().feed_max_messages == 50


async def test_a_feed_id_the_journal_could_not_write_is_found_again(
    spdesk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = spdesk.app[ACTIONS].ledger
    write = ledger.batch_submitted
    refusals = [sqlite3.OperationalError("database or disk is full")]

    async def full_disk(*args: Any, **kwargs: Any) -> Any:
        if refusals:
            raise refusals.pop()
        return await write(*args, **kwargs)

    monkeypatch.setattr(ledger, "batch_submitted", full_disk)
    reply = await refund(spdesk, small_refund(order_id(spdesk, "us-fbm-shipped")))
    done = await final(spdesk, reply.json()["id"])
    assert refusals == [] and done["state"] == "succeeded"
    assert len(feeds_of(spdesk.extra["sandbox"].state)) == 1  # adopted, never sent twice
