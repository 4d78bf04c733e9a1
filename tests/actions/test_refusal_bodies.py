"""What the agent reads when spdesk refuses: each refusal's whole body, word for word.

The code and params are the contract with the extension (it words them in the agent's language);
the English sentence is the fallback the agent may read. Each is asserted whole here, so that a
refusal that loses its params, says another case, or garbles its sentence is caught (mutation
testing found these checked only by code before).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from spdesk_sandbox.records import FulfillmentOrderStatus
from tests.actions.moneykit import taxed_line
from tests.actions.test_cancel_flow import cancel
from tests.actions.test_faults import faults, small_refund
from tests.actions.test_refund_flow import final, order_id, refund
from tests.plugins.actions import new_key

SHIPPED = "Part of this order has already shipped, so it cannot be cancelled. Refund the buyer "
SHIPPED += "instead (after the return, if the item comes back)."
MULTI_ITEM = "60218437795102"

CANCEL_REFUSALS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "us-fbm-shipped",
        {"reason": "NoInventory"},
        {"code": "cancel_after_shipment", "message": SHIPPED},
    ),
    (
        "us-fbm-partially-shipped",
        {"reason": "NoInventory"},
        {"code": "cancel_after_shipment", "message": SHIPPED},
    ),
    (
        "us-fba-shipped",
        {},
        {
            "code": "cancel_not_available_fba",
            "message": "Amazon fulfils this order (FBA): only Amazon can cancel it. Ask the buyer "
            "to use 'Request cancellation' in Your Orders, or refund it after the return.",
        },
    ),
    (
        "us-mcf-processing",
        {},
        {
            "code": "mcf_cancel_too_late",
            "message": "Amazon's warehouse has started on this order (status PROCESSING), so it "
            "can no longer be cancelled. Refund it in your sales channel once it is returned.",
            "params": {"status": "PROCESSING"},
            "details": {"status": "PROCESSING"},
        },
    ),
    (
        "us-fbm-cancelled",
        {"reason": "NoInventory"},
        {
            "code": "already_cancelled",
            "message": "This order is already cancelled.",
            "params": {"case": "order"},
        },
    ),
    (
        "us-fbm-unshipped-multi",
        {"reason": "NoInventory", "items": [{"orderItemCode": MULTI_ITEM, "quantity": 1}]},
        {
            "code": "partial_quantity_cancel_not_supported",
            "message": f"Amazon cancels an item line as a whole (2 unit(s) of {MULTI_ITEM}). To "
            "give money back for some units, refund them instead.",
            "params": {"orderItemCode": MULTI_ITEM, "units": 2},
            "details": {"orderItemCode": MULTI_ITEM},
        },
    ),
    (
        "us-fbm-unshipped-multi",
        {"reason": "NoInventory", "items": [{"orderItemCode": "99999999999999"}]},
        {
            "code": "unknown_order_item",
            "message": "This order has no item 99999999999999.",
            "params": {"orderItemCode": "99999999999999"},
            "details": {"orderItemCode": "99999999999999"},
        },
    ),
    (
        "us-fbm-unshipped-multi",
        {"items": [{"orderItemCode": MULTI_ITEM}, {"orderItemCode": MULTI_ITEM}]},
        {"code": "duplicate_order_item", "message": "An item appears twice in the cancellation."},
    ),
    (
        "us-mcf-received",
        {"items": [{"orderItemCode": "mcf-113-2098417-1", "quantity": 1}]},
        {
            "code": "mcf_partial_cancel_not_supported",
            "message": "Multi-Channel orders are cancelled as a whole; leave out the items or "
            "list every line with all its units.",
        },
    ),
]


def _error(expected: dict[str, Any]) -> dict[str, Any]:
    body = {"params": {}, **expected}
    return {"error": body}


@pytest.mark.parametrize(("label", "extra", "expected"), CANCEL_REFUSALS)
async def test_cancel_refusals_word_for_word(
    spdesk: Any, label: str, extra: dict[str, Any], expected: dict[str, Any]
) -> None:
    reply = await cancel(spdesk, {"orderId": order_id(spdesk, label), **extra})
    assert (reply.status, reply.json()) == (422, _error(expected))


async def test_a_fulfillment_order_amazon_has_not_taken_in(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-mcf-received")
    spdesk.extra["sandbox"].state.fulfillment_orders[oid].status = FulfillmentOrderStatus.NEW
    reply = await cancel(spdesk, {"orderId": oid})
    assert (reply.status, reply.json()) == (
        422,
        {
            "error": {
                "code": "cancel_not_available",
                "message": "Amazon has not taken this fulfillment order in yet (status New), so "
                "it cannot be cancelled right now. Try again in a few minutes.",
                "params": {"case": "not_taken_in", "status": "NEW"},
                "details": {"status": "NEW"},
            }
        },
    )


async def test_a_fulfillment_order_cancelled_already(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-mcf-received")
    first = await cancel(spdesk, {"orderId": oid})
    assert (await final(spdesk, first.json()["id"]))["state"] == "succeeded"
    again = await cancel(spdesk, {"orderId": oid})
    assert (again.status, again.json()) == (
        422,
        {
            "error": {
                "code": "already_cancelled",
                "message": "This fulfillment order is already cancelled.",
                "params": {"case": "fulfillment_order"},
            }
        },
    )


async def test_a_cancellation_counts_only_the_items_it_cancels(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-fbm-unshipped-multi")
    view = (await spdesk.request("GET", f"/v1/orders/{oid}")).json()
    item = next(i for i in view["items"] if i["orderItemCode"] == MULTI_ITEM)
    line = [{"orderItemCode": MULTI_ITEM, "quantity": item["quantityOrdered"]}]
    reply = await cancel(spdesk, {"orderId": oid, "reason": "NoInventory", "items": line})
    assert reply.status == 202, reply.body
    charged = sum((Decimal(c["charged"]) for c in item["components"]), Decimal(0))
    assert Decimal(reply.json()["total"]) == charged < Decimal(view["totals"]["charged"])


async def test_overlap_refusal_says_pending_or_applied(spdesk: Any) -> None:
    body = small_refund(order_id(spdesk, "us-fbm-shipped"), amount="2.00")
    faults(spdesk).add("feed_stuck")  # the first stays on its way: pending
    first = await refund(spdesk, body)
    held = await refund(spdesk, body)
    confirmation = first.json()["confirmation"]
    assert (held.status, held.json()) == (
        409,
        {
            "error": {
                "code": "overlap_needs_confirmation",
                "message": f"A refund of 2.00 USD for the same items is still being processed "
                f"({confirmation}). If this is really a second refund, confirm it.",
                "params": {
                    "case": "pending",
                    "total": "2.00",
                    "currency": "USD",
                    "confirmation": confirmation,
                },
                "details": {"actionIds": [first.json()["id"]]},
            }
        },
    )


async def test_a_reused_key_is_refused_word_for_word(spdesk: Any) -> None:
    key = new_key()
    oid = order_id(spdesk, "us-fbm-shipped")
    await spdesk.request(
        "POST", "/v1/refunds", json=small_refund(oid), headers={"Idempotency-Key": key}
    )
    other = small_refund(oid, amount="3.00")
    reply = await spdesk.request(
        "POST", "/v1/refunds", json=other, headers={"Idempotency-Key": key}
    )
    assert (reply.status, reply.json()) == (
        409,
        {
            "error": {
                "code": "idempotency_key_reused",
                "message": "This Idempotency-Key was already used for a different request. Start "
                "the action again from the order panel.",
                "params": {},
            }
        },
    )


async def test_a_remainder_too_small_to_send_is_said_before_the_full_refund(spdesk: Any) -> None:
    """Paid 0.01 of a taxed 1.00 (promotion 0.99): no tax-exclusive amount carries it.

    The order view says so up front (the panel greys "refund everything" with the reason); a
    full refund sent anyway is refused with that reason, and nothing reaches Amazon.
    """
    sandbox = spdesk.extra["sandbox"]
    oid = order_id(spdesk, "uk-fbm-shipped")
    code = "10000000000000"
    cent = Decimal("0.01")
    item = taxed_line(code, {"Principal": Decimal("1.00")}, Decimal("0.20"), cent, Decimal("0.99"))
    sandbox.state.orders[oid] = replace(sandbox.state.orders[oid], items=[item])
    sentence = (
        f"Item {code}: what is left of it is too small to send once Amazon adds the tax, so a "
        "full refund cannot give back everything. Refund the rest per item."
    )
    view = (await spdesk.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    assert view["totals"]["refundable"] == "0.01"
    assert view["actions"]["refund"]["allowed"]
    assert view["actions"]["refund"]["full"] == {
        "allowed": False,
        "reason": sentence,
        "code": "full_too_small",
        "params": {"orderItemCode": code},
    }
    reply = await refund(spdesk, {"orderId": oid, "mode": "full", "reason": "CustomerReturn"})
    assert (reply.status, reply.json()) == (
        422,
        {
            "error": {
                "code": "full_refund_not_available",
                "message": sentence,
                "params": {"reason": "full_too_small", "orderItemCode": code},
            }
        },
    )
    assert [a for a in sandbox.state.adjustments if a.order_id == oid] == []
