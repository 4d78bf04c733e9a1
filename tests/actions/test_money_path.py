"""The money path under adversarial conditions: counted once, refused when ambiguous, over HTTP."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest

from companion.config import Settings
from companion.keys import ACTIONS
from tests.actions.test_faults import HEADPHONES, faults, small_refund
from tests.actions.test_refund_flow import adjustments, final, order_id, refund
from tests.plugins.actions import eventually, new_key

SHIPPED = "us-fbm-shipped"  # 89.00 + 7.34 tax (headphones), 14.99 + 1.24 tax (case)
POSTING_LAG = 1000.0  # virtual seconds: past the sandbox's Finances posting lag


@pytest.fixture
def actions_settings(settings: Settings) -> Settings:
    """Fast feeds, but the Finances watcher only runs when a test says so."""
    from tests.plugins.actions import FAST_ACTIONS

    return settings.model_copy(update={**FAST_ACTIONS, "finances_poll_interval": 3600.0})


async def succeeded_refund(spdesk: Any, oid: str, amount: str) -> dict[str, Any]:
    reply = await refund(spdesk, small_refund(oid, amount=amount))
    assert reply.status == 202, reply.body
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "succeeded", done
    return done


async def state_of(spdesk: Any, action_id: str) -> str:
    return str((await spdesk.request("GET", f"/v1/actions/{action_id}")).json()["state"])


async def test_full_refund_counts_a_refund_finances_already_shows_once(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    await succeeded_refund(spdesk, oid, "10.00")
    spdesk.extra["sandbox"].state.clock.advance(POSTING_LAG)  # Finances now shows the 10.00
    reply = await refund(
        spdesk, {"orderId": oid, "mode": "full", "reason": "Other", "confirmOverlap": True}
    )
    assert reply.status == 202, reply.body
    # 112.57 charged - 10.00 refunded: not 92.57 (the 10.00 counted by Finances and in flight).
    assert reply.json()["total"] == "102.57"


async def test_posted_mark_waits_for_a_refund_being_checked_on_the_order(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    first = await succeeded_refund(spdesk, oid, "10.00")
    spdesk.extra["sandbox"].state.clock.advance(POSTING_LAG)
    engine, ledger = spdesk.app[ACTIONS].engine, spdesk.app[ACTIONS].ledger
    async with ledger.order_lock("sandbox", oid):
        # A refund holding the order reads Finances and the in-flight refunds as one picture:
        # the posted mark (which moves 10.00 from one side to the other) must wait for it.
        check = asyncio.create_task(engine.posting.check_once())
        await eventually(lambda: ledger.waiting("sandbox", oid) == 2)
        assert await state_of(spdesk, first["id"]) == "succeeded"
    await check
    assert await state_of(spdesk, first["id"]) == "posted"


async def test_unknown_refund_is_posted_once_finances_shows_it(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    faults(spdesk).add("feed_fatal")  # one message: the sandbox applies it, then FATAL
    reply = await refund(spdesk, small_refund(oid, amount="10.00"))
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "unknown"
    spdesk.extra["sandbox"].state.clock.advance(POSTING_LAG)
    await spdesk.app[ACTIONS].engine.posting.check_once()
    assert await state_of(spdesk, done["id"]) == "posted"
    view = (await spdesk.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    principal = view["items"][0]["components"][0]
    assert (principal["type"], principal["refunded"]) == ("Principal", "10.00")


async def test_refund_waits_for_a_cancellation_on_its_way(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-fbm-unshipped-single")
    faults(spdesk).add("feed_stuck")
    cancel = await spdesk.request(
        "POST",
        "/v1/cancellations",
        json={"orderId": oid, "reason": "NoInventory", "agent": "Anna"},
        headers={"Idempotency-Key": new_key()},
    )
    assert cancel.status == 202, cancel.body
    reply = await refund(spdesk, small_refund(oid, "45678901234567", "5.00"))
    assert reply.status == 409, reply.body
    error = reply.json()["error"]
    assert error["code"] == "cancel_in_progress"
    assert error["details"]["actionId"] == cancel.json()["id"]


@pytest.mark.parametrize(
    ("components", "fee", "code"),
    [
        # Tax alone: Amazon refunds marketplace-facilitator tax itself, fee or not.
        ({"Tax": "7.34"}, "5.00", "tax_only_refund"),
        # A fee above the principal refunded.
        ({"Principal": "3.00", "Tax": "7.34"}, "5.00", "restocking_fee_exceeds_principal"),
    ],
)
async def test_restocking_fee_cannot_exceed_the_principal_refunded(
    spdesk: Any, components: dict[str, str], fee: str, code: str
) -> None:
    oid = order_id(spdesk, SHIPPED)
    reply = await refund(
        spdesk,
        {
            "orderId": oid,
            "mode": "partial",
            "reason": "CustomerReturn",
            "items": [
                {"orderItemCode": HEADPHONES, "components": components, "restockingFee": fee}
            ],
        },
    )
    assert reply.status == 422, reply.body
    assert reply.json()["error"]["code"] == code


@pytest.mark.parametrize("amount", ["1_0.00", "\u0661\u0660.00", "+5.00", "5.", ".50"])
async def test_amounts_are_plain_decimals(spdesk: Any, amount: str) -> None:
    reply = await refund(spdesk, small_refund(order_id(spdesk, SHIPPED), amount=amount))
    assert reply.status == 400, reply.body
    assert reply.json()["error"]["code"] == "invalid_amount"


class _ReportsExpire(dict[str, Any]):
    """The sandbox's document store, except that processing reports are gone at once."""

    def __setitem__(self, key: str, document: Any) -> None:
        if document.content is None:  # an upload slot; reports are stored with their content
            super().__setitem__(key, document)


@pytest.fixture
async def reports_expire(spdesk: Any) -> AsyncIterator[None]:
    state = spdesk.extra["sandbox"].state
    kept = state.documents
    state.documents = _ReportsExpire(kept)
    yield
    state.documents = kept


@pytest.mark.usefixtures("reports_expire")
async def test_processing_report_gone_for_good_ends_unknown_and_says_so(spdesk: Any) -> None:
    reply = await refund(spdesk, small_refund(order_id(spdesk, SHIPPED)))
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "unknown"
    assert "processing report" in done["amazon"]["description"]
    assert done["feedId"] in done["amazon"]["description"]


class _UploadsLost(dict[str, Any]):
    """The sandbox's document store, except that uploaded bytes never arrive."""

    def get(self, key: str, default: Any = None) -> Any:
        found = super().get(key, default)
        return copy.copy(found) if found is not None and found.content is None else found


async def test_create_feed_refused_by_amazon_fails_at_once_and_is_not_retried(spdesk: Any) -> None:
    state = spdesk.extra["sandbox"].state
    state.documents = _UploadsLost(state.documents)  # createFeed answers 400 InvalidInput
    reply = await refund(spdesk, small_refund(order_id(spdesk, SHIPPED)))
    done = await final(spdesk, reply.json()["id"], within=5)
    assert done["state"] == "failed"
    assert "has not been uploaded" in done["amazon"]["description"]
    assert "Nothing was sent" in done["amazon"]["description"]
    assert state.throttle.snapshot()["createFeed"]["requests"] == 1  # a refusal is not retried


async def test_mcf_order_amazon_has_not_taken_in_is_not_sent(spdesk: Any) -> None:
    from spdesk_sandbox.records import FulfillmentOrderStatus

    oid = order_id(spdesk, "us-mcf-received")
    spdesk.extra["sandbox"].state.fulfillment_orders[oid].status = FulfillmentOrderStatus.NEW
    reply = await spdesk.request(
        "POST",
        "/v1/cancellations",
        json={"orderId": oid, "agent": "Anna"},
        headers={"Idempotency-Key": new_key()},
    )
    assert reply.status == 422, reply.body
    assert reply.json()["error"]["code"] == "cancel_not_available"
    assert "status New" in reply.json()["error"]["message"]


async def test_full_refund_gives_back_every_component_and_is_posted_once(spdesk: Any) -> None:
    oid = order_id(spdesk, "us-fbm-unshipped-multi")  # gift wrapped: GiftWrap + GiftWrapTax
    order = spdesk.extra["sandbox"].state.orders[oid]
    for line in order.items:
        line.qty_shipped = line.qty_ordered
    order.refresh_status()
    view = (await spdesk.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    reply = await refund(spdesk, {"orderId": oid, "mode": "full", "reason": "Other"})
    assert reply.status == 202, reply.body
    assert reply.json()["total"] == view["totals"]["refundable"]  # gift wrap included
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "succeeded", done
    spdesk.extra["sandbox"].state.clock.advance(POSTING_LAG)
    await spdesk.app[ACTIONS].engine.posting.check_once()
    assert await state_of(spdesk, done["id"]) == "posted"  # Finances' "Giftwrap" is GiftWrap
    after = (await spdesk.request("GET", f"/v1/orders/{oid}?fresh=1")).json()["totals"]
    assert (after["refunded"], after["refundable"]) == (view["totals"]["refundable"], "0.00")


async def test_queues_of_one_account_take_turns_for_create_feed_tokens(spdesk: Any) -> None:
    from companion.amazon.retry import RetryPolicy
    from companion.keys import GATEWAYS

    gateway = await spdesk.app[GATEWAYS].get(None)
    gateway._caller.policy = RetryPolicy(deadline=0.3)  # a token 1 s away: refused locally
    bucket = gateway.limiter.bucket("createFeed")
    bucket.adopt_rate(1.0)
    bucket.drain()
    us, uk = order_id(spdesk, "us-fbm-shipped"), order_id(spdesk, "uk-fbm-shipped")
    uk_item = (await spdesk.request("GET", f"/v1/orders/{uk}")).json()["items"][0]
    replies = [
        await refund(spdesk, small_refund(us)),
        await refund(spdesk, small_refund(uk, uk_item["orderItemCode"])),
    ]
    done = [await final(spdesk, r.json()["id"]) for r in replies]
    assert [d["state"] for d in done] == ["succeeded", "succeeded"]
    # Both queues saw the same token; the one that lost must wait, not burn an attempt on a
    # refusal by our own bucket (after a few of those its refund would fail).
    batches = await spdesk.app[ACTIONS].ledger.batches("sandbox")
    assert [b.state for b in batches] == ["done", "done"], batches


async def test_refund_queued_for_an_account_removed_meanwhile_fails_with_the_reason(
    spdesk: Any, keyring_store: Any
) -> None:
    from companion.keys import GATEWAYS

    bucket = (await spdesk.app[GATEWAYS].get(None)).limiter.bucket("createFeed")
    bucket.adopt_rate(2.0)
    bucket.drain()  # the refund waits in its queue for half a second
    reply = await refund(spdesk, small_refund(order_id(spdesk, SHIPPED)))
    assert reply.json()["state"] == "queued"
    keyring_store.remove("sandbox")
    done = await final(spdesk, reply.json()["id"], within=5)
    assert done["state"] == "failed"
    assert "no seller account called 'sandbox'" in done["amazon"]["description"]
    assert "Nothing was sent" in done["amazon"]["description"]


async def test_cancel_of_an_order_that_shipped_while_it_waited_is_not_sent(spdesk: Any) -> None:
    from companion.keys import GATEWAYS
    from spdesk_sandbox.processor import feeds_of

    bucket = (await spdesk.app[GATEWAYS].get(None)).limiter.bucket("createFeed")
    bucket.adopt_rate(2.0)
    bucket.drain()  # the cancellation waits in its queue for half a second
    oid = order_id(spdesk, "us-fbm-unshipped-single")
    reply = await spdesk.request(
        "POST",
        "/v1/cancellations",
        json={"orderId": oid, "reason": "NoInventory", "agent": "Anna"},
        headers={"Idempotency-Key": new_key()},
    )
    assert reply.status == 202, reply.body
    order = spdesk.extra["sandbox"].state.orders[oid]
    order.items[0].qty_shipped = 1  # the seller's shipping software confirms shipment meanwhile
    order.refresh_status()
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "failed"
    assert "shipped while the cancellation waited" in done["amazon"]["description"]
    assert feeds_of(spdesk.extra["sandbox"].state) == []  # no Failure acknowledgement was sent
    # so Amazon refunded nothing: a Failure acknowledgement now would refund the whole order.
    assert adjustments(spdesk, oid) == [] and order.items[0].refunded == {}


async def test_the_order_view_counts_a_refund_once_when_it_becomes_posted(spdesk: Any) -> None:
    oid = order_id(spdesk, SHIPPED)
    done = await succeeded_refund(spdesk, oid, "10.00")
    spdesk.extra["sandbox"].state.clock.advance(POSTING_LAG)  # Finances shows the 10.00 now...
    assert await state_of(spdesk, done["id"]) == "succeeded"  # ...before the posted mark
    view = (await spdesk.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    principal = view["items"][0]["components"][0]
    # Counted by Finances, and no longer as in flight: "Refunded" is 10.00, not 20.00.
    assert (principal["type"], principal["refunded"]) == ("Principal", "10.00")
    assert view["totals"]["refunded"] == "10.00"
