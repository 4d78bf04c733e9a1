"""`actions` and `batches` rows of the team ledger in the journal's own row format.

The SQLite journal stores money, JSON and times as text; the ledger stores them as numeric, jsonb
and timestamptz. Reading renders each column as the journal writes it and writing casts it back,
so one pair of converters (companion.actions.schema) serves both ledgers and a row means the same
in both.
"""

from __future__ import annotations

from typing import Any

from companion.actions.ports import ActionQuery
from companion.actions.record import Approval, ApprovalWhy

# A timestamptz as the journal writes times: UTC, milliseconds, "Z".
ISO = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
_TEXT_COLUMNS = (
    "id",
    "kind",
    "account",
    "order_id",
    "marketplace_id",
    "currency",
    "state",
    "reason",
    "note",
    "ticket_url",
    "agent",
    "channel",
    "feed_id",
    "message_id",
    "batch_id",
)
_APPROVAL = (
    "p.requested_by AS approval_requested_by, p.why AS approval_why, "
    "p.why_code AS approval_why_code, p.why_params AS approval_why_params, "
    "p.decision AS approval_decision, p.decided_by AS approval_decided_by, "
    "p.note AS approval_note, "
    + ", ".join(
        f"{ISO.format('p.' + c)} AS approval_{c}"
        for c in ("requested_at", "expires_at", "decided_at")
    )
)
# An action's history with the action, in the same round trip (and the same snapshot).
_HISTORY = (
    "(SELECT coalesce(json_agg(json_build_object('state', h.state, 'at', "  # noqa: S608
    + ISO.format("h.at")
    + ", 'detail', h.detail) ORDER BY h.seq), '[]'::json) FROM history h "
    "WHERE h.action_id = a.id) AS history"
)
SELECT_ACTIONS = (
    "SELECT "  # noqa: S608 (fixed column names)
    + ", ".join(f"a.{c}" for c in _TEXT_COLUMNS)
    + ", a.total::text AS total, a.items::text AS items, a.amazon::text AS amazon, "
    "a.warnings::text AS warnings, a.extra::text AS extra, "
    + f"{ISO.format('a.created_at')} AS created_at, {ISO.format('a.updated_at')} AS updated_at, "
    + _APPROVAL
    + ", "
    + _HISTORY
    + " FROM actions a LEFT JOIN approvals p ON p.action_id = a.id"
)
SELECT_BATCHES = (
    "SELECT id, account, feed_type, marketplace_id, state, document_id, feed_id, "  # noqa: S608
    f"{ISO.format('create_started_at')} AS create_started_at, detail::text AS detail, "
    f"{ISO.format('created_at')} AS created_at, {ISO.format('updated_at')} AS updated_at "
    "FROM batches"
)
# INSERT of a new action from the journal's row format (times are the server's).
INSERT_ACTION = (
    "INSERT INTO actions ("  # noqa: S608 (fixed column names)
    + ", ".join(_TEXT_COLUMNS)
    + ", total, items, amazon, warnings, extra, companion, created_at, updated_at) VALUES ("
    + ", ".join(f"%({c})s" for c in _TEXT_COLUMNS)
    + ", %(total)s::numeric, %(items)s::jsonb, %(amazon)s::jsonb, %(warnings)s::jsonb, "
    "%(extra)s::jsonb, %(companion)s, clock_timestamp(), clock_timestamp())"
)
# Columns a change may set, with the cast from the journal's text format.
CASTS = {"amazon": "::jsonb", "warnings": "::jsonb", "extra": "::jsonb", "total": "::numeric"}


def where(query: ActionQuery) -> tuple[str, list[Any]]:
    """The WHERE and ORDER BY of a typed filter, and its parameters."""
    parts: list[str] = ["true"]
    params: list[Any] = []
    for column, value in (
        ("a.order_id", query.order_id),
        ("a.account", query.account),
        ("a.kind", query.kind),
    ):
        if value is not None:
            parts.append(f"{column} = %s")
            params.append(value)
    if query.states is not None:
        parts.append("a.state = ANY(%s)")
        params.append(sorted(str(s) for s in query.states))
    if query.since:
        parts.append("a.created_at >= %s::timestamptz")
        params.append(query.since)
    if query.until:
        parts.append("a.created_at < %s::timestamptz")
        params.append(query.until)
    order = "a.created_at, a.id" if query.oldest_first else "a.created_at DESC, a.id DESC"
    return f"{' AND '.join(parts)} ORDER BY {order}", params


def approval_of(row: dict[str, Any]) -> Approval | None:
    """The approval of an action row, if it ever needed one."""
    if row["approval_requested_by"] is None:
        return None
    return Approval(
        state=row["approval_decision"] or "pending",
        why=ApprovalWhy(
            row["approval_why"], row["approval_why_code"], row["approval_why_params"] or {}
        ),
        requested_by=row["approval_requested_by"],
        requested_at=row["approval_requested_at"],
        expires_at=row["approval_expires_at"],
        decided_by=row["approval_decided_by"],
        decided_at=row["approval_decided_at"],
        note=row["approval_note"],
    )
