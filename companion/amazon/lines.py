"""The lines of an order view: their money (raw) and the components the agent sees (pure).

The money keeps Amazon's raw components (tax-exclusive amounts and their taxes apart) with what
Finances shows as refunded plus spdesk's refunds in flight. Where prices include the tax the
agent sees one component per charge with the tax inside (`included_tax` says how much); in the
US and Canada each tax is its own component, as the buyer saw it at checkout.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from companion.amazon.models import AmazonOrderItem, FinancialEvents
from companion.amazon.money import TAX_OF, LineMoney, LineReading
from companion.amazon.view import ComponentView, ItemView
from companion.marketplaces import Marketplace
from companion.vocabulary import COMPONENT_TYPES, REFUND_COMPONENTS

ZERO = Decimal(0)
InFlight = Mapping[tuple[str, str], Decimal]
# (type, charged, refunded, tax included in charged or None where taxes are their own rows)
Row = tuple[str, Decimal, Decimal, Decimal | None]
# The charges an agent sees where prices include the tax; each carries its own tax inside.
GROSS_COMPONENTS = ("Principal", "Shipping", "GiftWrap", "COD", "Other")


def line_money(
    item: AmazonOrderItem,
    reading: LineReading,
    finances: FinancialEvents | None,
    in_flight: InFlight,
) -> LineMoney:
    """One line's money: paid per raw component, refunded = Finances + spdesk's in flight."""
    refunded: dict[str, Decimal] = {}
    if finances is not None:
        for kind, amount in finances.refunds.get(item.order_item_id, {}).items():
            refunded[kind] = refunded.get(kind, ZERO) + amount
    for (code, kind), amount in in_flight.items():
        if code == item.order_item_id:
            refunded[kind] = refunded.get(kind, ZERO) + amount
    # A line cancelled as a whole was never charged to the buyer: nothing of it is refundable.
    cancelled = item.quantity_ordered > 0 and item.quantity_cancelled >= item.quantity_ordered
    return LineMoney(
        paid=dict(reading.paid),
        refunded=refunded,
        total=reading.total,
        quantity=item.quantity_ordered or 1,
        cancelled=cancelled,
        charged=dict(reading.charged),
    )


def _sort_key(kind: str) -> tuple[int, str]:
    # Components in the order agents expect to read them; unknown types follow alphabetically.
    known = COMPONENT_TYPES
    return (known.index(kind) if kind in known else len(known), kind)


def _raw_components(line: LineMoney) -> list[Row]:
    """(type, charged, refunded, included tax) per raw component, as sales-tax buyers see it."""
    kinds = sorted(set(line.paid) | set(line.refunded), key=_sort_key)
    return [(k, line.paid.get(k, ZERO), line.refunded.get(k, ZERO), None) for k in kinds]


def _gross_components(line: LineMoney) -> list[Row]:
    """The same money with each tax inside its charge, as buyers of VAT marketplaces see it."""
    taxes = {TAX_OF[k] for k in GROSS_COMPONENTS if k in TAX_OF}
    rows: list[Row] = []
    for kind in GROSS_COMPONENTS:
        tax = TAX_OF.get(kind)
        paid_tax = line.paid.get(tax, ZERO) if tax else ZERO
        charged = line.paid.get(kind, ZERO) + paid_tax
        refunded = line.refunded.get(kind, ZERO) + (line.refunded.get(tax, ZERO) if tax else ZERO)
        if kind in line.paid or refunded:
            rows.append((kind, charged, refunded, paid_tax))
    others = set(line.refunded) - set(GROSS_COMPONENTS) - taxes
    rows += [(k, ZERO, line.refunded[k], None) for k in sorted(others, key=_sort_key)]
    return rows


def component_views(line: LineMoney, market: Marketplace) -> list[ComponentView]:
    """The components the agent sees: charged, refunded and refundable, in the order's money."""
    rows = _gross_components(line) if market.prices_include_tax else _raw_components(line)
    views = []
    for kind, charged, refunded, tax in rows:
        if not charged and not refunded:
            continue
        # COD fees and "Other" charges are shown, never refunded through spdesk.
        refundable = max(charged - refunded, ZERO)
        if line.cancelled or kind not in REFUND_COMPONENTS:
            refundable = ZERO
        views.append(
            ComponentView(
                type=kind,
                charged=market.quantize(charged),
                refunded=market.quantize(refunded),
                refundable=market.quantize(refundable),
                included_tax=None if tax is None else market.quantize(tax),
            )
        )
    return views


def item_view(item: AmazonOrderItem, line: LineMoney, market: Marketplace) -> ItemView:
    """One item of the view with its components."""
    return ItemView(
        order_item_code=item.order_item_id,
        sku=item.sku,
        asin=item.asin,
        title=item.title,
        quantity_ordered=item.quantity_ordered,
        quantity_shipped=item.quantity_shipped,
        quantity_cancelled=item.quantity_cancelled,
        components=component_views(line, market),
    )
