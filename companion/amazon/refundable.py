"""What is left to refund of a line, and what amount goes into the feed for it (pure).

Where prices include the tax the agent refunds each charge with its tax inside, and the feed
carries the tax-exclusive part: Amazon adds the tax of the sale itself (its VAT guide) and
ignores tax components. The tax-exclusive amount is the largest whose tax, at the highest rate
the sale's own numbers allow, keeps the refund within what was asked, so Amazon's rounding can
only give back a little less, never more (docs/amazon.md). The refund rules (actions) and the
order view both use these, so what the view offers is what a submit accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from companion.amazon.money import TAX_OF, LineMoney, OrderMoney
from companion.marketplaces import Marketplace
from companion.vocabulary import REFUND_COMPONENTS

ZERO = Decimal(0)
# Where prices include the tax the agent refunds these; their taxes follow.
GROSS = ("Principal", "Shipping", "GiftWrap")


@dataclass(frozen=True, slots=True)
class Balance:
    """What is left of one component the agent can refund, and how it goes into the feed."""

    left: Decimal  # what the agent may still ask for it (the tax inside, where it is)
    net_left: Decimal  # the tax-exclusive balance Amazon checks the feed amount against
    ratio: Decimal | None = None  # highest tax rate the sale allows; None: no tax inside


def tax_ratio(gross: Decimal, tax: Decimal, quantum: Decimal) -> Decimal | None:
    """The highest rate consistent with `tax` being the rounded tax inside `gross`."""
    if tax <= 0:
        return None
    half = quantum / 2
    net = gross - tax - half
    return (tax + half) / net if net > 0 else None


def balances(line: LineMoney, include_tax: bool, quantum: Decimal) -> dict[str, Balance]:
    """The components of one line an agent can refund, each with its balance."""
    if not include_tax:
        return {c: Balance(line.left(c), line.left(c)) for c in REFUND_COMPONENTS if c in line.paid}
    found = {}
    for charge in GROSS:
        if charge not in line.paid:
            continue
        tax = TAX_OF[charge]
        paid = line.paid[charge] + line.paid.get(tax, ZERO)
        done = line.refunded.get(charge, ZERO) + line.refunded.get(tax, ZERO)
        left = ZERO if line.cancelled else max(paid - done, ZERO)
        found[charge] = Balance(left, line.left(charge), _sale_ratio(line, charge, quantum))
    return found


def _sale_ratio(line: LineMoney, charge: str, quantum: Decimal) -> Decimal | None:
    """The highest rate the sale's charge allows, read before promotions.

    Amazon computed the tax of the charge once, rounded once; after a promotion the buyer's tax
    is the difference of two rounded taxes, which can understate the rate (or show none at all)
    while Amazon still adds the sale's rate to every refund.
    """
    sale = line.charged or line.paid
    tax = sale.get(TAX_OF[charge], ZERO)
    return tax_ratio(sale.get(charge, ZERO) + tax, tax, quantum)


def tax_exclusive(asked: Decimal, balance: Balance, market: Marketplace) -> Decimal:
    """The amount to send for `asked` so that it plus the tax Amazon adds stays within `asked`."""
    ratio = balance.ratio
    if ratio is None:
        return min(asked, balance.net_left)
    q = market.quantum
    net = (asked / (1 + ratio)).quantize(q, rounding=ROUND_FLOOR)
    while net > 0 and net + (net * ratio).quantize(q, rounding=ROUND_CEILING) > asked:
        net -= q
    return max(min(net, balance.net_left), ZERO)


def full_asks(line: LineMoney, include_tax: bool, market: Marketplace) -> dict[str, Decimal]:
    """What a full refund asks of one line: every component with money left, in full."""
    found = balances(line, include_tax, market.quantum)
    return {k: market.quantize(b.left) for k, b in found.items() if b.left > 0}


def too_small_for_full(money: OrderMoney, market: Marketplace) -> str | None:
    """The first line a full refund cannot send in full, or None.

    Where the tax is inside, a remainder (a minor unit or so, often what Amazon's rounding
    left over) can have no tax-exclusive amount whose tax keeps it within itself: it cannot go
    through a feed, so "everything" cannot be given back in one refund.
    """
    if not money.prices_include_tax:
        return None
    for code, line in money.lines.items():
        found = balances(line, True, market.quantum)
        for kind, asked in full_asks(line, True, market).items():
            if tax_exclusive(asked, found[kind], market) <= 0:
                return code
    return None
