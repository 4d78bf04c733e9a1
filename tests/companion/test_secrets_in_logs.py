"""Secrets never reach logs or output: capture everything of a full flow and grep for them."""

from __future__ import annotations

import asyncio
import logging

import pytest

from companion.cli import main
from spdesk_sandbox import defaults
from tests.plugins.companion import CompanionClient


async def test_no_secret_in_logs_or_output(
    companion: CompanionClient,
    sandbox: object,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Everything at DEBUG, libraries too, whatever an earlier in-process CLI run set.
    for name in ("", "sp_api", "httpx", "httpcore", "companion", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    order_id = sandbox.seed.order_id("us-fbm-shipped")  # type: ignore[attr-defined]
    replies = [
        await companion.request("GET", "/v1/status"),
        await companion.request("GET", f"/v1/orders/{order_id}"),
        await companion.request("GET", "/v1/orders/999-0000000-0000000"),
        await companion.request("GET", "/v1/status", headers={"Authorization": "Bearer wrong"}),
    ]
    assert [r.status for r in replies] == [200, 200, 404, 401]
    await companion.pair()  # a second pairing: its token must not be logged either

    issued = list(sandbox.state.access_tokens)  # type: ignore[attr-defined]
    assert issued, "the flow never logged in to the sandbox"
    secrets = [
        defaults.SANDBOX_CLIENT_SECRET,
        defaults.SANDBOX_REFRESH_TOKEN,
        companion.token,
        *issued,
    ]
    seen = caplog.text + "".join(r.getMessage() for r in caplog.records)
    out = capsys.readouterr()
    bodies = b"".join(r.body for r in replies).decode()
    for secret in secrets:
        assert secret not in seen, "a secret reached the logs"
        assert secret not in out.out + out.err, "a secret reached the output"
        assert secret not in bodies, "a secret reached a response"
    assert any(r.name.startswith(("httpx", "httpcore")) for r in caplog.records)


async def test_cli_account_test_logs_no_secret(
    cli_home: object,
    sandbox: object,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from companion.accounts import AccountStore
    from spdesk_demo.sandbox_account import install_sandbox_account

    install_sandbox_account(AccountStore(cli_home.settings()), sandbox.url)  # type: ignore[attr-defined]
    caplog.set_level(logging.DEBUG)
    assert await asyncio.to_thread(main, "-v", "account", "test") == 0
    issued = list(sandbox.state.access_tokens)  # type: ignore[attr-defined]
    out = capsys.readouterr()
    for secret in (defaults.SANDBOX_CLIENT_SECRET, defaults.SANDBOX_REFRESH_TOKEN, *issued):
        assert secret not in caplog.text and secret not in out.out + out.err
