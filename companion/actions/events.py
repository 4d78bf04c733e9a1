"""Live action events: an in-process bus that every open event stream subscribes to."""

from __future__ import annotations

import asyncio
from collections import deque

from companion.actions.record import Action


class Subscription:
    """One stream's undelivered events, every state change in order.

    A reader that falls behind by more than the limit keeps the latest state of each action
    (older undelivered states of the same action are dropped); if even that is too much, the
    stream is ended rather than silently missing a state, and the extension reconnects and
    reads the actions afresh.
    """

    def __init__(self, limit: int) -> None:
        self._pending: deque[Action] = deque()
        self._ready = asyncio.Event()
        self._limit = limit
        self.closed = False

    def put(self, action: Action) -> None:
        """Queue an action's new state (never blocks)."""
        if self.closed:
            return
        self._pending.append(action)
        if len(self._pending) > self._limit:
            latest = {event.id: event for event in self._pending}
            self._pending = deque(e for e in self._pending if latest[e.id] is e)
            if len(self._pending) > self._limit:
                self.close()
                return
        self._ready.set()

    def close(self) -> None:
        """End the stream at the reader's next step."""
        self.closed = True
        self._pending.clear()
        self._ready.set()

    async def get(self) -> Action | None:
        """The next event, or None when the stream must end."""
        while not self._pending:
            if self.closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        return self._pending.popleft()


class EventBus:
    """Fan-out of action changes to every connected stream (see Subscription for slow ones)."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._subscribers: set[Subscription] = set()
        self._queue_size = queue_size

    def publish(self, action: Action) -> None:
        """Send an action's new state to every subscriber (never blocks)."""
        for subscription in list(self._subscribers):
            subscription.put(action)

    def subscribe(self) -> Subscription:
        """A new subscription that receives every later event."""
        subscription = Subscription(self._queue_size)
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop delivering to this subscription."""
        self._subscribers.discard(subscription)

    def close(self) -> None:
        """Tell every stream to end (on shutdown)."""
        for subscription in list(self._subscribers):
            subscription.close()

    @property
    def subscribers(self) -> int:
        """How many streams are connected."""
        return len(self._subscribers)
