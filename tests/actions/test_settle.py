"""`unknown` refunds settled from Finances where the match is beyond doubt; the rest left alone.

A FATAL feed applies some, none or all of its messages (the sandbox: the first half). Finances then
shows the applied refunds one by one: an `unknown` refund whose item and amounts match exactly one
posting made after it was accepted becomes `posted` by itself; two identical refunds of which one
was applied stay `unknown`, for a person (before, the first of them was marked posted by the level
Finances reached, whichever had been applied).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from companion.actions.models import ActionState
from companion.actions.record import RefundLine
from companion.actions.settle import CLOCK_SLACK, settled_unknowns
from companion.amazon.models import FinancialEvents, RefundPosting
from companion.keys import ACTIONS, GATEWAYS
from tests.actions.test_faults import faults, small_refund
from tests.actions.test_money_edges import _earlier
from tests.actions.test_refund_flow import final, order_id, refund
from tests.plugins.actions import eventually

ITEM = "45678901234567"
ACCEPTED = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def _refund(state: ActionState, amount: str, *, at: datetime = ACCEPTED, n: int = 1) -> Any:
    line = RefundLine(ITEM, 1, {"Principal": Decimal(amount)}, Decimal("0.00"))
    stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return replace(
        _earlier(state, line), id=f"act_{n}", created_at=stamp, updated_at=stamp, items=(line,)
    )


def _posting(amount: str, after: timedelta, item: str = ITEM) -> RefundPosting:
    return RefundPosting(
        order_item_id=item, posted_at=ACCEPTED + after, amounts={"Principal": Decimal(amount)}
    )


def _finances(*postings: RefundPosting) -> FinancialEvents:
    return FinancialEvents(order_id="113-4820571-0038214", refund_postings=list(postings))


def _settled(refunds: list[Any], *postings: RefundPosting) -> list[str]:
    return [s.action.id for s in settled_unknowns(refunds, _finances(*postings))]


def test_one_matching_posting_settles_the_unknown_refund() -> None:
    unknown = _refund(ActionState.UNKNOWN, "5.00")
    assert _settled([unknown], _posting("5.00", timedelta(minutes=3))) == ["act_1"]


def test_amount_item_and_time_must_all_match() -> None:
    unknown = _refund(ActionState.UNKNOWN, "5.00")
    for posting in (
        _posting("5.01", timedelta(minutes=3)),
        _posting("4.99", timedelta(minutes=3)),
        _posting("5.00", timedelta(minutes=3), item="99999999999999"),
        _posting("5.00", -CLOCK_SLACK - timedelta(seconds=1)),  # posted before it was accepted
    ):
        assert _settled([unknown], posting) == [], posting
    assert _settled([unknown], _posting("5.00", -CLOCK_SLACK)) == ["act_1"]


def test_two_identical_unknown_refunds_and_one_posting_stay_unknown() -> None:
    first = _refund(ActionState.UNKNOWN, "5.00", n=1)
    second = _refund(ActionState.UNKNOWN, "5.00", n=2)
    assert _settled([first, second], _posting("5.00", timedelta(minutes=3))) == []
    two = (_posting("5.00", timedelta(minutes=3)), _posting("5.00", timedelta(minutes=4)))
    assert _settled([first, second], *two) == []  # still cannot tell which is which


def test_a_refund_known_to_be_applied_takes_its_own_posting_first() -> None:
    applied = _refund(ActionState.SUCCEEDED, "5.00", n=1)
    unknown = _refund(ActionState.UNKNOWN, "5.00", at=ACCEPTED + timedelta(hours=1), n=2)
    own = _posting("5.00", timedelta(minutes=3))
    assert _settled([applied, unknown], own) == []  # the only posting is the applied one's
    later = _posting("5.00", timedelta(hours=1, minutes=2))
    assert _settled([applied, unknown], own, later) == ["act_2"]


# -- over HTTP, with a real FATAL feed --------------------------------------------------------
async def _fatal(spdesk: Any, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    faults(spdesk).add("feed_fatal")
    replies = await asyncio.gather(*(refund(spdesk, body) for body in bodies))
    assert [r.status for r in replies] == [202] * len(bodies), [r.body for r in replies]
    done = [await final(spdesk, r.json()["id"]) for r in replies]
    assert {d["feedId"] for d in done} == {done[0]["feedId"]}  # one feed, FATAL
    return done


async def _state(spdesk: Any, action_id: str) -> str:
    return str((await spdesk.request("GET", f"/v1/actions/{action_id}")).json()["state"])


async def test_an_applied_refund_of_a_fatal_feed_settles_by_itself(spdesk: Any) -> None:
    applied, lost = await _fatal(
        spdesk,
        [
            small_refund(order_id(spdesk, "us-fbm-shipped"), amount="3.00"),
            small_refund(order_id(spdesk, "us-fbm-shipped-partly-refunded"), "70491836275104"),
        ],
    )
    assert applied["state"] == lost["state"] == "unknown"

    async def posted() -> bool:
        return await _state(spdesk, applied["id"]) == "posted"

    await eventually(posted, within=15)
    detail = (await spdesk.request("GET", f"/v1/actions/{applied['id']}")).json()["history"][-1]
    assert "Finances shows this refund" in detail["detail"]
    assert await _state(spdesk, lost["id"]) == "unknown"  # Finances shows nothing for it


async def test_two_identical_refunds_of_a_fatal_feed_are_left_to_a_person(spdesk: Any) -> None:
    body = {**small_refund(order_id(spdesk, "us-fbm-shipped"), amount="3.00")}
    body["confirmOverlap"] = True  # the agent confirmed the second one: both were meant
    first, second = await _fatal(spdesk, [body, body])
    gateway = await spdesk.app[GATEWAYS].get(None)

    async def one_in_finances() -> bool:
        shown = await gateway.list_financial_events(order_id(spdesk, "us-fbm-shipped"))
        return bool(len(shown.refund_postings) == 1)

    await eventually(one_in_finances, within=15)
    # Finances read again now: neither is settled, as which one Amazon applied is not known.
    await spdesk.app[ACTIONS].engine.posting.check_once()
    for action in (first, second):
        assert await _state(spdesk, action["id"]) == "unknown"
