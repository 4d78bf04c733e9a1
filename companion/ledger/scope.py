"""Per-order critical sections across every companion: a transaction holding an advisory lock.

A refund is checked and journaled under its order's lock. In team mode that lock must hold
across machines, and it must not outlive the write it protects: the block runs inside one
transaction that first takes `pg_advisory_xact_lock` for the order, and the ledger writes the
block makes (on the task that entered it) join that transaction. Lock and rows commit together;
a lost link aborts both, and the server ends a transaction a cut-off companion left open.
Inside one process an asyncio lock comes first, so a companion ties up at most one connection
per order however many requests for it arrive.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

import psycopg

from companion.actions.guards import OrderLocks
from companion.errors import Conflict
from companion.ledger.keys import order_lock
from companion.ledger.link import Conn, LedgerLink, bounded

T = TypeVar("T")
RESERVED = 4  # pooled connections kept for work outside order transactions


@dataclass
class _Scope:
    conn: Conn
    ledger: Transactions
    owner: asyncio.Task[object] | None
    open: bool = True


_SCOPE: ContextVar[_Scope | None] = ContextVar("spdesk_ledger_scope", default=None)


def order_busy() -> Conflict:
    """The refusal when a teammate's action on the order holds it past the lock timeout."""
    return Conflict(
        "A teammate's action on this order is taking long to finish. Nothing was sent; try "
        "again in a minute.",
        code="order_busy",
    )


class Transactions:
    """Runs ledger work in the caller's order transaction, or in a transaction of its own."""

    def __init__(self, link: LedgerLink) -> None:
        self.link = link
        self._local = OrderLocks()
        # An order transaction keeps its connection while it reads Amazon: at most this many at
        # once, so the short reads and writes always find a free connection (a busy companion
        # queues its refunds here rather than report a pool wait as an unreachable ledger).
        self._slots = asyncio.Semaphore(max(1, link.settings.pool_size - RESERVED))

    def waiting(self, account: str, order_id: str) -> int:
        """How many tasks of this process hold or wait for the order (0 when free)."""
        return self._local.waiting(account, order_id)

    @asynccontextmanager
    async def order(self, account: str, order_id: str) -> AsyncIterator[None]:
        """Hold the order across every companion for the block; commit its writes at the end."""
        settings = self.link.settings
        async with self._local.hold(account, order_id), self._slots:
            async with self.link.connection() as conn:
                scope = _Scope(conn, self, asyncio.current_task())
                token = _SCOPE.set(scope)
                try:
                    await self._lock(conn, account, order_id)
                    yield
                except BaseException:
                    scope.open = False
                    with suppress(Exception):
                        await bounded(conn.execute("ROLLBACK"), settings.timeout)
                    raise
                finally:
                    _SCOPE.reset(token)
                scope.open = False
                await bounded(conn.execute("COMMIT"), settings.timeout)

    async def _lock(self, conn: Conn, account: str, order_id: str) -> None:
        seconds = self.link.settings.lock_timeout + self.link.settings.timeout

        async def begin() -> None:
            async with conn.pipeline():  # BEGIN and the lock in one round trip
                await conn.execute("BEGIN")
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", order_lock(account, order_id)
                )

        try:
            await bounded(begin(), seconds)
        except psycopg.errors.LockNotAvailable:
            raise order_busy() from None

    def _scope(self) -> _Scope | None:
        scope = _SCOPE.get()
        if (
            scope is not None
            and scope.open
            and scope.ledger is self
            and scope.owner is asyncio.current_task()
        ):
            return scope
        return None

    async def run(self, work: Callable[[Conn], Awaitable[T]]) -> T:
        """`work` inside the caller's order transaction if it holds one, else in its own."""
        if (scope := self._scope()) is not None:
            return await bounded(work(scope.conn), self.link.settings.timeout)

        async def own(conn: Conn) -> T:
            async with conn.transaction():
                return await work(conn)

        return await self.link.run(own)

    async def read(self, work: Callable[[Conn], Awaitable[T]]) -> T:
        """A read of one statement: in the caller's order transaction (it sees its writes), else
        on its own, without a transaction around it (one round trip)."""
        if (scope := self._scope()) is not None:
            return await bounded(work(scope.conn), self.link.settings.timeout)
        return await self.link.run(work)
