"""Audit export date ranges mean the user's own calendar days, both ends included."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.actions.audit import parse_bound, select
from companion.actions.journal import Journal
from companion.actions.models import ActionState
from tests.actions.test_events import action
from tests.plugins.actions import sqlite_ledger


@pytest.fixture
def in_los_angeles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("in_los_angeles")
async def test_a_date_is_the_users_local_day(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "actions.sqlite3")
    try:
        # 03:00 UTC on the 26th is still the evening of the 25th in Los Angeles.
        for action_id, at in (
            ("act_EVENING", "2026-11-26T03:00:00.000Z"),
            ("act_MORNING", "2026-11-26T17:00:00.000Z"),
        ):
            journal.create(
                action(action_id, ActionState.ACCEPTED), idempotency_key=None, body_hash=""
            )
            journal._db.execute("UPDATE actions SET created_at=? WHERE id=?", (at, action_id))

    finally:
        journal.close()
    async with sqlite_ledger(tmp_path / "actions.sqlite3") as ledger:

        async def ids(since: str | None, until: str | None) -> list[str]:
            bounds = (parse_bound(since), parse_bound(until, end=True))
            return [a.id for a in await select(ledger, None, *bounds)]

        assert await ids("2026-11-25", "2026-11-25") == ["act_EVENING"]
        assert await ids("2026-11-26", "2026-11-26") == ["act_MORNING"]
        assert await ids("2026-11-26T08:00:00", None) == ["act_MORNING"]  # local, no offset
        assert await ids("2026-11-26T02:00:00Z", "2026-11-26T04:00:00Z") == ["act_EVENING"]
