"""Cancellations end to end against the sandbox: FBM feed, MCF call, and every refusal."""

from __future__ import annotations

from typing import Any

from tests.actions.test_refund_flow import final, order_id
from tests.plugins.actions import new_key


async def cancel(spdesk: Any, body: dict[str, Any]) -> Any:
    """Cancel as the extension does (it always says which agent asks)."""
    return await spdesk.request(
        "POST",
        "/v1/cancellations",
        json={"agent": "Anna", **body},
        headers={"Idempotency-Key": new_key()},
    )


def cancellations(spdesk: Any, oid: str) -> list[Any]:
    return [
        c
        for c in spdesk.extra["sandbox"].state.cancellations
        if c.order_id == oid and c.source != "seed"
    ]


async def test_buyer_requested_cancel_defaults_to_buyer_canceled(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-fbm-buyer-cancel-request")
    reply = await cancel(spdesk, {"orderId": oid, "agent": "Anna"})
    assert reply.status == 202, reply.body
    action = reply.json()
    assert action["reason"] == "BuyerCanceled" and action["warnings"] == []
    done = await final(spdesk, action["id"])
    assert done["state"] == "succeeded", done
    [applied] = cancellations(spdesk, oid)
    assert (applied.reason, applied.source, applied.feed_id) == (
        "BuyerCanceled",
        "feed",
        done["feedId"],
    )
    view = (await spdesk.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    assert view["status"] == "CANCELLED"


async def test_seller_cancel_warns_about_the_cancellation_rate(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-fbm-unshipped-multi")
    view = (await spdesk.request("GET", f"/v1/orders/{oid}")).json()
    assert view["actions"]["cancel"]["countsAgainstCancelRate"] is True
    reply = await cancel(spdesk, {"orderId": oid, "items": [{"orderItemCode": "60218437795218"}]})
    assert reply.status == 202, reply.body
    assert reply.json()["reason"] == view["actions"]["cancel"]["defaultReason"] != "BuyerCanceled"
    assert [w["code"] for w in reply.json()["warnings"]] == ["counts_against_cancel_rate"]
    assert reply.json()["warnings"][0]["params"] == {}
    assert (await final(spdesk, reply.json()["id"]))["state"] == "succeeded"
    [applied] = cancellations(spdesk, oid)
    assert applied.item_codes == ["60218437795218"]
    again = await cancel(
        spdesk,
        {"orderId": oid, "reason": "NoInventory", "items": [{"orderItemCode": "60218437795218"}]},
    )
    assert (again.status, again.code) == (422, "already_cancelled")


async def test_cancel_refusals(spdesk: Any) -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("us-fbm-shipped", {"reason": "NoInventory"}, "cancel_after_shipment"),
        ("us-fbm-partially-shipped", {"reason": "NoInventory"}, "cancel_after_shipment"),
        ("us-fba-shipped", {}, "cancel_not_available_fba"),
        ("us-mcf-processing", {}, "mcf_cancel_too_late"),
        ("us-fbm-cancelled", {"reason": "NoInventory"}, "already_cancelled"),
        (
            "us-fbm-unshipped-multi",
            {
                "reason": "NoInventory",
                "items": [{"orderItemCode": "60218437795102", "quantity": 1}],
            },
            "partial_quantity_cancel_not_supported",
        ),
    ]
    for label, extra, code in cases:
        reply = await cancel(spdesk, {"orderId": order_id(spdesk, label), **extra})
        assert (reply.status, reply.code) == (422, code), (label, reply.body)
        assert reply.json()["error"]["message"].endswith(".")
    shipped = await cancel(
        spdesk, {"orderId": order_id(spdesk, "us-fbm-shipped"), "reason": "NoInventory"}
    )
    assert "Refund" in shipped.json()["error"]["message"]
    state = spdesk.extra["sandbox"].state
    assert all(c.source == "seed" for c in state.cancellations)
    # The guard held: no Failure acknowledgement reached Amazon, which would have refunded the
    # whole shipped order (tests/sandbox/test_rules_cancel.py shows it would).
    assert state.feeds == {}
    assert all(a.feed_id is None for a in state.adjustments)


async def test_mcf_order_is_cancelled_through_fulfillment_outbound(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-mcf-received")
    reply = await cancel(spdesk, {"orderId": oid, "agent": "Anna"})
    assert reply.status == 202, reply.body
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "succeeded", done
    assert done["feedId"] is None
    fulfillment = spdesk.extra["sandbox"].state.fulfillment_orders[oid]
    assert fulfillment.status == "Cancelled"
