"""Live status (SSE), batching under the createFeed budget, the audit export, the journal."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from companion.commands import audit as audit_cli
from companion.commands.audit import export
from companion.keys import GATEWAYS
from spdesk_sandbox.defaults import SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN
from spdesk_sandbox.processor import feeds_of
from tests.actions.test_refund_flow import final, refund
from tests.plugins.actions import eventually

BULK = 12


@pytest.fixture
async def sandbox(sandbox_factory: Any) -> Any:
    """The sandbox with bulk orders for batching."""
    return await sandbox_factory(bulk_orders=BULK)


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def bulk_refund(spdesk: Any, n: int, amount: str = "1.00") -> dict[str, Any]:
    sandbox = spdesk.extra["sandbox"]
    oid = sandbox.seed.order_id(f"bulk-{n:04d}")
    item = sandbox.state.orders[oid].items[0].item_code
    return {
        "orderId": oid,
        "mode": "partial",
        "reason": "Other",
        "agent": "Anna",
        "ticketUrl": f"https://acme.zendesk.com/agent/tickets/{n}",
        "note": '=HYPERLINK("http://evil")' if n == 1 else "",
        "items": [{"orderItemCode": item, "components": {"Principal": amount}}],
    }


async def test_events_stream_each_state_change_within_a_second(spdesk: Any) -> None:
    url = spdesk.url + "/v1/events"
    async with spdesk.session.get(url, headers=spdesk.headers("GET")) as stream:
        assert stream.status == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert await stream.content.readline() == b": connected\n"
        sent = time.monotonic()
        reply = await refund(spdesk, bulk_refund(spdesk, 1))
        action_id = reply.json()["id"]
        seen: list[tuple[str, float]] = []
        async with asyncio.timeout(10):
            while not seen or seen[-1][0] != "succeeded":
                line = (await stream.content.readline()).decode()
                if line.startswith("data: "):
                    event = json.loads(line[6:])
                    if event["id"] == action_id:
                        seen.append((event["state"], time.monotonic()))
    states = [s for s, _ in seen]
    assert states[:2] == ["accepted", "queued"] and "submitted" in states
    assert states[-1] == "succeeded"
    assert seen[0][1] - sent < 1.0
    assert event["feedId"] and event["confirmation"].startswith("SPD-")


async def test_many_refunds_share_one_feed_and_wait_for_a_token(spdesk: Any) -> None:
    bucket = (await spdesk.app[GATEWAYS].get(None)).limiter.bucket("createFeed")
    bucket.adopt_rate(1.0)
    bucket.drain()  # as after a burst: the next createFeed token comes in one second
    replies = []
    for n in range(1, BULK + 1):
        replies.append(await refund(spdesk, bulk_refund(spdesk, n)))
    done = [await final(spdesk, r.json()["id"]) for r in replies]
    assert {d["state"] for d in done} == {"succeeded"}
    first = done[0]["history"]
    waited = _seconds(first[2]["at"]) - _seconds(first[0]["at"])
    assert first[2]["state"] == "submitted" and waited > 0.8  # gathered until the token came
    assert len({d["feedId"] for d in done}) == 1
    assert sorted(d["messageId"] for d in done) == list(range(1, BULK + 1))
    assert len(feeds_of(spdesk.extra["sandbox"].state)) == 1
    usage = spdesk.extra["sandbox"].state.throttle.snapshot()
    assert sum(u["throttled"] for u in usage.values()) == 0


async def test_posted_once_finances_shows_the_refund(spdesk: Any) -> None:
    reply = await refund(spdesk, bulk_refund(spdesk, 2, "2.00"))
    action_id = reply.json()["id"]

    async def posted() -> bool:
        body = (await spdesk.request("GET", f"/v1/actions/{action_id}")).json()
        return bool(body["state"] == "posted")

    await eventually(posted, within=20)
    oid = reply.json()["orderId"]
    view = (await spdesk.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    principal = next(c for c in view["items"][0]["components"] if c["type"] == "Principal")
    assert principal["refunded"] == "2.00"  # counted once: by Finances, no longer in flight


async def test_audit_export_is_evidence_without_secrets(
    spdesk: Any, tmp_path: Path, capsys: Any
) -> None:
    replies = [await refund(spdesk, bulk_refund(spdesk, n)) for n in (1, 3)]
    for r in replies:
        await final(spdesk, r.json()["id"])
    settings = spdesk.settings
    oid = replies[0].json()["orderId"]
    records = json.loads(await export(settings, order=oid, since=None, until=None, fmt="json"))
    [row] = records["actions"]
    assert row["actionId"] == replies[0].json()["id"] and row["agent"] == "Anna"
    assert row["ticketUrl"].endswith("/tickets/1") and row["feedId"]
    assert row["requestedAt"] <= row["submittedAt"] <= row["confirmedAt"]
    csv_text = await export(settings, order=None, since="2000-01-01", until="2999-12-31", fmt="csv")
    assert csv_text.count("\n") == 3  # header + two actions
    assert "'=HYPERLINK" in csv_text  # a formula typed into a note stays text
    nothing = await export(settings, order=None, since="2999-01-01", until=None, fmt="csv")
    assert nothing.count("\n") == 1
    journal = (settings.data_dir / "actions.sqlite3").read_bytes()
    journal += (
        (settings.data_dir / "actions.sqlite3-wal").read_bytes()
        if (settings.data_dir / "actions.sqlite3-wal").exists()
        else b""
    )
    for secret in (SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, "Atzr|"):
        assert secret.encode() not in journal
        assert secret not in csv_text


def main(*argv: str) -> int:
    """`spdesk audit ...` through the audit command's own parser and run()."""
    parser = argparse.ArgumentParser(prog="spdesk audit")
    audit_cli.add_arguments(parser)
    return audit_cli.run(parser.parse_args(argv[1:]))


def test_audit_cli_writes_a_file_and_refuses_bad_dates(
    tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    (tmp_path / "cfg" / "spdesk").mkdir(parents=True)
    (tmp_path / "cfg" / "spdesk" / "settings.json").write_text(
        json.dumps({"data_dir": str(tmp_path / "data")})
    )
    assert main("audit", "export") == 1
    assert "No refunds or cancellations" in capsys.readouterr().err
    from companion.actions.journal import Journal

    Journal(tmp_path / "data" / "actions.sqlite3").close()
    out = tmp_path / "audit.json"
    assert main("audit", "export", "--format", "json", "--output", str(out)) == 0
    assert json.loads(out.read_text())["actions"] == []
    assert main("audit", "export", "--since", "last tuesday") == 1
    assert "not a date" in capsys.readouterr().err


async def test_open_event_streams_do_not_hold_up_shutdown(
    sandbox: Any, actions_settings: Any, keyring_store: Any
) -> None:
    from spdesk_demo.sandbox_account import install_sandbox_account
    from tests.plugins.companion import start_client

    install_sandbox_account(keyring_store, sandbox.url)
    client = await start_client(actions_settings, keyring_store)
    try:
        assert (await client.pair()).status == 201
        stream = await client.session.get(client.url + "/v1/events", headers=client.headers())
        assert await stream.content.readline() == b": connected\n"
        started = time.monotonic()
        await client.server.stop()
        assert time.monotonic() - started < 5.0
        assert (await stream.content.read()).strip() == b""  # the server ended the stream
        stream.close()
    finally:
        await client.session.close()
