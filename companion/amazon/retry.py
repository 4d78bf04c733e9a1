"""When to call SP-API again: capped, jittered exponential backoff honouring Amazon's hints."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Per-call retry budget: attempts, backoff shape and an overall deadline in seconds."""

    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 8.0
    deadline: float = 30.0

    def delay(self, attempt: int, hint: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        backoff = random.uniform(0.5, 1.0) * self.base_delay * 2.0 ** (attempt - 1)
        backoff = min(backoff, self.max_delay)
        # Amazon's applied rate (or Retry-After) says when a token is back: never go earlier.
        return backoff if hint is None else max(backoff, hint)

    def allows(self, attempt: int, elapsed: float, delay: float) -> bool:
        """True when another attempt fits the attempt count, the longest wait and the deadline."""
        return (
            attempt < self.max_attempts
            and delay <= self.max_delay
            and elapsed + delay < self.deadline
        )
