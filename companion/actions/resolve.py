"""Recording a person's finding for an `unknown` action, and telling the running companion.

`spdesk action resolve` writes the journal directly (SQLite WAL lets it do so while `spdesk
serve` runs). Amounts and refusals are always read from the journal, so they are right at once;
the running companion's order cache and event stream learn of it from the `resolutions` table,
which it polls (ResolutionWatcher).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from companion.actions.events import EventBus
from companion.actions.journal import Journal
from companion.actions.models import ActionState
from companion.actions.record import Action
from companion.errors import BadRequest, Conflict, NotFound

log = logging.getLogger(__name__)
WATCH_INTERVAL = 0.5  # seconds: the extension sees a resolution within about a second


def resolve_action(
    journal: Journal, action_id: str, *, applied: bool, by: str, note: str = ""
) -> Action:
    """Move an `unknown` action to succeeded (Amazon applied it) or failed (it did not)."""
    by, note = by.strip(), note.strip()
    if not by or len(by) > 200:
        raise BadRequest(
            "Say who checked Seller Central (--by NAME, at most 200 characters).",
            code="resolution_by_required",
        )
    if len(note) > 2000:
        raise BadRequest(
            "The note is too long (at most 2000 characters).", code="resolution_note_too_long"
        )
    state = ActionState.SUCCEEDED if applied else ActionState.FAILED
    finding = "Amazon applied it" if applied else "Amazon did not apply it"
    detail = f"Resolved by {by}: {finding} (checked in Seller Central)." + (
        f" Note: {note}" if note else ""
    )
    try:
        before = journal.resolve(action_id, state, by=by, note=note, detail=detail)
    except KeyError:
        raise NotFound("spdesk has no action with this id.", code="action_not_found") from None
    action = journal.get(action_id)
    assert action is not None
    if before is not ActionState.UNKNOWN:
        raise Conflict(
            f"Action {action_id} is {before}, not unknown: only an action whose outcome spdesk "
            "could not learn from Amazon can be resolved by hand.",
            code="action_not_unknown",
            params={"actionId": action_id, "state": str(before)},
            details={"actionId": action_id, "state": str(before)},
        )
    return action


class ResolutionWatcher:
    """Publishes resolutions written by another process (the CLI) and drops the order cache."""

    def __init__(
        self,
        journal: Journal,
        bus: EventBus,
        invalidate: Callable[[str], None],
        interval: float = WATCH_INTERVAL,
    ) -> None:
        self.journal = journal
        self.bus = bus
        self.invalidate = invalidate
        self.interval = interval
        self.seq = journal.last_resolution()

    async def run(self) -> None:
        """Check every interval until cancelled."""
        while True:
            await asyncio.sleep(self.interval)
            self.check_once()

    def check_once(self) -> int:
        """Announce every resolution recorded since the last check; returns how many."""
        found = self.journal.resolutions_after(self.seq)
        for seq, action_id in found:
            self.seq = seq
            action = self.journal.get(action_id)
            if action is None:
                continue
            log.info("action %s resolved by hand: %s", action_id, action.state)
            self.invalidate(action.order_id)
            self.bus.publish(action)
        return len(found)
