"""The virtual clock: sped-up time, manual jumps, sleeps that wake on a jump."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from spdesk_sandbox.clock import Clock

START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_now_starts_at_start_and_moves_forward() -> None:
    clock = Clock(speed=1000, start=START)
    first = clock.now()
    assert first >= START and first.tzinfo is not None
    assert clock.advance(60) - first >= timedelta(seconds=60)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="positive"):
        Clock(speed=0)


async def test_sleep_runs_speed_times_faster() -> None:
    clock = Clock(speed=1000, start=START)
    await asyncio.wait_for(clock.sleep(100), timeout=5)  # 100 virtual s = 0.1 real s
    assert clock.now() - START >= timedelta(seconds=100)


async def test_advance_wakes_a_sleeper_early() -> None:
    clock = Clock(speed=1, start=START)
    sleeper = asyncio.create_task(clock.sleep(3600))
    await asyncio.sleep(0)  # let it start waiting
    assert not sleeper.done()
    clock.advance(1800)
    await asyncio.sleep(0)
    assert not sleeper.done()  # woke, re-checked, still half an hour to go
    clock.advance(1800)
    await asyncio.wait_for(sleeper, timeout=5)


async def test_sleep_until_a_past_time_returns_at_once() -> None:
    clock = Clock(speed=1, start=START)
    await asyncio.wait_for(clock.sleep_until(START - timedelta(hours=1)), timeout=1)
