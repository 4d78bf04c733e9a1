"""Crash points for the crash tests: SPDESK_CRASH_AT=name[@n] makes the process SIGKILL itself.

Unset (always, outside tests) the hook costs one dictionary lookup. It exists because the promise
"never lost, never doubled" is only worth something if it is checked at every step of the flow.
"""

from __future__ import annotations

import os
import signal

ENV = "SPDESK_CRASH_AT"
_spec = os.environ.get(ENV, "")
_name, _, _nth = _spec.partition("@")
_remaining = int(_nth) if _nth.isdigit() else 1
POINTS = (
    "after_accept",  # action journaled, nothing sent
    "after_batch",  # batch recorded with message ids
    "after_upload",  # feed document uploaded, createFeed not called
    "before_create_feed",  # create_feed_started journaled
    "after_create_feed",  # Amazon created the feed, feed id not journaled yet
    "after_submitted",  # feed id journaled
    "after_report",  # processing report read, results not journaled
)


def crash_point(name: str) -> None:
    """SIGKILL this process if the crash hook names this point (at its n-th hit)."""
    global _remaining
    if not _name or name != _name:
        return
    _remaining -= 1
    if _remaining <= 0:
        os.kill(os.getpid(), signal.SIGKILL)
