"""The journal's tables, and the typed records read from and written to their rows (JSON columns).

The row format is the one journals have always been written in, so a journal made by an older
spdesk reads the same.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from companion.actions.models import ActionState
from companion.actions.record import (
    Action,
    ActionKind,
    AmazonResult,
    Approval,
    HistoryEntry,
    Notice,
    extra_from_json,
    extra_to_json,
    lines_from_json,
    money,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, account TEXT NOT NULL, order_id TEXT NOT NULL,
  marketplace_id TEXT NOT NULL, currency TEXT NOT NULL, state TEXT NOT NULL, total TEXT NOT NULL,
  reason TEXT NOT NULL, items TEXT NOT NULL, note TEXT NOT NULL, ticket_url TEXT NOT NULL,
  agent TEXT NOT NULL, channel TEXT NOT NULL, feed_id TEXT, message_id INTEGER, batch_id TEXT,
  amazon TEXT NOT NULL, warnings TEXT NOT NULL, extra TEXT NOT NULL, created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS actions_order ON actions(order_id, created_at);
CREATE INDEX IF NOT EXISTS actions_state ON actions(state);
CREATE INDEX IF NOT EXISTS actions_batch ON actions(batch_id);
CREATE TABLE IF NOT EXISTS history (
  action_id TEXT NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL, detail TEXT);
CREATE INDEX IF NOT EXISTS history_action ON history(action_id);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, action_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
  id TEXT PRIMARY KEY, account TEXT NOT NULL, feed_type TEXT NOT NULL, marketplace_id TEXT NOT NULL,
  state TEXT NOT NULL, document_id TEXT, feed_id TEXT, create_started_at TEXT, detail TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS batches_state ON batches(state);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS losses (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, by TEXT NOT NULL, note TEXT NOT NULL,
  expected_id TEXT NOT NULL, expected_writes INTEGER NOT NULL, found_writes INTEGER NOT NULL,
  unfinished INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS resolutions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, action_id TEXT NOT NULL, state TEXT NOT NULL,
  by TEXT NOT NULL, note TEXT NOT NULL, at TEXT NOT NULL);
"""

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
# A batch that reached one of these never changes again.
BATCH_FINAL = frozenset({"done", "fatal", "cancelled", "failed", "unknown", "dissolved"})


@dataclass(frozen=True, slots=True)
class Change:
    """What a state change also records; None leaves a field as it is."""

    amazon: AmazonResult | None = None
    warnings: tuple[Notice, ...] | None = None
    feed_id: str | None = None

    def columns(self) -> dict[str, object]:
        """The columns to write, encoded for SQLite."""
        out: dict[str, object] = {}
        if self.amazon is not None:
            out["amazon"] = json.dumps(self.amazon.to_json())
        if self.warnings is not None:
            out["warnings"] = json.dumps([w.to_json() for w in self.warnings])
        if self.feed_id is not None:
            out["feed_id"] = self.feed_id
        return out


@dataclass(frozen=True, slots=True)
class Batch:
    """One feed batch: the actions sent (or to be sent) in one feed, and how far it got."""

    id: str
    account: str
    feed_type: str
    marketplace_id: str
    state: str  # open, uploaded, creating, submitted, processing, or one of BATCH_FINAL
    document_id: str | None
    feed_id: str | None
    create_started_at: str | None
    detail: Mapping[str, object] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""

    @property
    def queue(self) -> tuple[str, str, str]:
        """The feed queue the batch came from: account, feed type, marketplace id."""
        return (self.account, self.feed_type, self.marketplace_id)


# A row of either ledger: sqlite3.Row, or a dict from PostgreSQL rendered in the same format.
Row = sqlite3.Row | Mapping[str, Any]


def batch_from_row(row: Row) -> Batch:
    """A batch row as a typed record."""
    detail = json.loads(row["detail"]) if row["detail"] else {}
    return Batch(
        row["id"],
        row["account"],
        row["feed_type"],
        row["marketplace_id"],
        row["state"],
        row["document_id"],
        row["feed_id"],
        row["create_started_at"],
        detail,
        row["created_at"],
        row["updated_at"],
    )


def action_to_row(action: Action) -> dict[str, object]:
    """The columns of an action, JSON columns encoded."""
    return {
        "id": action.id,
        "kind": action.kind,
        "account": action.account,
        "order_id": action.order_id,
        "marketplace_id": action.marketplace_id,
        "currency": action.currency,
        "state": action.state.value,
        "total": money(action.total),
        "reason": action.reason,
        "items": json.dumps([line.to_json() for line in action.items]),
        "note": action.note,
        "ticket_url": action.ticket_url,
        "agent": action.agent,
        "channel": action.channel,
        "feed_id": action.feed_id,
        "message_id": action.message_id,
        "batch_id": action.batch_id,
        "amazon": json.dumps(action.amazon.to_json()),
        "warnings": json.dumps([w.to_json() for w in action.warnings]),
        "extra": json.dumps(extra_to_json(action)),
        "created_at": action.created_at,
        "updated_at": action.updated_at,
    }


def action_from_row(row: Row, history: list[Row], approval: Approval | None = None) -> Action:
    """An action row (and its history rows, oldest first) as a typed record."""
    kind: ActionKind = "refund" if row["kind"] == "refund" else "cancel"
    items: list[Mapping[str, Any]] = json.loads(row["items"])
    posting, fulfillment_order_id, resolution = extra_from_json(json.loads(row["extra"]), items)
    return Action(
        id=row["id"],
        kind=kind,
        account=row["account"],
        order_id=row["order_id"],
        marketplace_id=row["marketplace_id"],
        currency=row["currency"],
        state=ActionState(row["state"]),
        total=Decimal(row["total"]),
        reason=row["reason"],
        items=lines_from_json(kind, items),
        note=row["note"],
        ticket_url=row["ticket_url"],
        agent=row["agent"],
        channel=row["channel"],
        feed_id=row["feed_id"],
        message_id=row["message_id"],
        batch_id=row["batch_id"],
        amazon=AmazonResult.from_json(json.loads(row["amazon"])),
        warnings=tuple(Notice.from_json(w) for w in json.loads(row["warnings"])),
        history=tuple(
            HistoryEntry(ActionState(h["state"]), h["at"], h["detail"] or None) for h in history
        ),
        posting=posting,
        fulfillment_order_id=fulfillment_order_id,
        resolution=resolution,
        approval=approval,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
