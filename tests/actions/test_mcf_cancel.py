"""MCF cancellations record the order's lines and accept an item list only when it is whole."""

from __future__ import annotations

from typing import Any

from tests.actions.test_cancel_flow import cancel
from tests.actions.test_refund_flow import final, order_id


def lines(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"orderItemCode": i["orderItemCode"], "quantity": i["quantityOrdered"]}
        for i in view["items"]
    ]


async def test_mcf_cancel_records_the_order_lines(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-mcf-received")
    view = (await spdesk.request("GET", f"/v1/orders/{oid}")).json()
    reply = await cancel(spdesk, {"orderId": oid, "agent": "Anna"})
    assert reply.status == 202, reply.body
    assert reply.json()["items"] == lines(view) != []
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "succeeded" and done["items"] == lines(view)
    assert spdesk.extra["sandbox"].state.fulfillment_orders[oid].status == "Cancelled"


async def test_mcf_cancel_takes_a_full_item_list_and_refuses_a_partial_one(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-mcf-planning")
    view = (await spdesk.request("GET", f"/v1/orders/{oid}")).json()
    first, second = lines(view)
    partial = [
        [first],
        [first, {**second, "quantity": second["quantity"] + 1}],
        [first, second, {"orderItemCode": first["orderItemCode"]}],
    ]
    for items in partial:
        reply = await cancel(spdesk, {"orderId": oid, "items": items})
        assert (reply.status, reply.code) == (422, "mcf_partial_cancel_not_supported"), items
    assert spdesk.extra["sandbox"].state.fulfillment_orders[oid].status != "Cancelled"
    whole = [first, {"orderItemCode": second["orderItemCode"]}]
    reply = await cancel(spdesk, {"orderId": oid, "items": whole, "agent": "Anna"})
    assert reply.status == 202, reply.body
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "succeeded" and done["items"] == [first, second]
    assert spdesk.extra["sandbox"].state.fulfillment_orders[oid].status == "Cancelled"


async def test_a_refused_mcf_cancel_is_sent_once_and_fails(spdesk: Any) -> None:
    """Amazon refuses the cancel (a 4xx): the same PUT is never sent again."""
    sandbox = spdesk.extra["sandbox"]
    oid = order_id(spdesk, "us-mcf-received")
    sandbox.state.faults.add("status_400", "cancelFulfillmentOrder", count=None)
    try:
        reply = await cancel(spdesk, {"orderId": oid, "agent": "Anna"})
        assert reply.status == 202, reply.body
        done = await final(spdesk, reply.json()["id"])
    finally:
        sandbox.state.faults.clear()
    assert done["state"] == "failed" and done["amazon"]["code"] == "mcf_not_cancelled"
    assert sandbox.state.throttle.received["cancelFulfillmentOrder"] == 1
    assert sandbox.state.fulfillment_orders[oid].status == "Received"
