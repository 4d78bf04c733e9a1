"""Fixtures for the companion tests: settings in tmp dirs, the real keyring, a running companion."""

from __future__ import annotations

import json as jsonlib
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from companion.accounts import AccountStore, keyring_backend_name
from companion.config import Settings
from companion.errors import KeyringUnavailable
from companion.keys import PAIRINGS
from companion.server import RunningCompanion, start_companion

# A well-formed Chrome extension id (32 letters a-p); the companion only sees it as an Origin.
TEST_EXTENSION_ORIGIN = "chrome-extension://kcbkpmgfjemhmldbhccpkhbgaflnmmnb"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Reply:
    """A fully read HTTP response."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON."""
        return jsonlib.loads(self.body)

    @property
    def code(self) -> str | None:
        """The error code of an error body, else None."""
        try:
            return str(self.json()["error"]["code"])
        except (ValueError, KeyError, TypeError):
            return None


@dataclass
class CompanionClient:
    """A running companion and a client that talks to it the way the paired extension does."""

    server: RunningCompanion
    session: aiohttp.ClientSession
    settings: Settings
    store: AccountStore
    token: str = ""
    pairing_id: str = ""
    origin: str = TEST_EXTENSION_ORIGIN
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Base URL of the companion."""
        return self.server.url

    @property
    def app(self) -> web.Application:
        """The companion's aiohttp application (for its state)."""
        return self.server.app

    def headers(self, method: str = "GET", **overrides: str | None) -> dict[str, str]:
        """Headers of the extension: Host, token, and Origin on state-changing methods.

        Pass a header name (underscores for dashes) with None to leave it out.
        """
        headers = {"Host": f"127.0.0.1:{self.server.port}"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if method.upper() in STATE_CHANGING:
            headers["Origin"] = self.origin
        for name, value in overrides.items():
            key = name.replace("_", "-")
            if value is None:
                headers.pop(key, None)
            else:
                headers[key] = value
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str | None] | None = None,
    ) -> Reply:
        """Send one request as the extension would; ``headers`` override (None removes)."""
        sent = self.headers(method)
        for key, value in (headers or {}).items():
            if value is None:
                sent.pop(key, None)
            else:
                sent[key] = value
        async with self.session.request(
            method, self.url + path, json=json, data=data, headers=sent
        ) as response:
            return Reply(response.status, response.headers, await response.read())

    async def pair(self, origin: str = TEST_EXTENSION_ORIGIN, label: str = "test") -> Reply:
        """Pair ``origin`` with a fresh code; on success remember its token."""
        code = self.app[PAIRINGS].new_code()
        reply = await self.request(
            "POST",
            "/v1/pair",
            json={"code": code, "label": label},
            headers={"Origin": origin, "Authorization": None},
        )
        if reply.status == 201:
            self.token, self.pairing_id, self.origin = (
                reply.json()["token"],
                reply.json()["pairingId"],
                origin,
            )
        return reply


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with config and data dirs under tmp_path, port 0, a unique keyring service."""
    return Settings.for_tests(tmp_path)


@pytest.fixture
def keyring_store(settings: Settings) -> Iterator[AccountStore]:
    """An AccountStore on the real OS keyring; every account it holds is removed afterwards."""
    try:
        keyring_backend_name()
    except KeyringUnavailable:
        pytest.fail("No usable OS keyring: run the tests under packaging/with-keyring.sh")
    store = AccountStore(settings)
    yield store
    for account in store.list():
        store.remove(account.name)


async def start_client(settings: Settings, store: AccountStore) -> CompanionClient:
    """Start a companion on 127.0.0.1:0 and a client session for it (not yet paired)."""
    server = await start_companion(settings, store=store)
    session = aiohttp.ClientSession()
    return CompanionClient(server=server, session=session, settings=settings, store=store)


async def stop_client(client: CompanionClient) -> None:
    """Close the client session and stop the companion."""
    await client.session.close()
    await client.server.stop()


@pytest.fixture
async def bare_companion(
    settings: Settings, keyring_store: AccountStore
) -> AsyncIterator[CompanionClient]:
    """A running companion with no account and no pairing yet."""
    client = await start_client(settings, keyring_store)
    yield client
    await stop_client(client)


@pytest.fixture
async def companion(
    sandbox: Any, settings: Settings, keyring_store: AccountStore
) -> AsyncIterator[CompanionClient]:
    """A running companion against the ``sandbox`` fixture, with its account and a paired origin."""
    from spdesk_demo.sandbox_account import install_sandbox_account

    install_sandbox_account(keyring_store, sandbox.url)
    client = await start_client(settings, keyring_store)
    reply = await client.pair()
    assert reply.status == 201, reply.body
    yield client
    await stop_client(client)


@dataclass
class CliHome:
    """Config and data dirs (via XDG variables) for CLI runs, with a unique keyring service."""

    config_dir: Path
    data_dir: Path
    env: dict[str, str]

    def settings(self) -> Settings:
        """The settings a CLI command run in this home loads."""
        return Settings.load(config_dir=self.config_dir)


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliHome]:
    """Point platformdirs at tmp dirs and give the CLI its own keyring service; clean up after."""
    import os

    config_home, data_home = tmp_path / "xdg-config", tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    home = CliHome(
        config_home / "spdesk",
        data_home / "spdesk",
        {**os.environ, "XDG_CONFIG_HOME": str(config_home), "XDG_DATA_HOME": str(data_home)},
    )
    home.config_dir.mkdir(parents=True)
    service = Settings.for_tests(tmp_path).keyring_service
    (home.config_dir / "settings.json").write_text(jsonlib.dumps({"keyring_service": service}))
    yield home
    store = AccountStore(home.settings())
    for account in store.list():
        store.remove(account.name)
