"""A person resolves an `unknown` action with `spdesk action` while the companion runs."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from companion.cli import main
from companion.config import Settings
from tests.actions.test_faults import HEADPHONES, faults, feed_count, small_refund
from tests.actions.test_refund_flow import final, order_id, refund
from tests.plugins.actions import eventually


@pytest.fixture
def cli_env(
    actions_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Point the command line at the running companion's data dir, as its settings file would."""
    config = tmp_path / "cli-config"
    (config / "spdesk").mkdir(parents=True)
    (config / "spdesk" / "settings.json").write_text(
        json.dumps({"data_dir": str(actions_settings.data_dir)})
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return {**os.environ, "XDG_CONFIG_HOME": str(config)}


async def spdesk_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `spdesk ...` in a thread (it blocks, as it would in a terminal); (code, out, err)."""
    capsys.readouterr()
    code = await asyncio.to_thread(main, *argv)
    out, err = capsys.readouterr()
    return code, out, err


async def unknown_refund(spdesk: Any) -> dict[str, Any]:
    """A refund whose feed Amazon ends FATAL: spdesk cannot know whether it was applied."""
    faults(spdesk).add("feed_fatal")
    reply = await refund(spdesk, small_refund(order_id(spdesk, "us-fbm-shipped")))
    done = await final(spdesk, reply.json()["id"])
    assert done["state"] == "unknown", done
    return done


async def headphones_refundable(spdesk: Any, oid: str) -> tuple[Decimal, bool]:
    view = (await spdesk.request("GET", f"/v1/orders/{oid}")).json()
    [item] = [i for i in view["items"] if i["orderItemCode"] == HEADPHONES]
    principal = next(c for c in item["components"] if c["type"] == "Principal")
    return Decimal(principal["refundable"]), view["cached"]


async def next_state(stream: Any, action_id: str) -> str:
    async with asyncio.timeout(3):
        while True:
            line = (await stream.content.readline()).decode()
            if line.startswith("data: ") and (event := json.loads(line[6:]))["id"] == action_id:
                return str(event["state"])


async def test_not_applied_fails_the_action_and_frees_the_amount(
    spdesk: Any, cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    action = await unknown_refund(spdesk)
    oid = action["orderId"]
    held, _ = await headphones_refundable(spdesk, oid)
    # The view is cached (once the end of the feed has been announced and read again).

    async def cached() -> bool:
        return (await headphones_refundable(spdesk, oid)) == (held, True)

    await eventually(cached, within=3)
    code, out, _ = await spdesk_cli(capsys, "action", "list", "--state", "unknown")
    assert code == 0 and action["id"] in out and action["confirmation"] in out
    async with spdesk.session.get(
        spdesk.url + "/v1/events", headers=spdesk.headers("GET")
    ) as stream:
        assert await stream.content.readline() == b": connected\n"
        code, out, _ = await spdesk_cli(
            capsys,
            "action",
            "resolve",
            action["id"],
            "--not-applied",
            "--by",
            "Maria",
            "--note",
            "No refund in Seller Central",
        )
        assert code == 0 and "failed" in out
        assert await next_state(stream, action["id"]) == "failed"
    assert (await headphones_refundable(spdesk, oid)) == (held + Decimal("1.00"), False)
    done = (await spdesk.request("GET", f"/v1/actions/{action['id']}")).json()
    assert done["state"] == "failed"
    assert "Maria" in done["history"][-1]["detail"]
    assert "No refund in Seller Central" in done["history"][-1]["detail"]
    code, _, err = await spdesk_cli(
        capsys, "action", "resolve", action["id"], "--applied", "--by", "Maria"
    )
    assert code == 1 and "[action_not_unknown]" in err and "failed" in err
    code, out, _ = await spdesk_cli(capsys, "audit", "export", "--order", oid, "--format", "json")
    [record] = json.loads(out)["actions"]
    assert (
        record["state"],
        record["resolution"],
        record["resolvedBy"],
        record["resolutionNote"],
    ) == ("failed", "not applied", "Maria", "No refund in Seller Central")
    assert record["resolvedAt"] == done["updatedAt"]
    assert feed_count(spdesk) == 1  # nothing was sent again


async def test_applied_succeeds_and_keeps_the_amount_counted(
    spdesk: Any, cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    action = await unknown_refund(spdesk)
    oid = action["orderId"]
    held, _ = await headphones_refundable(spdesk, oid)
    code, _, _ = await spdesk_cli(
        capsys, "action", "resolve", action["id"], "--applied", "--by", "Maria"
    )
    assert code == 0
    done = (await spdesk.request("GET", f"/v1/actions/{action['id']}")).json()
    assert done["state"] == "succeeded"
    assert done["history"][-1]["detail"].startswith("Resolved by Maria: Amazon applied it")
    view = (await spdesk.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    assert not view["cached"]
    assert (await headphones_refundable(spdesk, oid))[0] == held  # still counted as refunded
    code, out, _ = await spdesk_cli(capsys, "audit", "export", "--order", oid)
    assert ",applied,Maria," in out.splitlines()[1]


async def test_refusals_are_clear(
    spdesk: Any, cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    reply = await refund(spdesk, small_refund(order_id(spdesk, "us-fbm-shipped")))
    ok = await final(spdesk, reply.json()["id"])
    assert ok["state"] == "succeeded"
    cases = [
        ((ok["id"], "--not-applied", "--by", "Maria"), "action_not_unknown"),
        (("act_NOSUCHACTION00000", "--applied", "--by", "Maria"), "action_not_found"),
        ((ok["id"], "--applied", "--by", "  "), "resolution_by_required"),
    ]
    for argv, code_text in cases:
        code, out, err = await spdesk_cli(capsys, "action", "resolve", *argv)
        assert (code, out) == (1, ""), argv
        assert f"[{code_text}]" in err and "Traceback" not in err
    assert (await spdesk.request("GET", f"/v1/actions/{ok['id']}")).json()["state"] == "succeeded"
    with pytest.raises(SystemExit):  # argparse: one finding is required
        main("action", "resolve", ok["id"], "--by", "Maria")
    code, _, err = await spdesk_cli(capsys, "action", "list", "--order", "12-3")
    assert code == 1 and "[invalid_order_id]" in err


async def test_spdesk_action_list_as_a_separate_process(
    spdesk: Any, cli_env: dict[str, str]
) -> None:
    action = await unknown_refund(spdesk)
    result = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "companion",
            "action",
            "list",
            "--order",
            action["orderId"],
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=cli_env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [listed] = json.loads(result.stdout)["actions"]
    assert (listed["id"], listed["state"]) == (action["id"], "unknown")
