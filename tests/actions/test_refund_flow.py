"""Refunds end to end: companion over HTTP, python-amazon-sp-api, the sandbox as Amazon."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from tests.plugins.actions import eventually, new_key

SHIPPED = "us-fbm-shipped"


def order_id(spdesk: Any, label: str) -> str:
    return str(spdesk.extra["sandbox"].seed.order_id(label))


def adjustments(spdesk: Any, oid: str) -> list[Any]:
    return [
        a
        for a in spdesk.extra["sandbox"].state.adjustments
        if a.order_id == oid and a.feed_id is not None
    ]


async def refund(spdesk: Any, body: dict[str, Any], key: str | None = None) -> Any:
    """Refund as the extension does (it always says which agent asks)."""
    return await spdesk.request(
        "POST",
        "/v1/refunds",
        json={"agent": "Anna", **body},
        headers={"Idempotency-Key": key or new_key()},
    )


async def final(spdesk: Any, action_id: str, within: float = 15.0) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        reply = await spdesk.request("GET", f"/v1/actions/{action_id}")
        body = reply.json()
        return body if body["state"] in ("succeeded", "failed", "unknown", "posted") else None

    settled: dict[str, Any] = await eventually(done, within)
    return settled


async def test_partial_refund_reaches_amazon_once_with_proof(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    reply = await refund(
        spdesk,
        {
            "orderId": oid,
            "mode": "partial",
            "reason": "CustomerReturn",
            "agent": "Anna",
            "ticketUrl": "https://acme.zendesk.com/agent/tickets/4711",
            "note": "Arrived broken",
            "items": [
                {
                    "orderItemCode": "29384756102938",
                    "quantity": 1,
                    "components": {"Principal": "40.00", "Tax": "3.30"},
                    "restockingFee": "5.00",
                }
            ],
        },
    )
    assert reply.status == 202, reply.body
    action = reply.json()
    assert action["state"] == "queued"
    assert action["total"] == "38.30"
    assert action["confirmation"].startswith("SPD-")
    done = await final(spdesk, action["id"])
    assert done["state"] == "succeeded", done
    assert done["feedId"] and done["messageId"] == 1
    states = [h["state"] for h in done["history"]]
    assert states[:3] == ["accepted", "queued", "submitted"] and states[-1] == "succeeded"
    [applied] = adjustments(spdesk, oid)
    assert applied.feed_id == done["feedId"]
    assert applied.merchant_adjustment_item_id == f"{action['id']}-1"
    assert applied.components == {
        "Principal": Decimal("40.00"),
        "Tax": Decimal("3.30"),
        "RestockingFee": Decimal("-5.00"),
    }
    # The order view already counts the refund, before Finances shows it.
    view = (await spdesk.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    principal = view["items"][0]["components"][0]
    assert (principal["type"], principal["refundable"]) == ("Principal", "49.00")


async def test_concurrent_identical_requests_make_one_adjustment(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    body = {"orderId": oid, "mode": "full", "reason": "CustomerReturn", "agent": "Anna"}
    key = new_key()
    replies = await asyncio.gather(*(refund(spdesk, body, key) for _ in range(100)))
    assert {r.status for r in replies} == {202}
    ids = {r.json()["id"] for r in replies}
    assert len(ids) == 1
    assert sum(1 for r in replies if r.headers.get("Idempotent-Replayed") == "true") == 99
    done = await final(spdesk, ids.pop())
    assert done["state"] == "succeeded"
    assert len(adjustments(spdesk, oid)) == 2  # one AdjustedItem per order item, one message
    assert {a.feed_id for a in adjustments(spdesk, oid)} == {done["feedId"]}


async def test_concurrent_identical_requests_with_distinct_keys_refund_once(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    body = {"orderId": oid, "mode": "full", "reason": "CustomerReturn", "agent": "Anna"}
    replies = await asyncio.gather(*(refund(spdesk, body) for _ in range(100)))
    accepted = [r for r in replies if r.status == 202]
    assert len(accepted) == 1
    assert {r.code for r in replies if r.status != 202} <= {
        "overlap_needs_confirmation",
        "refund_not_positive",
        "refund_not_available",
    }
    assert (await final(spdesk, accepted[0].json()["id"]))["state"] == "succeeded"
    assert len(adjustments(spdesk, oid)) == 2  # the order's two items, in one message


async def test_double_click_with_two_keys_is_held_for_confirmation(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    body = {
        "orderId": oid,
        "mode": "partial",
        "reason": "Other",
        "items": [{"orderItemCode": "29384756103044", "components": {"Principal": "5.00"}}],
    }
    first, second = await asyncio.gather(refund(spdesk, body), refund(spdesk, body))
    statuses = sorted([first.status, second.status])
    assert statuses == [202, 409]
    held = first if first.status == 409 else second
    assert held.code == "overlap_needs_confirmation"
    assert "confirm" in held.json()["error"]["message"]
    confirmed = await refund(spdesk, {**body, "confirmOverlap": True})
    assert confirmed.status == 202
    for reply in (first if first.status == 202 else second, confirmed):
        assert (await final(spdesk, reply.json()["id"]))["state"] == "succeeded"
    assert len(adjustments(spdesk, oid)) == 2


async def test_same_key_different_body_is_refused(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    key = new_key()
    body: dict[str, Any] = {
        "orderId": oid,
        "mode": "partial",
        "reason": "Other",
        "items": [{"orderItemCode": "29384756103044", "components": {"Principal": "1.00"}}],
    }
    assert (await refund(spdesk, body, key)).status == 202
    body["items"][0]["components"]["Principal"] = "2.00"
    reply = await refund(spdesk, body, key)
    assert (reply.status, reply.code) == (409, "idempotency_key_reused")


async def test_one_key_racing_for_two_orders_makes_one_action(spdesk: Any) -> None:
    key = new_key()
    bodies = [
        {"orderId": order_id(spdesk, label), "mode": "full", "reason": "Other"}
        for label in (SHIPPED, "us-fbm-shipped-partly-refunded")
    ]
    replies = await asyncio.gather(*(refund(spdesk, body, key) for body in bodies))
    assert sorted((r.status, r.code) for r in replies) == [
        (202, None),
        (409, "idempotency_key_reused"),
    ]


async def test_refusals_are_clear_and_move_nothing(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    cases: list[tuple[dict[str, Any], int, str]] = [
        (
            {
                "orderId": oid,
                "mode": "partial",
                "reason": "Other",
                "items": [{"orderItemCode": "29384756103044", "components": {"Tax": "9.99"}}],
            },
            422,
            "refund_exceeds_refundable",
        ),
        (
            {
                "orderId": oid,
                "mode": "partial",
                "reason": "Other",
                "items": [
                    {"orderItemCode": "29384756103044", "components": {"Principal": "1.234"}}
                ],
            },
            400,
            "invalid_amount",
        ),
        (
            {
                "orderId": oid,
                "mode": "partial",
                "reason": "Other",
                "items": [
                    {
                        "orderItemCode": "29384756103044",
                        "components": {"Principal": "1.00"},
                        "restockingFee": "0.50",
                    }
                ],
            },
            422,
            "restocking_fee_not_allowed",
        ),
        ({"orderId": oid, "mode": "full", "reason": "Nope"}, 400, "invalid_request"),
        ({"orderId": "123", "mode": "full", "reason": "Other"}, 400, "invalid_request"),
        (
            {"orderId": order_id(spdesk, "us-fba-shipped"), "mode": "full", "reason": "Other"},
            422,
            "refund_not_available",
        ),
    ]
    replies = []
    for body, status, code in cases:
        reply = await refund(spdesk, body)
        assert (reply.status, reply.code) == (status, code), (body, reply.body)
        assert "Traceback" not in reply.body.decode()
        replies.append(reply.json()["error"])
    # The values each sentence is made from travel with it, for the extension's own wording.
    assert replies[0]["params"] == {
        "component": "Tax",
        "refundable": "1.24",
        "asked": "9.99",
        "currency": "USD",
    }
    assert replies[-1]["params"] == {"reason": "fba_order"}
    missing = await spdesk.request("POST", "/v1/refunds", json=cases[0][0])
    assert (missing.status, missing.code) == (400, "idempotency_key_missing")
    assert adjustments(spdesk, oid) == []
    assert (await spdesk.request("GET", f"/v1/orders/{oid}/actions")).json() == {"actions": []}
    unknown = await spdesk.request("GET", "/v1/actions/act_00000000000000000000")
    assert (unknown.status, unknown.code) == (404, "action_not_found")
    bad_id = await spdesk.request("GET", "/v1/orders/12-34/actions")
    assert (bad_id.status, bad_id.code) == (400, "invalid_order_id")


async def test_jpy_refund(spdesk: Any) -> None:
    oid = order_id(spdesk, "jp-fbm-shipped")
    view = (await spdesk.request("GET", f"/v1/orders/{oid}")).json()
    item = view["items"][0]
    reply = await refund(
        spdesk,
        {
            "orderId": oid,
            "mode": "partial",
            "reason": "Other",
            "items": [{"orderItemCode": item["orderItemCode"], "components": {"Principal": "100"}}],
        },
    )
    assert reply.status == 202, reply.body
    assert reply.json()["currency"] == "JPY" and reply.json()["total"] == "100"
    # 100 yen with the 10 % consumption tax inside: 90 is sent, Amazon adds at most 10.
    assert reply.json()["items"][0]["components"] == {"Principal": "90"}
    assert reply.json()["items"][0]["taxAdded"] == {"Tax": "10"}
    assert (await final(spdesk, reply.json()["id"]))["state"] == "succeeded"
    [applied] = adjustments(spdesk, oid)
    assert applied.currency == "JPY"
    assert applied.components == {"Principal": Decimal("90"), "Tax": Decimal("9")}
    assert applied.total() <= Decimal("100")  # Amazon's rounding: never more than confirmed


async def test_routes_are_described_in_openapi(spdesk: Any) -> None:
    doc = (await spdesk.request("GET", "/v1/openapi.json")).json()
    for path in (
        "/v1/refunds",
        "/v1/cancellations",
        "/v1/actions/{actionId}",
        "/v1/orders/{orderId}/actions",
        "/v1/events",
    ):
        assert path in doc["paths"], path
    refund_body = doc["paths"]["/v1/refunds"]["post"]["requestBody"]
    assert refund_body["content"]["application/json"]["schema"]
    unauthorized = await spdesk.request(
        "POST", "/v1/refunds", json={}, headers={"Authorization": None}
    )
    assert unauthorized.status == 401
