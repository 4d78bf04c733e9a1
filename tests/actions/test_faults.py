"""Amazon misbehaving: report errors, FATAL and stuck feeds, 429 storms, 5xx and timeouts."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from spdesk_sandbox.processor import feeds_of
from tests.actions.test_refund_flow import adjustments, final, order_id, refund
from tests.plugins.actions import eventually

HEADPHONES = "29384756102938"


def small_refund(oid: str, item: str = HEADPHONES, amount: str = "1.00") -> dict[str, Any]:
    return {
        "orderId": oid,
        "mode": "partial",
        "reason": "Other",
        "agent": "Anna",
        "items": [{"orderItemCode": item, "components": {"Principal": amount}}],
    }


def faults(spdesk: Any) -> Any:
    return spdesk.extra["sandbox"].state.faults


def feed_count(spdesk: Any) -> int:
    return len(feeds_of(spdesk.extra["sandbox"].state))


async def test_report_error_fails_one_action_and_its_batch_mate_succeeds(spdesk: Any) -> None:
    shipped = order_id(spdesk, "us-fbm-shipped")
    other = order_id(spdesk, "us-fbm-shipped-partly-refunded")
    first, second = await asyncio.gather(
        refund(spdesk, small_refund(shipped)), refund(spdesk, small_refund(other, "70491836275104"))
    )
    # Someone refunds the headphones in Seller Central meanwhile: Amazon will refuse ours.
    item = spdesk.extra["sandbox"].state.orders[shipped].item(HEADPHONES)
    item.refunded["Principal"] = item.charged["Principal"]
    bad, good = await final(spdesk, first.json()["id"]), await final(spdesk, second.json()["id"])
    assert bad["state"] == "failed" and good["state"] == "succeeded"
    assert bad["feedId"] == good["feedId"] and {bad["messageId"], good["messageId"]} == {1, 2}
    assert bad["amazon"]["resultCode"] == "Error" and bad["amazon"]["description"]
    assert bad["amazon"]["code"] == "amazon_result"
    assert bad["amazon"]["params"]["description"] == bad["amazon"]["description"]
    assert adjustments(spdesk, shipped) == [] and len(adjustments(spdesk, other)) == 1


async def test_refunds_in_other_marketplaces_go_in_their_own_feeds(spdesk: Any) -> None:
    us, uk = order_id(spdesk, "us-fbm-shipped"), order_id(spdesk, "uk-fbm-shipped")
    view = (await spdesk.request("GET", f"/v1/orders/{uk}")).json()
    replies = await asyncio.gather(
        refund(spdesk, small_refund(us)),
        refund(spdesk, small_refund(uk, view["items"][0]["orderItemCode"])),
    )
    done = [await final(spdesk, r.json()["id"]) for r in replies]
    assert [d["state"] for d in done] == ["succeeded", "succeeded"]
    assert done[0]["feedId"] != done[1]["feedId"]
    assert [d["currency"] for d in done] == ["USD", "GBP"]


async def test_fatal_feed_ends_unknown_and_is_never_resent(spdesk: Any) -> None:
    faults(spdesk).add("feed_fatal")
    reply = await refund(spdesk, small_refund(order_id(spdesk, "us-fbm-shipped")))
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "unknown"
    assert "Seller Central" in done["amazon"]["description"]
    assert (done["amazon"]["code"], done["amazon"]["params"]) == ("feed_fatal", {})
    await asyncio.sleep(0.3)  # several poll intervals: nothing may be sent again
    assert feed_count(spdesk) == 1


@pytest.mark.parametrize(
    ("kind", "operation"),
    [
        ("html_500", "createFeedDocument"),
        ("html_503", "getFeed"),
        ("throttle", "createFeed"),
        ("html_500", "createFeed"),
        ("timeout", "createFeed"),
        ("throttle", "getFeedDocument"),
    ],
)
async def test_transient_faults_end_in_exactly_one_refund(
    spdesk: Any, kind: str, operation: str
) -> None:
    faults(spdesk).add(kind, operation, count=3, delay_seconds=0.1)
    oid = order_id(spdesk, "us-fbm-shipped")
    reply = await refund(spdesk, small_refund(oid))
    assert reply.status == 202
    done = await final(spdesk, reply.json()["id"], within=20)
    assert done["state"] == "succeeded", done
    [applied] = adjustments(spdesk, oid)
    assert applied.components == {"Principal": Decimal("1.00")}
    assert feed_count(spdesk) == 1


async def test_stuck_feed_warns_then_finishes(spdesk: Any) -> None:
    spdesk.app[_runtime_key()].engine.tracker.timing = _timing(stuck_after=0.2)
    faults(spdesk).add("feed_stuck")
    reply = await refund(spdesk, small_refund(order_id(spdesk, "us-fbm-shipped")))
    action_id = reply.json()["id"]

    async def warned() -> bool:
        body = (await spdesk.request("GET", f"/v1/actions/{action_id}")).json()
        return body["state"] in ("submitted", "processing") and any(
            w["code"] == "feed_slow" for w in body["warnings"]
        )

    await eventually(warned)
    faults(spdesk).clear()
    assert (await final(spdesk, action_id))["state"] == "succeeded"


async def test_feed_stuck_past_the_limit_ends_unknown(spdesk: Any) -> None:
    spdesk.app[_runtime_key()].engine.tracker.timing = _timing(give_up_after=0.3)
    faults(spdesk).add("feed_stuck")
    reply = await refund(spdesk, small_refund(order_id(spdesk, "us-fbm-shipped")))
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "unknown" and "not finished" in done["amazon"]["description"]


def _runtime_key() -> Any:
    from companion.keys import ACTIONS

    return ACTIONS


def _timing(**changes: float) -> Any:
    from companion.actions.tracker import TrackTiming

    return TrackTiming(**{"poll": 0.05, "stuck_after": 3600.0, "give_up_after": 3600.0, **changes})
