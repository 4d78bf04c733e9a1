"""Crash test: `spdesk serve` is SIGKILLed at every step of the refund flow and at random times.

After each kill a new process starts on the same journal (and may itself be killed while it
resumes); the client retries every request that got no answer with the same Idempotency-Key, as
the extension does. At the end every action must be in exactly one terminal state and the sandbox
must hold exactly one adjustment per refund: none lost, none doubled.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from companion.actions.crashpoints import POINTS
from companion.actions.journal import JOURNAL_FILE, Journal
from tests.actions.process import Client, prepare_home, start_process
from tests.plugins.actions import eventually, new_key

pytestmark = pytest.mark.slow
SEED = 20261126
ROUNDS_PER_POINT = 3
RANDOM_KILLS = 10


def kill_plan() -> list[tuple[str | None, float | None]]:
    """Every named point several times, then kills after seeded random delays."""
    rng = random.Random(SEED)
    named: list[tuple[str | None, float | None]] = [
        (point, None) for _ in range(ROUNDS_PER_POINT) for point in POINTS
    ]
    return named + [(None, rng.uniform(0.0, 0.8)) for _ in range(RANDOM_KILLS)]


async def test_sigkill_anywhere_loses_and_doubles_nothing(
    sandbox_factory: Any, tmp_path: Path, settings: Any
) -> None:
    plan = kill_plan()
    assert len(plan) >= 30
    sandbox = await sandbox_factory(bulk_orders=len(plan))
    store = prepare_home(tmp_path, sandbox.url, settings.keyring_service)
    try:
        await crash_loop(sandbox, tmp_path, plan)
    finally:
        store.remove("sandbox")  # the keyring entry is not under tmp_path


@dataclass
class Trials:
    """What the crash loop sent and heard: every request by key, the answers, the points hit."""

    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answered: dict[str, str] = field(default_factory=dict)  # key -> action id answered with
    crashed_at: set[str] = field(default_factory=set)


async def crash_loop(sandbox: Any, root: Path, plan: list[tuple[str | None, float | None]]) -> None:
    """Run every trial, then settle and check everything with a clean process."""
    trials = Trials()
    async with aiohttp.ClientSession() as session:
        client = Client(root, session)
        for n, (point, delay) in enumerate(plan, start=1):
            await _trial(
                client, sandbox, root, trials, sandbox.seed.order_id(f"bulk-{n:04d}"), point, delay
            )
        await _settle(client, root, trials)
    _check_journal_and_amazon(sandbox, root, trials)


async def _trial(
    client: Client,
    sandbox: Any,
    root: Path,
    trials: Trials,
    oid: str,
    point: str | None,
    delay: float | None,
) -> None:
    """One refund to a companion that kills itself at `point` (or after `delay` seconds)."""
    process = await start_process(root, crash_at=point)
    client.url = process.url
    if process.pairing_code:
        await client.pair(process.pairing_code)
    item = sandbox.state.orders[oid].items[0].item_code
    body = {
        "orderId": oid,
        "mode": "partial",
        "reason": "Other",
        "agent": "crash",
        "items": [{"orderItemCode": item, "components": {"Principal": "1.00"}}],
    }
    key = new_key()
    trials.requests.append((key, body))
    try:
        status, reply = await client.call("POST", "/v1/refunds", body, {"Idempotency-Key": key})
        if status == 202:
            trials.answered[key] = reply["id"]
    except (aiohttp.ClientError, TimeoutError):
        pass  # killed while answering: retried below with the same key
    if delay is not None:
        await process.wait_exit(delay)
        await process.kill()
    elif await process.wait_exit(8.0):
        assert process.proc.returncode == -9 and point is not None
        trials.crashed_at.add(point)
    else:
        await process.kill()  # the point was not reached this time


async def _settle(client: Client, root: Path, trials: Trials) -> None:
    """A clean companion: every request again with its key, then every action to its end."""
    final = await start_process(root)
    client.url = final.url
    ids = set()
    for key, body in trials.requests:
        status, reply = await client.call("POST", "/v1/refunds", body, {"Idempotency-Key": key})
        assert status == 202, reply
        assert trials.answered.get(key, reply["id"]) == reply["id"], "an answered action was lost"
        ids.add(reply["id"])
    assert len(ids) == len(trials.requests)
    assert trials.crashed_at == set(POINTS), "every named point killed the process at least once"

    async def all_settled() -> bool:
        for action_id in ids:
            _, action = await client.call("GET", f"/v1/actions/{action_id}")
            if action["state"] not in ("succeeded", "posted", "failed", "unknown"):
                return False
        return True

    await eventually(all_settled, within=60, interval=0.2)
    await final.stop()


def _check_journal_and_amazon(sandbox: Any, root: Path, trials: Trials) -> None:
    """One action per request, each applied exactly once at Amazon."""
    requests = trials.requests
    journal = Journal(root / "data" / JOURNAL_FILE)
    actions = journal.query()
    journal.close()
    assert len(actions) == len(requests), "one action per request, whatever the crashes"
    states = {a.id: str(a.state) for a in actions}
    assert set(states.values()) <= {"succeeded", "posted"}, states
    for action in actions:
        applied = [
            a
            for a in sandbox.state.adjustments
            if a.merchant_adjustment_item_id == f"{action.id}-1"
        ]
        assert len(applied) == 1, (action.id, action.history, len(applied))
        assert applied[0].feed_id == action.feed_id
    assert len([a for a in sandbox.state.adjustments if a.feed_id]) == len(requests)
