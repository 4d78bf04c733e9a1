"""Secrets never reach logs or errors; python-amazon-sp-api's environment lookups change nothing."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from companion.amazon.clients import Target
from companion.amazon.gateway import Gateway
from companion.errors import SpdeskError
from spdesk_sandbox.server import SandboxServer
from tests.companion.gateway_support import FAST, sandbox_target

ROOT = Path(__file__).resolve().parents[2]


def cached_access_token(target: Target) -> str:
    # Imported late: importing sp_api.asyncio.auth before sp_api.asyncio.api is circular.
    from sp_api.asyncio.auth.access_token_client import cache

    return str(cache[target.token_cache_key]["access_token"])


async def test_secrets_never_in_logs_or_errors(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Even someone turning the library's own loggers up to DEBUG must not leak the token.
    for name in ("sp_api", "sp_api.asyncio.base.client", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    target = sandbox_target(sandbox)
    order_id = sandbox.seed.order_id("us-fbm-unshipped-single")
    shown: list[str] = []
    gateway = Gateway(target, policy=FAST)
    try:
        await gateway.get_order(order_id)
        access_token = cached_access_token(target)
        async with aiohttp.ClientSession() as session:
            await session.post(f"{sandbox.url}/_sandbox/tokens/expire")
        with pytest.raises(SpdeskError) as info:
            await gateway.get_order(order_id)  # 403 expired: evicted, not sent again
        shown += [info.value.message, json.dumps(info.value.to_json())]
        await gateway.get_order(order_id)  # a fresh token
        sandbox.state.faults.add("html_500", "getOrder", count=None)
        with pytest.raises(SpdeskError) as info:
            await gateway.get_order(order_id)
        shown += [info.value.message, json.dumps(info.value.to_json()), repr(target)]
    finally:
        sandbox.state.faults.clear()
        await gateway.aclose()
    bad = Gateway(
        sandbox_target(sandbox, refresh_token=SecretStr("Atzr|a-revoked-refresh-token")),
        policy=FAST,
    )
    try:
        with pytest.raises(SpdeskError) as info:
            await bad.get_order(order_id)
        shown += [info.value.message, json.dumps(info.value.to_json())]
    finally:
        await bad.aclose()
    secrets = [
        access_token,
        target.client_secret.get_secret_value(),
        target.refresh_token.get_secret_value(),
        "Atzr|a-revoked-refresh-token",
    ]
    text = caplog.text + "\n".join(shown)
    assert "HTTP Request" in caplog.text  # the logs were captured at all
    for secret in secrets:
        assert secret not in text


async def test_env_variables_do_not_change_behaviour(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The library would read these instead of what we pass, or on top of it.
    monkeypatch.setenv("SP_API_DEFAULT_MARKETPLACE", "JP")
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", "Atzr|from-env")
    monkeypatch.setenv("LWA_APP_ID", "amzn1.application-oa2-client.from-env")
    monkeypatch.setenv("LWA_CLIENT_SECRET", "from-env-secret")
    monkeypatch.setenv("SP_API_AWS_SECRET_ID", "arn:aws:secretsmanager:from-env")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # python-sp-api's credentials.yml home
    (tmp_path / "python-sp-api").mkdir()
    (tmp_path / "python-sp-api" / "credentials.yml").write_text(
        "default:\n  refresh_token: Atzr|from-file\n  lwa_app_id: file\n  lwa_client_secret: f\n"
    )
    target = sandbox_target(sandbox)
    gateway = Gateway(target, policy=FAST)
    try:
        order = await gateway.get_order(sandbox.seed.order_id("us-fbm-unshipped-single"))
        assert order.marketplace_id == "ATVPDKIKX0DER"
        for client in gateway._clients.all():
            assert client.marketplace_id == "ATVPDKIKX0DER"
            assert client.endpoint == sandbox.url
            assert client.credentials.refresh_token == target.refresh_token.get_secret_value()
            assert client.credentials.lwa_app_id == target.client_id
    finally:
        await gateway.aclose()


def test_import_time_env_does_not_move_endpoints() -> None:
    """AWS_ENV=SANDBOX is read when the library is imported: run a fresh interpreter with it."""
    code = (
        "from pydantic import SecretStr\n"
        "from companion.amazon.clients import Target\n"
        "from companion.amazon.gateway import Gateway\n"
        "t = Target(name='de', endpoint='https://sellingpartnerapi-eu.amazon.com',\n"
        "           lwa_url='https://api.amazon.com/auth/o2/token',\n"
        "           marketplace_ids=('A1PA6795UKMFR9',), client_id='c',\n"
        "           client_secret=SecretStr('s'), refresh_token=SecretStr('r'))\n"
        "g = Gateway(t)\n"
        "print(sorted({(c.endpoint, c.marketplace_id) for c in g._clients.all()}))\n"
        "print(g._clients.orders._auth.host, type(g._clients.orders).__name__)\n"
    )
    env = {**os.environ, "AWS_ENV": "SANDBOX", "SP_API_DEFAULT_MARKETPLACE": "US"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "[('https://sellingpartnerapi-eu.amazon.com', 'A1PA6795UKMFR9')]"
    assert lines[1] == "api.amazon.com OrdersV20260101"
