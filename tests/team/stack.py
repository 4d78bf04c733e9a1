"""A team of real `spdesk serve` processes on one PostgreSQL ledger, against one sandbox.

Each teammate has a home of its own (settings.json with the ledger and its agent name, data dir,
pairing token) and the same seller account in the keyring, as laptops of one support team would.
The harness finds the feed builder through the ledger's `leader` table, can SIGKILL and restart
any teammate, and checks the end state against what the sandbox (Amazon) applied.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import psycopg

from companion.accounts import AccountStore
from tests.actions.process import Client, CompanionProcess, prepare_home, start_process
from tests.plugins.actions import eventually, new_key
from tests.plugins.team import FAST_TEAM

FINAL = ("succeeded", "posted", "failed", "unknown")


@dataclass
class Teammate:
    """One agent's companion process and a client that talks to it like their extension."""

    name: str
    root: Path
    client: Client
    process: CompanionProcess | None = None

    @property
    def pid(self) -> int | None:
        """The running process's id."""
        return (
            self.process.proc.pid if self.process and self.process.proc.returncode is None else None
        )


@dataclass
class TeamStack:
    """Teammates on one ledger; every request made is remembered for the final check."""

    sandbox: Any
    session: aiohttp.ClientSession
    root: Path
    dsn: str
    keyring_service: str
    mates: list[Teammate] = field(default_factory=list)
    stores: list[AccountStore] = field(default_factory=list)
    answered: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> action id
    asked: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> body
    refused: set[str] = field(default_factory=set)  # keys answered with a 4xx: nothing made

    async def start(self, name: str, dsn: str | None = None) -> Teammate:
        """Set up (once) and start one teammate's companion."""
        home = self.root / name
        mate = next((m for m in self.mates if m.name == name), None)
        if mate is None:
            store = prepare_home(
                home, self.sandbox.url, self.keyring_service,
                ledger=dsn or self.dsn, agent=name, **FAST_TEAM,
            )  # fmt: skip
            self.stores.append(store)
            # Requests for one order queue behind each other across the team: wait for them.
            mate = Teammate(name, home, Client(home, self.session, timeout=90))
            self.mates.append(mate)
        mate.process = await start_process(home)
        mate.client.url = mate.process.url
        if mate.process.pairing_code:
            await mate.client.pair(mate.process.pairing_code)
        return mate

    async def start_team(self, names: Sequence[str]) -> list[Teammate]:
        """Start several teammates at once."""
        return list(await asyncio.gather(*(self.start(n) for n in names)))

    async def kill(self, mate: Teammate) -> None:
        """SIGKILL: no clean-up of any kind."""
        if mate.process is not None:
            await mate.process.kill()

    async def stop(self) -> None:
        """SIGTERM every teammate still running; forget the keyring entry they shared."""
        for mate in self.mates:
            if mate.process is not None:
                await mate.process.stop()
        if self.stores:
            self.stores[0].remove("sandbox")  # the keyring entry is not under the temp dir

    async def feed_builder(self) -> Teammate:
        """The live teammate holding the feed builder's term (waits for an election)."""

        async def find() -> Teammate | None:
            async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
                cursor = await conn.execute("SELECT holder FROM leader WHERE name = 'feeds'")
                row = await cursor.fetchone()
            holder = str(row[0]) if row else ""
            return next((m for m in self.mates if m.pid and holder.endswith(f"-{m.pid})")), None)

        found: Teammate = await eventually(find, within=10, interval=0.05)
        return found

    async def refund(
        self, mate: Teammate, body: dict[str, Any], key: str | None = None
    ) -> tuple[int, Any]:
        """POST /v1/refunds; a refund that got no answer is remembered for a retry."""
        key = key or new_key()
        self.asked[key] = body
        try:
            status, reply = await mate.client.call(
                "POST", "/v1/refunds", body, {"Idempotency-Key": key}
            )
        except (aiohttp.ClientError, TimeoutError):
            return 0, None
        if status == 202:
            self.answered.setdefault(key, reply["id"])
            assert self.answered[key] == reply["id"], "one key, one action"
        elif 400 <= status < 500:
            self.refused.add(key)
        return status, reply

    async def settle(self, mate: Teammate, within: float = 60) -> list[Any]:
        """Send every refund again with its key (the extension retries), wait for the ends."""
        gate = asyncio.Semaphore(16)

        async def again(key: str, body: dict[str, Any]) -> str | None:
            for _ in range(20):  # the extension retries while the ledger is away
                async with gate:
                    status, reply = await mate.client.call(
                        "POST", "/v1/refunds", body, {"Idempotency-Key": key}
                    )
                if status != 503:
                    break
                await asyncio.sleep(0.25)
            if status != 202:
                return None
            assert self.answered.get(key, reply["id"]) == reply["id"], "an action was lost"
            return str(reply["id"])

        found = await asyncio.gather(
            *(again(k, b) for k, b in self.asked.items() if k not in self.refused)
        )
        ids = {i for i in found if i is not None}

        async def one(action_id: str) -> Any:
            async with gate:
                return (await mate.client.call("GET", f"/v1/actions/{action_id}"))[1]

        async def ends() -> list[Any] | None:
            actions = await asyncio.gather(*(one(i) for i in ids))
            return actions if all(a["state"] in FINAL for a in actions) else None

        settled: list[Any] = await eventually(ends, within=within, interval=0.2)
        return settled


def applied_once(sandbox: Any, actions: list[Any]) -> None:
    """Every action Amazon applied exactly once, and nothing Amazon applied that spdesk lacks."""
    ours = {a["id"] for a in actions}
    adjustments = [a for a in sandbox.state.adjustments if a.feed_id]
    for action in actions:
        hits = [a for a in adjustments if a.merchant_adjustment_item_id == f"{action['id']}-1"]
        expected = 1 if action["state"] in ("succeeded", "posted") else len(hits)
        assert len(hits) == expected <= 1, (action["id"], action["state"], len(hits))
    phantoms = [
        a.merchant_adjustment_item_id
        for a in adjustments
        if (a.merchant_adjustment_item_id or "").rsplit("-", 1)[0] not in ours
    ]
    assert phantoms == [], phantoms


def refunded(sandbox: Any, order_id: str) -> Decimal:
    """What Amazon gave back on an order (every adjustment applied by a feed)."""
    return sum(
        (a.total() for a in sandbox.state.adjustments if a.order_id == order_id and a.feed_id),
        Decimal(0),
    )


def shipped_bulk(sandbox: Any, count: int, start: int = 2) -> list[tuple[str, str]]:
    """(order id, item code) of `count` shipped bulk orders (the even ones)."""
    found = []
    for n in range(start, start + 2 * count, 2):
        oid = sandbox.seed.order_id(f"bulk-{n:04d}")
        found.append((oid, sandbox.state.orders[oid].items[0].item_code))
    return found


def one_dollar(oid: str, item: str, agent: str, amount: str = "1.00") -> dict[str, Any]:
    """A small partial refund of one item's principal."""
    return {
        "orderId": oid,
        "mode": "partial",
        "reason": "Other",
        "agent": agent,
        "confirmOverlap": True,
        "items": [{"orderItemCode": item, "components": {"Principal": amount}}],
    }


def pick(mates: list[Teammate], rng: random.Random) -> Teammate:
    """A running teammate, at random."""
    return rng.choice([m for m in mates if m.pid])
