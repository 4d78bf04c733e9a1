"""What the buyer paid, per item line and component, read from Amazon's proceeds (pure).

Orders v2026 reports each line's `proceedsTotal` and its breakdowns (ITEM, SHIPPING, GIFT_WRAP,
COD_FEE, OTHER, TAX and DISCOUNT with details by subtype). Amazon does not document whether TAX
is on top of ITEM … or inside them where prices include the tax, nor the sign of DISCOUNT
(docs/amazon.md). So the layout is decided per line from the arithmetic: the reading whose total
is Amazon's `proceedsTotal` is the one used. A sales-tax marketplace (US, CA) only admits "on
top". When no reading adds up, the line is a mismatch: the lower reading (and never more than
Amazon's total) is what can be refunded, and a full refund is refused rather than guessed.

Amounts here are "raw": tax-exclusive components and their taxes apart (Principal, Tax, Shipping,
ShippingTax, …), as Finances posts charges and refunds, promotions already taken off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from companion.amazon.models import AmazonOrder, ItemProceeds
from companion.amazon.parse import BREAKDOWN_COMPONENTS, TAX_COMPONENTS

ZERO = Decimal(0)
Layout = Literal["on_top", "inside"]
# Where each kind's tax goes among the raw components (OTHER and its tax are one "Other").
KINDS = tuple(BREAKDOWN_COMPONENTS)
# The tax component of each tax-exclusive one (raw names).
TAX_OF: dict[str, str] = {BREAKDOWN_COMPONENTS[k]: TAX_COMPONENTS[k] for k in KINDS if k != "OTHER"}


@dataclass(frozen=True, slots=True)
class LineReading:
    """One line as read: what the buyer paid per raw component and in all."""

    paid: Mapping[str, Decimal]
    total: Decimal  # the line's buyer-paid total (the lower reading when no reading fits)
    reported: Decimal | None  # Amazon's proceedsTotal
    layout: Layout | None  # None: no reading adds up to Amazon's total
    charged: Mapping[str, Decimal] = field(default_factory=dict)  # the same, before promotions


@dataclass(frozen=True, slots=True)
class Mismatch:
    """Amazon's total and what its breakdowns add up to disagree, for one line or the order."""

    scope: Literal["item", "order"]
    order_item_code: str
    reported: Decimal | None
    at_most: Decimal  # what spdesk lets go back there: the lower reading, within Amazon's total


def _abs_by_kind(details: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Discount details by kind, as positive reductions (subtype DISCOUNT/unknown: the item)."""
    found: dict[str, Decimal] = {}
    for subtype, value in details.items():
        kind = subtype if subtype in KINDS else "ITEM"
        found[kind] = found.get(kind, ZERO) + abs(value)
    return found


def _taxes(
    proceeds: ItemProceeds, discounts: Mapping[str, Decimal], *, promotions: bool = True
) -> dict[str, Decimal]:
    """Tax per kind, less the tax of the promotions (without `promotions`: as charged).

    Amazon gives the promotions' tax as one TAX detail (subtype DISCOUNT): it is shared among the
    discounted kinds in proportion to their discounts, each at most its own tax; what is left
    goes to the item's tax (a negative tax then makes the line a mismatch).
    """
    taxes = {k: v for k, v in proceeds.taxes.items() if k in KINDS}
    off = sum((abs(v) for k, v in proceeds.taxes.items() if k not in KINDS), ZERO)
    discounted = sum(discounts.values(), ZERO)
    if not off or not promotions:
        return taxes
    exponent = off.as_tuple().exponent
    quantum = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    left = off
    for kind, amount in discounts.items():
        share = (off * amount / discounted).quantize(quantum) if discounted else ZERO
        share = min(share, left, max(taxes.get(kind, ZERO), ZERO))
        taxes[kind] = taxes.get(kind, ZERO) - share
        left -= share
    taxes["ITEM"] = taxes.get("ITEM", ZERO) - left
    return taxes


def _reading(
    proceeds: ItemProceeds, layout: Layout, *, promotions: bool = True
) -> dict[str, Decimal]:
    """The raw components the buyer paid under one layout (or was charged, before promotions).

    The sale's charges before promotions are what Amazon computed its tax from, each rounded
    once; what is left after a promotion is the difference of two rounded taxes.
    """
    discounts = _abs_by_kind(proceeds.discounts) if promotions else {}
    taxes = _taxes(proceeds, discounts, promotions=promotions)
    paid: dict[str, Decimal] = {}
    for kind in KINDS:
        charged = proceeds.charges.get(kind, ZERO) - discounts.get(kind, ZERO)
        tax = taxes.get(kind, ZERO)
        if layout == "inside":
            charged -= tax
        net_name, tax_name = BREAKDOWN_COMPONENTS[kind], TAX_COMPONENTS[kind]
        for name, amount in ((net_name, charged), (tax_name, tax)):
            if amount or kind in proceeds.charges:
                paid[name] = paid.get(name, ZERO) + amount
    return paid


def read_line(proceeds: ItemProceeds | None, prices_include_tax: bool) -> LineReading:
    """Decide the line's layout from Amazon's total; a line no reading explains is a mismatch."""
    if proceeds is None:
        return LineReading({}, ZERO, None, None)
    layouts: tuple[Layout, ...] = ("on_top", "inside") if prices_include_tax else ("on_top",)
    readings: dict[Layout, dict[str, Decimal]] = {
        layout: _reading(proceeds, layout) for layout in ("on_top", "inside")
    }
    for layout in layouts:
        paid = readings[layout]
        total = sum(paid.values(), ZERO)
        if total == proceeds.total and all(v >= 0 for v in paid.values()):
            charged = _reading(proceeds, layout, promotions=False)
            return LineReading(paid, total, proceeds.total, layout, charged)
    # No reading fits: take the lower one, clamped, and never more than Amazon's own total.
    lowest: Layout = min(readings, key=lambda k: sum(readings[k].values(), ZERO))
    paid = {k: max(v, ZERO) for k, v in readings[lowest].items()}
    total = sum(paid.values(), ZERO)
    if proceeds.total is not None:
        total = max(min(total, proceeds.total), ZERO)
    charged = _reading(proceeds, lowest, promotions=False)
    return LineReading(paid, total, proceeds.total, None, charged)


def order_mismatch(order: AmazonOrder, lines: Mapping[str, LineReading]) -> Mismatch | None:
    """The first line whose readings disagree with Amazon, or the order's grand total's."""
    for code, line in lines.items():
        if line.layout is None:
            return Mismatch("item", code, line.reported, line.total)
    if order.grand_total is None:
        return None  # Amazon gave no grand total to cross-check; every line was checked
    lines_total = sum((line.total for line in lines.values()), ZERO)
    reported = order.grand_total - order.order_level
    if lines_total != reported:
        return Mismatch("order", "", reported, max(min(lines_total, reported), ZERO))
    return None


@dataclass(frozen=True, slots=True)
class LineMoney:
    """One line's money for the refund rules: paid and refunded (posted + in flight), raw."""

    paid: Mapping[str, Decimal]
    refunded: Mapping[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO  # what the buyer paid for the line
    quantity: int = 1
    cancelled: bool = False
    # What the sale charged before promotions (Amazon's tax rate shows there); empty: as paid.
    charged: Mapping[str, Decimal] = field(default_factory=dict)

    def left(self, component: str) -> Decimal:
        """What is left of one raw component (0 on a cancelled line)."""
        if self.cancelled:
            return ZERO
        return max(self.paid.get(component, ZERO) - self.refunded.get(component, ZERO), ZERO)

    @property
    def total_left(self) -> Decimal:
        """What is left of the line as a whole (the cap when Amazon's numbers disagree)."""
        if self.cancelled:
            return ZERO
        return max(self.total - sum(self.refunded.values(), ZERO), ZERO)


@dataclass(frozen=True, slots=True)
class OrderMoney:
    """The order's lines for the refund rules, and how its marketplace treats tax."""

    lines: Mapping[str, LineMoney] = field(default_factory=dict)
    prices_include_tax: bool = False
    mismatch: Mismatch | None = None
    cap: Decimal | None = None  # what is left of the order as a whole, when Amazon said

    @property
    def total_left(self) -> Decimal:
        """What can still go back on the order: the lines, within the order's own cap."""
        lines = sum((line.total_left for line in self.lines.values()), ZERO)
        return lines if self.cap is None else min(lines, self.cap)
