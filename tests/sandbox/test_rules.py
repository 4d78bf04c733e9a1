"""Amazon's feed rules, each seen in the processing report exactly as a client reads it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.state import SandboxState
from tests.sandbox.feedkit import (
    ADJUSTMENT,
    adjusted_item,
    adjustment_message,
    envelope,
)
from tests.sandbox.rulekit import JP, order, refund, run, summary


@pytest.fixture
def state() -> SandboxState:
    return SandboxState.create(SandboxSettings())


def test_over_refund_of_one_component_rejects_the_whole_message(state: SandboxState) -> None:
    shipped = order(state, "us-fbm-shipped")
    line = shipped.items[0]  # Tax 7.34 charged; the total would fit easily
    report = refund(
        state,
        adjustment_message(
            1,
            shipped.order_id,
            adjusted_item(line.item_code, {"Principal": "10.00", "Tax": "7.35"}),
        ),
    )
    assert report.summary == summary(1, 0, 1, 0)
    row = report.result(1)
    assert row["ResultCode"] == "Error" and row["ResultMessageCode"] == 18032
    assert "Tax refund of 7.35 USD" in row["ResultDescription"]
    assert "7.34 USD" in row["ResultDescription"]
    assert (row["AmazonOrderID"], row["AmazonOrderItemCode"]) == (shipped.order_id, line.item_code)
    assert line.refunded == {}
    assert not [a for a in state.adjustments if a.order_id == shipped.order_id]


def test_cap_counts_what_was_refunded_before(state: SandboxState) -> None:
    partly = order(state, "us-fbm-shipped-partly-refunded")
    line = partly.items[0]  # Shipping 9.98 charged, 4.99 already refunded
    too_much = adjusted_item(line.item_code, {"Shipping": "5.00"})
    exact = adjusted_item(line.item_code, {"Shipping": "4.99"})
    report = refund(
        state,
        adjustment_message(1, partly.order_id, too_much),
        adjustment_message(2, partly.order_id, exact),
    )
    assert report.summary == summary(2, 1, 1, 0)
    assert report.result(1)["ResultMessageCode"] == 18032
    assert line.refunded["Shipping"] == Decimal("9.98")


def test_identical_adjustment_twice_is_applied_twice(state: SandboxState) -> None:
    shipped = order(state, "us-fbm-shipped")
    line = shipped.items[0]
    message = adjustment_message(
        1,
        shipped.order_id,
        adjusted_item(line.item_code, {"Principal": "20.00"}, merchant_id="act_dup"),
    )
    first, second = refund(state, message), refund(state, message)
    assert first.summary == second.summary == summary(1, 1, 0, 0)
    assert line.refunded["Principal"] == Decimal("40.00")
    applied = [a for a in state.adjustments if a.merchant_adjustment_item_id == "act_dup"]
    assert len(applied) == 2 and applied[0].adjustment_id != applied[1].adjustment_id


def test_wrong_currency_is_an_error(state: SandboxState) -> None:
    shipped = order(state, "us-fbm-shipped")
    report = refund(
        state,
        adjustment_message(
            1,
            shipped.order_id,
            adjusted_item(shipped.items[0].item_code, {"Principal": "5.00"}, currency="EUR"),
        ),
    )
    row = report.result(1)
    assert (row["ResultCode"], row["ResultMessageCode"]) == ("Error", 18034)
    assert "in EUR" in row["ResultDescription"] and "USD" in row["ResultDescription"]


def test_unknown_item_code_is_an_error(state: SandboxState) -> None:
    shipped = order(state, "us-fbm-shipped")
    report = refund(
        state,
        adjustment_message(
            1, shipped.order_id, adjusted_item("99999999999999", {"Principal": "5.00"})
        ),
    )
    row = report.result(1)
    assert (row["ResultMessageCode"], row["AmazonOrderItemCode"]) == (18030, "99999999999999")


def test_malformed_xml_rejects_the_whole_document(state: SandboxState) -> None:
    shipped = order(state, "us-fbm-shipped")
    good = adjustment_message(
        1, shipped.order_id, adjusted_item(shipped.items[0].item_code, {"Principal": "5.00"})
    )
    xml = envelope("OrderAdjustment", [good]).replace("</AmazonEnvelope>", "</AmazonEnvelop>")
    report = run(state, ADJUSTMENT, xml)
    # Amazon cannot count the messages of an unreadable document: one processed, with an error.
    assert report.summary == summary(1, 0, 1, 0)
    row = report.result(0)
    assert (row["ResultCode"], row["ResultMessageCode"]) == ("Error", 5001)
    assert row["ResultDescription"].startswith("XML Parsing Fatal Error at Line")
    assert shipped.items[0].refunded == {}


def test_entity_declarations_are_refused(state: SandboxState) -> None:
    xml = (
        '<?xml version="1.0"?><!DOCTYPE AmazonEnvelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<AmazonEnvelope>&x;</AmazonEnvelope>"
    )
    report = run(state, ADJUSTMENT, xml)
    assert report.result(0)["ResultMessageCode"] == 5001
    assert "root:" not in report.result(0)["ResultDescription"]


@pytest.mark.parametrize(
    ("amount", "accepted"), [("1200", True), ("1200.5", False), ("1200.00", False)]
)
def test_jpy_amounts_have_no_decimals(state: SandboxState, amount: str, accepted: bool) -> None:
    jp = order(state, "jp-fbm-shipped")
    line = jp.items[0]
    report = refund(
        state,
        adjustment_message(
            1, jp.order_id, adjusted_item(line.item_code, {"Principal": amount}, currency="JPY")
        ),
        marketplace=JP,
    )
    if accepted:
        assert report.summary == summary(1, 1, 0, 0)
        # Amazon adds the 10 % consumption tax of the sale to a tax-exclusive Principal.
        assert line.refunded == {"Principal": Decimal("1200"), "Tax": Decimal("120")}
    else:
        row = report.result(1)
        assert row["ResultMessageCode"] == 18035 and "JPY allows (0)" in row["ResultDescription"]
        assert line.refunded == {}


def test_restocking_fee_must_leave_a_positive_net(state: SandboxState) -> None:
    shipped = order(state, "us-fbm-shipped")
    code = shipped.items[1].item_code
    net_zero = adjusted_item(code, {"Principal": "5.00", "RestockingFee": "-5.00"})
    positive_fee = adjusted_item(code, {"Principal": "5.00", "RestockingFee": "1.00"})
    fine = adjusted_item(code, {"Principal": "14.99", "RestockingFee": "-3.00"})
    report = refund(
        state,
        adjustment_message(1, shipped.order_id, net_zero),
        adjustment_message(2, shipped.order_id, positive_fee),
        adjustment_message(3, shipped.order_id, fine),
    )
    assert report.result(1)["ResultMessageCode"] == 18033
    assert report.result(2)["ResultMessageCode"] == 18031
    assert report.summary == summary(3, 1, 2, 0)
    assert shipped.items[1].refunded == {
        "Principal": Decimal("14.99"),
        "RestockingFee": Decimal("-3.00"),
    }


def test_unknown_reason_and_component_type_are_errors(state: SandboxState) -> None:
    shipped = order(state, "us-fbm-shipped")
    code = shipped.items[0].item_code
    report = refund(
        state,
        adjustment_message(
            1, shipped.order_id, adjusted_item(code, {"Principal": "1.00"}, reason="BecauseISaidSo")
        ),
        adjustment_message(2, shipped.order_id, adjusted_item(code, {"Bonus": "1.00"})),
    )
    assert "AdjustmentReason 'BecauseISaidSo'" in report.result(1)["ResultDescription"]
    assert "Component Type 'Bonus'" in report.result(2)["ResultDescription"]


def test_element_out_of_order_fails_only_its_message(state: SandboxState) -> None:
    shipped = order(state, "us-fbm-shipped")
    code = shipped.items[0].item_code
    swapped = adjusted_item(code, {"Principal": "1.00"}).replace(
        f"<AmazonOrderItemCode>{code}</AmazonOrderItemCode><AdjustmentReason>CustomerReturn"
        "</AdjustmentReason>",
        f"<AdjustmentReason>CustomerReturn</AdjustmentReason><AmazonOrderItemCode>{code}"
        "</AmazonOrderItemCode>",
    )
    report = refund(
        state,
        adjustment_message(1, shipped.order_id, swapped),
        adjustment_message(2, shipped.order_id, adjusted_item(code, {"Principal": "2.00"})),
    )
    assert report.summary == summary(2, 1, 1, 0)
    assert report.result(1)["ResultMessageCode"] == 5000
    assert "needs <AmazonOrderItemCode>" in report.result(1)["ResultDescription"]
    assert shipped.items[0].refunded == {"Principal": Decimal("2.00")}


def test_refund_before_shipment_is_recorded_with_a_warning(state: SandboxState) -> None:
    unshipped = order(state, "us-fbm-unshipped-single")
    line = unshipped.items[0]
    report = refund(
        state,
        adjustment_message(
            1, unshipped.order_id, adjusted_item(line.item_code, {"Principal": "10.00"})
        ),
    )
    assert report.summary == summary(1, 1, 0, 1)
    row = report.result(1)
    assert (row["ResultCode"], row["ResultMessageCode"]) == ("Warning", 18051)
    assert line.refunded == {"Principal": Decimal("10.00")}


def test_order_of_another_marketplace_is_not_found(state: SandboxState) -> None:
    uk = order(state, "uk-fbm-shipped")
    report = refund(
        state,
        adjustment_message(
            1,
            uk.order_id,
            adjusted_item(uk.items[0].item_code, {"Principal": "1.00"}, currency="GBP"),
        ),
    )
    assert report.result(1)["ResultMessageCode"] == 18028


def test_quantity_cancelled_cancels_units_of_the_line(state: SandboxState) -> None:
    multi = order(state, "us-fbm-unshipped-multi")
    line = multi.items[2]  # 3 units
    report = refund(
        state,
        adjustment_message(
            1,
            multi.order_id,
            adjusted_item(
                line.item_code, {"Principal": "8.99"}, reason="NoInventory", quantity_cancelled=1
            ),
        ),
    )
    assert report.summary["MessagesSuccessful"] == 1
    assert (line.qty_cancelled, line.qty_unshipped, str(multi.status)) == (1, 2, "UNSHIPPED")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Principal", "Tax", "Shipping"]),
            st.integers(min_value=1, max_value=4000),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_refunds_never_exceed_any_component(requests: list[tuple[str, int]]) -> None:
    state = SandboxState.create(SandboxSettings())
    partly = order(state, "us-fbm-shipped-partly-refunded")
    line = partly.items[0]
    for n, (kind, cents) in enumerate(requests, start=1):
        amount = Decimal(cents).scaleb(-2)
        before = line.refundable(kind)
        report = refund(
            state,
            adjustment_message(
                n, partly.order_id, adjusted_item(line.item_code, {kind: f"{amount:.2f}"})
            ),
        )
        accepted = report.summary["MessagesSuccessful"] == 1
        assert accepted == (amount <= before)
        assert line.refundable(kind) == (before - amount if accepted else before)
        assert all(line.refundable(k) >= 0 for k in line.charged)
