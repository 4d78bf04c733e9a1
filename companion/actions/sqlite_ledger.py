"""The ledger of a companion on its own: the SQLite journal, behind the asynchronous interface.

Each call runs one whole journal method (one transaction, nothing awaited inside it) on one
dedicated thread: calls stay in order as on one connection, and the fsync of a commit
(`synchronous=FULL`) never stalls the event loop. Changes are announced on the loop, in commit
order. One process owns the file, so an asyncio lock per order is the order lock; `spdesk action
resolve` writes from another process, and its resolutions are picked up by polling.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from companion.actions.guards import OrderLocks
from companion.actions.integrity import Witness
from companion.actions.journal import Journal
from companion.actions.models import ActionState
from companion.actions.ports import ActionQuery, ApprovalRequest, Move
from companion.actions.record import Action, AmazonResult, ApprovalWhy, Notice
from companion.actions.schema import Batch

log = logging.getLogger(__name__)
T = TypeVar("T")
RESOLUTIONS_POLL = 0.5  # seconds: the extension sees a resolution within about a second


def _ignore(_: Any) -> None:
    return None


class SqliteLedger:
    """The journal file in the data dir; this companion is always its feed builder."""

    kind = "sqlite"

    def __init__(
        self,
        path: Path,
        *,
        resolutions_poll: float = RESOLUTIONS_POLL,
        witness: Witness | None = None,
    ) -> None:
        self.path = path
        self.witness = witness
        self.resolutions_poll = resolutions_poll
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        self._locks = OrderLocks()
        self._journal: Journal | None = None
        self._changed: Callable[[Action], None] = _ignore
        self._watcher: asyncio.Task[None] | None = None

    @property
    def term(self) -> int | None:
        """0: the only companion of this journal builds its feeds, without a term."""
        return 0

    async def open(self) -> None:
        """Open (or create) the journal file."""
        loop = asyncio.get_running_loop()

        def announce(action: Action) -> None:  # runs on the journal's thread
            loop.call_soon_threadsafe(self._changed, action)

        self._journal = await self._run(
            partial(Journal, self.path, on_change=announce, witness=self.witness)
        )

    async def watch(
        self,
        changed: Callable[[Action], None],
        reset: Callable[[], None],
        work: Callable[[str], Awaitable[None]],
        leader: Callable[[int | None], Awaitable[None]],
    ) -> None:
        """Announce every change on the loop and take up the feed builder's work at once."""
        self._changed = changed
        self._watcher = asyncio.create_task(self._watch_resolutions(), name="resolutions")
        behind = self._journal.behind if self._journal is not None else None
        if behind is not None:
            # Records were lost: what the journal calls unsent may have been sent. Nothing is
            # resumed (and the journal takes no new action) until a person acts (`spdesk
            # journal`, companion.actions.integrity).
            log.error("%s", behind.message)
            return
        await leader(0)

    async def close(self) -> None:
        """Stop polling and close the file."""
        if self._watcher is not None:
            self._watcher.cancel()
            with suppress(asyncio.CancelledError):
                await self._watcher
        if self._journal is not None:
            await self._run(self._journal.close)
        self._executor.shutdown(wait=True)

    async def _run(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        assert self._journal is not None, "the ledger is not open"
        return await self._run(partial(getattr(self._journal, method), *args, **kwargs))

    async def _watch_resolutions(self) -> None:
        last: int = await self._call("last_resolution")
        while True:
            await asyncio.sleep(self.resolutions_poll)
            found: list[tuple[int, str]] = await self._call("resolutions_after", last)
            for seq, action_id in found:
                last = seq
                action = await self.get(action_id)
                if action is not None:
                    log.info("action %s resolved by hand: %s", action_id, action.state)
                    self._changed(action)

    def order_lock(self, account: str, order_id: str) -> AbstractAsyncContextManager[None]:
        """One order at a time: one process owns the file, so an asyncio lock suffices."""
        return self._hold(account, order_id)

    @asynccontextmanager
    async def _hold(self, account: str, order_id: str) -> AsyncIterator[None]:
        async with self._locks.hold(account, order_id):
            yield

    def waiting(self, account: str, order_id: str) -> int:
        """How many tasks hold or wait for the order."""
        return self._locks.waiting(account, order_id)

    # -- actions -----------------------------------------------------------------------------
    async def get(self, action_id: str) -> Action | None:
        """One action with its history, or None."""
        found: Action | None = await self._call("get", action_id)
        return found

    async def for_order(self, order_id: str) -> list[Action]:
        """Every action of one order, newest first."""
        return list(await self._call("for_order", order_id))

    async def find(self, query: ActionQuery) -> list[Action]:
        """Actions matching a typed filter."""
        return list(await self._call("find", query))

    async def unfinished(self) -> list[Action]:
        """Actions not yet in a terminal state, oldest first."""
        return list(await self._call("unfinished"))

    async def in_batch(self, batch_id: str) -> list[Action]:
        """The actions of one feed batch, by message id."""
        return list(await self._call("in_batch", batch_id))

    async def idempotent(self, key: str) -> tuple[str, str] | None:
        """(body hash, action id) already stored under this Idempotency-Key, if any."""
        found: tuple[str, str] | None = await self._call("idempotent", key)
        return found

    async def create(
        self,
        action: Action,
        *,
        idempotency_key: str | None,
        body_hash: str,
        approval: ApprovalRequest | None = None,
    ) -> Action:
        """Insert a new action with its key; a companion alone has no approvals."""
        assert approval is None, "approvals need a team ledger"
        created: Action = await self._call(
            "create", action, idempotency_key=idempotency_key, body_hash=body_hash
        )
        return created

    async def transition(
        self,
        action_id: str,
        state: ActionState,
        *,
        detail: str | None = None,
        amazon: AmazonResult | None = None,
        warnings: tuple[Notice, ...] | None = None,
        feed_id: str | None = None,
    ) -> Action:
        """Move an action to a new state."""
        moved: Action = await self._call(
            "transition",
            action_id,
            state,
            detail=detail,
            amazon=amazon,
            warnings=warnings,
            feed_id=feed_id,
        )
        return moved

    async def transition_many(
        self, moves: list[Move], *, detail: str | None = None
    ) -> list[Action]:
        """Several moves in one transaction."""
        return list(await self._call("transition_many", moves, detail=detail))

    async def update(self, action_id: str, *, warnings: tuple[Notice, ...]) -> Action:
        """Change the warnings without a state change."""
        updated: Action = await self._call("update", action_id, warnings=warnings)
        return updated

    async def resolve(
        self, action_id: str, state: ActionState, *, by: str, note: str, detail: str
    ) -> ActionState:
        """Settle an `unknown` action by a person's finding; returns the state found before."""
        before: ActionState = await self._call(
            "resolve", action_id, state, by=by, note=note, detail=detail
        )
        return before

    async def needs_approval(
        self, agent: str, currency: str, amount: Decimal
    ) -> ApprovalWhy | None:
        """A companion alone has no limits."""
        return None

    async def approval_ttl(self) -> float:
        """A companion alone has no approvals."""
        return 0.0

    async def expire_approvals(self) -> list[Action]:
        """A companion alone has no approvals."""
        return []

    # -- feed batches ------------------------------------------------------------------------
    async def claim_batch(
        self, batch_id: str, key: tuple[str, str, str], action_ids: list[str], term: int | None
    ) -> list[Action]:
        """Make a batch of those actions still queued and in no live batch."""
        return list(await self._call("claim_batch", batch_id, key, action_ids))

    async def start_create_feed(self, batch_id: str, term: int | None) -> bool:
        """Move an uploaded batch to `creating`; False: send nothing."""
        return bool(await self._call("start_create_feed", batch_id))

    async def update_batch(
        self,
        batch_id: str,
        *,
        state: str | None = None,
        document_id: str | None = None,
        detail: dict[str, object] | None = None,
    ) -> None:
        """Change a batch's state, document id or detail."""
        await self._call(
            "update_batch", batch_id, state=state, document_id=document_id, detail=detail
        )

    async def batch_submitted(self, batch_id: str, feed_id: str) -> list[Action]:
        """Record the feed id on the batch and its actions at once."""
        return list(await self._call("batch_submitted", batch_id, feed_id))

    async def batch(self, batch_id: str) -> Batch | None:
        """One batch, or None."""
        found: Batch | None = await self._call("batch", batch_id)
        return found

    async def open_batches(self) -> list[Batch]:
        """Batches whose outcome is not settled yet, oldest first."""
        return list(await self._call("open_batches"))

    async def batches(self, account: str) -> list[Batch]:
        """Every batch of an account, oldest first (status and diagnostics)."""
        return list(await self._call("batches", account))

    async def known_feed_ids(self, account: str) -> set[str]:
        """Feed ids spdesk created for this account."""
        return set(await self._call("known_feed_ids", account))
