"""The event bus under a slow reader: never a lost final state, never a silent gap."""

from __future__ import annotations

from decimal import Decimal

from companion.actions.events import EventBus
from companion.actions.models import ActionState
from companion.actions.record import Action


def action(action_id: str, state: ActionState) -> Action:
    return Action(
        id=action_id,
        kind="refund",
        account="sandbox",
        order_id="113-4820571-0038214",
        marketplace_id="ATVPDKIKX0DER",
        currency="USD",
        state=state,
        total=Decimal("1.00"),
        reason="Other",
        items=(),
    )


async def test_slow_reader_still_gets_the_latest_state_of_every_action() -> None:
    bus = EventBus(queue_size=4)
    reader = bus.subscribe()
    bus.publish(action("act_A", ActionState.SUCCEEDED))
    for state in (
        ActionState.ACCEPTED,
        ActionState.QUEUED,
        ActionState.SUBMITTED,
        ActionState.FAILED,
    ):
        bus.publish(action("act_B", state))
    first, second = await reader.get(), await reader.get()
    assert first is not None and second is not None
    assert [(first.id, first.state), (second.id, second.state)] == [
        ("act_A", "succeeded"),
        ("act_B", "failed"),
    ]


async def test_a_reader_too_far_behind_is_ended_rather_than_left_with_a_gap() -> None:
    bus = EventBus(queue_size=2)
    reader = bus.subscribe()
    for n in range(3):
        bus.publish(action(f"act_{n}", ActionState.QUEUED))
    assert await reader.get() is None  # the extension reconnects and reads the actions afresh
