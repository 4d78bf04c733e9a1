"""`actions` rows to action records and back (numeric, jsonb and timestamptz on the way)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from companion.actions.models import Action, ActionState

ACTION_COLUMNS = (
    "id",
    "kind",
    "account",
    "order_id",
    "marketplace_id",
    "currency",
    "state",
    "total",
    "reason",
    "items",
    "note",
    "ticket_url",
    "agent",
    "channel",
    "feed_id",
    "message_id",
    "batch_id",
    "amazon",
    "warnings",
    "extra",
    "created_at",
    "updated_at",
)
JSON_COLUMNS = frozenset({"items", "amazon", "warnings", "extra"})
UPDATABLE = frozenset({"feed_id", "message_id", "batch_id", "amazon", "warnings", "extra"})
APPROVAL_COLUMNS = (
    "requested_by",
    "requested_at",
    "expires_at",
    "why",
    "decision",
    "decided_by",
    "decided_at",
    "note",
)
SELECT_ACTIONS = (
    "SELECT "  # noqa: S608 (fixed column names)
    + ", ".join(f"a.{c}" for c in ACTION_COLUMNS)
    + ", "
    + ", ".join(f"p.{c} AS approval_{c}" for c in APPROVAL_COLUMNS)
    + " FROM actions a LEFT JOIN approvals p ON p.action_id = a.id"
)


def iso(moment: datetime | None) -> str | None:
    """A timestamptz as the API writes times: UTC, milliseconds, "Z"."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def insert_values(action: Action) -> dict[str, Any]:
    """The parameters of an INSERT of a new action (times are the server's)."""
    values: dict[str, Any] = {c: getattr(action, c) for c in ACTION_COLUMNS[:-2]}
    values["state"] = action.state.value
    values["total"] = Decimal(action.total)
    for column in JSON_COLUMNS:
        values[column] = Jsonb(values[column])
    return values


def field_value(column: str, value: Any) -> Any:
    """A value for an UPDATE of one updatable column."""
    return Jsonb(value) if column in JSON_COLUMNS else value


@dataclass(frozen=True)
class ActionQuery:
    """Which actions to read (the interface's typed filter, never SQL text from a caller)."""

    order_id: str | None = None
    account: str | None = None
    states: Sequence[str] | None = None
    kind: str | None = None
    since: str | None = None  # ISO 8601, created at or after
    until: str | None = None  # ISO 8601, created before
    oldest_first: bool = False

    def where(self) -> tuple[str, list[Any]]:
        """The WHERE clause and its parameters."""
        parts: list[str] = ["true"]
        params: list[Any] = []
        for column, value in (
            ("a.order_id", self.order_id),
            ("a.account", self.account),
            ("a.kind", self.kind),
        ):
            if value is not None:
                parts.append(f"{column} = %s")
                params.append(value)
        if self.states is not None:
            parts.append("a.state = ANY(%s)")
            params.append([str(s) for s in self.states])
        if self.since:
            parts.append("a.created_at >= %s::timestamptz")
            params.append(self.since)
        if self.until:
            parts.append("a.created_at < %s::timestamptz")
            params.append(self.until)
        return " AND ".join(parts), params

    def order(self) -> str:
        """The ORDER BY clause."""
        return "a.created_at, a.id" if self.oldest_first else "a.created_at DESC, a.id DESC"


def load(row: dict[str, Any], history: list[dict[str, str]]) -> Action:
    """An action record from a row of SELECT_ACTIONS and its history."""
    values = {c: row[c] for c in ACTION_COLUMNS}
    values["state"] = ActionState(values["state"])
    values["total"] = str(values["total"])
    values["created_at"] = iso(values["created_at"])
    values["updated_at"] = iso(values["updated_at"])
    action = Action(**values)
    action.history = history
    if row["approval_requested_by"] is not None:
        action.extra = {**action.extra, "approval": approval_of(row)}
    return action


def approval_of(row: dict[str, Any]) -> dict[str, Any]:
    """The approval of an action as the API shows it."""
    decision = row["approval_decision"]
    return {
        "state": decision or "pending",
        "why": row["approval_why"],
        "requestedBy": row["approval_requested_by"],
        "requestedAt": iso(row["approval_requested_at"]),
        "expiresAt": iso(row["approval_expires_at"]),
        "decidedBy": row["approval_decided_by"],
        "decidedAt": iso(row["approval_decided_at"]),
        "note": row["approval_note"],
    }


def history_entry(state: str, at: datetime, detail: str | None) -> dict[str, str]:
    """One history entry as the API shows it."""
    entry = {"state": state, "at": iso(at) or ""}
    if detail:
        entry["detail"] = detail
    return entry
