"""Amazon's rules for Order Adjustment and Order Acknowledgement messages, free of side effects.

A message is all or nothing: the first rule it breaks becomes its one Error result and nothing of
it is applied. Warnings do not stop a message. Choices where Amazon's behaviour is not documented:

- A refund before shipment is accepted and recorded; Finances posts it once the item ships. The
  report carries a Warning (18051) so the seller knows the money has not moved yet.
- `BuyerCanceled` for an item the buyer did not ask to cancel is accepted with a Warning (18050):
  the cancellation counts against the seller's cancellation rate.
- A cancellation that lists no items is an Error (18042): Amazon is reported to ignore those.
- A Failure acknowledgement for an order with any shipped unit is an Error (18040), never applied.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from spdesk_sandbox.feedxml import AdjustedItem, OrderAcknowledgement, OrderAdjustment
from spdesk_sandbox.records import COMPONENT_TYPES, Channel, Order, OrderItem, OrderStatus
from spdesk_sandbox.report import MessageCode, Result, error, warning

ADJUSTMENT_REASONS = frozenset(
    {
        "NoInventory",
        "CustomerReturn",
        "GeneralAdjustment",
        "CouldNotShip",
        "DifferentItem",
        "Abandoned",
        "CustomerCancel",
        "PriceError",
        "ProductOutofStock",
        "CustomerAddressIncorrect",
        "Exchange",
        "Other",
        "CarrierCreditDecision",
        "RiskAssessmentInformationNotValid",
        "CarrierCoverageFailure",
        "TransactionRecord",
        "Undeliverable",
        "RefusedDelivery",
    }
)
# The `CancelReason` enumeration of Amazon's Order Acknowledgement schema (no "PricingError": that
# is a word of Seller Central's pages, not of the feed).
CANCEL_REASONS = frozenset(
    {
        "NoInventory",
        "ShippingAddressUndeliverable",
        "CustomerExchange",
        "BuyerCanceled",
        "GeneralAdjustment",
        "CarrierCreditDecision",
        "RiskAssessmentInformationNotValid",
        "CarrierCoverageFailure",
        "CustomerReturn",
        "MerchandiseNotReceived",
    }
)
CHARGED_TYPES = frozenset(COMPONENT_TYPES)  # capped by charged minus already refunded
FEE_TYPES = frozenset({"RestockingFee", "RestockingFeeTax"})  # charged to the buyer: negative
EXTRA_TYPES = frozenset({"ReturnShipping", "Goodwill", "FreeReplacementReturnShipping"})
KNOWN_TYPES = CHARGED_TYPES | FEE_TYPES | EXTRA_TYPES

Problem = tuple[MessageCode, str]


def _money(amount: Decimal, order: Order) -> str:
    return f"{order.marketplace.format(amount)} {order.currency}"


def _decimals(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _check_component_amounts(
    order: Order, line: OrderItem, adjusted: AdjustedItem, requested: dict[str, Decimal]
) -> Problem | None:
    for comp in adjusted.components:
        if comp.type not in KNOWN_TYPES:
            return MessageCode.INVALID_VALUE, f"Component Type '{comp.type}' is not valid."
        if comp.currency != order.currency:
            return MessageCode.CURRENCY_MISMATCH, (
                f"The {comp.type} amount is in {comp.currency}, but order {order.order_id} "
                f"is paid in {order.currency}."
            )
        if _decimals(comp.amount) > order.marketplace.decimals:
            return MessageCode.AMOUNT_PRECISION, (
                f"The {comp.type} amount {comp.amount} has more decimals than {order.currency} "
                f"allows ({order.marketplace.decimals})."
            )
        if comp.type in FEE_TYPES and comp.amount > 0:
            return MessageCode.INVALID_VALUE, (
                f"{comp.type} is charged to the buyer and must be negative, got {comp.amount}."
            )
        if comp.type not in FEE_TYPES and comp.amount < 0:
            return MessageCode.INVALID_VALUE, f"The {comp.type} amount cannot be negative."
        requested[comp.type] += comp.amount
        if comp.type in CHARGED_TYPES and requested[comp.type] > line.refundable(comp.type):
            return MessageCode.COMPONENT_EXCEEDS_REFUNDABLE, (
                f"The {comp.type} refund of {_money(requested[comp.type], order)} for item "
                f"{line.item_code} is more than the {_money(line.refundable(comp.type), order)} "
                f"that remains refundable."
            )
    return None


def _check_adjusted_item(
    order: Order, adjusted: AdjustedItem, requested: dict[str, dict[str, Decimal]]
) -> Problem | None:
    line = order.item(adjusted.item_code)
    if line is None:
        return MessageCode.ITEM_NOT_IN_ORDER, (
            f"AmazonOrderItemCode {adjusted.item_code} is not an item of order {order.order_id}."
        )
    if adjusted.reason not in ADJUSTMENT_REASONS:
        return MessageCode.INVALID_VALUE, f"AdjustmentReason '{adjusted.reason}' is not valid."
    line_requested = requested[line.item_code]
    problem = _check_component_amounts(order, line, adjusted, line_requested)
    if problem:
        return problem
    net = sum((c.amount for c in adjusted.components), Decimal(0))
    if net <= 0:
        return MessageCode.NET_NOT_POSITIVE, (
            f"The adjustment for item {line.item_code} must give money back to the buyer; "
            f"its net is {_money(net, order)}."
        )
    remaining = line.charged_total() - line.refunded_total()
    if sum(line_requested.values(), Decimal(0)) > remaining:
        return MessageCode.COMPONENT_EXCEEDS_REFUNDABLE, (
            f"The refunds for item {line.item_code} add up to more than the "
            f"{_money(remaining, order)} that remains refundable."
        )
    cancelled = adjusted.quantity_cancelled
    if cancelled is not None and cancelled > line.qty_unshipped:
        return MessageCode.QUANTITY_CANCELLED_TOO_HIGH, (
            f"QuantityCancelled {cancelled} for item {line.item_code} is more than the "
            f"{line.qty_unshipped} unshipped units."
        )
    return None


def _find_order(
    order: Order | None, order_id: str, marketplace_ids: frozenset[str], message_id: int
) -> Result | None:
    if order is None or order.marketplace_id not in marketplace_ids:
        return error(
            message_id,
            MessageCode.ORDER_NOT_FOUND,
            f"Order {order_id} was not found for this seller in the feed's marketplaces.",
            order_id,
        )
    return None


def check_adjustment(
    order: Order | None,
    message: OrderAdjustment,
    message_id: int,
    marketplace_ids: frozenset[str],
) -> list[Result]:
    """The results of one Order Adjustment message; it may be applied if none is an Error."""
    oid = message.order_id
    missing = _find_order(order, oid, marketplace_ids, message_id)
    if missing or order is None:
        return [missing] if missing else []
    if order.status is OrderStatus.CANCELLED:
        return [
            error(
                message_id,
                MessageCode.ORDER_CANCELLED,
                f"Order {oid} is cancelled: nothing was charged, so nothing can be refunded.",
                oid,
            )
        ]
    requested: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    warnings: list[Result] = []
    for adjusted in message.items:
        problem = _check_adjusted_item(order, adjusted, requested)
        if problem:
            return [error(message_id, *problem, oid, adjusted.item_code)]
        line = order.item(adjusted.item_code)
        if line is not None and line.qty_shipped == 0:
            warnings.append(
                warning(
                    message_id,
                    MessageCode.ADJUSTMENT_PENDING_SHIPMENT,
                    f"Item {line.item_code} has not shipped yet: the refund is recorded and is "
                    f"issued when the item ships.",
                    oid,
                    line.item_code,
                )
            )
    return warnings


@dataclass(frozen=True, slots=True)
class CancelPlan:
    """What a valid Failure acknowledgement cancels: (item, reason, units) and rate impact."""

    items: tuple[tuple[OrderItem, str, int], ...]
    counts_against_cancel_rate: bool


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


def _shipped_item(order: Order, message: OrderAcknowledgement) -> OrderItem | None:
    listed = [order.item(i.item_code) for i in message.items]
    shipped = [i for i in listed if i is not None and i.qty_shipped > 0]
    shipped += [i for i in order.items if i.qty_shipped > 0]
    return shipped[0] if shipped else None


def _check_cancel_items(order: Order, message: OrderAcknowledgement) -> tuple[str, Problem] | None:
    for listed in message.items:
        line = order.item(listed.item_code)
        if line is None:
            return listed.item_code, (
                MessageCode.ITEM_NOT_IN_ORDER,
                (
                    f"AmazonOrderItemCode {listed.item_code} is not an item of order "
                    f"{order.order_id}."
                ),
            )
        if listed.cancel_reason not in CANCEL_REASONS:
            return listed.item_code, (
                MessageCode.INVALID_VALUE,
                (f"CancelReason '{listed.cancel_reason or ''}' is not valid."),
            )
        if line.qty_unshipped == 0:
            return listed.item_code, (
                MessageCode.ITEM_ALREADY_CANCELLED,
                (f"Item {line.item_code} of order {order.order_id} is already cancelled."),
            )
        if listed.quantity is not None and listed.quantity > line.qty_unshipped:
            return listed.item_code, (
                MessageCode.QUANTITY_CANCELLED_TOO_HIGH,
                (
                    f"Quantity {listed.quantity} for item {line.item_code} is more than the "
                    f"{line.qty_unshipped} unshipped units."
                ),
            )
    return None


def check_acknowledgement(
    order: Order | None,
    message: OrderAcknowledgement,
    message_id: int,
    marketplace_ids: frozenset[str],
) -> tuple[list[Result], CancelPlan | None]:
    """The results of one Order Acknowledgement and, for a valid Failure, what it cancels."""
    oid = message.order_id
    missing = _find_order(order, oid, marketplace_ids, message_id)
    if missing or order is None:
        return ([missing] if missing else []), None
    if message.status_code == "Success":
        return [], None
    problem = _check_cancel_state(order, message)
    if problem:
        return [error(message_id, *problem, oid)], None
    shipped = _shipped_item(order, message)
    if shipped is not None:
        return [
            error(
                message_id,
                MessageCode.CANCEL_AFTER_SHIPMENT,
                f"Item {shipped.item_code} of order {oid} has shipped, so the order cannot "
                f"be cancelled. Refund it with an Order Adjustment instead.",
                oid,
                shipped.item_code,
            )
        ], None
    item_problem = _check_cancel_items(order, message)
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
        items[line.item_code] = (line, reason, listed.quantity or line.qty_unshipped)
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
