"""Virtual time for the sandbox: real time sped up by a factor, plus manual jumps."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """now() = start + real elapsed * speed + advanced; sleeps wake early when advanced."""

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive, got {speed}")
        self.speed = speed
        self.start = (start or datetime.now(UTC)).astimezone(UTC)
        self._origin = time.monotonic()
        self._advanced = 0.0
        self._waiters: set[asyncio.Future[None]] = set()

    def elapsed(self) -> float:
        """Virtual seconds since the clock started."""
        return (time.monotonic() - self._origin) * self.speed + self._advanced

    def now(self) -> datetime:
        """The current virtual time (aware, UTC)."""
        return self.start + timedelta(seconds=self.elapsed())

    def advance(self, seconds: float) -> datetime:
        """Jump forward by `seconds` of virtual time and wake every sleeper to re-check."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._advanced += seconds
        self._wake()
        return self.now()

    def _wake(self) -> None:
        for waiter in list(self._waiters):
            if not waiter.done():
                waiter.set_result(None)

    async def sleep(self, seconds: float) -> None:
        """Sleep `seconds` of virtual time; returns early once advance() reaches the deadline."""
        deadline = self.elapsed() + seconds
        loop = asyncio.get_running_loop()
        while (remaining := deadline - self.elapsed()) > 0:
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait({waiter}, timeout=remaining / self.speed)
            finally:
                self._waiters.discard(waiter)
                waiter.cancel()

    async def sleep_until(self, when: datetime) -> None:
        """Sleep until the virtual time `when`."""
        await self.sleep((when - self.now()).total_seconds())
