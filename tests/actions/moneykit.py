"""Orders of every marketplace, read by the companion and refunded as the simulated Amazon does.

Pure glue for the money property tests: the simulator's records play Amazon (its Orders v2026
JSON, its adjustment rules and the tax it adds to a refund), the companion reads that JSON,
plans refunds, writes the feed XML, and the simulator parses and applies it. No HTTP, so
hypothesis can try thousands of orders in seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from companion.actions.amounts import RefundPlan
from companion.actions.feeds import AdjustmentMessage, build_adjustment_feed
from companion.amazon.build import build_order_view, resolve_marketplace
from companion.amazon.models import FinancialEvents
from companion.amazon.money import OrderMoney
from companion.amazon.parse import parse_order
from companion.amazon.view import OrderView
from spdesk_sandbox.feedxml import OrderAdjustment, parse_feed
from spdesk_sandbox.orders import order_json
from spdesk_sandbox.records import Channel, Order, OrderItem, OrderStatus
from spdesk_sandbox.report import ResultCode
from spdesk_sandbox.rules import check_adjustment
from spdesk_sandbox.vat import applied

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ZERO = Decimal(0)
TAXED = {"Principal": "Tax", "Shipping": "ShippingTax", "GiftWrap": "GiftWrapTax"}
ADJUSTMENT = "POST_PAYMENT_ADJUSTMENT_DATA"


def taxed_line(
    code: str,
    gross: dict[str, Decimal],
    rate: Decimal | None,
    quantum: Decimal,
    promotion: Decimal = ZERO,
) -> OrderItem:
    """An item whose tax-included prices are `gross` (rate None: no tax inside)."""
    charged: dict[str, Decimal] = {}
    for kind, amount in gross.items():
        tax = (
            ZERO if rate is None else (amount * rate / (1 + rate)).quantize(quantum, ROUND_HALF_UP)
        )
        charged[kind] = amount - tax
        if rate is not None:
            charged[TAXED[kind]] = tax
    discounts = _promotion(promotion, rate, quantum, charged)
    return OrderItem(
        code, "SKU", "B000000000", "Item", 1, charged, 1, discounts=discounts, tax_rate=rate
    )


def inside(gross: Decimal, rate: Decimal, quantum: Decimal) -> Decimal:
    """The tax inside a tax-included amount, rounded as a sale's tax is."""
    return (gross * rate / (1 + rate)).quantize(quantum, ROUND_HALF_UP)


def _promotion(
    promotion: Decimal, rate: Decimal | None, quantum: Decimal, charged: dict[str, Decimal]
) -> dict[str, Decimal]:
    gross = charged["Principal"] + charged.get("Tax", ZERO)
    promotion = min(promotion, gross)
    if not promotion:
        return {}
    tax = ZERO if rate is None else inside(promotion, rate, quantum)
    tax = min(tax, charged.get("Tax", ZERO))
    discounts = {"Principal": min(promotion - tax, charged["Principal"])}
    if tax:
        discounts["Tax"] = tax
    return discounts


def sales_tax_line(
    code: str, net: dict[str, Decimal], rate: Decimal, quantum: Decimal, promotion: Decimal = ZERO
) -> OrderItem:
    """An item of a US/CA order: tax on top of each charge."""
    charged: dict[str, Decimal] = {}
    for kind, amount in net.items():
        charged[kind] = amount
        charged[TAXED[kind]] = (amount * rate).quantize(quantum, ROUND_HALF_UP)
    promotion = min(promotion, charged["Principal"])
    discounts: dict[str, Decimal] = {}
    if promotion:
        off_tax = min((promotion * rate).quantize(quantum, ROUND_HALF_UP), charged["Tax"])
        discounts = {"Principal": promotion, **({"Tax": off_tax} if off_tax else {})}
    return OrderItem(code, "SKU", "B000000000", "Item", 1, charged, 1, discounts=discounts)


def amazon_order(marketplace_id: str, items: list[OrderItem], layout: str = "net") -> Order:
    """A shipped seller-fulfilled order as the simulator keeps it."""
    return Order(
        order_id="123-1234567-1234567",
        marketplace_id=marketplace_id,
        channel=Channel.FBM,
        status=OrderStatus.SHIPPED,
        purchase_date=NOW,
        latest_ship_date=NOW,
        last_updated=NOW,
        items=items,
        proceeds_layout=layout,
    )


Shown = dict[str, dict[str, Decimal]]


def money(
    order: Order,
    in_flight: dict[tuple[str, str], Decimal] | None = None,
    shown: Shown | None = None,
) -> OrderMoney:
    """What the companion makes of the order: Amazon's JSON, Finances, refunds in flight.

    Finances shows every refund applied so far, or only `shown` (item -> component -> amount).
    """
    return view(order, in_flight, shown).money


def view(
    order: Order,
    in_flight: dict[tuple[str, str], Decimal] | None = None,
    shown: Shown | None = None,
) -> OrderView:
    """The order view the agent sees (its totals, its full-refund action) and its money."""
    body = {"order": order_json(order, {"PROCEEDS", "FULFILLMENT", "PAYMENT"})}
    if shown is None:
        shown = {i.item_code: dict(i.refunded) for i in order.items if i.refunded}
    finances = FinancialEvents(order_id=order.order_id, refunds=shown)
    return build_order_view(
        parse_order(body), finances, in_flight or {}, account="main", fetched_at=NOW
    )


def apply(order: Order, plan: RefundPlan) -> Shown:
    """Send the plan's feed to the simulated Amazon; what it gave back, per line and component."""
    market = resolve_marketplace(order.marketplace_id, order.currency)
    message = AdjustmentMessage(1, order.order_id, "act_TEST", "GeneralAdjustment", plan.lines)
    xml = build_adjustment_feed("SELLER", market, [message])
    [parsed] = parse_feed(xml, ADJUSTMENT).messages
    assert isinstance(parsed.body, OrderAdjustment), parsed.problem
    results = check_adjustment(order, parsed.body, 1, frozenset({order.marketplace_id}))
    refused = [r.description for r in results if r.code is ResultCode.ERROR]
    assert not refused, refused
    given: Shown = {}
    for adjusted in parsed.body.items:
        line = order.item(adjusted.item_code)
        assert line is not None
        back = given.setdefault(line.item_code, {})
        for kind, amount in applied(order, line, adjusted.components).items():
            line.refunded[kind] = line.refunded.get(kind, ZERO) + amount
            back[kind] = back.get(kind, ZERO) + amount
    return given


def add(shown: Shown, given: Shown) -> None:
    """Finances now shows `given` too."""
    for code, amounts in given.items():
        line = shown.setdefault(code, {})
        for kind, amount in amounts.items():
            line[kind] = line.get(kind, ZERO) + amount
