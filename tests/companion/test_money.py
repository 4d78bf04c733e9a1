"""What the buyer paid, read from Orders v2026 proceeds: Amazon's examples, layouts, mismatches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from companion.actions.amounts import plan_refund
from companion.actions.models import RefundIn
from companion.amazon.build import build_order_view
from companion.amazon.models import AmazonOrder, AmazonOrderItem, FulfilledBy, ItemProceeds
from companion.amazon.money import order_mismatch, read_line
from companion.amazon.parse import item_proceeds
from companion.errors import Unprocessable
from companion.marketplaces import marketplace
from tests.architecture.importgraph import REPO

MODEL = REPO / "tests" / "sandbox" / "spapi" / "orders_2026-01-01.json"
NOW = datetime(2026, 11, 20, tzinfo=UTC)
CODE = "11111111111111"
# Where the examples' currencies are sold, prices include the tax but in the US.
INCLUDED = {"USD": False, "GBP": True, "JPY": True, "BRL": True, "TRY": True}


def _examples(node: Any) -> Iterator[dict[str, Any]]:
    """Every order (with items) in the model's examples."""
    if isinstance(node, dict):
        if isinstance(node.get("orderItems"), list) and "proceeds" in node:
            yield node
        for value in node.values():
            yield from _examples(value)
    elif isinstance(node, list):
        for value in node:
            yield from _examples(value)


def test_every_example_in_amazons_model_reads_as_consistent() -> None:
    examples = list(_examples(json.loads(MODEL.read_text(encoding="utf-8"))["paths"]))
    assert len(examples) >= 6
    for example in examples:
        currency = example["orderItems"][0]["proceeds"]["proceedsTotal"]["currencyCode"]
        lines = {
            item["orderItemId"]: read_line(item_proceeds(item["proceeds"]), INCLUDED[currency])
            for item in example["orderItems"]
        }
        grand = example["proceeds"].get("grandTotal")
        order = _order(
            grand_total=Decimal(grand["amount"]) if grand else None,
            order_level=sum(
                (
                    Decimal(b["subtotal"]["amount"])
                    for b in example["proceeds"].get("breakdowns", [])
                    if b["type"] == "DELIVERY_TIP"
                ),
                Decimal(0),
            ),
        )
        assert order_mismatch(order, lines) is None, example["orderId"]
        for line in lines.values():
            assert line.layout == "on_top" and line.total == line.reported


def test_amazons_uk_example_is_tax_on_top_and_refunds_in_full() -> None:
    example = json.loads(MODEL.read_text(encoding="utf-8"))["paths"][
        "/orders/2026-01-01/orders/{orderId}"
    ]["get"]["responses"]["200"]["examples"]["application/json"]["order"]
    line = read_line(item_proceeds(example["orderItems"][0]["proceeds"]), True)
    assert line.paid == {
        "Principal": Decimal("89.97"),
        "Tax": Decimal("3.00"),
        "Shipping": Decimal("10.00"),
        "ShippingTax": Decimal("1.00"),
    }
    assert line.total == Decimal("103.97")


def proceeds(
    total: str | None, taxes: dict[str, str] | None = None, **charges: str
) -> ItemProceeds:
    return ItemProceeds(
        total=None if total is None else Decimal(total),
        charges={k: Decimal(v) for k, v in charges.items()},
        taxes={k: Decimal(v) for k, v in (taxes or {}).items()},
    )


def test_tax_inside_item_reads_as_inside_where_prices_include_it() -> None:
    line = read_line(
        proceeds("69.80", {"ITEM": "10.36", "SHIPPING": "0.78"}, ITEM="64.90", SHIPPING="4.90"),
        True,
    )
    assert line.layout == "inside"
    assert line.paid == {
        "Principal": Decimal("54.54"),
        "Tax": Decimal("10.36"),
        "Shipping": Decimal("4.12"),
        "ShippingTax": Decimal("0.78"),
    }


def test_the_us_never_has_its_tax_inside() -> None:
    line = read_line(proceeds("21.60", {"ITEM": "1.60"}, ITEM="21.60"), False)
    # A mismatch: the lower reading (tax inside) is the most that can go back.
    assert line.layout is None and line.total == Decimal("21.60")
    assert line.paid == {"Principal": Decimal("20.00"), "Tax": Decimal("1.60")}


@pytest.mark.parametrize(
    ("reported", "total"),
    [("103.98", Decimal("99.97")), ("50.00", Decimal("50.00")), (None, Decimal("99.97"))],
)
def test_a_total_no_reading_explains_takes_the_lower_one(
    reported: str | None, total: Decimal
) -> None:
    line = read_line(proceeds(reported, {"ITEM": "4.00"}, ITEM="89.97", SHIPPING="10.00"), True)
    assert line.layout is None and line.total == total


def _order(**fields: Any) -> AmazonOrder:
    item = AmazonOrderItem(
        order_item_id=CODE,
        quantity_ordered=1,
        quantity_shipped=1,
        proceeds=proceeds("24.00", {"ITEM": "4.00"}, ITEM="20.00"),
    )
    base: dict[str, Any] = {
        "order_id": "203-0000000-0000001",
        "marketplace_id": "A1F83G8C2ARO7P",
        "status": "SHIPPED",
        "fulfilled_by": FulfilledBy.MERCHANT,
        "created_time": NOW,
        "items": [item],
    }
    return AmazonOrder(**{**base, **fields})


FULL = RefundIn.model_validate(
    {"orderId": "203-0000000-0000001", "mode": "full", "reason": "Other"}
)


def test_a_grand_total_that_disagrees_blocks_a_full_refund_and_caps_the_rest() -> None:
    view = build_order_view(
        _order(grand_total=Decimal("23.00")), None, {}, account="a", fetched_at=NOW
    )
    full = view.actions.refund.full
    assert view.actions.refund.allowed and not full.allowed
    assert (full.code, full.params["case"], full.params["reported"]) == (
        "amounts_mismatch",
        "order",
        "23.00",
    )
    assert view.totals.refundable == Decimal("23.00")
    partial = RefundIn.model_validate(
        {
            "orderId": "203-0000000-0000001",
            "mode": "partial",
            "reason": "Other",
            "items": [{"orderItemCode": CODE, "components": {"Principal": "24.00"}}],
        }
    )
    with pytest.raises(Unprocessable) as refused:
        plan_refund(partial, view.money, marketplace("UK"))
    assert refused.value.code == "refund_exceeds_paid"


def test_without_a_grand_total_each_line_is_still_checked() -> None:
    view = build_order_view(_order(), None, {}, account="a", fetched_at=NOW)
    assert view.actions.refund.full.allowed
    assert plan_refund(FULL, view.money, marketplace("UK")).total == Decimal("24.00")
    bad = _order(
        items=[
            AmazonOrderItem(
                order_item_id=CODE,
                quantity_ordered=1,
                quantity_shipped=1,
                proceeds=proceeds("25.00", {"ITEM": "4.00"}, ITEM="20.00"),
            )
        ]
    )
    view = build_order_view(bad, None, {}, account="a", fetched_at=NOW)
    assert view.actions.refund.full.params["orderItemCode"] == CODE
    assert "at most 20.00 GBP" in (view.actions.refund.full.reason or "")  # the lower reading


def test_cash_on_delivery_is_not_refunded_through_amazon() -> None:
    view = build_order_view(
        _order(payment_methods=("CashOnDelivery",)), None, {}, account="a", fetched_at=NOW
    )
    assert (view.actions.refund.allowed, view.actions.refund.code) == (False, "cod_order")
    assert view.actions.refund.full.code == "cod_order"
