"""Every seeded order of every marketplace, refunded in full over HTTP: exactly what the buyer paid.

The companion's total is the buyer-paid total (less earlier refunds) of the sandbox's own
records, taxes counted once and promotions taken off; the sandbox then applies the feeds as
Amazon does, adding the tax of the sale where prices include it, and the buyer never gets back
more than they paid.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from spdesk_sandbox.records import Channel, Order, OrderStatus
from tests.actions.test_refund_flow import final, refund

ZERO = Decimal(0)


def refundable_orders(spdesk: Any) -> list[Order]:
    state = spdesk.extra["sandbox"].state
    return [
        o
        for o in state.orders.values()
        if o.channel is Channel.FBM
        and o.status not in (OrderStatus.CANCELLED, OrderStatus.PENDING)
        and not o.cash_on_delivery
    ]


async def test_a_full_refund_of_every_seeded_order_is_what_the_buyer_paid(spdesk: Any) -> None:
    orders = refundable_orders(spdesk)
    assert {o.marketplace.code for o in orders} >= {"US", "UK", "DE", "FR", "IT", "ES", "JP"}
    left = {
        o.order_id: sum((i.paid_total() - i.refunded_total() for i in o.items), ZERO)
        for o in orders
    }
    replies = await asyncio.gather(
        *(
            refund(spdesk, {"orderId": o.order_id, "mode": "full", "reason": "CustomerReturn"})
            for o in orders
        )
    )
    actions = {}
    for order, reply in zip(orders, replies, strict=True):
        assert reply.status == 202, (order.label, reply.body)
        body = reply.json()
        assert Decimal(body["total"]) == left[order.order_id], order.label
        actions[order.order_id] = body["id"]
    done = await asyncio.gather(*(final(spdesk, a, within=30.0) for a in actions.values()))
    assert {d["state"] for d in done} <= {"succeeded", "posted"}, done
    quantum = {o.order_id: o.marketplace.quantum for o in orders}
    for order in orders:
        for item in order.items:
            assert item.refunded_total() <= item.paid_total(), (order.label, item.item_code)
            # Amazon's rounding of the tax it adds: a few minor units at most, never over.
            assert item.paid_total() - item.refunded_total() <= 4 * quantum[order.order_id]


async def test_a_cash_on_delivery_order_is_not_refunded_through_amazon(spdesk: Any) -> None:
    oid = spdesk.extra["sandbox"].seed.order_id("jp-fbm-cod-shipped")
    view = (await spdesk.request("GET", f"/v1/orders/{oid}")).json()
    assert view["actions"]["refund"]["code"] == "cod_order"
    cod = next(c for c in view["items"][0]["components"] if c["type"] == "COD")
    assert (cod["charged"], cod["includedTax"], cod["refundable"]) == ("330", "30", "0")
    reply = await refund(spdesk, {"orderId": oid, "mode": "full", "reason": "CustomerReturn"})
    assert (reply.status, reply.json()["error"]["code"]) == (422, "refund_not_available")
    assert reply.json()["error"]["params"]["reason"] == "cod_order"
