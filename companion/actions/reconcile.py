"""Deciding, from Amazon's own records, whether a createFeed whose answer was lost took effect.

Amazon's Feed record does not name its input document, so a lost createFeed answer is matched
from the other side: the feeds of the same type and marketplace created since the attempt that
spdesk does not know. None (after a grace period) means the call never took effect and the batch
may be sent again. Exactly one whose processing report covers as many messages as the batch had,
and whose errors name only this batch's orders, is adopted as ours. Anything else cannot be
decided, and the actions become `unknown` for a person to check: never resent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from companion.actions.feeds import ReportUnreadable, parse_processing_report
from companion.actions.models import ActionState
from companion.actions.ports import FeedGateway, GatewayOf, Ledger
from companion.actions.record import AmazonResult
from companion.actions.schema import Batch
from companion.amazon.models import Feed
from companion.amazon.outcome import AmazonRejected
from companion.errors import NotFound, SpdeskError

log = logging.getLogger(__name__)
# Amazon's clock and ours may disagree; look a little further back than the attempt.
CLOCK_SLACK = timedelta(minutes=10)
UNDECIDED = (
    "spdesk lost Amazon's answer while creating the feed and cannot tell whether Amazon "
    "received it ({why}). Check the order in Seller Central; spdesk will not resend it."
)


def undecided(feed_ids: str) -> AmazonResult:
    """Amazon's records cannot tell whether the lost createFeed took effect."""
    if feed_ids:
        why = f"feeds {feed_ids} could each be it"
        return AmazonResult.said(
            "create_feed_undecided",
            UNDECIDED.format(why=why),
            case="several_feeds",
            feedIds=feed_ids,
        )
    why = "Amazon is still processing a feed that may be it"
    return AmazonResult.said(
        "create_feed_undecided", UNDECIDED.format(why=why), case="still_processing"
    )


class CreateFeedReconciler:
    """Settles batches left in state 'creating' (lost createFeed reply or a crash mid-call)."""

    def __init__(
        self,
        ledger: Ledger,
        gateway_of: GatewayOf,
        *,
        grace: float,
        poll: float,
        requeue: Callable[[list[str]], Awaitable[None]],
        adopt: Callable[[str], None],
        settle: Callable[[str, AmazonResult], Awaitable[None]],
        give_up_after: float = 48 * 3600.0,
    ) -> None:
        self.ledger = ledger
        self.gateway_of = gateway_of
        self.grace = grace
        self.poll = poll
        self.requeue = requeue
        self.adopt = adopt
        self.settle = settle
        self.give_up_after = give_up_after

    async def resolve(self, batch_id: str) -> None:
        """Wait out the grace period, then adopt, resend or give up on the batch."""
        batch = await self.ledger.batch(batch_id)
        if batch is None or batch.state != "creating":
            return
        await asyncio.sleep(self.grace)
        gateway = await self.gateway_of(batch.account)
        deadline = time.monotonic() + self.give_up_after
        while True:
            try:
                verdict = await self._verdict(gateway, batch)
            except SpdeskError as exc:
                log.info("reconciling batch %s: Amazon not answering (%s)", batch_id, exc.code)
                verdict = None
            if verdict is None and time.monotonic() > deadline:
                verdict = ("unknown", "")  # no feed ids: one may still be it
            if verdict is not None:
                await self._apply(batch, *verdict)
                return
            await asyncio.sleep(self.poll)

    async def _verdict(self, gateway: FeedGateway, batch: Batch) -> tuple[str, str] | None:
        started = datetime.fromisoformat((batch.create_started_at or "").replace("Z", "+00:00"))
        feeds = await gateway.get_feeds([batch.feed_type], created_since=started - CLOCK_SLACK)
        known = await self.ledger.known_feed_ids(batch.account)
        candidates = [
            f
            for f in feeds
            if f.feed_id not in known
            and (not f.marketplace_ids or batch.marketplace_id in f.marketplace_ids)
        ]
        if not candidates:
            return ("resend", "")
        if any(f.processing_status in ("IN_QUEUE", "IN_PROGRESS") for f in candidates):
            return None  # wait until they finish: only their reports can tell
        members = await self.ledger.in_batch(batch.id)
        orders = {a.order_id for a in members}
        matches = []
        for feed in candidates:
            if feed.processing_status == "CANCELLED":
                continue  # applied nothing, whoever sent it
            if await self._could_be_ours(gateway, feed, len(members), orders):
                matches.append(feed.feed_id)
        if not matches:
            return ("resend", "")
        if len(matches) == 1:
            return ("adopt", matches[0])
        return ("unknown", ", ".join(matches))

    async def _could_be_ours(
        self, gateway: FeedGateway, feed: Feed, size: int, orders: set[str]
    ) -> bool:
        if feed.processing_status != "DONE" or not feed.result_feed_document_id:
            return True  # FATAL or no report: cannot be excluded
        try:
            report = parse_processing_report(
                await gateway.get_feed_document_bytes(feed.result_feed_document_id)
            )
        except (ReportUnreadable, NotFound, AmazonRejected):
            return True  # unreadable or gone for good: waiting cannot exclude it
        named = {r.order_id for r in report.results if r.order_id}
        return report.processed == size and named <= orders

    async def _apply(self, batch: Batch, verdict: str, value: str) -> None:
        batch_id = batch.id
        if verdict == "adopt":
            log.info(
                "batch %s: adopting feed %s found after a lost createFeed reply", batch_id, value
            )
            await self.ledger.batch_submitted(batch_id, value)
            self.adopt(batch_id)
        elif verdict == "resend":
            log.info("batch %s: Amazon never created its feed; sending the actions again", batch_id)
            await self.ledger.update_batch(
                batch_id, state="dissolved", detail={"reconciled": "feed was never created"}
            )
            members = await self.ledger.in_batch(batch_id)
            await self.requeue([a.id for a in members if a.state is ActionState.QUEUED])
        else:
            await self.settle(batch_id, undecided(value))
