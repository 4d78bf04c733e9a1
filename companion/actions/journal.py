"""The action journal: SQLite in WAL mode; every action is written before anything is sent."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from companion.actions.models import RESOLUTIONS, TRANSITIONS, Action, ActionState, now_iso

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
CREATE TABLE IF NOT EXISTS resolutions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, action_id TEXT NOT NULL, state TEXT NOT NULL,
  by TEXT NOT NULL, note TEXT NOT NULL, at TEXT NOT NULL);
"""

_ACTION_COLUMNS = (
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
_JSON_COLUMNS = frozenset({"items", "amazon", "warnings", "extra"})
_UPDATABLE = frozenset({"feed_id", "message_id", "batch_id", "amazon", "warnings", "extra"})
# A batch that reached one of these never changes again.
BATCH_FINAL = frozenset({"done", "fatal", "cancelled", "failed", "unknown", "dissolved"})


class InvalidTransition(RuntimeError):
    """A state change the lifecycle does not allow: a programming error, never user input."""


class Journal:
    """Durable record of actions, their history, idempotency keys and feed batches."""

    def __init__(self, path: Path, on_change: Callable[[Action], None] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # Notes and agent names are personal data: only this user may read the journal.
        path.chmod(0o600)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed "create_feed_started" must survive a power cut, not only a crash.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self.on_change = on_change

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- actions ---------------------------------------------------------------------------
    def create(self, action: Action, *, idempotency_key: str | None, body_hash: str) -> Action:
        """Insert a new action in state accepted, with its idempotency key, in one transaction."""
        action.created_at = action.updated_at = now_iso()
        action.state = ActionState.ACCEPTED
        row = _to_row(action)
        with self._tx() as db:
            db.execute(
                f"INSERT INTO actions ({','.join(_ACTION_COLUMNS)}) "  # noqa: S608 (fixed names)
                f"VALUES ({','.join('?' * len(_ACTION_COLUMNS))})",
                [row[c] for c in _ACTION_COLUMNS],
            )
            db.execute(
                "INSERT INTO history VALUES (?,?,?,NULL)",
                (action.id, action.state.value, action.created_at),
            )
            if idempotency_key is not None:
                db.execute(
                    "INSERT INTO idempotency VALUES (?,?,?,?)",
                    (idempotency_key, body_hash, action.id, action.created_at),
                )
        return self._emit(action.id)

    def idempotent(self, key: str) -> tuple[str, str] | None:
        """(body hash, action id) already stored under this Idempotency-Key, if any."""
        row = self._db.execute(
            "SELECT body_hash, action_id FROM idempotency WHERE key=?", (key,)
        ).fetchone()
        return (row["body_hash"], row["action_id"]) if row else None

    def transition(
        self, action_id: str, state: ActionState, *, detail: str | None = None, **fields: Any
    ) -> Action:
        """Move an action to a new state (and set feed id, message id, Amazon's answer …)."""
        with self._tx() as db:
            self._transition(db, action_id, state, detail, fields)
        return self._emit(action_id)

    def transition_many(
        self, moves: list[tuple[str, ActionState, dict[str, Any]]], *, detail: str | None = None
    ) -> list[Action]:
        """Several moves in one transaction (a whole feed batch changes at once)."""
        with self._tx() as db:
            for action_id, state, fields in moves:
                self._transition(db, action_id, state, detail, fields)
        return [self._emit(action_id) for action_id, _, _ in moves]

    def update(self, action_id: str, **fields: Any) -> Action:
        """Change fields without a state change (e.g. add a warning)."""
        with self._tx() as db:
            self._set(db, action_id, fields)
        return self._emit(action_id)

    def resolve(
        self, action_id: str, state: ActionState, *, by: str, note: str, detail: str
    ) -> ActionState:
        """Settle an `unknown` action by a person's finding; returns the state found before.

        Only an action still `unknown` moves (checked inside the write transaction, so a
        concurrent "posted" mark or a second resolution cannot be overwritten).
        """
        if state not in RESOLUTIONS:
            raise InvalidTransition(f"{action_id}: unknown -> {state}")
        with self._tx() as db:
            row = db.execute("SELECT state, extra FROM actions WHERE id=?", (action_id,)).fetchone()
            if row is None:
                raise KeyError(action_id)
            if row["state"] != ActionState.UNKNOWN.value:
                return ActionState(row["state"])
            at = now_iso()
            extra = {
                **json.loads(row["extra"]),
                "resolution": {"state": state.value, "by": by, "note": note, "at": at},
            }
            self._set(db, action_id, {"state": state.value, "extra": extra}, at)
            db.execute("INSERT INTO history VALUES (?,?,?,?)", (action_id, state.value, at, detail))
            db.execute(
                "INSERT INTO resolutions (action_id, state, by, note, at) VALUES (?,?,?,?,?)",
                (action_id, state.value, by, note, at),
            )
        self._emit(action_id)
        return ActionState.UNKNOWN

    def resolutions_after(self, seq: int) -> list[tuple[int, str]]:
        """(sequence, action id) of resolutions recorded after `seq`, by any process, in order."""
        rows = self._db.execute(
            "SELECT seq, action_id FROM resolutions WHERE seq>? ORDER BY seq", (seq,)
        )
        return [(r["seq"], r["action_id"]) for r in rows]

    def last_resolution(self) -> int:
        """The sequence number of the latest resolution (0 when there is none)."""
        row = self._db.execute("SELECT MAX(seq) AS seq FROM resolutions").fetchone()
        return int(row["seq"] or 0)

    def _transition(
        self,
        db: sqlite3.Connection,
        action_id: str,
        state: ActionState,
        detail: str | None,
        fields: dict[str, Any],
    ) -> None:
        row = db.execute("SELECT state FROM actions WHERE id=?", (action_id,)).fetchone()
        if row is None:
            raise KeyError(action_id)
        current = ActionState(row["state"])
        if state not in TRANSITIONS[current]:
            raise InvalidTransition(f"{action_id}: {current} -> {state}")
        at = now_iso()
        self._set(db, action_id, {**fields, "state": state.value}, at)
        db.execute("INSERT INTO history VALUES (?,?,?,?)", (action_id, state.value, at, detail))

    def _set(
        self, db: sqlite3.Connection, action_id: str, fields: dict[str, Any], at: str | None = None
    ) -> None:
        if unknown := set(fields) - _UPDATABLE - {"state"}:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        values = {k: json.dumps(v) if k in _JSON_COLUMNS else v for k, v in fields.items()}
        values["updated_at"] = at or now_iso()
        assignments = ",".join(f"{k}=?" for k in values)
        db.execute(
            f"UPDATE actions SET {assignments} WHERE id=?",  # noqa: S608 (checked names)
            [*values.values(), action_id],
        )

    def _emit(self, action_id: str) -> Action:
        action = self.get(action_id)
        assert action is not None
        if self.on_change is not None:
            self.on_change(action)
        return action

    def get(self, action_id: str) -> Action | None:
        """One action with its history, or None."""
        row = self._db.execute("SELECT * FROM actions WHERE id=?", (action_id,)).fetchone()
        return self._load(row) if row else None

    def _load(self, row: sqlite3.Row) -> Action:
        values = {c: json.loads(row[c]) if c in _JSON_COLUMNS else row[c] for c in _ACTION_COLUMNS}
        values["state"] = ActionState(values["state"])
        action = Action(**values)
        action.history = [
            {"state": h["state"], "at": h["at"], **({"detail": h["detail"]} if h["detail"] else {})}
            for h in self._db.execute(
                "SELECT state, at, detail FROM history WHERE action_id=? ORDER BY rowid",
                (action.id,),
            )
        ]
        return action

    def query(
        self,
        where: str = "1=1",
        params: tuple[Any, ...] = (),
        order: str = "created_at DESC, id DESC",
    ) -> list[Action]:
        """Actions matching a WHERE clause written by this package (never by a user)."""
        rows = self._db.execute(
            f"SELECT * FROM actions WHERE {where} ORDER BY {order}",  # noqa: S608
            params,
        ).fetchall()
        return [self._load(r) for r in rows]

    def for_order(self, order_id: str) -> list[Action]:
        """Every action of one order, newest first."""
        return self.query("order_id=?", (order_id,))

    def unfinished(self) -> list[Action]:
        """Actions not yet in a terminal state, oldest first."""
        return self.query(
            "state IN ('accepted','queued','submitted','processing')", (), order="created_at, id"
        )

    def in_batch(self, batch_id: str) -> list[Action]:
        """The actions sent (or to be sent) in one feed batch, by message id."""
        return self.query("batch_id=?", (batch_id,), order="message_id")

    # -- feed batches ------------------------------------------------------------------------
    def create_batch(
        self,
        batch_id: str,
        account: str,
        feed_type: str,
        marketplace_id: str,
        members: list[tuple[str, int]],
    ) -> None:
        """Record a batch and give each member action its message id, before any upload."""
        at = now_iso()
        with self._tx() as db:
            db.execute(
                "INSERT INTO batches VALUES (?,?,?,?,?,NULL,NULL,NULL,NULL,?,?)",
                (batch_id, account, feed_type, marketplace_id, "open", at, at),
            )
            for action_id, message_id in members:
                self._set(db, action_id, {"batch_id": batch_id, "message_id": message_id}, at)

    def update_batch(self, batch_id: str, **fields: Any) -> None:
        """Change a batch's state, document id, feed id, create_started_at or detail."""
        allowed = {"state", "document_id", "feed_id", "create_started_at", "detail"}
        if unknown := set(fields) - allowed:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        values = {k: json.dumps(v) if k == "detail" else v for k, v in fields.items()}
        values["updated_at"] = now_iso()
        with self._tx() as db:
            db.execute(
                f"UPDATE batches SET {','.join(f'{k}=?' for k in values)} "  # noqa: S608
                "WHERE id=?",
                [*values.values(), batch_id],
            )

    def batch_submitted(self, batch_id: str, feed_id: str) -> list[Action]:
        """Amazon gave the batch a feed id: record it on the batch and its actions at once."""
        members = [a.id for a in self.in_batch(batch_id)]
        with self._tx() as db:
            db.execute(
                "UPDATE batches SET state='submitted', feed_id=?, updated_at=? WHERE id=?",
                (feed_id, now_iso(), batch_id),
            )
            for action_id in members:
                self._transition(db, action_id, ActionState.SUBMITTED, None, {"feed_id": feed_id})
        return [self._emit(action_id) for action_id in members]

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        """One batch row as a dict."""
        row = self._db.execute("SELECT * FROM batches WHERE id=?", (batch_id,)).fetchone()
        return _batch_dict(row) if row else None

    def open_batches(self) -> list[dict[str, Any]]:
        """Batches whose outcome is not settled yet, oldest first."""
        marks = ",".join("?" * len(BATCH_FINAL))
        rows = self._db.execute(
            f"SELECT * FROM batches WHERE state NOT IN ({marks}) ORDER BY created_at, id",  # noqa: S608
            tuple(BATCH_FINAL),
        ).fetchall()
        return [_batch_dict(r) for r in rows]

    def batches(self, account: str) -> list[dict[str, Any]]:
        """Every batch of an account, oldest first (for status and diagnostics)."""
        rows = self._db.execute(
            "SELECT * FROM batches WHERE account=? ORDER BY created_at, id", (account,)
        )
        return [_batch_dict(r) for r in rows]

    def known_feed_ids(self, account: str) -> set[str]:
        """Feed ids spdesk itself created for this account."""
        rows = self._db.execute(
            "SELECT feed_id FROM batches WHERE account=? AND feed_id IS NOT NULL", (account,)
        )
        return {r["feed_id"] for r in rows}


def _to_row(action: Action) -> dict[str, Any]:
    row = {c: getattr(action, c) for c in _ACTION_COLUMNS}
    row["state"] = action.state.value
    for c in _JSON_COLUMNS:
        row[c] = json.dumps(row[c])
    return row


def _batch_dict(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    out["detail"] = json.loads(out["detail"]) if out["detail"] else {}
    return out
