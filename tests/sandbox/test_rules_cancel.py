"""Order Acknowledgement (cancel) rules, each seen in the processing report as a client reads it."""

from __future__ import annotations

import pytest

from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.state import SandboxState
from tests.sandbox.feedkit import (
    ACKNOWLEDGEMENT,
    ack_message,
    envelope,
)
from tests.sandbox.rulekit import cancel, order, run, summary


@pytest.fixture
def state() -> SandboxState:
    return SandboxState.create(SandboxSettings())


def test_cancel_after_shipment_refunds_the_whole_order_as_amazon_warns(
    state: SandboxState,
) -> None:
    partial = order(state, "us-fbm-partially-shipped")
    shipped, unshipped = partial.items
    paid = [i.paid_total() for i in partial.items]
    report = cancel(
        state,
        ack_message(1, partial.order_id, [(unshipped.item_code, "NoInventory")]),
    )
    # No error, no warning: the message "succeeds", nothing is cancelled, everything goes back.
    assert report.summary == summary(1, 1, 0, 0)
    assert (unshipped.qty_cancelled, str(partial.status)) == (0, "PARTIALLY_SHIPPED")
    assert [i.refunded_total() for i in partial.items] == paid
    given = [a for a in state.adjustments if a.order_id == partial.order_id]
    assert {a.item_code for a in given} == {shipped.item_code, unshipped.item_code}
    assert {a.reason for a in given} == {"FailureAcknowledgementAfterShipment"}
    assert not [c for c in state.cancellations if c.order_id == partial.order_id]


def test_cancel_some_items_keeps_the_order(state: SandboxState) -> None:
    multi = order(state, "us-fbm-unshipped-multi")
    first, second, third = multi.items
    report = cancel(state, ack_message(1, multi.order_id, [(second.item_code, "NoInventory")]))
    assert report.summary == summary(1, 1, 0, 0)
    assert [i.qty_cancelled for i in multi.items] == [0, 1, 0]
    assert second.cancellation is not None and second.cancellation.reason == "NoInventory"
    assert str(multi.status) == "UNSHIPPED"
    report = cancel(
        state,
        ack_message(
            1, multi.order_id, [(first.item_code, "NoInventory"), (third.item_code, "NoInventory")]
        ),
    )
    assert report.summary == summary(1, 1, 0, 0)
    assert str(multi.status) == "CANCELLED"
    assert [c.item_codes for c in state.cancellations if c.order_id == multi.order_id] == [
        [second.item_code],
        [first.item_code, third.item_code],
    ]


def test_an_item_quantity_is_refused_by_the_schema(state: SandboxState) -> None:
    """The acknowledgement's Item has no quantity: Amazon cancels whole lines."""
    multi = order(state, "us-fbm-unshipped-multi")
    line = multi.items[2]  # 3 units
    report = cancel(state, ack_message(1, multi.order_id, [(line.item_code, "NoInventory", 2)]))
    assert report.summary == summary(1, 0, 1, 0)
    row = report.result(1)
    assert row["ResultMessageCode"] == 5000 and "<Quantity>" in row["ResultDescription"]
    assert (line.qty_cancelled, str(multi.status)) == (0, "UNSHIPPED")
    report = cancel(state, ack_message(2, multi.order_id, [(line.item_code, "NoInventory")]))
    assert report.summary == summary(1, 1, 0, 0)
    assert (line.qty_cancelled, line.qty_unshipped) == (3, 0)


@pytest.mark.parametrize(("reason", "counts"), [("BuyerCanceled", False), ("NoInventory", True)])
def test_buyer_request_decides_the_cancel_rate(
    state: SandboxState, reason: str, counts: bool
) -> None:
    requested = order(state, "us-fbm-buyer-cancel-request")
    report = cancel(
        state, ack_message(1, requested.order_id, [(requested.items[0].item_code, reason)])
    )
    assert report.summary == summary(1, 1, 0, 0)
    assert str(requested.status) == "CANCELLED"
    [record] = [c for c in state.cancellations if c.order_id == requested.order_id]
    assert (record.reason, record.counts_against_cancel_rate) == (reason, counts)


def test_buyer_canceled_without_request_is_a_warning(state: SandboxState) -> None:
    single = order(state, "us-fbm-unshipped-single")
    report = cancel(
        state, ack_message(1, single.order_id, [(single.items[0].item_code, "BuyerCanceled")])
    )
    assert report.summary == summary(1, 1, 0, 1)
    assert report.result(1)["ResultMessageCode"] == 18050
    assert str(single.status) == "CANCELLED"
    [record] = [c for c in state.cancellations if c.order_id == single.order_id]
    assert record.counts_against_cancel_rate


@pytest.mark.parametrize(
    ("label", "items", "code"),
    [
        ("us-fbm-unshipped-single", [], 18042),
        ("us-fba-shipped", [("13579246801357", "NoInventory")], 18043),
        ("us-fbm-cancelled", [("84120396517730", "NoInventory")], 18041),
        ("us-fbm-unshipped-single", [("45678901234567", "Whatever")], 18031),
    ],
)
def test_cancels_amazon_refuses(
    state: SandboxState, label: str, items: list[tuple[str, str]], code: int
) -> None:
    target = order(state, label)
    status = target.status
    report = cancel(state, ack_message(1, target.order_id, items))
    row = report.result(1)
    assert (row["ResultCode"], row["ResultMessageCode"]) == ("Error", code)
    assert target.status is status


def test_success_acknowledgement_changes_nothing(state: SandboxState) -> None:
    single = order(state, "us-fbm-unshipped-single")
    report = cancel(state, ack_message(1, single.order_id, [], status="Success"))
    assert report.summary == summary(1, 1, 0, 0)
    assert str(single.status) == "UNSHIPPED"


def test_wrong_message_type_for_the_feed_type_is_rejected(state: SandboxState) -> None:
    report = run(state, ACKNOWLEDGEMENT, envelope("OrderAdjustment", []))
    assert report.result(0)["ResultMessageCode"] == 5000
    assert "must have MessageType OrderAcknowledgement" in report.result(0)["ResultDescription"]
