"""Run one feed document against the order state: parse, check each message, apply the valid ones.

Like Amazon, nothing here de-duplicates: a repeated adjustment is checked against the amounts
refunded so far and, if it still fits, refunds again. And like Amazon, a Failure acknowledgement
of an order that has shipped refunds the whole order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from spdesk_sandbox.acknowledgements import CancelPlan, check_acknowledgement
from spdesk_sandbox.feedxml import (
    FeedDocumentError,
    Message,
    OrderAcknowledgement,
    OrderAdjustment,
    parse_feed,
)
from spdesk_sandbox.records import Adjustment, Cancellation, ItemCancellation, Order, OrderItem
from spdesk_sandbox.report import MessageCode, Result, ResultCode, error
from spdesk_sandbox.rules import check_adjustment
from spdesk_sandbox.state import SandboxState
from spdesk_sandbox.vat import applied


@dataclass(frozen=True, slots=True)
class FeedRun:
    """Where a feed run ended: messages processed and the report's Result rows."""

    processed: int
    results: list[Result] = field(default_factory=list)


# The reason the ledger records for the refund a Failure acknowledgement after shipment makes.
WHOLE_ORDER_REFUND = "FailureAcknowledgementAfterShipment"


def _adjustment_id(state: SandboxState) -> str:
    # The ledger is append-only and persisted, so its length keeps ids unique across restarts.
    return f"{70000000000000 + len(state.adjustments) + 1}"


def apply_adjustment(
    state: SandboxState, order: Order, message: OrderAdjustment, feed_id: str, message_id: int
) -> None:
    """Add every AdjustedItem of a checked message to the order and the adjustment ledger."""
    now = state.now()
    for adjusted in message.items:
        line = order.item(adjusted.item_code)
        if line is None:  # excluded by the checks; keeps the type checker honest
            continue
        if adjusted.quantity_cancelled:
            line.qty_cancelled += adjusted.quantity_cancelled
            line.cancellation = ItemCancellation("MERCHANT", adjusted.reason, now)
        refund = Refund(
            adjusted.reason,
            feed_id,
            message_id,
            adjusted.merchant_adjustment_item_id,
            adjusted.quantity_cancelled,
        )
        _refund_line(state, order, line, applied(order, line, adjusted.components), refund)
    if any(a.quantity_cancelled for a in message.items):
        order.refresh_status()
    order.last_updated = now
    state.touch()


@dataclass(frozen=True, slots=True)
class Refund:
    """Why money goes back and which message said so, as the adjustment ledger records it."""

    reason: str
    feed_id: str
    message_id: int
    merchant_adjustment_item_id: str | None = None
    quantity_cancelled: int | None = None


def _refund_line(
    state: SandboxState,
    order: Order,
    line: OrderItem,
    components: dict[str, Decimal],
    refund: Refund,
) -> None:
    """Give `components` back on one line and add it to the adjustment ledger."""
    now = state.now()
    for kind, amount in components.items():
        line.refunded[kind] = line.refunded.get(kind, Decimal(0)) + amount
    state.adjustments.append(
        Adjustment(
            adjustment_id=_adjustment_id(state),
            order_id=order.order_id,
            item_code=line.item_code,
            currency=order.currency,
            components=components,
            reason=refund.reason,
            applied_at=now,
            posted_at=now + timedelta(seconds=state.settings.posting_lag_seconds),
            feed_id=refund.feed_id,
            message_id=refund.message_id,
            merchant_adjustment_item_id=refund.merchant_adjustment_item_id,
            quantity_cancelled=refund.quantity_cancelled,
        )
    )


def refund_whole_order(state: SandboxState, order: Order, feed_id: str, message_id: int) -> None:
    """What a Failure acknowledgement after shipment does on Amazon: everything goes back."""
    for line in order.items:
        left = {k: line.refundable(k) for k in line.charged if line.refundable(k) > 0}
        if left:
            refund = Refund(WHOLE_ORDER_REFUND, feed_id, message_id)
            _refund_line(state, order, line, left, refund)
    order.last_updated = state.now()
    state.touch()


def apply_cancel(
    state: SandboxState, order: Order, plan: CancelPlan, feed_id: str, message_id: int
) -> None:
    """Cancel the planned units of each item; the order is CANCELLED when no unit is left."""
    if plan.refund_whole_order:
        refund_whole_order(state, order, feed_id, message_id)
        return
    now = state.now()
    by_reason: dict[str, list[str]] = {}
    for line, reason, units in plan.items:
        line.qty_cancelled += units
        line.cancellation = ItemCancellation("MERCHANT", reason, now)
        by_reason.setdefault(reason, []).append(line.item_code)
    for reason, codes in by_reason.items():
        state.cancellations.append(
            Cancellation(
                order_id=order.order_id,
                item_codes=codes,
                reason=reason,
                at=now,
                source="feed",
                feed_id=feed_id,
                message_id=message_id,
                counts_against_cancel_rate=plan.counts_against_cancel_rate,
            )
        )
    order.refresh_status()
    order.last_updated = now
    state.touch()


def _apply_message(
    state: SandboxState, message: Message, feed_id: str, marketplaces: frozenset[str]
) -> list[Result]:
    body, mid = message.body, message.message_id
    if body is None:
        return [error(mid, MessageCode.XML_STRUCTURE, message.problem or "Invalid message.")]
    order = state.order(body.order_id)
    if isinstance(body, OrderAdjustment):
        results = check_adjustment(order, body, mid, marketplaces)
        if order is not None and not _has_error(results):
            apply_adjustment(state, order, body, feed_id, mid)
        return results
    assert isinstance(body, OrderAcknowledgement)
    results, plan = check_acknowledgement(order, body, mid, marketplaces)
    if order is not None and plan is not None and not _has_error(results):
        apply_cancel(state, order, plan, feed_id, mid)
    return results


def _has_error(results: list[Result]) -> bool:
    return any(r.code is ResultCode.ERROR for r in results)


def run_feed(
    state: SandboxState,
    feed_id: str,
    feed_type: str,
    content: bytes,
    marketplace_ids: list[str],
    limit: int | None = None,
) -> FeedRun:
    """Process a feed document; `limit` applies only the first messages (FATAL feeds)."""
    try:
        document = parse_feed(content, feed_type)
    except FeedDocumentError as exc:
        # Amazon cannot count the messages of a document it cannot read: it reports one,
        # processed with an error (MessagesProcessed 1, MessagesWithError 1).
        return FeedRun(1, [error(0, MessageCode(exc.code), exc.description)])
    marketplaces = frozenset(marketplace_ids)
    results: list[Result] = []
    seen: set[int] = set()
    messages = document.messages if limit is None else document.messages[:limit]
    for message in messages:
        if message.message_id in seen:
            results.append(
                error(
                    message.message_id,
                    MessageCode.XML_STRUCTURE,
                    f"MessageID {message.message_id} is used more than once.",
                )
            )
            continue
        seen.add(message.message_id)
        results += _apply_message(state, message, feed_id, marketplaces)
    return FeedRun(len(messages), results)


def message_count(content: bytes, feed_type: str) -> int:
    """How many messages a document holds (0 when it cannot be parsed)."""
    try:
        return len(parse_feed(content, feed_type).messages)
    except FeedDocumentError:
        return 0
