"""Amazon's rules for Order Acknowledgement messages (StatusCode Failure cancels), side-effect free.

A message is all or nothing, like an adjustment. Choices where Amazon's behaviour is not
documented, and the one trap that is:

- `BuyerCanceled` for an item the buyer did not ask to cancel is accepted with a Warning (18050):
  the cancellation counts against the seller's cancellation rate.
- A cancellation that lists no items is an Error (18042): Amazon is reported to ignore those.
- A Failure acknowledgement for an order with any shipped unit cancels nothing and **refunds the
  whole order**, as Amazon's guide for this feed warns ("This would refund the entire order
  amount to the buyer"). It is reported as processed, without a Result: only the client's own
  guard stands between an agent and that outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from spdesk_sandbox.feedxml import OrderAcknowledgement
from spdesk_sandbox.records import Channel, Order, OrderItem, OrderStatus
from spdesk_sandbox.report import MessageCode, Result, error, warning
from spdesk_sandbox.rules import CANCEL_REASONS, Problem, find_order


@dataclass(frozen=True, slots=True)
class CancelPlan:
    """What a valid Failure acknowledgement does: cancel (item, reason, units), or refund all."""

    items: tuple[tuple[OrderItem, str, int], ...]
    counts_against_cancel_rate: bool
    refund_whole_order: bool = False  # sent after shipment: Amazon refunds everything


def _check_cancel_state(order: Order, message: OrderAcknowledgement) -> Problem | None:
    oid = order.order_id
    if order.channel is not Channel.FBM:
        return MessageCode.NOT_SELLER_FULFILLED, (
            f"Order {oid} is fulfilled by Amazon; the seller cannot cancel it."
        )
    if order.status is OrderStatus.CANCELLED:
        return MessageCode.ITEM_ALREADY_CANCELLED, f"Order {oid} is already cancelled."
    if not message.items:
        return MessageCode.CANCEL_WITHOUT_ITEMS, (
            f"The cancellation of order {oid} lists no items; list every item to cancel."
        )
    return None


def _check_listed(order: Order, message: OrderAcknowledgement) -> tuple[str, Problem] | None:
    """Every listed item belongs to the order and names a CancelReason of the schema."""
    for listed in message.items:
        if order.item(listed.item_code) is None:
            return listed.item_code, (
                MessageCode.ITEM_NOT_IN_ORDER,
                f"AmazonOrderItemCode {listed.item_code} is not an item of order {order.order_id}.",
            )
        if listed.cancel_reason not in CANCEL_REASONS:
            return listed.item_code, (
                MessageCode.INVALID_VALUE,
                f"CancelReason '{listed.cancel_reason or ''}' is not valid.",
            )
    return None


def _check_unshipped(order: Order, message: OrderAcknowledgement) -> tuple[str, Problem] | None:
    for listed in message.items:
        line = order.item(listed.item_code)
        if line is not None and line.qty_unshipped == 0:
            return listed.item_code, (
                MessageCode.ITEM_ALREADY_CANCELLED,
                f"Item {line.item_code} of order {order.order_id} is already cancelled.",
            )
    return None


def check_acknowledgement(
    order: Order | None,
    message: OrderAcknowledgement,
    message_id: int,
    marketplace_ids: frozenset[str],
) -> tuple[list[Result], CancelPlan | None]:
    """The results of one Order Acknowledgement and, for a valid Failure, what it does."""
    oid = message.order_id
    missing = find_order(order, oid, marketplace_ids, message_id)
    if missing or order is None:
        return ([missing] if missing else []), None
    if message.status_code == "Success":
        return [], None
    problem = _check_cancel_state(order, message)
    if problem:
        return [error(message_id, *problem, oid)], None
    item_problem = _check_listed(order, message)
    if item_problem is None and any(i.qty_shipped > 0 for i in order.items):
        return [], CancelPlan((), False, refund_whole_order=True)
    item_problem = item_problem or _check_unshipped(order, message)
    if item_problem:
        code, (kind, text) = item_problem
        return [error(message_id, kind, text, oid, code)], None
    return _cancel_plan(order, message, message_id)


def _cancel_plan(
    order: Order, message: OrderAcknowledgement, message_id: int
) -> tuple[list[Result], CancelPlan]:
    results: list[Result] = []
    items: dict[str, tuple[OrderItem, str, int]] = {}
    counts = False
    for listed in message.items:
        line = order.item(listed.item_code)
        reason = listed.cancel_reason or ""
        if line is None or line.item_code in items:
            continue
        items[line.item_code] = (line, reason, line.qty_unshipped)  # the whole open line
        requested = line.buyer_cancel_request is not None
        if reason == "BuyerCanceled" and not requested:
            counts = True
            results.append(
                warning(
                    message_id,
                    MessageCode.BUYER_CANCELED_WITHOUT_REQUEST,
                    f"The buyer did not request cancellation of item {line.item_code}; it is "
                    "cancelled, and the cancellation counts against the seller's "
                    "cancellation rate.",
                    order.order_id,
                    line.item_code,
                )
            )
        elif requested and reason != "BuyerCanceled":
            counts = True
    return results, CancelPlan(tuple(items.values()), counts)
