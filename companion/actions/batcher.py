"""Feed batching: one queue per (account, feed type, marketplace) gathers actions into feeds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

log = logging.getLogger(__name__)

QueueKey = tuple[str, str, str]  # account, feed type, marketplace id
# Sends one batch; returns the action ids that were definitely not sent and must wait again.
SubmitFn = Callable[[QueueKey, list[str]], Awaitable[list[str]]]
# Waits until createFeed may be called for the account (the gateway's bucket decides).
BudgetFn = Callable[[str], Awaitable[None]]


class Batcher:
    """Gathers actions for a short window, waits for a createFeed token, then sends one feed."""

    def __init__(
        self,
        submit: SubmitFn,
        budget: BudgetFn,
        *,
        window: float,
        max_messages: int = 50,
        retry_delay: float = 5.0,
    ) -> None:
        self._submit = submit
        self._budget = budget
        self.window = window
        self.max_messages = max_messages
        self.retry_delay = retry_delay
        self._pending: dict[QueueKey, list[str]] = {}
        self._tasks: dict[QueueKey, asyncio.Task[None]] = {}

    def add(self, key: QueueKey, action_id: str) -> None:
        """Queue an action; starts the queue's gathering window if it was idle."""
        pending = self._pending.setdefault(key, [])
        if action_id not in pending:
            pending.append(action_id)
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._run(key), name=f"batcher {key}")

    def pending(self, key: QueueKey) -> list[str]:
        """Action ids waiting in one queue (for tests and status)."""
        return list(self._pending.get(key, []))

    async def _run(self, key: QueueKey) -> None:
        pending = self._pending[key]
        try:
            while pending:
                await asyncio.sleep(self.window)
                # While the bucket is empty, more actions keep joining this batch.
                await self._budget(key[0])
                batch = pending[: self.max_messages]
                del pending[: len(batch)]
                retry = await self._submit_safely(key, batch)
                if retry:
                    pending[:0] = [a for a in retry if a not in pending]
                    await asyncio.sleep(self.retry_delay)
        finally:
            self._tasks.pop(key, None)

    async def _submit_safely(self, key: QueueKey, batch: list[str]) -> list[str]:
        try:
            return await self._submit(key, batch)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # E.g. the disk is full and the batch cannot be journaled. The actions wait in their
            # queue and go again after retry_delay: the submitter only sends what the journal
            # still calls queued and outside a feed being created, so a retry never resends.
            log.warning("feed batch for %s failed (%s); trying again", key, exc)
            return batch

    async def close(self) -> None:
        """Stop every queue (actions stay in the journal and resume on the next start)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
