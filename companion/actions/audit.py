"""The audit trail: who refunded or cancelled what, when, for which ticket, and Amazon's answer."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from companion.actions.ports import ActionQuery, Ledger
from companion.actions.record import Action, money
from companion.errors import BadRequest

COLUMNS = (
    "actionId",
    "confirmation",
    "kind",
    "state",
    "orderId",
    "account",
    "marketplaceId",
    "currency",
    "total",
    "reason",
    "items",
    "agent",
    "ticketUrl",
    "note",
    "requestedAt",
    "submittedAt",
    "confirmedAt",
    "postedAt",
    "feedId",
    "messageId",
    "amazonResultCode",
    "amazonMessageCode",
    "amazonDescription",
    "warnings",
    "resolution",
    "resolvedBy",
    "resolvedAt",
    "resolutionNote",
    "approval",
    "approvalRequestedBy",
    "approvedBy",
    "approvalDecidedAt",
    "approvalNote",
)
# How a person's finding for an `unknown` action reads in the export.
_FINDING = {"succeeded": "applied", "failed": "not applied"}
# Cells a spreadsheet would run as a formula: a note typed by anyone must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def parse_bound(text: str | None, *, end: bool = False) -> str | None:
    """A --since/--until value (YYYY-MM-DD or ISO 8601) as a UTC timestamp string.

    Dates and times without an offset are the user's own (this computer's time zone), and an
    --until date includes that whole day: "--since 2026-11-02 --until 2026-11-02" is that day.
    """
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day + timedelta(days=1) if end else day, time())
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.astimezone()  # naive: read as local time
    except ValueError:
        raise BadRequest(
            f"'{text}' is not a date; use YYYY-MM-DD or an ISO 8601 time.",
            code="invalid_date",
            params={"text": text},
        ) from None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def select(
    ledger: Ledger,
    order_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[Action]:
    """Actions of one order and/or a date range (requested time), oldest first (every agent's)."""
    return await ledger.find(
        ActionQuery(order_id=order_id, since=since, until=until, oldest_first=True)
    )


def _first(action: Action, *states: str) -> str | None:
    return next((h.at for h in action.history if h.state in states), None)


def record(action: Action) -> dict[str, Any]:
    """One audit record: the evidence for one action."""
    return {
        "actionId": action.id,
        "confirmation": action.confirmation,
        "kind": action.kind,
        "state": str(action.state),
        "orderId": action.order_id,
        "account": action.account,
        "marketplaceId": action.marketplace_id,
        "currency": action.currency,
        "total": money(action.total),
        "reason": action.reason,
        "items": [line.to_json() for line in action.items],
        "agent": action.agent,
        "ticketUrl": action.ticket_url,
        "note": action.note,
        "requestedAt": action.created_at,
        "submittedAt": _first(action, "submitted"),
        "confirmedAt": _first(action, "succeeded", "failed", "unknown"),
        "postedAt": _first(action, "posted"),
        "feedId": action.feed_id,
        "messageId": action.message_id,
        "amazonResultCode": action.amazon.result_code,
        "amazonMessageCode": action.amazon.message_code,
        "amazonDescription": action.amazon.description,
        "warnings": [w.message for w in action.warnings],
        **_resolution(action),
        **_approval(action),
        "history": [h.to_json() for h in action.history],
    }


def _approval(action: Action) -> dict[str, Any]:
    """A refund over its agent's limit: who asked, who decided what and when (team mode)."""
    found = action.approval
    if found is None:
        return {
            "approval": None,
            "approvalRequestedBy": None,
            "approvedBy": None,
            "approvalDecidedAt": None,
            "approvalNote": None,
        }
    return {
        "approval": found.state,
        "approvalRequestedBy": found.requested_by,
        "approvedBy": found.decided_by if found.state == "approved" else None,
        "approvalDecidedAt": found.decided_at,
        "approvalNote": found.note or None,
    }


def _resolution(action: Action) -> dict[str, Any]:
    """Who settled an `unknown` action by hand, when, and what they found in Seller Central."""
    found = action.resolution
    if found is None:
        return {"resolution": None, "resolvedBy": None, "resolvedAt": None, "resolutionNote": None}
    return {
        "resolution": _FINDING.get(found.state.value),
        "resolvedBy": found.by,
        "resolvedAt": found.at,
        "resolutionNote": found.note,
    }


def to_json(actions: list[Action]) -> str:
    """The records as a JSON document."""
    return json.dumps(
        {
            "exportedAt": datetime.now(UTC).isoformat(timespec="seconds"),
            "actions": [record(a) for a in actions],
        },
        indent=2,
        ensure_ascii=False,
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(actions: list[Action]) -> str:
    """The records as CSV, one row per action (items and warnings as JSON in their cells)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for action in actions:
        row = record(action)
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return out.getvalue()
