"""The team ledger as the engine sees it: the journal, order locks, events, the feed builder.

`PostgresLedger` puts together what a team companion needs from PostgreSQL: one connection pool
(link.py), order transactions (scope.py), the journal (journal.py), the election of the feed
builder (leader.py), notifications (notify.py), the team's token buckets (buckets.py) and its
members and limits (team.py). It opens without waiting for the server, so a companion starts
while the ledger is away and answers `ledger_unavailable` until it is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, suppress
from decimal import Decimal

from companion.actions.models import Action
from companion.ledger.buckets import SharedBuckets
from companion.ledger.journal import PostgresJournal
from companion.ledger.leader import DEFAULT_TIMING, Leadership, LeaderTiming
from companion.ledger.link import LedgerLink, LinkSettings
from companion.ledger.notify import ACTIONS_CHANNEL, WORK_CHANNEL, Listener
from companion.ledger.rows import ActionQuery
from companion.ledger.scope import Transactions
from companion.ledger.team import APPROVAL_TTL, DEFAULT_APPROVAL_TTL, TeamStore, over_limit

log = logging.getLogger(__name__)
Callback = Callable[[Action], None]


class PostgresLedger(PostgresJournal):
    """A companion's view of the team ledger (the journal interface plus the team's parts)."""

    kind = "postgresql"

    def __init__(
        self,
        link: LinkSettings,
        *,
        companion_id: str,
        agent: str,
        leader_timing: LeaderTiming = DEFAULT_TIMING,
    ) -> None:
        self.link = LedgerLink(link)
        super().__init__(Transactions(self.link), companion_id)
        self.agent = agent
        self.team = TeamStore(self.link)
        self.buckets = SharedBuckets(self.link)
        self.leadership = Leadership(
            link, f"{agent} ({companion_id})", self._gained, self._lost, leader_timing
        )
        self.on_change: Callback | None = None
        self.on_work: Callable[[str], Awaitable[None]] | None = None
        self.on_reset: Callable[[], None] | None = None
        self.on_leader: Callable[[int | None], Awaitable[None]] | None = None
        self._listener = Listener(
            link, {ACTIONS_CHANNEL: self._changed, WORK_CHANNEL: self._work}, self._reset
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._first_reset = True

    # -- lifecycle ---------------------------------------------------------------------------
    async def open(self) -> None:
        """Start the pool, the listener and the election (none of them waits for the server)."""
        await self.link.open()
        self._tasks = [
            asyncio.create_task(self._listener.run(), name="ledger listener"),
            asyncio.create_task(self.leadership.run(), name="feed builder election"),
        ]

    async def close(self) -> None:
        """Stop listening and leading; close every connection."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await task
        await self.link.close()

    @property
    def term(self) -> int | None:
        """This companion's term as the feed builder, None when another companion builds."""
        return self.leadership.term

    def order_lock(self, account: str, order_id: str) -> AbstractAsyncContextManager[None]:
        """Hold one order across every companion of the team (see scope.py)."""
        return self.tx.order(account, order_id)

    def waiting(self, account: str, order_id: str) -> int:
        """How many tasks of this companion hold or wait for the order."""
        return self.tx.waiting(account, order_id)

    # -- limits ------------------------------------------------------------------------------
    async def needs_approval(self, agent: str, currency: str, amount: Decimal) -> str | None:
        """Why a refund of this agent needs an approver (inside the order's transaction)."""
        return await self.tx.run(lambda conn: over_limit(conn, agent, currency, amount))

    async def approval_ttl(self) -> float:
        """Seconds an approval request stays open."""
        return float(await self.team.setting(APPROVAL_TTL, str(DEFAULT_APPROVAL_TTL)))

    async def pending_approvals(self) -> list[Action]:
        """Refunds waiting for an approver, oldest first."""
        return await self.find(ActionQuery(states=["awaiting_approval"], oldest_first=True))

    # -- notifications -----------------------------------------------------------------------
    async def _changed(self, action_id: str) -> None:
        action = await self.get(action_id)
        if action is not None and self.on_change is not None:
            self.on_change(action)

    async def _work(self, action_id: str) -> None:
        if self.term is not None and self.on_work is not None:
            await self.on_work(action_id)

    async def _reset(self) -> None:
        if self._first_reset:
            self._first_reset = False
            return
        log.info("ledger notifications resumed: ending event streams and dropping caches")
        if self.on_reset is not None:
            self.on_reset()

    async def _gained(self, term: int) -> None:
        if self.on_leader is not None:
            await self.on_leader(term)

    async def _lost(self) -> None:
        if self.on_leader is not None:
            await self.on_leader(None)
