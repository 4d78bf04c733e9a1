"""The feed processor: one worker per seller runs feeds one after another, on the virtual clock.

A feed is IN_QUEUE for `feed_queue_seconds` after creation (longer while an earlier feed runs),
then IN_PROGRESS for `feed_processing_seconds`, then DONE with a processing report. Faults taken
when the feed was created change that:

- `feed_fatal`: the first half of the messages (rounded up) is applied, then the feed ends FATAL
  without a report, so "some, none or all" really is "some" (for one message: all).
- `feed_stuck`: the feed stays IN_PROGRESS, blocking the seller's later feeds, until the faults
  are cleared or the virtual clock passes `STUCK_LIMIT_SECONDS`; then it finishes normally.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from aiohttp import web

from spdesk_sandbox import documents
from spdesk_sandbox.feedapply import message_count, run_feed
from spdesk_sandbox.params import iso
from spdesk_sandbox.report import render_report
from spdesk_sandbox.state import STATE, SandboxState

log = logging.getLogger(__name__)

STUCK_LIMIT_SECONDS = 8 * 3600.0  # Amazon: feeds may take up to ~8 hours under load
REPORT_CONTENT_TYPE = "text/xml; charset=UTF-8"


class FeedStatus(StrEnum):
    """Feeds 2021-06-30 `processingStatus`."""

    IN_QUEUE = "IN_QUEUE"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    CANCELLED = "CANCELLED"
    FATAL = "FATAL"


@dataclass(slots=True)
class FeedRecord:
    """One submitted feed and where it is in its lifecycle."""

    feed_id: str
    feed_type: str
    marketplace_ids: list[str]
    input_document_id: str
    created_at: datetime
    fault: str | None = None
    feed_options: dict[str, str] = field(default_factory=dict)
    status: FeedStatus = FeedStatus.IN_QUEUE
    started_at: datetime | None = None
    ended_at: datetime | None = None
    result_document_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The Feeds API `Feed` object."""
        body: dict[str, Any] = {
            "feedId": self.feed_id,
            "feedType": self.feed_type,
            "marketplaceIds": list(self.marketplace_ids),
            "createdTime": iso(self.created_at),
            "processingStatus": str(self.status),
        }
        if self.started_at:
            body["processingStartTime"] = iso(self.started_at)
        if self.ended_at:
            body["processingEndTime"] = iso(self.ended_at)
        if self.result_document_id:
            body["resultFeedDocumentId"] = self.result_document_id
        return body


def feeds_of(state: SandboxState) -> list[FeedRecord]:
    """Every feed, oldest first."""
    return [f for f in state.feeds.values() if isinstance(f, FeedRecord)]


class FeedProcessor:
    """Runs queued feeds in creation order, one at a time, as Amazon does for one seller."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.wakeup = asyncio.Event()

    def notify(self) -> None:
        """A feed was queued (or the state was reset): look for work."""
        self.wakeup.set()

    def _next(self) -> FeedRecord | None:
        feeds = feeds_of(self.state)
        running = [f for f in feeds if f.status is FeedStatus.IN_PROGRESS]  # always finish first
        queued = [f for f in feeds if f.status is FeedStatus.IN_QUEUE]
        return next(iter(running or queued), None)

    def _current(self, feed: FeedRecord) -> bool:
        """False once the feed was cancelled or the state was reset underneath it."""
        live = self.state.feeds.get(feed.feed_id) is feed
        return live and feed.status is not FeedStatus.CANCELLED

    async def run(self) -> None:
        """Process feeds forever."""
        while True:
            feed = self._next()
            if feed is None:
                await self.wakeup.wait()
                self.wakeup.clear()
                continue
            try:
                await self._process(feed)
            except Exception:
                log.exception("feed %s could not be processed", feed.feed_id)
                feed.status, feed.ended_at = FeedStatus.FATAL, self.state.now()

    async def _process(self, feed: FeedRecord) -> None:
        clock = self.state.clock
        if feed.status is FeedStatus.IN_QUEUE:
            queue = timedelta(seconds=self.state.settings.feed_queue_seconds)
            await clock.sleep_until(feed.created_at + queue)  # no wait if it queued long enough
            if not self._current(feed):
                return
            feed.status, feed.started_at = FeedStatus.IN_PROGRESS, self.state.now()
            self.state.touch()
        assert feed.started_at is not None
        ends = feed.started_at + timedelta(seconds=self.state.settings.feed_processing_seconds)
        await clock.sleep_until(ends)
        if feed.fault == "feed_stuck":
            await self._stay_stuck(feed)
        if self._current(feed):
            async with self.state.lock:
                self._finish(feed)

    async def _stay_stuck(self, feed: FeedRecord) -> None:
        assert feed.started_at is not None
        limit = feed.started_at + timedelta(seconds=STUCK_LIMIT_SECONDS)
        cleared = self.state.faults.cleared
        while not cleared.is_set() and self.state.now() < limit and self._current(feed):
            waits = {
                asyncio.ensure_future(cleared.wait()),
                asyncio.ensure_future(self.state.clock.sleep_until(limit)),
            }
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in waits:
                    task.cancel()
                # gather re-raises a cancellation of this task itself, so shutdown is never lost
                await asyncio.gather(*waits, return_exceptions=True)

    def _finish(self, feed: FeedRecord) -> None:
        state = self.state
        source = documents.get_document(state, feed.input_document_id)
        content = source.content if source and source.content is not None else b""
        limit = None
        if feed.fault == "feed_fatal":
            limit = (message_count(content, feed.feed_type) + 1) // 2
        outcome = run_feed(
            state, feed.feed_id, feed.feed_type, content, feed.marketplace_ids, limit
        )
        feed.ended_at = state.now()
        if feed.fault == "feed_fatal":
            feed.status = FeedStatus.FATAL
        else:
            report = render_report(
                feed.feed_id, state.seller_id, outcome.processed, outcome.results
            )
            stored = documents.new_document(
                state, REPORT_CONTENT_TYPE, report, gzip_it=state.settings.gzip_reports
            )
            feed.result_document_id = stored.document_id
            feed.status = FeedStatus.DONE
        state.touch()


PROCESSOR = web.AppKey("sandbox_feed_processor", FeedProcessor)


async def processor_context(app: web.Application) -> AsyncIterator[None]:
    """Run the feed worker of `setup` while the app runs (a cleanup_ctx generator)."""
    processor = app[PROCESSOR]
    task = asyncio.create_task(processor.run(), name="sandbox-feed-processor")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def setup(app: web.Application) -> None:
    """Attach a feed processor to the app and run it while the app runs."""
    app[PROCESSOR] = FeedProcessor(app[STATE])
    app.cleanup_ctx.append(processor_context)
