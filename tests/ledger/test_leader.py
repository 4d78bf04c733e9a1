"""Electing the feed builder on a real PostgreSQL server: one at a time, quick takeover."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass, field

import psycopg
import pytest

from companion.ledger.leader import Leadership, LeaderTiming
from companion.ledger.link import LinkSettings
from tests.plugins.actions import eventually
from tests.plugins.postgres import LedgerDb, LinkProxy

FAST = LeaderTiming(poll=0.05, heartbeat=0.1, idle_session=1.0)


@dataclass
class Candidate:
    """One companion's election loop and what it was told."""

    name: str
    leadership: Leadership
    terms: list[int] = field(default_factory=list)
    losses: int = 0
    task: asyncio.Task[None] | None = None

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with suppress(asyncio.CancelledError):
                await self.task


@pytest.fixture
async def candidates() -> AsyncIterator[list[Candidate]]:
    started: list[Candidate] = []
    yield started
    for candidate in started:
        await candidate.stop()


def start(started: list[Candidate], name: str, dsn: str) -> Candidate:
    async def gain(term: int) -> None:
        candidate.terms.append(term)

    async def loss() -> None:
        candidate.losses += 1

    link = LinkSettings(dsn=dsn, timeout=0.5, application_name=f"spdesk {name}")
    candidate = Candidate(name, Leadership(link, name, gain, loss, FAST))
    candidate.task = asyncio.create_task(candidate.leadership.run())
    started.append(candidate)
    return candidate


def leaders(started: list[Candidate]) -> list[Candidate]:
    return [c for c in started if c.leadership.leading]


async def test_one_companion_leads_and_another_takes_over_when_it_stops(
    ledger_db: LedgerDb, candidates: list[Candidate]
) -> None:
    for name in ("ann", "bob", "cyd"):
        start(candidates, name, ledger_db.dsn)
    first = (await eventually(lambda: leaders(candidates), within=5))[0]
    await asyncio.sleep(0.3)  # several polls: nobody else may take it meanwhile
    assert leaders(candidates) == [first] and first.terms == [1]
    await first.stop()
    second = (await eventually(lambda: leaders(candidates), within=2))[0]
    assert second is not first and second.terms == [2]


async def test_a_leader_whose_connection_dies_steps_down_and_the_term_moves_on(
    ledger_db: LedgerDb, candidates: list[Candidate]
) -> None:
    ann = start(candidates, "ann", ledger_db.dsn)
    await eventually(lambda: ann.leadership.leading, within=5)
    bob = start(candidates, "bob", ledger_db.dsn)
    with psycopg.connect(ledger_db.cluster.dsn("postgres"), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'spdesk ann'"
        )
    await eventually(lambda: ann.losses == 1, within=2)
    await eventually(lambda: leaders(candidates), within=2)
    assert max(ann.terms + bob.terms) == 2 and len(leaders(candidates)) == 1


async def test_a_leader_cut_off_from_the_server_is_replaced_within_seconds(
    ledger_db: LedgerDb, candidates: list[Candidate], link_proxy: LinkProxy
) -> None:
    ann = start(candidates, "ann", ledger_db.cluster.dsn(ledger_db.name, port=link_proxy.port))
    await eventually(lambda: ann.leadership.leading, within=5)
    bob = start(candidates, "bob", ledger_db.dsn)
    link_proxy.cut()  # ann's heartbeats stop reaching the server; nothing is closed
    await eventually(lambda: ann.losses == 1, within=3)  # ann notices by its own deadline
    await eventually(lambda: bob.leadership.leading, within=5)  # the server ended ann's session
    assert bob.terms == [2] and not ann.leadership.leading
