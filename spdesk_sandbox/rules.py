"""Amazon's rules for Order Adjustment messages (refunds), free of side effects.

A message is all or nothing: the first rule it breaks becomes its one Error result and nothing of
it is applied. Warnings do not stop a message. The acknowledgement (cancel) rules are in
`acknowledgements.py`; what a valid adjustment gives back, tax included, in `vat.py`. Choices
where Amazon's behaviour is not documented:

- A refund before shipment is accepted and recorded; Finances posts it once the item ships. The
  report carries a Warning (18051) so the seller knows the money has not moved yet.
- An adjustment for an Amazon-fulfilled order is refused with Amazon's own error 18016.
- Where prices include the tax, the Tax, ShippingTax and GiftWrapTax components are ignored
  (Amazon's VAT guide says so); the others are checked against their own remaining balances.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from spdesk_sandbox.feedxml import AdjustedItem, Component, OrderAdjustment
from spdesk_sandbox.records import COMPONENT_TYPES, Channel, Order, OrderItem, OrderStatus
from spdesk_sandbox.report import MessageCode, Result, error, warning
from spdesk_sandbox.vat import sent

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


def _check_component(order: Order, comp: Component) -> Problem | None:
    """One component as written: a known type, the order's currency, its decimals, its sign."""
    if comp.type not in KNOWN_TYPES:
        return MessageCode.INVALID_VALUE, f"Component Type '{comp.type}' is not valid."
    if comp.currency is not None and comp.currency != order.currency:
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
    return None


def _check_component_amounts(
    order: Order, line: OrderItem, adjusted: AdjustedItem, requested: dict[str, Decimal]
) -> Problem | None:
    for comp in adjusted.components:
        if problem := _check_component(order, comp):
            return problem
    for kind, amount in sent(order, adjusted.components).items():
        requested[kind] += amount
        if kind in CHARGED_TYPES and requested[kind] > line.refundable(kind):
            return MessageCode.COMPONENT_EXCEEDS_REFUNDABLE, (
                f"The {kind} refund of {_money(requested[kind], order)} for item "
                f"{line.item_code} is more than the {_money(line.refundable(kind), order)} "
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
    remaining = line.paid_total() - line.refunded_total()
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


def find_order(
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
    missing = find_order(order, oid, marketplace_ids, message_id)
    if missing or order is None:
        return [missing] if missing else []
    if order.channel is Channel.FBA:
        return [
            error(
                message_id,
                MessageCode.FULFILLED_BY_AMAZON,
                f"Order {oid} was fulfilled by Amazon and can only be refunded by Amazon. "
                "Submit adjustments for merchant-fulfilled orders only.",
                oid,
            )
        ]
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
