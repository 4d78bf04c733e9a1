"""Deciding a lost createFeed reply from getFeeds: resend, adopt, or leave to a person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from companion.actions.feeds import ACKNOWLEDGEMENT_FEED, ADJUSTMENT_FEED
from companion.actions.journal import Journal
from companion.actions.models import ActionState
from companion.actions.ports import FeedGateway
from companion.actions.reconcile import CreateFeedReconciler
from companion.actions.record import AmazonResult
from companion.actions.sqlite_ledger import SqliteLedger
from companion.amazon.models import Feed
from companion.errors import NotFound
from spdesk_sandbox import report
from tests.actions.test_journal import action
from tests.plugins.actions import sqlite_ledger

US = "ATVPDKIKX0DER"


class FeedsSeenByAmazon:
    """getFeeds and getFeedDocument answers for the reconciler (unit test only)."""

    def __init__(self, feeds: list[tuple[Feed, bytes | None]]) -> None:
        self.feeds = feeds

    async def get_feeds(
        self,
        feed_types: list[str],
        created_since: datetime | None = None,
        statuses: list[str] | None = None,
    ) -> list[Feed]:
        since = created_since or datetime.min.replace(tzinfo=UTC)
        return [f for f, _ in self.feeds if f.created_time >= since and f.feed_type in feed_types]

    async def get_feed_document_bytes(self, document_id: str) -> bytes:
        return next(
            data
            for f, data in self.feeds
            if f.result_feed_document_id == document_id and data is not None
        )


def feed(
    feed_id: str, status: str = "DONE", processed: int = 2, errors: Sequence[str] = ()
) -> tuple[Feed, bytes | None]:
    results = [
        report.error(n, report.MessageCode.ORDER_NOT_FOUND, "x", order)
        for n, order in enumerate(errors, start=1)
    ]
    data = report.render_report(feed_id, "S", processed, results) if status == "DONE" else None
    return (
        Feed(
            feed_id=feed_id,
            feed_type=ADJUSTMENT_FEED,
            processing_status=status,
            created_time=datetime.now(UTC),
            marketplace_ids=[US],
            result_feed_document_id=f"doc-{feed_id}" if data else None,
        ),
        data,
    )


async def _feed_id(ledger: SqliteLedger, batch_id: str) -> str | None:
    batch = await ledger.batch(batch_id)
    return batch.feed_id if batch else None


async def decide(
    tmp_path: Path,
    seen: list[tuple[Feed, bytes | None]],
    give_up_after: float = 2.0,
    amazon: type[FeedsSeenByAmazon] = FeedsSeenByAmazon,
) -> dict[str, Any]:
    """The reconciler's verdict on a batch of two actions (one per order) whose reply was lost.

    A verdict that needs no waiting comes at the first look; one that waits for a candidate to
    finish gives up after `give_up_after` seconds.
    """
    journal = Journal(tmp_path / "j.sqlite3")
    members = [
        journal.create(action(f"113-000000{n}-0000001"), idempotency_key=None, body_hash="h")
        for n in (1, 2)
    ]
    for member in members:
        journal.transition(member.id, ActionState.QUEUED)
    journal.claim_batch("bat_1", ("sandbox", ADJUSTMENT_FEED, US), [m.id for m in members])
    journal.update_batch("bat_1", state="uploaded", document_id="doc")
    assert journal.start_create_feed("bat_1")
    started = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    journal._db.execute("UPDATE batches SET create_started_at=? WHERE id='bat_1'", (started,))
    journal.close()
    async with sqlite_ledger(tmp_path / "j.sqlite3") as ledger:
        return await _reconcile(ledger, seen, give_up_after, amazon)


async def _reconcile(
    ledger: SqliteLedger,
    seen: list[tuple[Feed, bytes | None]],
    give_up_after: float,
    amazon: type[FeedsSeenByAmazon],
) -> dict[str, Any]:
    outcome: dict[str, Any] = {}

    async def gateway_of(account: str) -> FeedGateway:
        # A fake of the two calls reconciling makes; the others are never reached.
        return cast(FeedGateway, amazon(seen))

    async def requeue(ids: list[str]) -> None:
        outcome.setdefault("resent", ids)

    async def settle(batch_id: str, said: AmazonResult) -> None:
        assert batch_id == "bat_1"  # the batch whose actions become unknown, no other
        outcome.setdefault("unknown", said)

    reconciler = CreateFeedReconciler(
        ledger,
        gateway_of,
        grace=0,
        poll=0.01,
        requeue=requeue,
        adopt=lambda batch_id: outcome.setdefault("adopted", batch_id),
        settle=settle,
        give_up_after=give_up_after,
    )
    await reconciler.resolve("bat_1")
    if "adopted" in outcome:
        outcome["adopted"] = await _feed_id(ledger, outcome["adopted"])
    if "resent" in outcome:
        batch = await ledger.batch("bat_1")
        outcome["batch"] = (batch.state, dict(batch.detail)) if batch else None
    return outcome


async def test_no_new_feed_means_it_was_never_created(tmp_path: Path) -> None:
    outcome = await decide(tmp_path, [])
    assert len(outcome["resent"]) == 2
    # The batch is closed with the reason: its actions go in a new one, never twice.
    assert outcome["batch"] == ("dissolved", {"reconciled": "feed was never created"})


@pytest.mark.parametrize(
    "errors",
    [
        ["113-0000001-0000001"],  # one order of the batch named
        ["113-0000001-0000001", "113-0000002-0000001"],  # both: every one it names is ours
    ],
)
async def test_a_single_matching_feed_is_adopted(tmp_path: Path, errors: list[str]) -> None:
    outcome = await decide(tmp_path, [feed("501", processed=2, errors=errors)])
    assert outcome == {"adopted": "501"}


async def test_a_cancelled_feed_does_not_hide_the_one_after_it(tmp_path: Path) -> None:
    outcome = await decide(tmp_path, [feed("500", status="CANCELLED"), feed("501")])
    assert outcome == {"adopted": "501"}


@pytest.mark.parametrize(
    "seen",
    [
        [feed("501", processed=5)],  # another sender's batch of 5
        [feed("501", errors=["999-9999999-9999999"])],  # names an order not in our batch
        [feed("501", status="CANCELLED")],  # applied nothing
    ],
)
async def test_feeds_that_cannot_be_ours_lead_to_a_resend(tmp_path: Path, seen: Any) -> None:
    assert "resent" in await decide(tmp_path, seen)


def _fatal(seen: tuple[Feed, bytes | None]) -> tuple[Feed, bytes | None]:
    """A FATAL feed that still has a processing report (Amazon may leave one)."""
    made, data = seen
    return made.model_copy(update={"processing_status": "FATAL"}), data


@pytest.mark.parametrize(
    "seen",
    [
        [feed("501"), feed("502")],  # two candidates fit
        [feed("501", status="FATAL"), feed("502")],  # a FATAL one cannot be excluded
        [_fatal(feed("501", processed=5)), feed("502")],  # not even by a report that differs
    ],
)
async def test_undecidable_cases_are_left_to_a_person(tmp_path: Path, seen: Any) -> None:
    outcome = await decide(tmp_path, seen)
    assert list(outcome) == ["unknown"]
    assert "will not resend" in outcome["unknown"].description


async def test_a_candidate_that_never_finishes_is_left_to_a_person(tmp_path: Path) -> None:
    outcome = await decide(tmp_path, [feed("501", status="IN_PROGRESS")], give_up_after=0.1)
    assert "still processing" in outcome["unknown"].description
    assert outcome["unknown"].params == {"case": "still_processing"}


class ReportsGone(FeedsSeenByAmazon):
    """Amazon lists the feeds but no longer serves their processing reports."""

    async def get_feed_document_bytes(self, document_id: str) -> bytes:
        raise NotFound("The processing report has expired.")


async def test_a_candidate_whose_report_is_gone_cannot_be_excluded(tmp_path: Path) -> None:
    # Adopted, never resent: tracking it then ends `unknown` with the report named as missing.
    outcome = await decide(tmp_path, [feed("501")], give_up_after=0.5, amazon=ReportsGone)
    assert outcome == {"adopted": "501"}


def _old(seen: tuple[Feed, bytes | None], hours: float) -> tuple[Feed, bytes | None]:
    made, data = seen
    return made.model_copy(
        update={"created_time": made.created_time - timedelta(hours=hours)}
    ), data


def _of_type(seen: tuple[Feed, bytes | None], feed_type: str) -> tuple[Feed, bytes | None]:
    made, data = seen
    return made.model_copy(update={"feed_type": feed_type}), data


def _elsewhere(seen: tuple[Feed, bytes | None]) -> tuple[Feed, bytes | None]:
    made, data = seen
    return made.model_copy(update={"marketplace_ids": ["A1PA6795UKMFR9"]}), data


@pytest.mark.parametrize(
    ("seen", "why"),
    [
        ([_old(feed("501"), hours=1)], "created before the attempt (beyond the clock slack)"),
        ([_elsewhere(feed("501"))], "for another marketplace"),
        ([_of_type(feed("501"), ACKNOWLEDGEMENT_FEED)], "of another feed type"),
    ],
)
async def test_feeds_that_are_not_candidates_lead_to_a_resend(
    tmp_path: Path, seen: Any, why: str
) -> None:
    assert "resent" in await decide(tmp_path, seen), why


async def test_a_feed_spdesk_made_itself_is_never_adopted(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    other = journal.create(action("113-0000009-0000001"), idempotency_key=None, body_hash="h")
    journal.transition(other.id, ActionState.QUEUED)
    journal.claim_batch("bat_0", ("sandbox", ADJUSTMENT_FEED, US), [other.id])
    journal.batch_submitted("bat_0", "501")
    journal.close()
    assert "resent" in await decide(tmp_path, [feed("501")])


async def test_undecided_words_name_the_feeds(tmp_path: Path) -> None:
    outcome = await decide(tmp_path, [feed("501"), feed("502")])
    said = outcome["unknown"]
    assert said.code == "create_feed_undecided"
    assert said.params == {"case": "several_feeds", "feedIds": "501, 502"}
    assert said.description == (
        "spdesk lost Amazon's answer while creating the feed and cannot tell whether Amazon "
        "received it (feeds 501, 502 could each be it). Check the order in Seller Central; "
        "spdesk will not resend it."
    )
    waited = (await decide(tmp_path / "b", [feed("501", status="IN_QUEUE")], give_up_after=0.1))[
        "unknown"
    ]
    assert waited.code == "create_feed_undecided"
    assert waited.description == (
        "spdesk lost Amazon's answer while creating the feed and cannot tell whether Amazon "
        "received it (Amazon is still processing a feed that may be it). Check the order in "
        "Seller Central; spdesk will not resend it."
    )


async def test_a_finished_candidate_is_decided_without_waiting(tmp_path: Path) -> None:
    # give_up_after is long: a verdict that waited for a DONE feed would not come in time.
    outcome = await decide(tmp_path, [feed("501", errors=["113-0000001-0000001"])], 3600.0)
    assert outcome == {"adopted": "501"}
