"""Connections to the ledger: a pool with deadlines, where every failure is `LedgerUnavailable`.

A team companion must never hang on a ledger it cannot reach, nor act without it. Each operation
runs under a deadline; past it the connection is dropped (psycopg would otherwise first ask the
server to cancel the query, for up to ten seconds over a dead link) and the caller is told the
ledger is unavailable. Server-side timeouts set on every connection end what a cut-off companion
left behind: a transaction idle for too long (releasing its order lock) and, on the feed
builder's own connection, an idle session (releasing the leader lock).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from companion.ledger.errors import LedgerUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
Conn = AsyncConnection[TupleRow]
# What a lost or refusing server raises; anything else (a constraint, a bug) is not "unavailable".
LINK_ERRORS = (psycopg.OperationalError, PoolTimeout, OSError)
FRESH_SECONDS = 2.0


@dataclass(frozen=True)
class LinkSettings:
    """How a companion reaches the ledger; the password comes from the keyring, never a file."""

    dsn: str
    password: str | None = field(default=None, repr=False)
    application_name: str = "spdesk"
    timeout: float = 5.0  # one operation (lock waits have their own, longer bound)
    lock_timeout: float = 60.0  # waiting for an order held by a teammate
    connect_timeout: int = 3
    idle_in_transaction: float = 120.0  # an order lock left by a cut-off companion
    # A companion serves one agent, but a refund holds a connection while it reads Amazon.
    pool_size: int = 16

    def connect_kwargs(self, **server_settings: str) -> dict[str, Any]:
        """libpq parameters: timeouts, keepalives and per-session server settings."""
        options = {
            "idle_in_transaction_session_timeout": f"{int(self.idle_in_transaction * 1000)}",
            "lock_timeout": f"{int(self.lock_timeout * 1000)}",
            **server_settings,
        }
        kwargs: dict[str, Any] = {
            "connect_timeout": self.connect_timeout,
            "application_name": self.application_name,
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 3,
            "keepalives_count": 3,
            "options": " ".join(f"-c {key}={value}" for key, value in options.items()),
        }
        if self.password:
            kwargs["password"] = self.password
        return kwargs


async def bounded(awaitable: Awaitable[T], seconds: float) -> T:
    """Await within a deadline; past it, abandon the work and raise LedgerUnavailable.

    The work is cancelled twice: psycopg answers a first cancellation by asking the server to
    cancel the query (which over a dead link waits for its own timeouts), and a second one by
    closing the connection at once, which the pool then replaces.
    """
    task = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    finally:
        if not task.done():
            await _abandon(task)
    if task not in done:
        raise LedgerUnavailable(details={"reason": "timeout"})
    try:
        return task.result()
    except LINK_ERRORS as exc:
        raise LedgerUnavailable(details={"reason": type(exc).__name__}) from None


async def _abandon(task: asyncio.Future[Any]) -> None:
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.05)
    with suppress(BaseException):
        task.result()


async def connect(settings: LinkSettings, **server_settings: str) -> Conn:
    """One connection of its own (listening, leadership), in autocommit mode."""
    return await bounded(
        AsyncConnection.connect(
            settings.dsn, autocommit=True, **settings.connect_kwargs(**server_settings)
        ),
        settings.timeout + settings.connect_timeout,
    )


class LedgerLink:
    """The pool of one companion; `run(fn)` is the only way the ledger code reaches the server."""

    def __init__(self, settings: LinkSettings) -> None:
        self.settings = settings
        self._pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            settings.dsn,
            kwargs={"autocommit": True, **settings.connect_kwargs()},
            min_size=1,
            max_size=settings.pool_size,
            open=False,
            timeout=settings.timeout,
            # Give up a background reconnection soon: the next request starts a fresh one, so a
            # ledger that comes back is used at once rather than after a long backoff.
            reconnect_timeout=5.0,
            check=self._check,
            reset=self._returned,
            name="spdesk-ledger",
        )
        self._last_used: dict[int, float] = {}

    async def _returned(self, conn: Conn) -> None:
        self._last_used[id(conn)] = time.monotonic()

    async def _check(self, conn: Conn) -> None:
        # A connection that worked a moment ago is handed out as it is (a round trip saved on
        # every call); one idle for longer is checked first, so a restarted server is noticed.
        if time.monotonic() - self._last_used.get(id(conn), 0.0) > FRESH_SECONDS:
            await AsyncConnectionPool.check_connection(conn)

    async def open(self) -> None:
        """Start the pool without waiting: a companion starts even while the ledger is away."""
        await self._pool.open(wait=False)

    async def close(self) -> None:
        """Close every connection."""
        await self._pool.close(timeout=1.0)

    @asynccontextmanager
    async def connection(self, *, wait: float | None = None) -> AsyncIterator[Conn]:
        """A pooled connection for a block of work the caller bounds itself."""
        try:
            async with self._pool.connection(timeout=wait or self.settings.timeout) as conn:
                yield conn
        except LINK_ERRORS as exc:
            # The server may have restarted: check every pooled connection before its next use.
            self._last_used.clear()
            raise LedgerUnavailable(details={"reason": type(exc).__name__}) from None

    async def run(self, work: Callable[[Conn], Awaitable[T]], *, seconds: float | None = None) -> T:
        """Run `work` on a pooled connection within the deadline (LedgerUnavailable past it)."""

        async def attempt() -> T:
            async with self.connection() as conn:
                return await work(conn)

        try:
            return await bounded(attempt(), seconds or self.settings.timeout)
        except LedgerUnavailable:
            self._last_used.clear()
            raise
