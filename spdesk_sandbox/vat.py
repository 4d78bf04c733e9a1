"""What Amazon gives back for an adjusted item in a marketplace whose prices include the tax.

Amazon's VAT Calculation Service guide ("Partial Refunds with VAT-Exclusive Prices"): refunds are
sent VAT-exclusive; Amazon applies the VAT rate of the original shipment to the Principal,
Shipping and GiftWrap amounts and adds the VAT itself; a value in the tax fields is ignored. The
simulator does exactly that, and no more: it does not cap the VAT it adds at what is left of the
tax, so a client that sends a whole tax-exclusive balance may give back a cent more than the
buyer paid, as it could on Amazon. Where no tax was charged (a seller outside the VAT
Calculation Service) nothing is added. The sales-tax marketplaces (US, CA) apply every component
as sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from spdesk_sandbox.feedxml import Component
from spdesk_sandbox.records import TAX_OF, Order, OrderItem

# The tax components Amazon ignores in an adjustment where prices include the tax.
IGNORED_TAXES = frozenset(TAX_OF[k] for k in ("Principal", "Shipping", "GiftWrap"))


def sent(order: Order, components: Iterable[Component]) -> dict[str, Decimal]:
    """The components Amazon takes from a message, summed per type (ignored taxes left out)."""
    taken: dict[str, Decimal] = {}
    for comp in components:
        if order.marketplace.tax_included and comp.type in IGNORED_TAXES:
            continue
        taken[comp.type] = taken.get(comp.type, Decimal(0)) + comp.amount
    return taken


def applied(order: Order, line: OrderItem, components: Iterable[Component]) -> dict[str, Decimal]:
    """What the buyer gets back per component: what was sent, plus the tax Amazon adds."""
    given = sent(order, components)
    if not order.marketplace.tax_included or line.tax_rate is None:
        return given
    for charge in ("Principal", "Shipping", "GiftWrap"):
        tax = TAX_OF[charge]
        if given.get(charge, Decimal(0)) > 0 and line.charged.get(tax, Decimal(0)) > 0:
            vat = (given[charge] * line.tax_rate).quantize(
                order.marketplace.quantum, rounding=ROUND_HALF_UP
            )
            if vat:
                given[tax] = given.get(tax, Decimal(0)) + vat
    return given
