"""A real `spdesk serve`, SIGKILLed, restarted on a journal that lost records: no second refund.

After the kill the write-ahead log (which held every record since the last checkpoint) is
deleted, or the journal is truncated. Before, the companion started on what was left and a
retried request with the same Idempotency-Key made a new action: Amazon refunded twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from companion.actions.journal import JOURNAL_FILE
from companion.errors import EX_CONFIG
from tests.actions.process import Client, CompanionProcess, prepare_home, start_process
from tests.companion.spawn import spdesk
from tests.plugins.actions import eventually, new_key

pytestmark = pytest.mark.slow


@pytest.fixture
async def home(sandbox: Any, tmp_path: Path, settings: Any) -> Any:
    store = prepare_home(tmp_path, sandbox.url, settings.keyring_service)
    yield tmp_path
    store.remove("sandbox")


async def _refunded_once(client: Client, sandbox: Any, root: Path) -> tuple[CompanionProcess, Any]:
    """A full refund applied at Amazon, then the companion SIGKILLed; returns the request."""
    process = await start_process(root)
    client.url = process.url
    assert process.pairing_code is not None
    await client.pair(process.pairing_code)
    order_id = sandbox.seed.order_id("us-fbm-shipped")
    body = {"orderId": order_id, "mode": "full", "reason": "CustomerReturn", "agent": "Anna"}
    key = new_key()
    status, action = await client.call("POST", "/v1/refunds", body, {"Idempotency-Key": key})
    assert status == 202, action

    async def applied() -> bool:
        _, now = await client.call("GET", f"/v1/actions/{action['id']}")
        return bool(now["state"] in ("succeeded", "posted"))

    await eventually(applied, within=20, interval=0.05)
    await process.kill()
    return process, (key, body, order_id)


def _applied_at_amazon(sandbox: Any, order_id: str) -> int:
    feeds = {a.feed_id for a in sandbox.state.adjustments if a.order_id == order_id and a.feed_id}
    return len(feeds)


async def test_lost_wal_after_sigkill_never_refunds_again(home: Path, sandbox: Any) -> None:
    async with aiohttp.ClientSession() as session:
        client = Client(home, session)
        _, (key, body, order_id) = await _refunded_once(client, sandbox, home)
        journal = home / "data" / JOURNAL_FILE
        wal = journal.with_name(journal.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0  # the kill left records only there
        wal.unlink()
        journal.with_name(journal.name + "-shm").unlink(missing_ok=True)

        again = await start_process(home)
        client.url = again.url
        try:
            # The browser retries the request it got no final answer for: same key, same body.
            status, reply = await client.call("POST", "/v1/refunds", body, {"Idempotency-Key": key})
            assert (status, reply["error"]["code"]) == (503, "journal_behind"), reply
            assert reply["error"]["params"]["case"] == "behind"
            assert "spdesk journal accept-loss" in reply["error"]["message"]
            status, _ = await client.call("GET", f"/v1/orders/{order_id}")
            assert status == 200  # looking orders up goes on
        finally:
            await again.stop()
        assert _applied_at_amazon(sandbox, order_id) == 1

        env = {"XDG_CONFIG_HOME": str(home / "config")}
        verified = spdesk("journal", "verify", env=_env(env))
        assert verified.returncode == 1 and "BEHIND: The journal" in verified.stdout
        doctor = spdesk("doctor", "--offline", env=_env(env))
        assert "[FAIL] journal    The journal" in doctor.stdout and "has lost records" in (
            doctor.stdout
        )
        accepted = spdesk("journal", "accept-loss", "--by", "Maria", env=_env(env))
        assert accepted.returncode == 0, accepted.stderr
        assert spdesk("journal", "verify", env=_env(env)).returncode == 0

        # Accepted: the lost action came back from the key log, unknown, with its key: the
        # retried request replays it instead of refunding again.
        last = await start_process(home)
        client.url = last.url
        try:
            status, reply = await client.call("POST", "/v1/refunds", body, {"Idempotency-Key": key})
            assert (status, reply["state"]) == (202, "unknown"), reply
            assert reply["amazon"]["code"] == "journal_lost"
        finally:
            await last.stop()
        assert _applied_at_amazon(sandbox, order_id) == 1


async def test_truncated_journal_is_refused_at_start(home: Path, sandbox: Any) -> None:
    async with aiohttp.ClientSession() as session:
        client = Client(home, session)
        await _refunded_once(client, sandbox, home)
        cleanly = await start_process(home)
        await cleanly.stop()  # checkpointed: the records are in the main file
        journal = home / "data" / JOURNAL_FILE
        with journal.open("r+b") as handle:
            handle.truncate(journal.stat().st_size // 2)
        done = spdesk("serve", env=_env({"XDG_CONFIG_HOME": str(home / "config")}), timeout=30)
        assert done.returncode == EX_CONFIG
        assert f"The journal {journal} is damaged" in done.stderr
        assert "Traceback" not in done.stderr


def _env(extra: dict[str, str]) -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **extra}
