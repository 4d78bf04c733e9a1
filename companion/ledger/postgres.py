"""The team ledger as the engine sees it: the journal, order locks, events, the feed builder.

`PostgresLedger` puts together what a team companion needs from PostgreSQL: one connection pool
(link.py), order transactions (scope.py), the journal (journal.py), the election of the feed
builder (leader.py), notifications (notify.py), the team's token buckets (buckets.py), members,
limits and approvals (team.py, approvals.py). It opens without waiting for the server, so a
companion starts while the ledger is away and answers `ledger_unavailable` until it is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, suppress
from decimal import Decimal

from companion import __version__
from companion.actions.models import ActionState
from companion.actions.ports import ActionQuery
from companion.actions.record import Action, ApprovalWhy
from companion.ledger.approvals import Approvals
from companion.ledger.buckets import SharedBuckets
from companion.ledger.errors import LedgerUnavailable
from companion.ledger.journal import PostgresJournal
from companion.ledger.leader import DEFAULT_TIMING, Leadership, LeaderTiming
from companion.ledger.link import LedgerLink, LinkSettings
from companion.ledger.notify import ACTIONS_CHANNEL, WORK_CHANNEL, Listener
from companion.ledger.scope import Transactions
from companion.ledger.team import APPROVAL_TTL, DEFAULT_APPROVAL_TTL, TeamStore, over_limit

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10.0


async def _nothing(*_: object) -> None:
    return None


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
        self.approvals = Approvals(self)
        self._changed: Callable[[Action], None] = lambda action: None
        self._reset: Callable[[], None] = lambda: None
        self._work: Callable[[str], Awaitable[None]] = _nothing
        self._leader: Callable[[int | None], Awaitable[None]] = _nothing
        self.leadership = Leadership(
            link, f"{agent} ({companion_id})", self._gained, self._lost, leader_timing
        )
        self._listener = Listener(
            link, {ACTIONS_CHANNEL: self._on_action, WORK_CHANNEL: self._on_work}, self._on_reset
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._resets = 0

    # -- lifecycle ---------------------------------------------------------------------------
    async def open(self) -> None:
        """Start the pool (without waiting for the server)."""
        await self.link.open()

    async def watch(
        self,
        changed: Callable[[Action], None],
        reset: Callable[[], None],
        work: Callable[[str], Awaitable[None]],
        leader: Callable[[int | None], Awaitable[None]],
    ) -> None:
        """Listen to the team's changes and take part in the feed builder's election."""
        self._changed, self._reset, self._work, self._leader = changed, reset, work, leader
        self._tasks = [
            asyncio.create_task(self._listener.run(), name="ledger listener"),
            asyncio.create_task(self.leadership.run(), name="feed builder election"),
            asyncio.create_task(self._heartbeat(), name="team heartbeat"),
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

    # -- limits and approvals ----------------------------------------------------------------
    async def needs_approval(
        self, agent: str, currency: str, amount: Decimal
    ) -> ApprovalWhy | None:
        """Why a refund of this agent needs an approver (inside the order's transaction)."""
        return await self.tx.run(lambda conn: over_limit(conn, agent, currency, amount))

    async def approval_ttl(self) -> float:
        """Seconds an approval request stays open."""
        return float(await self.team.setting(APPROVAL_TTL, str(DEFAULT_APPROVAL_TTL)))

    async def expire_approvals(self) -> list[Action]:
        """End the approval requests whose time is up."""
        return await self.approvals.expire_due()

    async def pending_approvals(self) -> list[Action]:
        """Refunds waiting for an approver, oldest first."""
        return await self.find(
            ActionQuery(states=frozenset({ActionState.AWAITING_APPROVAL}), oldest_first=True)
        )

    async def role_of(self, agent: str) -> str | None:
        """The member's role (None: not a member)."""
        for member in await self.team.members():
            if member.agent == agent:
                return member.role
        return None

    # -- what the server tells us ------------------------------------------------------------
    async def _on_action(self, action_id: str) -> None:
        action = await self.get(action_id)
        if action is not None:
            self._changed(action)

    async def _on_work(self, action_id: str) -> None:
        if self.term is not None:
            await self._work(action_id)

    async def _on_reset(self) -> None:
        self._resets += 1
        if self._resets > 1:  # not the first connection: notifications may have been missed
            log.info("ledger notifications resumed: ending event streams, dropping caches")
            self._reset()

    async def _gained(self, term: int) -> None:
        await self._leader(term)

    async def _lost(self) -> None:
        await self._leader(None)

    async def _heartbeat(self) -> None:
        while True:
            with suppress(LedgerUnavailable):
                await self.team.heartbeat(self.companion_id, self.agent, __version__)
            await asyncio.sleep(HEARTBEAT_SECONDS)
