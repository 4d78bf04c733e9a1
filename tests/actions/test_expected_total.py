"""The total the agent confirmed is the total refunded (expectedTotal), over HTTP."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from companion.actions.guards import body_hash
from companion.actions.models import RefundIn
from spdesk_sandbox.records import Adjustment
from tests.actions.test_faults import HEADPHONES, small_refund
from tests.actions.test_refund_flow import adjustments, final, order_id, refund
from tests.plugins.actions import new_key

SHIPPED = "us-fbm-shipped"  # 89.00 + 7.34 tax (headphones), 14.99 + 1.24 tax (case): 112.57


def full(oid: str, expected: str, **extra: Any) -> dict[str, Any]:
    return {
        "orderId": oid,
        "mode": "full",
        "reason": "CustomerReturn",
        "agent": "Anna",
        "currency": "USD",
        "expectedTotal": expected,
        **extra,
    }


async def actions_of(spdesk: Any, oid: str) -> list[dict[str, Any]]:
    return list((await spdesk.request("GET", f"/v1/orders/{oid}/actions")).json()["actions"])


def refund_in_seller_central(spdesk: Any, oid: str, principal: str) -> None:
    """A refund made outside spdesk: Amazon applied it and Finances shows it at once."""
    state = spdesk.extra["sandbox"].state
    item = state.order(oid).item(HEADPHONES)
    amount = Decimal(principal)
    item.refunded["Principal"] = item.refunded.get("Principal", Decimal(0)) + amount
    state.adjustments.append(
        Adjustment(
            adjustment_id="seller-central-1",
            order_id=oid,
            item_code=HEADPHONES,
            currency="USD",
            components={"Principal": amount},
            reason="Other",
            applied_at=state.now(),
            posted_at=state.now(),
        )
    )
    state.touch()


async def test_stale_full_total_after_another_spdesk_refund_is_refused(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    first = await refund(spdesk, small_refund(oid, amount="10.00"))
    assert first.status == 202, first.body
    assert (await final(spdesk, first.json()["id"]))["state"] == "succeeded"
    stale = await refund(spdesk, full(oid, "112.57", confirmOverlap=True))
    assert (stale.status, stale.code) == (409, "refund_total_changed"), stale.body
    error = stale.json()["error"]
    assert error["details"] == {"expected": "112.57", "actual": "102.57", "currency": "USD"}
    assert "from 112.57 USD to 102.57 USD" in error["message"]
    assert "confirm the new amount" in error["message"]
    # Nothing journaled, nothing sent: only the first refund exists.
    assert [a["id"] for a in await actions_of(spdesk, oid)] == [first.json()["id"]]
    assert len(adjustments(spdesk, oid)) == 1
    confirmed = await refund(spdesk, full(oid, "102.57", confirmOverlap=True))
    assert confirmed.status == 202, confirmed.body
    assert confirmed.json()["total"] == "102.57"
    assert (await final(spdesk, confirmed.json()["id"]))["state"] == "succeeded"


async def test_stale_full_total_after_a_seller_central_refund_is_refused(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    refund_in_seller_central(spdesk, oid, "20.00")
    stale = await refund(spdesk, full(oid, "112.57"))
    assert (stale.status, stale.code) == (409, "refund_total_changed"), stale.body
    assert stale.json()["error"]["details"]["actual"] == "92.57"
    assert await actions_of(spdesk, oid) == []
    assert adjustments(spdesk, oid) == []
    exact = await refund(spdesk, full(oid, "92.57"))
    assert exact.status == 202, exact.body
    assert exact.json()["total"] == "92.57"


async def test_partial_refund_with_its_total_is_accepted(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    body = {
        "orderId": oid,
        "mode": "partial",
        "reason": "CustomerReturn",
        "currency": "USD",
        "items": [
            {
                "orderItemCode": HEADPHONES,
                "components": {"Principal": "40.00", "Tax": "3.30"},
                "restockingFee": "5.00",
            }
        ],
    }
    wrong = await refund(spdesk, {**body, "expectedTotal": "43.30"})  # the fee left out
    assert (wrong.status, wrong.code) == (409, "refund_total_changed"), wrong.body
    assert wrong.json()["error"]["details"]["actual"] == "38.30"
    reply = await refund(spdesk, {**body, "expectedTotal": "38.3"})  # same amount, fewer zeros
    assert reply.status == 202, reply.body
    assert reply.json()["total"] == "38.30"


async def test_expected_total_is_checked_as_money(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    for text, status, code in (
        ("1e2", 400, "invalid_amount"),
        ("-112.57", 400, "invalid_amount"),
        ("112.571", 400, "invalid_amount"),
    ):
        reply = await refund(spdesk, full(oid, text))
        assert (reply.status, reply.code) == (status, code), (text, reply.body)
    assert await actions_of(spdesk, oid) == []


async def test_expected_total_is_part_of_the_idempotency_fingerprint(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    key = new_key()
    first = await refund(spdesk, full(oid, "112.57"), key)
    assert first.status == 202, first.body
    again = await refund(spdesk, full(oid, "112.57"), key)
    assert again.status == 202 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    other = await refund(spdesk, full(oid, "100.00"), key)
    assert (other.status, other.code) == (409, "idempotency_key_reused")


def test_bodies_without_expected_total_keep_their_fingerprint() -> None:
    # Keys stored before the field existed must still replay the same request.
    plain = RefundIn.model_validate(
        {"orderId": "113-4820571-0038214", "mode": "full", "reason": "Other"}
    )
    dumped = plain.model_dump(mode="json", by_alias=True)
    dumped.pop("expectedTotal")
    before = json.dumps(["refund", dumped], sort_keys=True, separators=(",", ":"))
    assert body_hash("refund", plain) == hashlib.sha256(before.encode()).hexdigest()
    confirmed = plain.model_copy(update={"expected_total": "1.00"})
    assert body_hash("refund", confirmed) != body_hash("refund", plain)


async def test_expected_total_is_in_the_openapi_request(spdesk: Any) -> None:
    doc = (await spdesk.request("GET", "/v1/openapi.json")).json()
    text = str(doc)
    assert "expectedTotal" in text and "refund_total_changed" in text
