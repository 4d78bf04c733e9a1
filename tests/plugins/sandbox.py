"""Fixtures for tests that need the Amazon sandbox, and python-amazon-sp-api clients pointed at it.

python-amazon-sp-api caches access tokens per process, keyed by refresh token, for 3200 s. Every
sandbox issues its own tokens and only accepts those, so a token cached while talking to an
earlier sandbox would be refused. The autouse fixture below empties that cache around every test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest

from spdesk_sandbox.server import SandboxServer, start_sandbox
from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.strict import REQUEST_CHECKER

# Amazon's models, vendored for the contract tests; every sandbox a test starts checks each
# request against them, so the whole suite proves what our client sends is what Amazon accepts.
SPAPI_MODELS = Path(__file__).resolve().parents[1] / "sandbox" / "spapi"

# Fast enough that a feed cycle (10 s queue + 60 s processing, virtual) takes ~0.35 s, and rates
# high enough that nothing is throttled unless a test asks for it. Access tokens are made to
# outlive the client library's 3200 s cache so a long test never sees an expiry it did not ask for.
TEST_SPEED = 200.0
TEST_SETTINGS = SandboxSettings(
    host="127.0.0.1",
    port=0,
    speed=TEST_SPEED,
    rate_scale=1000.0,
    access_token_ttl_seconds=int(3600 * TEST_SPEED * 2),
    request_models_dir=SPAPI_MODELS,
)
# Only python-amazon-sp-api sends this User-Agent: raw test requests may be invalid on purpose.
CLIENT_USER_AGENT = "python-sp-api"

SandboxFactory = Callable[..., Awaitable[SandboxServer]]
ClientT = TypeVar("ClientT")


def clear_spapi_token_caches() -> None:
    """Empty python-amazon-sp-api's process-wide access-token caches."""
    import sp_api.asyncio.api  # noqa: F401  (importing asyncio.auth first is a circular import)
    from sp_api.asyncio.auth import access_token_client as async_auth
    from sp_api.auth import access_token_client as sync_auth

    for module in (async_auth, sync_auth):
        module.cache.clear()
        module.grantless_cache.clear()


@pytest.fixture(autouse=True)
def _spapi_token_cache() -> Iterator[None]:
    """Empty python-amazon-sp-api's process-wide access-token cache before and after each test."""
    clear_spapi_token_caches()
    yield
    clear_spapi_token_caches()


@pytest.fixture
async def sandbox_factory() -> AsyncIterator[SandboxFactory]:
    """Start sandboxes with custom settings: `await sandbox_factory(rate_scale=1.0, ...)`."""
    servers: list[SandboxServer] = []

    async def start(**overrides: Any) -> SandboxServer:
        server = await start_sandbox(replace(TEST_SETTINGS, **overrides))
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        await server.stop()
    for server in servers:
        assert_client_requests_valid(server)


def assert_client_requests_valid(server: SandboxServer) -> None:
    """Fail when the sandbox refused a request of python-amazon-sp-api as breaking the model."""
    if REQUEST_CHECKER not in server.app:
        return
    refused = [
        r
        for r in server.app[REQUEST_CHECKER].refusals
        if r.user_agent.startswith(CLIENT_USER_AGENT)
    ]
    assert not refused, "Amazon would refuse these requests:\n" + "\n".join(
        f"  {r.operation} {r.method} {r.path}: {r.problem}" for r in refused
    )


@pytest.fixture
async def sandbox(sandbox_factory: SandboxFactory) -> SandboxServer:
    """A running sandbox at the seed, fast clock, not throttled."""
    return await sandbox_factory()


@pytest.fixture
async def quick_sandbox(sandbox_factory: SandboxFactory) -> SandboxServer:
    """A sandbox whose feeds finish within a few milliseconds, for tests of what comes after."""
    return await sandbox_factory(feed_queue_seconds=1.0, feed_processing_seconds=1.0)


@pytest.fixture
async def sandbox_session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp client session for raw HTTP calls to a sandbox."""
    async with aiohttp.ClientSession() as session:
        yield session


def sandbox_credentials(server: SandboxServer) -> dict[str, str]:
    """The LWA credentials the sandbox accepts, in python-amazon-sp-api's format."""
    settings = server.settings
    return {
        "refresh_token": settings.refresh_token,
        "lwa_app_id": settings.client_id,
        "lwa_client_secret": settings.client_secret,
    }


def token_client_class(server: SandboxServer) -> type:
    """python-amazon-sp-api's async AccessTokenClient, aimed at the sandbox's LWA endpoint."""
    from sp_api.asyncio.auth.access_token_client import AccessTokenClient

    scheme, host = server.url.split("://", 1)
    return type(
        "SandboxAccessTokenClient", (AccessTokenClient,), {"scheme": f"{scheme}://", "host": host}
    )


def spapi_client(
    cls: Callable[..., ClientT], server: SandboxServer, marketplace: str = "US", **kwargs: Any
) -> ClientT:
    """An async python-amazon-sp-api client (e.g. `Feeds`) that talks to the sandbox."""
    from sp_api.base import Marketplaces
    from sp_api.base.credential_provider import FromCodeCredentialProvider

    client = cls(
        Marketplaces[marketplace],
        credentials=sandbox_credentials(server),
        credential_providers=[FromCodeCredentialProvider],
        auth_token_client_class=token_client_class(server),
        **kwargs,
    )
    client.endpoint = server.url  # type: ignore[attr-defined]
    _close_token_client_too(client)
    return client


def _close_token_client_too(client: Any) -> None:
    """The library's aclose() leaves the LWA client's httpx pool open (unclosed sockets)."""
    close_api = client.aclose

    async def aclose() -> None:
        try:
            await close_api()
        finally:
            await client._auth.aclose()

    client.aclose = aclose


async def sandbox_access_token(server: SandboxServer, session: aiohttp.ClientSession) -> str:
    """A fresh access token from the sandbox's LWA endpoint, for raw HTTP calls."""
    settings = server.settings
    form = {
        "grant_type": "refresh_token",
        "refresh_token": settings.refresh_token,
        "client_id": settings.client_id,
        "client_secret": settings.client_secret,
    }
    async with session.post(f"{server.url}/auth/o2/token", data=form) as response:
        assert response.status == 200, await response.text()
        return str((await response.json())["access_token"])
