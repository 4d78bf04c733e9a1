"""Following a submitted feed to its end and mapping the processing report to each action."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from companion.actions.crashpoints import crash_point
from companion.actions.feeds import ProcessingReport, ReportUnreadable, parse_processing_report
from companion.actions.journal import Journal
from companion.actions.models import Action, ActionState
from companion.actions.ports import GatewayOf
from companion.amazon.outcome import AmazonRejected
from companion.errors import NotFound, SpdeskError

log = logging.getLogger(__name__)
Move = tuple[str, ActionState, dict[str, Any]]

FATAL_TEXT = (
    "Amazon stopped processing the feed with a fatal error: some, none or all of it may "
    "have been applied. Check the order in Seller Central before doing anything else; "
    "spdesk will not resend it."
)
REPORT_GONE = (
    "Amazon finished feed {feed}, but its processing report cannot be downloaded "
    "({why}), so spdesk cannot tell whether this action was applied. Check the order "
    "in Seller Central; spdesk will not resend it."
)
CANCELLED_TEXT = "Amazon cancelled the feed before processing it; nothing was applied."


@dataclass(frozen=True)
class TrackTiming:
    """How often to poll getFeed, when to warn about a slow feed and when to stop waiting."""

    poll: float
    stuck_after: float
    give_up_after: float


class FeedTracker:
    """Polls one submitted feed until DONE, FATAL or CANCELLED and settles its actions."""

    def __init__(
        self,
        journal: Journal,
        gateway_of: GatewayOf,
        timing: TrackTiming,
        on_settled: Callable[[Action], None],
    ) -> None:
        self.journal = journal
        self.gateway_of = gateway_of
        self.timing = timing
        self.on_settled = on_settled

    async def track(self, batch_id: str) -> None:
        """Follow the batch's feed; returns once every action of the batch is settled."""
        batch = self.journal.batch(batch_id)
        if batch is None or not batch["feed_id"]:
            return
        gateway = await self.gateway_of(batch["account"])
        started = time.monotonic()
        warned = False
        while True:
            status = await self._status(gateway, batch["feed_id"])
            if status is not None and await self._step(gateway, batch, status):
                return
            waited = time.monotonic() - started
            if waited > self.timing.give_up_after:
                self.settle_all(
                    batch_id,
                    "unknown",
                    ActionState.UNKNOWN,
                    REPORT_GONE.format(feed=batch["feed_id"], why=batch["report_error"])
                    if "report_error" in batch
                    else (
                        f"Amazon has not finished processing feed {batch['feed_id']} after "
                        f"{waited / 3600:.1f} hours. Check Seller Central; spdesk will not "
                        "resend it."
                    ),
                )
                return
            if not warned and waited > self.timing.stuck_after:
                warned = True
                self._warn_slow(batch_id, batch["feed_id"])
            await asyncio.sleep(self.timing.poll)

    async def _status(self, gateway: Any, feed_id: str) -> Any:
        try:
            return await gateway.get_feed(feed_id)
        except SpdeskError as exc:
            # Reading a status is harmless to repeat: keep trying on the next poll.
            log.info("getFeed %s failed (%s); will retry", feed_id, exc.code)
            return None

    async def _step(self, gateway: Any, batch: dict[str, Any], feed: Any) -> bool:
        status = feed.processing_status
        if status == "IN_PROGRESS":
            if batch["state"] != "processing":  # once per batch, not on every poll
                moves: list[Move] = [
                    (a.id, ActionState.PROCESSING, {})
                    for a in self.journal.in_batch(batch["id"])
                    if a.state is ActionState.SUBMITTED
                ]
                self.journal.transition_many(moves)
                self.journal.update_batch(batch["id"], state="processing")
                batch["state"] = "processing"
            return False
        if status == "FATAL":
            self.settle_all(batch["id"], "fatal", ActionState.UNKNOWN, FATAL_TEXT)
            return True
        if status == "CANCELLED":
            self.settle_all(batch["id"], "cancelled", ActionState.FAILED, CANCELLED_TEXT)
            return True
        if status != "DONE":
            return False
        return await self._done(gateway, batch, feed)

    async def _done(self, gateway: Any, batch: dict[str, Any], feed: Any) -> bool:
        if not feed.result_feed_document_id:
            self.settle_all(
                batch["id"],
                "unknown",
                ActionState.UNKNOWN,
                "Amazon finished the feed but gave no processing report.",
            )
            return True
        try:
            data = await gateway.get_feed_document_bytes(feed.result_feed_document_id)
        except (NotFound, AmazonRejected) as exc:
            # Gone or refused for good: waiting cannot bring the report back.
            self.settle_all(
                batch["id"],
                "unknown",
                ActionState.UNKNOWN,
                REPORT_GONE.format(feed=feed.feed_id, why=exc.message),
            )
            return True
        except SpdeskError as exc:
            log.info("processing report of %s not readable yet (%s)", feed.feed_id, exc.code)
            batch["report_error"] = exc.message
            return False
        try:
            report = parse_processing_report(data)
        except ReportUnreadable as exc:
            self.settle_all(
                batch["id"],
                "unknown",
                ActionState.UNKNOWN,
                f"Amazon's processing report could not be read ({exc}).",
            )
            return True
        crash_point("after_report")
        self.apply_report(batch["id"], report)
        return True

    def apply_report(self, batch_id: str, report: ProcessingReport) -> None:
        """Settle each action of the batch from the Result rows that name its MessageID."""
        rejected = [r for r in report.results_for(0) if r.result_code == "Error"]
        if rejected and report.successful == 0:
            # MessageID 0: Amazon rejected the whole document, so no message was applied.
            self.settle_all(
                batch_id,
                "done",
                ActionState.FAILED,
                f"Amazon rejected the feed: {rejected[0].description}",
            )
            return
        if rejected:
            # A whole-document error next to successful messages: the report contradicts itself,
            # and "failed" could invite a second refund of money already given back.
            self.settle_all(
                batch_id,
                "done",
                ActionState.UNKNOWN,
                (
                    f"Amazon's report rejects the feed ({rejected[0].description}) yet counts "
                    f"{report.successful} message(s) as successful. Check the order in Seller "
                    "Central; spdesk will not resend it."
                ),
            )
            return
        actions = [a for a in self.journal.in_batch(batch_id) if not a.terminal]
        sent = len(self.journal.in_batch(batch_id))
        complete = report.processed >= sent
        moves = [_move_for(action, report, complete) for action in actions]
        if moves:
            self.journal.transition_many(moves, detail="processing report")
        self.journal.update_batch(
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
            settled = self.journal.get(action_id)
            if settled is not None:
                self.on_settled(settled)

    def settle_all(self, batch_id: str, batch_state: str, state: ActionState, text: str) -> None:
        """End every unsettled action of a batch in one state with one explanation."""
        actions = [a for a in self.journal.in_batch(batch_id) if not a.terminal]
        moves: list[Move] = [
            (a.id, state, {"amazon": {**a.amazon, "description": text}}) for a in actions
        ]
        if moves:
            self.journal.transition_many(moves, detail=batch_state)
        self.journal.update_batch(batch_id, state=batch_state)
        for action in actions:
            settled = self.journal.get(action.id)
            if settled is not None:
                self.on_settled(settled)

    def _warn_slow(self, batch_id: str, feed_id: str) -> None:
        warning = {
            "code": "feed_slow",
            "message": (
                f"Amazon is taking longer than usual to process feed {feed_id}. Feeds can take "
                "hours under load; spdesk keeps checking and will show the result here."
            ),
        }
        for action in self.journal.in_batch(batch_id):
            if not action.terminal and warning not in action.warnings:
                self.journal.update(action.id, warnings=[*action.warnings, warning])


def _move_for(action: Action, report: ProcessingReport, complete: bool) -> Move:
    results = report.results_for(action.message_id or 0)
    errors = [r for r in results if r.result_code == "Error"]
    if errors:
        first = errors[0]
        return (
            action.id,
            ActionState.FAILED,
            {
                "amazon": {
                    "resultCode": "Error",
                    "messageCode": first.message_code,
                    "description": first.description,
                }
            },
        )
    if not results and not complete:
        return (
            action.id,
            ActionState.UNKNOWN,
            {
                "amazon": {
                    "description": (
                        f"Amazon's report covers {report.processed} message(s) and does not "
                        "mention this one; check Seller Central before doing anything else."
                    )
                }
            },
        )
    warnings = [
        {"code": "amazon_warning", "message": f"{r.message_code}: {r.description}"} for r in results
    ]
    amazon = (
        {
            "resultCode": "Warning",
            "messageCode": results[0].message_code,
            "description": results[0].description,
        }
        if results
        else {}
    )
    return (
        action.id,
        ActionState.SUCCEEDED,
        {"amazon": amazon, "warnings": [*action.warnings, *warnings]},
    )
