"""Cancellation rules at their edges, each refusal word for word (code, params and details).

Amazon's order status and its item quantities are two readings of the same facts that do not
always move together: a shipped unit on an order still said to be Unshipped, or a Shipped order
whose items show nothing shipped yet. Either refuses the cancel (an acknowledgement of a shipped
order refunds the buyer instead). Mutation testing found these conditions, the view's refusal and
the cancellation-rate warning held only by their HTTP status or not at all.
"""

from __future__ import annotations

from typing import Any

import pytest

from spdesk_sandbox.records import OrderStatus
from tests.actions.test_cancel_flow import cancel
from tests.actions.test_refund_flow import final, order_id

SINGLE = "us-fbm-unshipped-single"
MULTI = "us-fbm-unshipped-multi"
SHIPPED = (
    "Part of this order has already shipped, so it cannot be cancelled. Refund the buyer instead "
    "(after the return, if the item comes back)."
)


def _order(spdesk: Any, label: str) -> Any:
    return spdesk.extra["sandbox"].state.orders[order_id(spdesk, label)]


def _error(code: str, message: str, **more: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "params": {}, **more}}


@pytest.mark.parametrize(
    ("status", "units_shipped"),
    [
        (OrderStatus.SHIPPED, 0),  # the status ran ahead of the items
        (OrderStatus.PARTIALLY_SHIPPED, 0),
        (OrderStatus.UNSHIPPED, 1),  # one unit shipped, the status not updated yet
    ],
)
async def test_any_sign_of_a_shipment_refuses_the_cancel(
    spdesk: Any, status: OrderStatus, units_shipped: int
) -> None:
    order = _order(spdesk, SINGLE)
    order.status = status
    order.items[0].qty_shipped = units_shipped
    reply = await cancel(spdesk, {"orderId": order.order_id, "reason": "NoInventory"})
    assert (reply.status, reply.json()) == (422, _error("cancel_after_shipment", SHIPPED))


async def test_an_order_the_view_does_not_let_cancel_is_refused_with_its_reason(
    spdesk: Any,
) -> None:
    order = _order(spdesk, SINGLE)
    order.status = OrderStatus.PENDING
    reply = await cancel(spdesk, {"orderId": order.order_id, "reason": "NoInventory"})
    message = (
        "Amazon is still confirming the buyer's payment (Pending); the order can be cancelled "
        "once it is Unshipped."
    )
    params = {"case": "view", "reason": "payment_pending"}
    assert (reply.status, reply.json()) == (
        422,
        _error("cancel_not_available", message, params=params),
    )


async def test_an_order_whose_every_line_is_cancelled_already(spdesk: Any) -> None:
    order = _order(spdesk, MULTI)
    for item in order.items:
        item.qty_cancelled = item.qty_ordered  # Amazon's order status still says Unshipped
    reply = await cancel(spdesk, {"orderId": order.order_id, "reason": "NoInventory"})
    expected = _error(
        "already_cancelled",
        "Every item of this order is already cancelled.",
        params={"case": "every_item"},
    )
    assert (reply.status, reply.json()) == (422, expected)


async def test_a_line_cancelled_already_is_named(spdesk: Any) -> None:
    order = _order(spdesk, MULTI)
    done, *others = order.items
    done.qty_cancelled = done.qty_ordered
    line = [{"orderItemCode": done.item_code}]
    reply = await cancel(
        spdesk, {"orderId": order.order_id, "reason": "NoInventory", "items": line}
    )
    expected = _error(
        "already_cancelled",
        f"Item {done.item_code} is already cancelled.",
        params={"case": "item", "orderItemCode": done.item_code},
        details={"orderItemCode": done.item_code},
    )
    assert (reply.status, reply.json()) == (422, expected)
    # Without items only the open line goes: the cancelled one is not cancelled twice.
    whole = await cancel(spdesk, {"orderId": order.order_id, "reason": "NoInventory"})
    assert whole.status == 202, whole.body
    assert whole.json()["items"] == [
        {"orderItemCode": i.item_code, "quantity": i.qty_ordered} for i in others
    ]


@pytest.mark.parametrize(
    ("label", "reason"),
    [
        ("us-fbm-buyer-cancel-request", "NoInventory"),  # the buyer asked, the seller's reason
        ("us-fbm-unshipped-single", "BuyerCanceled"),  # BuyerCanceled the buyer never asked for
    ],
)
async def test_only_the_buyers_own_request_sent_as_buyer_canceled_spares_the_rate(
    spdesk: Any, label: str, reason: str
) -> None:
    reply = await cancel(spdesk, {"orderId": order_id(spdesk, label), "reason": reason})
    assert reply.status == 202, reply.body
    assert reply.json()["channel"] == "FBM"
    assert reply.json()["warnings"] == [
        {
            "code": "counts_against_cancel_rate",
            "message": "The buyer did not request this cancellation through Amazon, so it counts "
            "against your Cancellation Rate (keep it under 2.5 %).",
            "params": {},
        }
    ]


async def test_an_mcf_line_cancelled_already_is_left_out(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-mcf-planning")
    fulfillment = spdesk.extra["sandbox"].state.fulfillment_orders[oid]
    gone, left = fulfillment.items
    gone.qty_cancelled = gone.quantity
    line = [{"orderItemCode": left.item_id, "quantity": left.quantity}]
    reply = await cancel(spdesk, {"orderId": oid, "items": line})
    assert reply.status == 202, reply.body
    assert reply.json()["channel"] == "MCF"
    assert (await final(spdesk, reply.json()["id"]))["items"] == line
