"""Helpers of the team-mode benchmarks: a private PostgreSQL server and paired companions."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench._shared import pair
from companion.accounts import AccountStore
from companion.config import Settings
from companion.server import RunningCompanion, start_companion
from spdesk_demo.sandbox_account import install_sandbox_account
from tests.plugins.postgres import TEMPLATE, PgCluster, free_port, migrate_dsn


@asynccontextmanager
async def private_ledger() -> AsyncIterator[str]:
    """A PostgreSQL server of its own with a migrated, empty ledger; yields its DSN."""
    root = Path(tempfile.mkdtemp(prefix="spdesk-bench-pg-"))
    cluster = PgCluster(root=root, port=free_port())
    await asyncio.to_thread(cluster.init)
    await asyncio.to_thread(cluster.start)
    try:
        cluster.execute(f'CREATE DATABASE "{TEMPLATE}"')
        await migrate_dsn(cluster.dsn(TEMPLATE))
        yield cluster.dsn(TEMPLATE)
    finally:
        await asyncio.to_thread(cluster.stop, "immediate")
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Paired:
    """A running companion and the headers of its paired extension."""

    server: RunningCompanion
    headers: dict[str, str]

    async def post(self, session: aiohttp.ClientSession, path: str, body: Any, key: str) -> Any:
        """POST as the extension; returns (status, JSON)."""
        async with session.post(
            self.server.url + path, json=body, headers={**self.headers, "Idempotency-Key": key}
        ) as response:
            return response.status, await response.json()


async def paired_companion(
    settings: Settings, store: AccountStore, sandbox_url: str, session: aiohttp.ClientSession
) -> Paired:
    """Start a companion on the sandbox account and pair it."""
    install_sandbox_account(store, sandbox_url)
    server = await start_companion(settings, store=store)
    return Paired(server, await pair(session, server))


def partial_refund(sandbox: Any, label: str, amount: str = "1.00") -> dict[str, Any]:
    """A small refund of a bulk order's first item (confirmed as a second refund if need be)."""
    oid = sandbox.seed.order_id(label)
    item = sandbox.state.orders[oid].items[0].item_code
    return {
        "orderId": oid,
        "mode": "partial",
        "reason": "Other",
        "agent": "bench",
        "confirmOverlap": True,
        "items": [{"orderItemCode": item, "components": {"Principal": amount}}],
    }
