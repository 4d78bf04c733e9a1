"""The engine: journal, batcher, submitter, tracker and reconciler wired together, plus start-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from companion.actions.batcher import Batcher, QueueKey
from companion.actions.events import EventBus
from companion.actions.feeds import ACKNOWLEDGEMENT_FEED, ADJUSTMENT_FEED
from companion.actions.guards import PENDING, OrderLocks
from companion.actions.journal import Journal
from companion.actions.mcf import McfCanceller
from companion.actions.models import ActionState
from companion.actions.ports import GatewayOf
from companion.actions.posting import PostingWatcher
from companion.actions.reconcile import CreateFeedReconciler
from companion.actions.record import Action
from companion.actions.submit import FeedSubmitter
from companion.actions.tracker import FeedTracker, TrackTiming

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineTiming:
    """Every delay of the engine, in real seconds (tests shrink them)."""

    batch_window: float = 0.75
    poll: float = 20.0
    stuck_after: float = 3600.0
    give_up_after: float = 48 * 3600.0
    reconcile_grace: float = 120.0
    retry_delay: float = 5.0
    max_messages: int = 50
    finances_poll: float = 600.0
    gone_grace: float = 600.0


class Engine:
    """Owns the background work of refunds and cancellations for one companion process."""

    def __init__(
        self,
        journal: Journal,
        bus: EventBus,
        gateway_of: GatewayOf,
        seller_of: Callable[[str], str],
        timing: EngineTiming,
        on_settled: Callable[[Action], None] | None = None,
    ) -> None:
        self.journal = journal
        self.bus = bus
        self.gateway_of = gateway_of
        self.timing = timing
        self.locks = OrderLocks()
        self._on_settled = on_settled
        self._tasks: set[asyncio.Task[None]] = set()
        self._create_turns: dict[str, asyncio.Lock] = {}
        self.submitter = FeedSubmitter(
            journal, gateway_of, seller_of, on_ambiguous=self._reconcile, on_submitted=self._track
        )
        self.tracker = FeedTracker(
            journal,
            gateway_of,
            TrackTiming(timing.poll, timing.stuck_after, timing.give_up_after, timing.gone_grace),
            self._settled,
        )
        self.reconciler = CreateFeedReconciler(
            journal,
            gateway_of,
            grace=timing.reconcile_grace,
            poll=timing.poll,
            requeue=self.requeue,
            adopt=self._track,
            give_up_after=timing.give_up_after,
            settle=lambda batch_id, said: self.tracker.settle_all(
                batch_id, "unknown", ActionState.UNKNOWN, said
            ),
        )
        self.batcher = Batcher(
            self._submit,
            self._budget,
            window=timing.batch_window,
            max_messages=timing.max_messages,
            retry_delay=timing.retry_delay,
        )
        self.mcf = McfCanceller(
            journal, gateway_of, retry_delay=timing.retry_delay, on_settled=self._settled
        )
        self.posting = PostingWatcher(
            journal, gateway_of, timing.finances_poll, self._settled, self.locks
        )

    # -- queueing ------------------------------------------------------------------------------
    @staticmethod
    def queue_key(action: Action) -> QueueKey:
        """The feed queue an action belongs to."""
        feed_type = ADJUSTMENT_FEED if action.kind == "refund" else ACKNOWLEDGEMENT_FEED
        return (action.account, feed_type, action.marketplace_id)

    def start(self, action: Action) -> None:
        """Send a freshly accepted action on its way (feed queue or MCF call)."""
        if action.kind == "cancel" and action.channel == "MCF":
            self.spawn(self.mcf.run(action.id), f"mcf {action.id}")
        elif action.kind == "cancel":
            self.cancel_seller_fulfilled(action)
        else:
            self._queue(action)

    def cancel_seller_fulfilled(self, action: Action) -> None:
        """The one way an FBM cancel reaches Amazon: today the Order Acknowledgement feed.

        Amazon had a REST cancelOrder for a few months (DOMAIN.md §1); if it returns, only this
        method changes.
        """
        self._queue(action)

    def _queue(self, action: Action) -> None:
        if action.state is ActionState.ACCEPTED:
            action = self.journal.transition(action.id, ActionState.QUEUED)
        self.batcher.add(self.queue_key(action), action.id)

    def requeue(self, action_ids: list[str]) -> None:
        """Queue actions again after Amazon was shown never to have received them."""
        for action_id in action_ids:
            action = self.journal.get(action_id)
            if action is not None and action.state in (ActionState.ACCEPTED, ActionState.QUEUED):
                self.start(action)

    async def _submit(self, key: QueueKey, action_ids: list[str]) -> list[str]:
        # One unresolved createFeed per queue at a time keeps reconciliation unambiguous.
        if any(b.state == "creating" and b.queue == key for b in self.journal.open_batches()):
            return action_ids
        # The queues of one account share its createFeed bucket: they take turns, each waiting
        # for its own token, so none is refused by our bucket after seeing the same token.
        async with self._create_turns.setdefault(key[0], asyncio.Lock()):
            await self._budget(key[0])
            return await self.submitter.submit(key, action_ids)

    async def _budget(self, account: str) -> None:
        """Wait until the gateway's createFeed bucket holds a whole token (without taking it)."""
        gateway = await self.gateway_of(account)
        bucket = gateway.limiter.bucket("createFeed")
        while True:
            tokens = bucket.tokens
            if tokens >= 1:
                return
            # Short naps: the bucket's clock may run faster than ours (the sandbox's does).
            await asyncio.sleep(min(max((1 - tokens) / bucket.rate, 0.01), 0.5))

    # -- background tasks ----------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """Run a coroutine in the background; the engine cancels it on close."""
        task = asyncio.create_task(self._guarded(coro, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(coro: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            # The journal still holds the action; the next start resumes it.
            log.exception("background task %s failed", name)

    def _track(self, batch_id: str) -> None:
        self.spawn(self.tracker.track(batch_id), f"track {batch_id}")

    def _reconcile(self, batch_id: str) -> None:
        self.spawn(self.reconciler.resolve(batch_id), f"reconcile {batch_id}")

    def _settled(self, action: Action) -> None:
        if self._on_settled is not None:
            self._on_settled(action)

    def resume(self) -> None:
        """Pick up every unfinished action after a start: never resend what may have arrived."""
        self.spawn(self.posting.run(), "finances posting")
        for batch in self.journal.open_batches():
            if batch.state in ("open", "uploaded"):
                # createFeed was never called for these: sending them again is safe.
                self.journal.update_batch(
                    batch.id, state="dissolved", detail={"resumed": "createFeed was never called"}
                )
            elif batch.state == "creating":
                self._reconcile(batch.id)
            else:
                self._track(batch.id)
        for action in self.journal.unfinished():
            current = self.journal.batch(action.batch_id) if action.batch_id else None
            if action.kind == "cancel" and action.channel == "MCF":
                self.spawn(self.mcf.run(action.id), f"mcf {action.id}")
            elif current is None or current.state == "dissolved":
                self.start(action)

    async def close(self) -> None:
        """Stop queues and background tasks; unfinished work resumes on the next start."""
        await self.batcher.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task

    # -- what the order view must not offer again --------------------------------------------
    def inflight(self, account: str, order_id: str) -> dict[tuple[str, str], Decimal]:
        """Refund amounts spdesk is sending or sent that Finances may not show yet."""
        totals: dict[tuple[str, str], Decimal] = {}
        for action in self.journal.for_order(order_id):
            if action.kind != "refund" or action.account != account:
                continue
            if action.state not in PENDING and action.state is not ActionState.SUCCEEDED:
                continue
            for line in action.refund_lines:
                for component, amount in line.components.items():
                    key = (line.order_item_code, component)
                    totals[key] = totals.get(key, Decimal(0)) + amount
        return totals
