"""Fixtures for team mode: several companions on one PostgreSQL ledger against one sandbox.

`team_factory(n)` starts `n` companions in this process, each with its own settings (agent name,
data dir) but the same ledger, seller account and keyring entry, as a support team's laptops
would have. Timings are shortened so that a takeover or an expiry happens within a second.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from companion.accounts import AccountStore
from companion.config import Settings
from companion.keys import ACTIONS
from companion.ledger.link import LedgerLink, LinkSettings
from companion.ledger.postgres import PostgresLedger
from companion.ledger.team import TeamStore
from spdesk_demo.sandbox_account import install_sandbox_account
from tests.plugins.actions import FAST_ACTIONS, adopt_sandbox_rates, eventually
from tests.plugins.companion import CompanionClient, start_client, stop_client
from tests.plugins.postgres import LedgerDb

# Real seconds: a dead feed builder is replaced, and an approval sweep runs, within a second.
FAST_TEAM = {
    "ledger_timeout": 5.0,
    "leader_poll": 0.1,
    "leader_heartbeat": 0.2,
    "leader_idle_session": 2.0,
    "team_sweep_interval": 0.2,
}
AGENTS = ("Ann", "Bob", "Cyd")
TeamFactory = Callable[..., Awaitable[list[CompanionClient]]]


def team_settings(root: Path, dsn: str, agent: str, keyring_service: str) -> Settings:
    """One teammate's settings: own folders, the shared ledger and keyring entry."""
    return Settings.for_tests(
        root / agent,
        keyring_service=keyring_service,
        ledger=dsn,
        agent=agent,
        **FAST_ACTIONS,
        **FAST_TEAM,
    )


def ledger_of(client: CompanionClient) -> PostgresLedger:
    """The team ledger a companion runs on."""
    ledger = client.app[ACTIONS].ledger
    assert isinstance(ledger, PostgresLedger)
    return ledger


async def feed_builder(team: list[CompanionClient]) -> CompanionClient:
    """The companion that builds the team's feeds, once one was elected."""
    leading: list[CompanionClient] = await eventually(
        lambda: [c for c in team if ledger_of(c).term], within=5
    )
    assert len(leading) == 1
    return leading[0]


@pytest.fixture
async def team_store(ledger_db: LedgerDb) -> AsyncIterator[TeamStore]:
    """Members, roles and limits of the test's ledger, as `spdesk team` would set them."""
    link = LedgerLink(LinkSettings(dsn=ledger_db.dsn))
    await link.open()
    yield TeamStore(link)
    await link.close()


@pytest.fixture
async def team_factory(
    sandbox: Any, ledger_db: LedgerDb, keyring_store: AccountStore, tmp_path: Path
) -> AsyncIterator[TeamFactory]:
    """Start companions of one team: `await team_factory(3)` -> [Ann's, Bob's, Cyd's]."""
    install_sandbox_account(keyring_store, sandbox.url)
    started: list[CompanionClient] = []

    async def start(count: int = 2, **overrides: Any) -> list[CompanionClient]:
        clients = []
        for agent in AGENTS[:count]:
            settings = team_settings(
                tmp_path, ledger_db.dsn, agent, keyring_store.settings.keyring_service
            ).model_copy(update=overrides)
            client = await start_client(settings, keyring_store)
            started.append(client)
            reply = await client.pair()
            assert reply.status == 201, reply.body
            client.extra["sandbox"] = sandbox
            await adopt_sandbox_rates(client, sandbox.settings.rate_scale)
            clients.append(client)
        return clients

    yield start
    for client in reversed(started):
        await stop_client(client)
