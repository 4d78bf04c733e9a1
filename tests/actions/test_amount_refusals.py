"""The refund amount refusals word for word, at the edge where they start.

`refund_exceeds_paid` guards what the buyer paid for a line or the order when Amazon's own totals
are lower than its components (the view caps the refund at the lower reading), and
`tax_included` where prices include the tax. Their code, params and details are the contract with
the extension (docs/protocol.md, "Refusal codes"); mutation testing found them reached by no test
of the money path, or checked only by code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from companion.actions.amounts import plan_refund
from companion.actions.models import RefundIn
from companion.amazon.money import LineMoney, OrderMoney
from companion.errors import SpdeskError
from companion.marketplaces import Marketplace, marketplace

ITEM = "45678901234567"
ORDER = "113-4820571-0038214"
US, JP = marketplace("US"), marketplace("JP")
FULL = RefundIn.model_validate({"orderId": ORDER, "mode": "full", "reason": "Other"})


def _partial(components: dict[str, str]) -> RefundIn:
    item = {"orderItemCode": ITEM, "quantity": 1, "components": components}
    return RefundIn.model_validate(
        {"orderId": ORDER, "mode": "partial", "reason": "CustomerReturn", "items": [item]}
    )


def _refusal(request: RefundIn, money: OrderMoney, market: Marketplace) -> dict[str, Any] | None:
    """The refusal as the API sends it (None when the refund is accepted)."""
    try:
        plan_refund(request, money, market)
    except SpdeskError as exc:
        body: dict[str, Any] = exc.to_json()["error"]
        return body
    return None


# Amazon's line total is lower than its components (Principal 20 + Tax 4 = 24, total 20): the
# refund may give back at most the total (JPY: 1000 + 90, total 1000, the tax inside).
LOWER_TOTAL = {
    "USD": (US, {"Principal": Decimal("20.00"), "Tax": Decimal("4.00")}, Decimal("20.00")),
    "JPY": (JP, {"Principal": Decimal("1000"), "Tax": Decimal("90")}, Decimal("1000")),
}
# The request at the line's total, and one smallest unit above it.
AT_THE_TOTAL = {
    "USD": ({"Principal": "16.00", "Tax": "4.00"}, {"Principal": "16.01", "Tax": "4.00"}),
    "JPY": ({"Principal": "1000"}, {"Principal": "1001"}),
}


@pytest.mark.parametrize("currency", ["USD", "JPY"])
def test_a_line_gives_back_at_most_its_total_to_the_smallest_unit(currency: str) -> None:
    market, paid, total = LOWER_TOTAL[currency]
    line = LineMoney(paid=paid, total=total)
    money = OrderMoney({ITEM: line}, prices_include_tax=market.prices_include_tax)
    exactly, above = AT_THE_TOTAL[currency]
    assert _refusal(_partial(exactly), money, market) is None
    refundable, asked = market.format(total), market.format(total + market.quantum)
    assert _refusal(_partial(above), money, market) == {
        "code": "refund_exceeds_paid",
        "message": f"At most {refundable} {currency} can still be refunded on item {ITEM} "
        f"(what the buyer paid, less earlier refunds); {asked} {currency} was asked.",
        "params": {
            "case": "item",
            "orderItemCode": ITEM,
            "refundable": refundable,
            "asked": asked,
            "currency": currency,
        },
        "details": {"orderItemCode": ITEM},
    }


def test_an_order_gives_back_at_most_what_amazon_says_is_left_of_it() -> None:
    line = LineMoney(
        paid={"Principal": Decimal("20.00"), "Tax": Decimal("4.00")}, total=Decimal("24.00")
    )
    assert _refusal(FULL, OrderMoney({ITEM: line}, cap=Decimal("24.00")), US) is None
    assert _refusal(FULL, OrderMoney({ITEM: line}, cap=Decimal("23.99")), US) == {
        "code": "refund_exceeds_paid",
        "message": "At most 23.99 USD can still be refunded on this order (what the buyer paid, "
        "less earlier refunds); 24.00 USD was asked.",
        "params": {
            "case": "order",
            "orderItemCode": "",
            "refundable": "23.99",
            "asked": "24.00",
            "currency": "USD",
        },
    }


@pytest.mark.parametrize(
    ("country", "component", "name"),
    [
        ("DE", "Tax", "VAT"),
        ("IN", "ShippingTax", "GST"),
        ("JP", "GiftWrapTax", "consumption tax"),
        ("BR", "Tax", "tax"),
    ],
)
def test_where_prices_include_the_tax_a_tax_component_is_refused(
    country: str, component: str, name: str
) -> None:
    market = marketplace(country)
    line = LineMoney(
        paid={"Principal": Decimal(1000), "Tax": Decimal(100), component: Decimal(10)},
        total=Decimal(1110),
    )
    money = OrderMoney({ITEM: line}, prices_include_tax=True)
    assert _refusal(_partial({"Principal": "1", component: "1"}), money, market) == {
        "code": "tax_included",
        "message": f"Prices in this marketplace include {name}: enter the amount to give back, "
        f"{name} included, under the item price, shipping or gift wrap. Amazon works out the "
        f"{name} itself.",
        "params": {"component": component, "taxLabel": market.tax_label},
        "details": {"component": component},
    }
