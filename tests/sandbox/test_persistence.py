"""A sandbox with a state directory keeps its orders, money moves and tokens across restarts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest

from spdesk_sandbox.persistence import StateFileError, load_state, state_file
from spdesk_sandbox.records import Adjustment
from spdesk_sandbox.settings import SandboxSettings
from tests.plugins.sandbox import TEST_SETTINGS, SandboxFactory, sandbox_access_token


async def test_restart_keeps_state(
    tmp_path: Path, sandbox_factory: SandboxFactory, sandbox_session: aiohttp.ClientSession
) -> None:
    first = await sandbox_factory(state_dir=tmp_path)
    token = await sandbox_access_token(first, sandbox_session)
    state = first.state
    order = state.orders[first.seed.order_id("uk-fbm-shipped")]
    order.items[0].refunded["Principal"] = Decimal("11.99")
    state.adjustments.append(
        Adjustment(
            "adj-9",
            order.order_id,
            order.items[0].item_code,
            "GBP",
            {"Principal": Decimal("11.99")},
            "CustomerReturn",
            state.now(),
            state.now(),
            feed_id="50001",
            message_id=1,
        )
    )
    state.clock.advance(86400)
    moved_to = state.now()
    state.touch()
    await first.stop()
    assert state_file(tmp_path).exists()

    second = await sandbox_factory(state_dir=tmp_path)
    again = second.state.orders[order.order_id]
    assert again.items[0].refunded == {"Principal": Decimal("11.99")}
    assert second.state.adjustments[-1].feed_id == "50001"
    assert second.state.now() >= moved_to
    url = f"{second.url}/orders/2026-01-01/orders/{order.order_id}"
    async with sandbox_session.get(url, headers={"x-amz-access-token": token}) as response:
        assert response.status == 200  # a token issued before the restart still works


def test_no_state_dir_means_nothing_to_restore(tmp_path: Path) -> None:
    assert load_state(SandboxSettings(state_dir=None)) is None
    assert load_state(SandboxSettings(state_dir=tmp_path / "empty")) is None


def test_corrupt_state_file_names_the_file(tmp_path: Path) -> None:
    state_file(tmp_path).write_text('{"format": 1, "orders": "many"}', encoding="utf-8")
    settings = SandboxSettings(state_dir=tmp_path, speed=TEST_SETTINGS.speed)
    with pytest.raises(StateFileError, match="sandbox-state.json"):
        load_state(settings)
