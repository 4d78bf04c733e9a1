"""Sending a feed batch: journal first, upload, createFeed once, then hand over to tracking."""

from __future__ import annotations

import logging
from collections.abc import Callable

from companion.actions.batcher import QueueKey
from companion.actions.crashpoints import crash_point
from companion.actions.feeds import (
    ACKNOWLEDGEMENT_FEED,
    ADJUSTMENT_FEED,
    AcknowledgementMessage,
    AdjustmentMessage,
    build_acknowledgement_feed,
    build_adjustment_feed,
)
from companion.actions.models import ActionState, new_id
from companion.actions.ports import FeedGateway, GatewayOf, Ledger, Move
from companion.actions.record import Action, AmazonResult
from companion.actions.schema import Change
from companion.amazon.outcome import AmazonAccessDenied, AmazonRejected
from companion.errors import AmazonThrottled, SpdeskError
from companion.marketplaces import marketplace

log = logging.getLogger(__name__)
# Definitely-not-sent failures (upload failed, createFeed throttled) before an action is failed.
MAX_ATTEMPTS = 8
SHIPPED_MEANWHILE = AmazonResult.said(
    "shipped_meanwhile",
    "The order shipped while the cancellation waited to be sent, so it was not "
    "sent (a cancellation after shipment would refund the whole order). Refund "
    "the buyer instead.",
)
# Answers to createFeed that prove Amazon refused it (a 4xx other than 429): no feed exists.
REFUSED = (AmazonRejected, AmazonAccessDenied)


class FeedSubmitter:
    """Turns a list of queued actions into one feed; every step is journaled before it is taken."""

    def __init__(
        self,
        ledger: Ledger,
        gateway_of: GatewayOf,
        seller_of: Callable[[str], str],
        on_ambiguous: Callable[[str], None],
        on_submitted: Callable[[str], None],
    ) -> None:
        self.ledger = ledger
        self.gateway_of = gateway_of
        self.seller_of = seller_of
        self.on_ambiguous = on_ambiguous
        self.on_submitted = on_submitted
        self._attempts: dict[str, int] = {}

    async def submit(self, key: QueueKey, action_ids: list[str]) -> list[str]:
        """Send one batch; return the ids that were definitely not sent and should wait again."""
        account, feed_type, marketplace_id = key
        found = [await self.ledger.get(action_id) for action_id in action_ids]
        actions = [a for a in found if a is not None and a.state is ActionState.QUEUED]
        if feed_type == ACKNOWLEDGEMENT_FEED:
            actions = await self._still_unshipped(account, actions)
        if not actions:
            return []
        batch_id = new_id("bat")
        # Claimed, not assigned: an action already in a live batch (sent by another companion
        # of the team, or by this one a moment ago) is never put in a second one.
        actions = await self.ledger.claim_batch(
            batch_id, key, [a.id for a in actions], self.ledger.term
        )
        if not actions:
            return []
        crash_point("after_batch")
        try:
            xml = self._document(account, feed_type, marketplace_id, actions)
            gateway = await self.gateway_of(account)
        except SpdeskError as exc:
            # E.g. the account was removed while its actions waited: nothing can be sent.
            return await self._not_sent(batch_id, actions, exc, "prepare")
        try:
            document_id = await gateway.upload_feed_document(xml)
        except SpdeskError as exc:
            return await self._not_sent(batch_id, actions, exc, "upload")
        return await self._create(gateway, key, batch_id, actions, document_id)

    async def _create(
        self,
        gateway: FeedGateway,
        key: QueueKey,
        batch_id: str,
        actions: list[Action],
        document_id: str,
    ) -> list[str]:
        """createFeed for an uploaded batch, journaled first: the one step that moves money."""
        _, feed_type, marketplace_id = key
        await self.ledger.update_batch(batch_id, state="uploaded", document_id=document_id)
        crash_point("after_upload")
        if not await self.ledger.start_create_feed(batch_id, self.ledger.term):
            # Another companion builds the feeds now, or a createFeed of this queue is still
            # unanswered: nothing was sent, the actions wait for the next batch.
            await self.ledger.update_batch(
                batch_id, state="dissolved", detail={"step": "createFeed", "fenced": True}
            )
            return [a.id for a in actions]
        crash_point("before_create_feed")
        try:
            feed_id = await gateway.create_feed(feed_type, [marketplace_id], document_id)
        except AmazonThrottled as exc:
            # A throttled call is refused before Amazon looks at it: no feed exists.
            return await self._not_sent(batch_id, actions, exc, "createFeed")
        except REFUSED as exc:
            # Amazon answered and refused: no feed exists, and the same request would be
            # refused again (each try would spend a scarce createFeed token).
            return await self._refused(batch_id, actions, exc)
        except SpdeskError as exc:
            # A lost reply, a timeout or a 5xx: the feed may exist. Never resend blindly.
            log.warning("createFeed for batch %s ended unclearly: %s", batch_id, exc.code)
            await self.ledger.update_batch(batch_id, detail={"createFeedError": exc.message})
            self.on_ambiguous(batch_id)
            return []
        crash_point("after_create_feed")
        try:
            await self.ledger.batch_submitted(batch_id, feed_id)
        except Exception as exc:  # the disk is full: the feed exists, its id is not journaled
            log.warning("batch %s: feed %s not journaled (%s); reconciling", batch_id, feed_id, exc)
            self.on_ambiguous(batch_id)  # getFeeds finds it again and adopts it
            return []
        for action in actions:
            self._attempts.pop(action.id, None)
        crash_point("after_submitted")
        self.on_submitted(batch_id)
        return []

    async def _not_sent(
        self, batch_id: str, actions: list[Action], exc: SpdeskError, step: str
    ) -> list[str]:
        await self.ledger.update_batch(
            batch_id, state="dissolved", detail={"step": step, "error": exc.message}
        )
        retry: list[str] = []
        failed: list[Move] = []
        said = _not_sent(step, exc)
        for action in actions:
            count = self._attempts.get(action.id, 0) + 1
            self._attempts[action.id] = count
            if count >= MAX_ATTEMPTS:
                failed.append((action.id, ActionState.FAILED, Change(said)))
            else:
                retry.append(action.id)
        if failed:
            await self.ledger.transition_many(failed, detail=f"{step} failed {MAX_ATTEMPTS} times")
        return retry

    async def _still_unshipped(self, account: str, actions: list[Action]) -> list[Action]:
        """Cancellations whose order has not shipped while they waited for a createFeed token.

        A Failure acknowledgement after shipment is reported to refund the whole order; the order
        is read again right before sending (best effort: if it cannot be read, the check made when
        the cancellation was accepted stands).
        """
        try:
            gateway = await self.gateway_of(account)
        except SpdeskError:
            return actions  # the send below fails the same way and says why
        keep = []
        for action in actions:
            try:
                order = await gateway.get_order(action.order_id)
            except SpdeskError as exc:
                log.info("order %s not re-read before its cancel (%s)", action.order_id, exc.code)
                keep.append(action)
                continue
            if any(item.quantity_shipped > 0 for item in order.items):
                await self.ledger.transition(
                    action.id, ActionState.FAILED, amazon=SHIPPED_MEANWHILE
                )
            else:
                keep.append(action)
        return keep

    async def _refused(self, batch_id: str, actions: list[Action], exc: SpdeskError) -> list[str]:
        await self.ledger.update_batch(
            batch_id, state="dissolved", detail={"step": "createFeed", "refused": exc.message}
        )
        said = AmazonResult.said(
            "feed_refused",
            f"Amazon refused the feed ({exc.message}). Nothing was sent.",
            error=exc.message,
            errorCode=exc.code,
        )
        await self.ledger.transition_many(
            [(a.id, ActionState.FAILED, Change(said)) for a in actions],
            detail="createFeed refused",
        )
        for action in actions:
            self._attempts.pop(action.id, None)
        return []

    def _document(
        self, account: str, feed_type: str, marketplace_id: str, actions: list[Action]
    ) -> bytes:
        seller = self.seller_of(account)
        if feed_type == ADJUSTMENT_FEED:
            return build_adjustment_feed(
                seller,
                marketplace(marketplace_id),
                [
                    AdjustmentMessage(a.message_id or 0, a.order_id, a.id, a.reason, a.refund_lines)
                    for a in actions
                ],
            )
        if feed_type == ACKNOWLEDGEMENT_FEED:
            return build_acknowledgement_feed(
                seller,
                [
                    AcknowledgementMessage(a.message_id or 0, a.order_id, a.reason, a.cancel_lines)
                    for a in actions
                ],
            )
        raise ValueError(f"unknown feed type {feed_type}")


def _not_sent(step: str, exc: SpdeskError) -> AmazonResult:
    """Why actions that were never sent end as failed after their last attempt."""
    if step == "prepare":
        return AmazonResult.said(
            "feed_not_prepared",
            f"spdesk could not prepare the feed ({exc.message}). "
            "Nothing was sent; try again later.",
            error=exc.message,
            errorCode=exc.code,
        )
    return AmazonResult.said(
        "feed_not_taken",
        f"Amazon could not take the request ({exc.message}). Nothing was sent; try again later.",
        error=exc.message,
        errorCode=exc.code,
    )
