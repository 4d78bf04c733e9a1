"""Following a submitted feed to its end and mapping the processing report to each action."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from companion.actions.crashpoints import crash_point
from companion.actions.feeds import ProcessingReport, ReportUnreadable, parse_processing_report
from companion.actions.models import ActionState
from companion.actions.ports import FeedGateway, GatewayOf, Ledger, Move
from companion.actions.record import Action, AmazonResult, Notice
from companion.actions.schema import Batch, Change
from companion.amazon.models import Feed
from companion.amazon.outcome import AmazonRejected
from companion.errors import NotFound, SpdeskError

log = logging.getLogger(__name__)

FATAL = AmazonResult.said(
    "feed_fatal",
    "Amazon stopped processing the feed with a fatal error: some, none or all of it may "
    "have been applied. Check the order in Seller Central before doing anything else; "
    "spdesk will not resend it.",
)
CANCELLED = AmazonResult.said(
    "feed_cancelled", "Amazon cancelled the feed before processing it; nothing was applied."
)
NO_REPORT = AmazonResult.said(
    "report_missing", "Amazon finished the feed but gave no processing report."
)


def report_gone(feed_id: str, why: str) -> AmazonResult:
    """The processing report of a finished feed cannot be had: the outcome is unknown."""
    return AmazonResult.said(
        "report_unavailable",
        f"Amazon finished feed {feed_id}, but its processing report cannot be downloaded "
        f"({why}), so spdesk cannot tell whether this action was applied. Check the order "
        "in Seller Central; spdesk will not resend it.",
        feedId=feed_id,
        error=why,
    )


@dataclass(frozen=True, slots=True)
class TrackTiming:
    """How often to poll getFeed, when to warn about a slow feed and when to stop waiting."""

    poll: float
    stuck_after: float
    give_up_after: float
    # How long getFeed may answer 404 (Amazon no longer knows the feed) before spdesk stops
    # waiting; counted from the first 404, which the journal keeps across restarts.
    gone_grace: float = 600.0


@dataclass(slots=True)
class _Progress:
    """What one tracking loop learnt so far about its batch."""

    batch: Batch
    feed_id: str
    processing: bool = False
    report_error: str | None = None
    gone_since: datetime | None = None


class FeedTracker:
    """Polls one submitted feed until DONE, FATAL or CANCELLED and settles its actions."""

    def __init__(
        self,
        ledger: Ledger,
        gateway_of: GatewayOf,
        timing: TrackTiming,
        on_settled: Callable[[Action], None],
    ) -> None:
        self.ledger = ledger
        self.gateway_of = gateway_of
        self.timing = timing
        self.on_settled = on_settled

    async def track(self, batch_id: str) -> None:
        """Follow the batch's feed; returns once every action of the batch is settled."""
        batch = await self.ledger.batch(batch_id)
        if batch is None or not batch.feed_id:
            return
        progress = _Progress(batch, batch.feed_id, processing=batch.state == "processing")
        progress.gone_since = _gone_since(batch)
        gateway = await self.gateway_of(batch.account)
        started = time.monotonic()
        warned = False
        while True:
            feed = await self._status(gateway, progress)
            if feed is not None and await self._step(gateway, progress, feed):
                return
            if await self._gone_for_good(progress):
                return
            waited = time.monotonic() - started
            if waited > self.timing.give_up_after:
                await self.settle_all(
                    batch_id, "unknown", ActionState.UNKNOWN, _gave_up(progress, waited)
                )
                return
            if not warned and waited > self.timing.stuck_after:
                warned = True
                await self._warn_slow(batch_id, progress.feed_id)
            await asyncio.sleep(self.timing.poll)

    async def _status(self, gateway: FeedGateway, progress: _Progress) -> Feed | None:
        try:
            feed = await gateway.get_feed(progress.feed_id)
        except NotFound:
            await self._note_gone(progress)
            return None
        except SpdeskError as exc:
            # Reading a status is harmless to repeat: keep trying on the next poll.
            log.info("getFeed %s failed (%s); will retry", progress.feed_id, exc.code)
            return None
        if progress.gone_since is not None:  # it came back: the 404s were Amazon's hiccup
            progress.gone_since = None
            await self._keep_detail(progress, feedGoneSince=None)
        return feed

    async def _note_gone(self, progress: _Progress) -> None:
        """The first 404 of a feed is journaled: the grace runs on across restarts."""
        if progress.gone_since is None:
            progress.gone_since = datetime.now(UTC)
            log.warning("getFeed %s: Amazon does not know this feed", progress.feed_id)
            await self._keep_detail(progress, feedGoneSince=progress.gone_since.isoformat())

    async def _keep_detail(self, progress: _Progress, **changes: object) -> None:
        batch = await self.ledger.batch(progress.batch.id) or progress.batch
        detail = {k: v for k, v in {**batch.detail, **changes}.items() if v is not None}
        await self.ledger.update_batch(batch.id, detail=detail)

    async def _gone_for_good(self, progress: _Progress) -> bool:
        """Settle the batch `unknown` once getFeed has answered 404 for the whole grace."""
        since = progress.gone_since
        if since is None or datetime.now(UTC) - since < timedelta(seconds=self.timing.gone_grace):
            return False
        stamp = since.isoformat(timespec="seconds")
        said = AmazonResult.said(
            "feed_gone",
            f"Amazon no longer knows feed {progress.feed_id} (getFeed has answered 404 since "
            f"{stamp}), so spdesk cannot learn whether this action was applied. Check the order "
            "in Seller Central; spdesk will not resend it.",
            feedId=progress.feed_id,
            since=stamp,
        )
        await self.settle_all(progress.batch.id, "unknown", ActionState.UNKNOWN, said)
        return True

    async def _step(self, gateway: FeedGateway, progress: _Progress, feed: Feed) -> bool:
        batch_id, status = progress.batch.id, feed.processing_status
        if status == "IN_PROGRESS":
            if not progress.processing:  # once per batch, not on every poll
                moves: list[Move] = [
                    (a.id, ActionState.PROCESSING, Change())
                    for a in await self.ledger.in_batch(batch_id)
                    if a.state is ActionState.SUBMITTED
                ]
                await self.ledger.transition_many(moves)
                await self.ledger.update_batch(batch_id, state="processing")
                progress.processing = True
            return False
        if status == "FATAL":
            await self.settle_all(batch_id, "fatal", ActionState.UNKNOWN, FATAL)
            return True
        if status == "CANCELLED":
            await self.settle_all(batch_id, "cancelled", ActionState.FAILED, CANCELLED)
            return True
        if status != "DONE":
            return False
        return await self._done(gateway, progress, feed)

    async def _done(self, gateway: FeedGateway, progress: _Progress, feed: Feed) -> bool:
        batch_id = progress.batch.id
        if not feed.result_feed_document_id:
            await self.settle_all(batch_id, "unknown", ActionState.UNKNOWN, NO_REPORT)
            return True
        try:
            data = await gateway.get_feed_document_bytes(feed.result_feed_document_id)
        except (NotFound, AmazonRejected) as exc:
            # Gone or refused for good: waiting cannot bring the report back.
            await self.settle_all(
                batch_id,
                "unknown",
                ActionState.UNKNOWN,
                report_gone(feed.feed_id, exc.message),
            )
            return True
        except SpdeskError as exc:
            log.info("processing report of %s not readable yet (%s)", feed.feed_id, exc.code)
            progress.report_error = exc.message
            return False
        try:
            report = parse_processing_report(data)
        except ReportUnreadable as exc:
            await self.settle_all(
                batch_id,
                "unknown",
                ActionState.UNKNOWN,
                AmazonResult.said(
                    "report_unreadable",
                    f"Amazon's processing report could not be read ({exc}).",
                    problem=str(exc),
                ),
            )
            return True
        crash_point("after_report")
        await self.apply_report(batch_id, report)
        return True

    async def apply_report(self, batch_id: str, report: ProcessingReport) -> None:
        """Settle each action of the batch from the Result rows that name its MessageID."""
        rejected = [r for r in report.results_for(0) if r.result_code == "Error"]
        if rejected and report.successful == 0:
            # MessageID 0: Amazon rejected the whole document, so no message was applied.
            await self.settle_all(
                batch_id,
                "done",
                ActionState.FAILED,
                AmazonResult.said(
                    "feed_rejected",
                    f"Amazon rejected the feed: {rejected[0].description}",
                    description=rejected[0].description,
                ),
            )
            return
        if rejected:
            # A whole-document error next to successful messages: the report contradicts itself,
            # and "failed" could invite a second refund of money already given back.
            await self.settle_all(
                batch_id,
                "done",
                ActionState.UNKNOWN,
                AmazonResult.said(
                    "report_contradicts",
                    f"Amazon's report rejects the feed ({rejected[0].description}) yet counts "
                    f"{report.successful} message(s) as successful. Check the order in Seller "
                    "Central; spdesk will not resend it.",
                    description=rejected[0].description,
                    successful=report.successful,
                ),
            )
            return
        members = await self.ledger.in_batch(batch_id)
        actions = [a for a in members if not a.terminal]
        sent = len(members)
        complete = report.processed >= sent
        moves = [_move_for(action, report, complete) for action in actions]
        if moves:
            await self.ledger.transition_many(moves, detail="processing report")
        await self.ledger.update_batch(
            batch_id,
            state="done",
            detail={
                "processed": report.processed,
                "successful": report.successful,
                "withError": report.with_error,
                "withWarning": report.with_warning,
            },
        )
        for action_id, _, _ in moves:
            settled = await self.ledger.get(action_id)
            if settled is not None:
                self.on_settled(settled)

    async def settle_all(
        self, batch_id: str, batch_state: str, state: ActionState, said: AmazonResult
    ) -> None:
        """End every unsettled action of a batch in one state with one explanation."""
        actions = [a for a in await self.ledger.in_batch(batch_id) if not a.terminal]
        moves: list[Move] = [
            (
                a.id,
                state,
                Change(
                    replace(
                        a.amazon, description=said.description, code=said.code, params=said.params
                    )
                ),
            )
            for a in actions
        ]
        if moves:
            await self.ledger.transition_many(moves, detail=batch_state)
        await self.ledger.update_batch(batch_id, state=batch_state)
        for action in actions:
            settled = await self.ledger.get(action.id)
            if settled is not None:
                self.on_settled(settled)

    async def _warn_slow(self, batch_id: str, feed_id: str) -> None:
        warning = Notice(
            "feed_slow",
            f"Amazon is taking longer than usual to process feed {feed_id}. Feeds can take "
            "hours under load; spdesk keeps checking and will show the result here.",
            {"feedId": feed_id},
        )
        for action in await self.ledger.in_batch(batch_id):
            if not action.terminal and warning not in action.warnings:
                await self.ledger.update(action.id, warnings=(*action.warnings, warning))


def _gone_since(batch: Batch) -> datetime | None:
    """When getFeed first answered 404 for the batch's feed, as the journal kept it."""
    stamp = batch.detail.get("feedGoneSince")
    return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None


def _gave_up(progress: _Progress, waited: float) -> AmazonResult:
    """Why a feed followed for the whole give-up time ends its actions as unknown."""
    if progress.report_error is not None:
        return report_gone(progress.feed_id, progress.report_error)
    hours = f"{waited / 3600:.1f}"
    return AmazonResult.said(
        "feed_not_finished",
        f"Amazon has not finished processing feed {progress.feed_id} after "
        f"{hours} hours. Check Seller Central; spdesk will not resend it.",
        feedId=progress.feed_id,
        hours=hours,
    )


def _move_for(action: Action, report: ProcessingReport, complete: bool) -> Move:
    results = report.results_for(action.message_id or 0)
    errors = [r for r in results if r.result_code == "Error"]
    if errors:
        first = errors[0]
        failed = AmazonResult.answered("Error", first.message_code, first.description)
        return (action.id, ActionState.FAILED, Change(failed))
    if not results and not complete:
        missing = AmazonResult.said(
            "not_in_report",
            f"Amazon's report covers {report.processed} message(s) and does not "
            "mention this one; check Seller Central before doing anything else.",
            processed=report.processed,
        )
        return (action.id, ActionState.UNKNOWN, Change(missing))
    warnings = tuple(
        Notice(
            "amazon_warning",
            f"{r.message_code}: {r.description}",
            {"messageCode": r.message_code, "description": r.description},
        )
        for r in results
    )
    amazon = (
        AmazonResult.answered("Warning", results[0].message_code, results[0].description)
        if results
        else AmazonResult()
    )
    return (action.id, ActionState.SUCCEEDED, Change(amazon, (*action.warnings, *warnings)))
