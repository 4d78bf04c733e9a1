"""Every money rule at its edge: exactly the limit passes, one smallest unit more does not.

A rule tested only far past its limit lets an off-by-one survive (a planted `>=` for `>` in
amounts.py, or a total compared after rounding, went unnoticed before these tests).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from companion.actions.amounts import check_expected_total, plan_refund
from companion.actions.guards import overlapping_refunds
from companion.actions.models import ActionState, RefundIn
from companion.actions.record import Action, RefundLine
from companion.amazon.money import LineMoney, OrderMoney
from companion.config import Settings
from companion.errors import SpdeskError
from companion.marketplaces import Marketplace, marketplace
from tests.plugins.actions import FAST_ACTIONS, eventually, new_key

US, JP = marketplace("US"), marketplace("JP")
ITEM = "45678901234567"
ORDER = "113-4820571-0038214"
LEFT = {
    US: {"Principal": Decimal("25.98"), "Shipping": Decimal("4.99"), "Tax": Decimal("2.08")},
    JP: {"Principal": Decimal("1200"), "Shipping": Decimal("350")},
}


def _partial(components: dict[str, str], fee: str | None = None, quantity: int = 1) -> RefundIn:
    item: dict[str, Any] = {"orderItemCode": ITEM, "quantity": quantity, "components": components}
    if fee is not None:
        item["restockingFee"] = fee
    return RefundIn.model_validate(
        {"orderId": ORDER, "mode": "partial", "reason": "CustomerReturn", "items": [item]}
    )


def _money(market: Marketplace, quantity: int) -> OrderMoney:
    """The item as the view gives it: every component left whole, each tax its own component."""
    comps = LEFT[market]
    line = LineMoney(paid=dict(comps), total=sum(comps.values(), Decimal(0)), quantity=quantity)
    return OrderMoney({ITEM: line}, prices_include_tax=False)


def _code(request: RefundIn, market: Marketplace, quantity: int = 2) -> str | None:
    try:
        plan_refund(request, _money(market, quantity), market)
    except SpdeskError as exc:
        return exc.code
    return None


def _text(amount: Decimal, market: Marketplace) -> str:
    return market.format(amount)


@pytest.mark.parametrize("market", [US, JP], ids=["USD", "JPY"])
@pytest.mark.parametrize("component", ["Principal", "Shipping"])
def test_each_component_up_to_exactly_what_is_left(market: Marketplace, component: str) -> None:
    left = LEFT[market][component]
    for asked, code in (
        (left - market.quantum, None),
        (left, None),
        (left + market.quantum, "refund_exceeds_refundable"),
    ):
        assert _code(_partial({component: _text(asked, market)}), market) == code, asked


@pytest.mark.parametrize("market", [US, JP], ids=["USD", "JPY"])
def test_the_confirmed_total_must_match_to_the_smallest_unit(market: Marketplace) -> None:
    total = LEFT[market]["Principal"]
    for confirmed, code in (
        (total, None),
        (total - market.quantum, "refund_total_changed"),
        (total + market.quantum, "refund_total_changed"),
    ):
        request = RefundIn.model_validate(
            {
                "orderId": ORDER,
                "mode": "full",
                "reason": "Other",
                "expectedTotal": _text(confirmed, market),
            }
        )
        try:
            check_expected_total(request, total, market)
            found = None
        except SpdeskError as exc:
            found = exc.code
            assert exc.params["actual"] == _text(total, market)
        assert found == code, confirmed


def test_a_restocking_fee_up_to_exactly_the_principal_refunded() -> None:
    with_tax = {"Principal": "10.00", "Tax": "0.80"}
    assert _code(_partial(with_tax, fee="10.00"), US) is None
    assert _code(_partial(with_tax, fee="10.01"), US) == "restocking_fee_exceeds_principal"


def test_the_refund_must_give_back_more_than_the_fee() -> None:
    assert _code(_partial({"Principal": "10.00", "Tax": "0.01"}, fee="10.00"), US) is None
    assert _code(_partial({"Principal": "10.00"}, fee="10.00"), US) == "refund_not_positive"
    assert _code(_partial({"Principal": "0.01"}), US) is None
    assert _code(_partial({"Principal": "0.00"}), US) == "refund_not_positive"


def test_quantity_up_to_exactly_what_was_ordered() -> None:
    assert _code(_partial({"Principal": "1.00"}, quantity=2), US, quantity=2) is None
    assert _code(_partial({"Principal": "1.00"}, quantity=3), US, quantity=2) == (
        "quantity_exceeds_ordered"
    )


# -- the overlap guard -------------------------------------------------------------------------
WINDOW = timedelta(seconds=600)
APPLIED_AT = datetime(2026, 11, 26, 10, 0, 0, tzinfo=UTC)
LINE = RefundLine(ITEM, 1, {"Principal": Decimal("5.00")}, Decimal("0.00"))


def _earlier(state: ActionState, line: RefundLine = LINE) -> Action:
    stamp = APPLIED_AT.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return Action(
        id="act_EARLIER",
        kind="refund",
        account="sandbox",
        order_id=ORDER,
        marketplace_id=US.id,
        currency="USD",
        state=state,
        total=line.net,
        reason="Other",
        items=(line,),
        created_at=stamp,
        updated_at=stamp,
    )


@pytest.mark.parametrize("state", [ActionState.SUCCEEDED, ActionState.POSTED])
def test_an_applied_refund_overlaps_until_exactly_the_end_of_the_window(
    state: ActionState,
) -> None:
    earlier = [_earlier(state)]
    for after, overlaps in (
        (timedelta(0), True),
        (WINDOW, True),
        (WINDOW + timedelta(milliseconds=1), False),
    ):
        found = overlapping_refunds((LINE,), earlier, WINDOW, now=APPLIED_AT + after)
        assert bool(found) is overlaps, after


@pytest.mark.parametrize(
    ("state", "overlaps"),
    [
        (ActionState.ACCEPTED, True),
        (ActionState.QUEUED, True),
        (ActionState.SUBMITTED, True),
        (ActionState.PROCESSING, True),
        (ActionState.UNKNOWN, True),
        (ActionState.FAILED, False),
    ],
)
def test_a_pending_or_unknown_refund_overlaps_at_any_time(
    state: ActionState, overlaps: bool
) -> None:
    much_later = APPLIED_AT + timedelta(days=30)
    found = overlapping_refunds((LINE,), [_earlier(state)], WINDOW, now=much_later)
    assert bool(found) is overlaps


def test_only_the_same_item_component_overlaps() -> None:
    other_component = replace(LINE, components={"Tax": Decimal("0.40")})
    other_item = replace(LINE, order_item_code="99999999999999")
    for line in (other_component, other_item):
        earlier = [_earlier(ActionState.SUCCEEDED, line)]
        assert overlapping_refunds((LINE,), earlier, WINDOW, now=APPLIED_AT) == []


# -- the same, over HTTP against the sandbox ------------------------------------------------------
@pytest.fixture
def actions_settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """Fast feeds; the overlap window from the test's parameter (default: the real 10 minutes)."""
    window = getattr(request, "param", 600.0)
    return settings.model_copy(update={**FAST_ACTIONS, "refund_overlap_window": window})


def _case_refund(spdesk: Any) -> dict[str, Any]:
    oid = spdesk.extra["sandbox"].seed.order_id("us-fbm-shipped")
    return {
        "orderId": oid,
        "mode": "partial",
        "reason": "Other",
        "agent": "Anna",
        "items": [{"orderItemCode": "29384756103044", "components": {"Principal": "5.00"}}],
    }


async def _applied(spdesk: Any, body: dict[str, Any]) -> dict[str, Any]:
    """The refund, once Amazon applied it."""
    reply = await spdesk.request(
        "POST", "/v1/refunds", json=body, headers={"Idempotency-Key": new_key()}
    )
    assert reply.status == 202, reply.body

    async def done() -> bool:
        action = (await spdesk.request("GET", f"/v1/actions/{reply.json()['id']}")).json()
        return bool(action["state"] in ("succeeded", "posted"))

    await eventually(done, 15)
    action: dict[str, Any] = reply.json()
    return action


async def _again(spdesk: Any, body: dict[str, Any]) -> Any:
    return await spdesk.request(
        "POST", "/v1/refunds", json=body, headers={"Idempotency-Key": new_key()}
    )


async def test_the_same_refund_after_the_first_was_applied_needs_confirming(spdesk: Any) -> None:
    body = _case_refund(spdesk)
    first = await _applied(spdesk, body)
    second = await _again(spdesk, body)
    confirmation = first["confirmation"]
    assert (second.status, second.json()) == (
        409,
        {
            "error": {
                "code": "overlap_needs_confirmation",
                "message": f"A refund of 5.00 USD for the same items was applied minutes ago "
                f"({confirmation}). If this is really a second refund, confirm it.",
                "params": {
                    "case": "applied",
                    "total": "5.00",
                    "currency": "USD",
                    "confirmation": confirmation,
                },
                "details": {"actionIds": [first["id"]]},
            }
        },
    )
    confirmed = await _again(spdesk, {**body, "confirmOverlap": True})
    assert confirmed.status == 202, confirmed.body


@pytest.mark.parametrize("actions_settings", [0.0], indirect=True)
async def test_the_same_refund_after_the_overlap_window_goes_without_asking(spdesk: Any) -> None:
    body = _case_refund(spdesk)
    await _applied(spdesk, body)
    second = await _again(spdesk, body)
    assert second.status == 202, second.body
