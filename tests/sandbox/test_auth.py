"""LWA token endpoint and the access-token check on SP-API routes."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from spdesk_sandbox.server import SandboxServer
from tests.plugins.sandbox import SandboxFactory, sandbox_access_token
from tests.sandbox.schema import validate_error_list


def _form(server: SandboxServer, **changes: str) -> dict[str, str]:
    s = server.settings
    form = {
        "grant_type": "refresh_token",
        "refresh_token": s.refresh_token,
        "client_id": s.client_id,
        "client_secret": s.client_secret,
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v != "<absent>"}


async def _token_call(
    session: aiohttp.ClientSession, server: SandboxServer, form: dict[str, str]
) -> tuple[int, Any]:
    async with session.post(f"{server.url}/auth/o2/token", data=form) as response:
        return response.status, await response.json()


async def _get_order(
    session: aiohttp.ClientSession, server: SandboxServer, headers: dict[str, str]
) -> tuple[int, Any]:
    url = f"{server.url}/orders/2026-01-01/orders/{server.seed.order_id('us-fbm-shipped')}"
    async with session.get(url, headers=headers) as response:
        return response.status, await response.json()


async def test_token_grant_has_amazons_shape(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    status, body = await _token_call(sandbox_session, sandbox, _form(sandbox))
    assert status == 200
    assert body["access_token"].startswith("Atza|")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == sandbox.settings.access_token_ttl_seconds
    assert body["refresh_token"] == sandbox.settings.refresh_token


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"client_id": "amzn1.application-oa2-client.other"}, 401, "invalid_client"),
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"refresh_token": "Atzr|revoked"}, 400, "invalid_grant"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({"client_secret": "<absent>"}, 400, "invalid_request"),
        ({"refresh_token": "<absent>"}, 400, "invalid_request"),
    ],
)
async def test_bad_token_requests_get_lwa_errors(
    sandbox: SandboxServer,
    sandbox_session: aiohttp.ClientSession,
    changes: dict[str, str],
    status: int,
    error: str,
) -> None:
    got, body = await _token_call(sandbox_session, sandbox, _form(sandbox, **changes))
    assert (got, body["error"]) == (status, error)
    assert body["error_description"]
    assert sandbox.settings.client_secret not in str(body)


@pytest.mark.parametrize(
    ("headers", "details"),
    [
        ({}, "missing"),
        ({"x-amz-access-token": "Atza|made-up"}, "revoked, malformed or invalid"),
    ],
)
async def test_sp_api_needs_a_token_it_issued(
    sandbox: SandboxServer,
    sandbox_session: aiohttp.ClientSession,
    headers: dict[str, str],
    details: str,
) -> None:
    status, body = await _get_order(sandbox_session, sandbox, headers)
    assert status == 403
    validate_error_list(body, "Unauthorized")
    assert details in body["errors"][0]["details"]


async def test_token_expires_on_the_virtual_clock(
    sandbox_factory: SandboxFactory, sandbox_session: aiohttp.ClientSession
) -> None:
    server = await sandbox_factory(access_token_ttl_seconds=3600)
    token = await sandbox_access_token(server, sandbox_session)
    headers = {"x-amz-access-token": token}
    assert (await _get_order(sandbox_session, server, headers))[0] == 200
    server.state.clock.advance(3601)
    status, body = await _get_order(sandbox_session, server, headers)
    assert status == 403
    assert body["errors"][0]["details"] == "The access token you provided has expired."
    fresh = await sandbox_access_token(server, sandbox_session)
    assert (await _get_order(sandbox_session, server, {"x-amz-access-token": fresh}))[0] == 200


async def test_expire_tokens_control_endpoint(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    headers = {"x-amz-access-token": await sandbox_access_token(sandbox, sandbox_session)}
    async with sandbox_session.post(f"{sandbox.url}/_sandbox/tokens/expire") as response:
        assert (await response.json())["expired"] == 1
    assert (await _get_order(sandbox_session, sandbox, headers))[0] == 403


async def test_host_header_is_irrelevant(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    token = await sandbox_access_token(sandbox, sandbox_session)
    headers = {"x-amz-access-token": token, "Host": "27.0.0.1:1"}
    assert (await _get_order(sandbox_session, sandbox, headers))[0] == 200
