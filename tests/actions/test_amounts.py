"""Refund amount rules per component (the US/CA way), hypothesis over every currency's decimals.

Where prices include the tax the rules are those of tests/actions/test_tax_included.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from companion.actions.amounts import plan_refund
from companion.actions.models import RefundIn
from companion.amazon.money import LineMoney, OrderMoney
from companion.errors import BadRequest, SpdeskError, Unprocessable
from companion.fields import INVALID_AMOUNT
from companion.marketplaces import marketplace

US, JP, DE = marketplace("US"), marketplace("JP"), marketplace("DE")
ITEM = "45678901234567"
REFUNDABLE = {
    ITEM: {
        "Principal": Decimal("25.98"),
        "Shipping": Decimal("4.99"),
        "Tax": Decimal("2.08"),
        "ShippingTax": Decimal("0.40"),
    }
}
QTY = {ITEM: 2}


def money(refundable: dict[str, dict[str, Decimal]]) -> OrderMoney:
    """Lines whose every component is left whole, each tax its own component."""
    lines = {
        code: LineMoney(
            paid=dict(comps), total=sum(comps.values(), Decimal(0)), quantity=QTY.get(code, 1)
        )
        for code, comps in refundable.items()
    }
    return OrderMoney(lines, prices_include_tax=False)


def partial(
    components: dict[str, str],
    fee: str | None = None,
    reason: str = "CustomerReturn",
    **extra: object,
) -> RefundIn:
    item: dict[str, object] = {"orderItemCode": ITEM, "quantity": 1, "components": components}
    if fee is not None:
        item["restockingFee"] = fee
    return RefundIn.model_validate(
        {
            "orderId": "113-4820571-0038214",
            "mode": "partial",
            "reason": reason,
            "items": [item],
            **extra,
        }
    )


def refusal(request: RefundIn, refundable=REFUNDABLE, market=US) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SpdeskError) as caught:
        plan_refund(request, money(refundable), market)
    assert "Traceback" not in caught.value.message
    return caught.value.code


def test_full_refund_takes_everything_still_refundable() -> None:
    request = RefundIn.model_validate(
        {"orderId": "113-4820571-0038214", "mode": "full", "reason": "CustomerReturn"}
    )
    plan = plan_refund(request, money(REFUNDABLE), US)
    assert plan.total == Decimal("33.45")
    assert plan.lines[0].components["ShippingTax"] == Decimal("0.40")


def test_full_refund_of_nothing_left_is_refused() -> None:
    request = RefundIn.model_validate(
        {"orderId": "113-4820571-0038214", "mode": "full", "reason": "CustomerReturn"}
    )
    empty = {ITEM: dict.fromkeys(REFUNDABLE[ITEM], Decimal(0))}
    assert refusal(request, empty) == "refund_not_positive"


@pytest.mark.parametrize(
    ("components", "fee", "reason", "code"),
    [
        ({"Shipping": "6.00"}, None, "CustomerReturn", "refund_exceeds_refundable"),
        ({"Principal": "0.00"}, None, "CustomerReturn", "refund_not_positive"),
        ({"Principal": "5.00"}, "1.00", "GeneralAdjustment", "restocking_fee_not_allowed"),
        ({"Principal": "5.00"}, "5.00", "CustomerReturn", "refund_not_positive"),
    ],
)
def test_refusals_have_stable_codes(
    components: dict[str, str], fee: str | None, reason: str, code: str
) -> None:
    assert refusal(partial(components, fee, reason)) == code


@pytest.mark.parametrize("text", ["1.001", "-1.00", "abc", "1e3", "NaN", " 1.00", "1.", "+1"])
def test_only_plain_money_reaches_the_rules(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        partial({"Principal": text})
    assert caught.value.errors()[0]["type"] == INVALID_AMOUNT
    with pytest.raises(ValidationError):
        partial({"Principal": "1.00"}, fee=text)


def test_unknown_item_and_currency_mismatch() -> None:
    request = RefundIn.model_validate(
        {
            "orderId": "113-4820571-0038214",
            "mode": "partial",
            "reason": "Other",
            "items": [{"orderItemCode": "99999999999999", "components": {"Principal": "1.00"}}],
        }
    )
    assert refusal(request) == "unknown_order_item"
    assert refusal(partial({"Principal": "1.00"}, currency="EUR")) == "currency_mismatch"


def test_each_component_is_checked_on_its_own() -> None:
    # The total (5.00) fits the item, but Tax alone exceeds what was charged for Tax.
    assert refusal(partial({"Tax": "3.00", "Principal": "2.00"})) == "refund_exceeds_refundable"


def test_jpy_has_no_decimals() -> None:
    refundable = {ITEM: {"Principal": Decimal("1200"), "Shipping": Decimal("350")}}
    assert refusal(partial({"Principal": "100.5"}), refundable, JP) == "amount_precision"
    plan = plan_refund(
        partial({"Principal": "1200", "Shipping": "350"}, "200"), money(refundable), JP
    )
    assert plan.total == Decimal("1350")
    assert plan.lines[0].to_json()["components"] == {"Principal": "1200", "Shipping": "350"}


def test_missing_items_in_partial_mode_is_a_bad_request() -> None:
    request = RefundIn.model_validate(
        {"orderId": "113-4820571-0038214", "mode": "partial", "reason": "Other"}
    )
    with pytest.raises(BadRequest):
        plan_refund(request, money(REFUNDABLE), US)


markets = st.sampled_from([US, JP, DE])


@st.composite
def cases(draw: st.DrawFn) -> tuple[object, dict[str, Decimal], dict[str, str], str | None]:
    market = draw(markets)
    q = market.quantum
    units = st.integers(min_value=0, max_value=100_000)
    refundable = {c: draw(units) * q for c in ("Principal", "Shipping", "Tax", "ShippingTax")}
    asked: dict[str, str] = {}
    for component in draw(st.sets(st.sampled_from(sorted(refundable)), min_size=1)):
        # Mostly valid amounts on the currency's grid, sometimes one digit too many.
        value = draw(st.integers(min_value=0, max_value=120_000)) * q
        if draw(st.booleans()) and draw(st.booleans()):
            value += q / 10
        asked[component] = f"{value:f}"
    fee = draw(
        st.one_of(st.none(), st.integers(min_value=0, max_value=5000).map(lambda n: f"{n * q:f}"))
    )
    return market, refundable, asked, fee


@settings(max_examples=300, deadline=None)
@given(cases())
def test_an_accepted_refund_never_breaks_a_rule(case) -> None:  # type: ignore[no-untyped-def]
    market, refundable, asked, fee = case
    try:
        request = partial(asked, fee)
    except ValidationError as exc:  # three decimals: not money in any marketplace
        assert exc.errors()[0]["type"] == INVALID_AMOUNT
        return
    try:
        plan = plan_refund(request, money({ITEM: refundable}), market)
    except (Unprocessable, BadRequest) as exc:
        assert exc.code in {
            "refund_exceeds_refundable",
            "amount_precision",
            "refund_not_positive",
            "restocking_fee_exceeds_principal",
            "tax_only_refund",
        }
        return
    line = plan.lines[0]
    assert plan.total > 0
    assert plan.currency == market.currency
    for component, amount in line.components.items():
        assert 0 < amount <= refundable[component]
        assert amount == amount.quantize(market.quantum)
    assert line.restocking_fee == line.restocking_fee.quantize(market.quantum)
    assert line.restocking_fee <= line.components.get("Principal", Decimal(0))
    assert line.net == plan.total


@settings(max_examples=200, deadline=None)
@given(cases())
def test_every_valid_request_within_limits_is_accepted(case) -> None:  # type: ignore[no-untyped-def]
    market, refundable, asked, _fee = case
    ok = {
        k: v
        for k, v in asked.items()
        if market.has_valid_scale(Decimal(v)) and Decimal(0) <= Decimal(v) <= refundable[k]
    }
    positive = {k for k, v in ok.items() if Decimal(v) > 0}
    if not positive or positive <= {"Tax", "ShippingTax"}:  # nothing, or tax alone
        return
    plan = plan_refund(partial(ok), money({ITEM: refundable}), market)
    assert plan.total == sum(Decimal(v) for v in ok.values())
