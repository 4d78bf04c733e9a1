"""What Amazon gives back where prices include the tax, and the refunds it refuses outright.

Amazon's VAT guide: refunds are sent tax-exclusive, Amazon adds the tax of the original sale and
ignores any tax component. The simulator does so without capping the tax it adds, as a client
must expect of Amazon; FBA orders are refused with Amazon's error 18016.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.state import SandboxState
from tests.sandbox.feedkit import adjusted_item, adjustment_message
from tests.sandbox.rulekit import order, refund, summary

DE, ES, JP = "A1PA6795UKMFR9", "A1RKKUPIHCS9HS", "A1VC38T7YXB528"


@pytest.fixture
def state() -> SandboxState:
    return SandboxState.create(SandboxSettings())


def test_amazon_adds_the_vat_of_the_sale_and_ignores_tax_components(state: SandboxState) -> None:
    de = order(state, "de-fbm-shipped")  # 64.90 incl. 19 % = 54.54 + 10.36; shipping 4.12 + 0.78
    line = de.items[0]
    item = adjusted_item(
        line.item_code,
        {"Principal": "10.00", "Tax": "5.00", "Shipping": "4.12"},
        currency="EUR",
    )
    report = refund(state, adjustment_message(1, de.order_id, item), marketplace=DE)
    assert report.summary == summary(1, 1, 0, 0)
    assert line.refunded == {
        "Principal": Decimal("10.00"),
        "Tax": Decimal("1.90"),  # 19 % of 10.00, not the 5.00 sent
        "Shipping": Decimal("4.12"),
        "ShippingTax": Decimal("0.78"),  # 19 % of 4.12 = 0.7828
    }


def test_the_vat_added_is_not_capped_so_a_whole_net_balance_can_give_back_too_much(
    state: SandboxState,
) -> None:
    uk = order(state, "uk-fbm-shipped")  # shipping 3.99 incl. 20 %: 3.32 + 0.67
    line = uk.items[0]
    item = adjusted_item(line.item_code, {"Shipping": "3.32"}, currency="GBP")
    refund(state, adjustment_message(1, uk.order_id, item), marketplace="A1F83G8C2ARO7P")
    # 20 % of 3.32 is 0.664: 0.66 back, less than the 0.67 paid. The opposite can happen too,
    # which is why a client must not send a whole tax-exclusive balance (docs/amazon.md).
    assert line.refunded == {"Shipping": Decimal("3.32"), "ShippingTax": Decimal("0.66")}
    de = order(state, "de-fbm-shipped")
    de_line = de.items[0]
    item = adjusted_item(de_line.item_code, {"Principal": "54.54"}, currency="EUR")
    refund(state, adjustment_message(1, de.order_id, item), marketplace=DE)
    # 19 % of 54.54 is 10.3626 -> 10.36: exact here; the simulator adds what it computes.
    assert de_line.refunded["Tax"] == Decimal("10.36")


def test_no_tax_is_added_where_none_was_charged(state: SandboxState) -> None:
    es = order(state, "es-fbm-shipped")  # a seller outside VAT Calculation Service: tax 0
    line = es.items[0]
    item = adjusted_item(line.item_code, {"Principal": "29.95"}, currency="EUR")
    assert refund(state, adjustment_message(1, es.order_id, item), marketplace=ES).summary == (
        summary(1, 1, 0, 0)
    )
    assert line.refunded == {"Principal": Decimal("29.95")}


def test_sales_tax_components_apply_as_sent(state: SandboxState) -> None:
    us = order(state, "us-fbm-shipped")
    line = us.items[0]
    item = adjusted_item(line.item_code, {"Principal": "10.00", "Tax": "0.83"})
    refund(state, adjustment_message(1, us.order_id, item))
    assert line.refunded == {"Principal": Decimal("10.00"), "Tax": Decimal("0.83")}


def test_a_net_amount_above_its_balance_is_refused(state: SandboxState) -> None:
    jp = order(state, "jp-fbm-shipped")  # 4980 incl. 10 %: 4527 + 453
    line = jp.items[0]
    item = adjusted_item(line.item_code, {"Principal": "4980"}, currency="JPY")
    report = refund(state, adjustment_message(1, jp.order_id, item), marketplace=JP)
    assert report.result(1)["ResultMessageCode"] == 18032
    assert line.refunded == {}


def test_promotions_lower_the_balance(state: SandboxState) -> None:
    it = order(state, "it-fbm-shipped-promotion")  # Principal 40.82, promotion 8.20 of it
    line = it.items[0]
    item = adjusted_item(line.item_code, {"Principal": "32.63"}, currency="EUR")
    report = refund(state, adjustment_message(1, it.order_id, item), marketplace="APJ6JRA9NG5V4")
    assert report.result(1)["ResultMessageCode"] == 18032
    item = adjusted_item(line.item_code, {"Principal": "32.62"}, currency="EUR")
    report = refund(state, adjustment_message(2, it.order_id, item), marketplace="APJ6JRA9NG5V4")
    assert report.summary == summary(1, 1, 0, 0)


def test_an_amazon_fulfilled_order_is_refused_with_18016(state: SandboxState) -> None:
    fba = order(state, "us-fba-shipped")
    item = adjusted_item(fba.items[0].item_code, {"Principal": "1.00"})
    report = refund(state, adjustment_message(1, fba.order_id, item))
    row = report.result(1)
    assert (row["ResultCode"], row["ResultMessageCode"]) == ("Error", 18016)
    assert "can only be refunded by Amazon" in row["ResultDescription"]
    assert fba.items[0].refunded == {}


def test_the_currency_attribute_is_optional_and_from_the_schemas_list(state: SandboxState) -> None:
    us = order(state, "us-fbm-shipped")
    code = us.items[0].item_code
    without = adjusted_item(code, {"Principal": "1.00"}, currency=None)
    assert refund(state, adjustment_message(1, us.order_id, without)).summary == (
        summary(1, 1, 0, 0)
    )
    unknown = adjusted_item(code, {"Principal": "1.00"}, currency="SEK")
    report = refund(state, adjustment_message(2, us.order_id, unknown))
    assert report.result(2)["ResultMessageCode"] == 5000
    assert "schema's currency codes" in report.result(2)["ResultDescription"]
