"""The engine: ledger, batcher, submitter, tracker and reconciler wired together, plus start-up.

Every companion accepts actions; the feed builder (the companion alone, or the one a team's
ledger elected) does the background work: it batches and sends everyone's queued actions, follows
their feeds, reconciles lost createFeed answers, cancels MCF orders and polls Finances. When a
team's feed builder changes, the new one resumes from the ledger exactly as after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from companion.actions.batcher import Batcher, QueueKey
from companion.actions.feeds import ACKNOWLEDGEMENT_FEED, ADJUSTMENT_FEED
from companion.actions.guards import PENDING
from companion.actions.mcf import McfCanceller
from companion.actions.models import ActionState
from companion.actions.ports import GatewayOf, InvalidTransition, Ledger
from companion.actions.posting import PostingWatcher, is_posted
from companion.actions.reconcile import CreateFeedReconciler
from companion.actions.record import Action
from companion.actions.submit import FeedSubmitter
from companion.actions.tracker import FeedTracker, TrackTiming
from companion.amazon.models import FinancialEvents

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
    sweep: float = 5.0  # team mode: unfinished work nobody was told of, expired approvals


class Engine:
    """Owns the background work of refunds and cancellations for one companion process."""

    def __init__(
        self,
        ledger: Ledger,
        gateway_of: GatewayOf,
        seller_of: Callable[[str], str],
        timing: EngineTiming,
        on_settled: Callable[[Action], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.gateway_of = gateway_of
        self.timing = timing
        self._on_settled = on_settled
        self._tasks: set[asyncio.Task[None]] = set()
        self._create_turns: dict[str, asyncio.Lock] = {}
        self._mcf_running: set[str] = set()
        self._starting: dict[str, asyncio.Lock] = {}
        self.working = False
        self.submitter = FeedSubmitter(
            ledger, gateway_of, seller_of, on_ambiguous=self._reconcile, on_submitted=self._track
        )
        self.tracker = FeedTracker(
            ledger,
            gateway_of,
            TrackTiming(timing.poll, timing.stuck_after, timing.give_up_after, timing.gone_grace),
            self._settled,
        )
        self.reconciler = CreateFeedReconciler(
            ledger,
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
            ledger, gateway_of, retry_delay=timing.retry_delay, on_settled=self._settled
        )
        self.posting = PostingWatcher(ledger, gateway_of, self._settled)

    # -- queueing ------------------------------------------------------------------------------
    @staticmethod
    def queue_key(action: Action) -> QueueKey:
        """The feed queue an action belongs to."""
        feed_type = ADJUSTMENT_FEED if action.kind == "refund" else ACKNOWLEDGEMENT_FEED
        return (action.account, feed_type, action.marketplace_id)

    async def accepted(self, action: Action) -> Action | None:
        """A new action was journaled: the feed builder starts it (in a team, maybe another).

        Returns the action as it is now when this companion started it.
        """
        if self.working and action.state is ActionState.ACCEPTED:
            return await self.start(action)
        return None

    async def start(self, action: Action) -> Action | None:
        """Send an accepted action on its way (feed queue or MCF call)."""
        if action.kind == "cancel" and action.channel == "MCF":
            self._cancel_mcf(action.id)
            return None
        if action.kind == "cancel":
            return await self.cancel_seller_fulfilled(action)
        return await self._queue(action)

    async def cancel_seller_fulfilled(self, action: Action) -> Action | None:
        """The one way an FBM cancel reaches Amazon: today the Order Acknowledgement feed.

        Amazon had a REST cancelOrder for a few months (DOMAIN.md §1); if it returns, only this
        method changes.
        """
        return await self._queue(action)

    async def _queue(self, action: Action) -> Action | None:
        # In a team the feed builder hears of its own new actions twice (its service, and the
        # ledger's notification): one at a time; a move made meanwhile is read back.
        async with self._starting.setdefault(action.id, asyncio.Lock()):
            try:
                current: Action | None = action
                if action.state is ActionState.ACCEPTED:
                    try:
                        current = await self.ledger.transition(action.id, ActionState.QUEUED)
                    except InvalidTransition:
                        current = await self.ledger.get(action.id)
                if current is not None and current.state is ActionState.QUEUED:
                    self.batcher.add(self.queue_key(current), current.id)
                return current
            finally:
                self._starting.pop(action.id, None)

    def _cancel_mcf(self, action_id: str) -> None:
        if action_id not in self._mcf_running:  # one call at a time per cancellation
            self._mcf_running.add(action_id)
            self.spawn(self._run_mcf(action_id), f"mcf {action_id}")

    async def _run_mcf(self, action_id: str) -> None:
        try:
            await self.mcf.run(action_id)
        finally:
            self._mcf_running.discard(action_id)

    async def requeue(self, action_ids: list[str]) -> None:
        """Queue actions again after Amazon was shown never to have received them."""
        for action_id in action_ids:
            action = await self.ledger.get(action_id)
            if action is not None and action.state in (ActionState.ACCEPTED, ActionState.QUEUED):
                await self.start(action)

    async def on_work(self, action_id: str) -> None:
        """A teammate's companion accepted (or an approver approved) an action: start it."""
        action = await self.ledger.get(action_id)
        if self.working and action is not None and action.state is ActionState.ACCEPTED:
            await self.start(action)

    async def _submit(self, key: QueueKey, action_ids: list[str]) -> list[str]:
        # One unresolved createFeed per queue at a time keeps reconciliation unambiguous.
        if any(b.state == "creating" and b.queue == key for b in await self.ledger.open_batches()):
            return action_ids
        # The queues of one account share its createFeed bucket: they take turns, each waiting
        # for its own token, so none is refused by our bucket after seeing the same token.
        async with self._create_turns.setdefault(key[0], asyncio.Lock()):
            await self._budget(key[0])
            return await self.submitter.submit(key, action_ids)

    async def _budget(self, account: str) -> None:
        """Wait until the gateway's createFeed bucket holds a whole token (without taking it)."""
        gateway = await self.gateway_of(account)
        while True:
            tokens, rate = await gateway.limiter.peek("createFeed")
            if tokens >= 1:
                return
            # Short naps: the bucket's clock may run faster than ours (the sandbox's does).
            await asyncio.sleep(min(max((1 - tokens) / rate, 0.01), 0.5))

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
            # The ledger still holds the action; the next start (or feed builder) resumes it.
            log.exception("background task %s failed", name)

    def _track(self, batch_id: str) -> None:
        self.spawn(self.tracker.track(batch_id), f"track {batch_id}")

    def _reconcile(self, batch_id: str) -> None:
        self.spawn(self.reconciler.resolve(batch_id), f"reconcile {batch_id}")

    def _settled(self, action: Action) -> None:
        if self._on_settled is not None:
            self._on_settled(action)

    # -- being the feed builder ----------------------------------------------------------------
    async def lead(self, term: int | None) -> None:
        """The ledger made this companion the feed builder (a term) or another one (None)."""
        if term is None:
            await self._stop_work()
            return
        self.working = True
        self.spawn(self.resume(), "resume")
        self.spawn(self._every(self.timing.finances_poll, self.posting.check_once), "posting")
        if term:  # a team: catch what no notification announced, expire approvals
            self.spawn(self._every(self.timing.sweep, self._sweep), "team sweep")

    async def resume(self) -> None:
        """Pick up every unfinished action after a start: never resend what may have arrived."""
        for batch in await self.ledger.open_batches():
            if batch.state in ("open", "uploaded"):
                # createFeed was never called for these: sending them again is safe.
                await self.ledger.update_batch(
                    batch.id, state="dissolved", detail={"resumed": "createFeed was never called"}
                )
            elif batch.state == "creating":
                self._reconcile(batch.id)
            else:
                self._track(batch.id)
        await self._start_unbatched()

    async def _start_unbatched(self) -> None:
        for action in await self.ledger.unfinished():
            if action.state is ActionState.AWAITING_APPROVAL:
                continue
            current = await self.ledger.batch(action.batch_id) if action.batch_id else None
            if action.kind == "cancel" and action.channel == "MCF":
                self._cancel_mcf(action.id)
            elif current is None or current.state == "dissolved":
                if action.id not in self.batcher.pending(self.queue_key(action)):
                    await self.start(action)

    @staticmethod
    async def _every(interval: float, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` every interval for as long as this companion builds the feeds."""
        while True:
            await asyncio.sleep(interval)
            try:
                await work()
            except Exception as exc:  # e.g. the ledger away for a moment: next time
                log.warning("%s failed (%s); trying again", work.__qualname__, exc)

    async def _sweep(self) -> None:
        for expired in await self.ledger.expire_approvals():
            self._settled(expired)
        await self._start_unbatched()

    async def _stop_work(self) -> None:
        if self.working:
            log.info("another companion builds the feeds now: stopping this one's feed work")
        self.working = False
        await self.close()

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
    async def inflight(
        self, account: str, order_id: str, finances: FinancialEvents | None = None
    ) -> dict[tuple[str, str], Decimal]:
        """Refund amounts spdesk is sending or sent that Finances may not show yet.

        With the order's Finances events, a refund they already show (not yet marked posted by
        the watcher) is left out: the order view counts it there, once.
        """
        totals: dict[tuple[str, str], Decimal] = {}
        actions = await self.ledger.for_order(order_id)
        by_id = {a.id: a for a in actions}
        for action in actions:
            if action.kind != "refund" or action.account != account:
                continue
            if action.state not in PENDING and action.state is not ActionState.SUCCEEDED:
                continue
            if finances is not None and is_posted(action, finances, by_id):
                continue
            for line in action.refund_lines:
                for component, amount in line.given_back.items():
                    key = (line.order_item_code, component)
                    totals[key] = totals.get(key, Decimal(0)) + amount
        return totals
