"""Recording a person's finding for an `unknown` action, and telling the running companion.

`spdesk action resolve` writes the ledger directly (SQLite WAL lets it do so while `spdesk serve`
runs; a team ledger is shared anyway). Amounts and refusals are always read from the ledger, so
they are right at once; running companions learn of it from the ledger's change announcements
(a poll of the `resolutions` table on SQLite, a notification on PostgreSQL).
"""

from __future__ import annotations

from companion.actions.models import ActionState
from companion.actions.ports import Ledger
from companion.actions.record import Action
from companion.errors import BadRequest, Conflict, NotFound


async def resolve_action(
    ledger: Ledger, action_id: str, *, applied: bool, by: str, note: str = ""
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
        before = await ledger.resolve(action_id, state, by=by, note=note, detail=detail)
    except KeyError:
        raise NotFound("spdesk has no action with this id.", code="action_not_found") from None
    action = await ledger.get(action_id)
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
