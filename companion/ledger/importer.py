"""Importing a computer's SQLite journal into the team ledger, once (`spdesk team init`).

A companion that used spdesk alone has refunds in its own journal that the team must see: the
overlap guard and "remaining refundable" count them, and the audit export lists them. Rows keep
their ids, so importing twice would change nothing; the `imports` table still records each
journal so that `team init` says it was done and does not read it again.
"""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from companion.ledger.link import Conn, LedgerLink

_ACTIONS = (
    "id, kind, account, order_id, marketplace_id, currency, state, total, reason, items, note, "
    "ticket_url, agent, channel, feed_id, message_id, batch_id, amazon, warnings, extra, "
    "created_at, updated_at"
)
_JSON = ("items", "amazon", "warnings", "extra")


def source_of(path: Path) -> str:
    """How the imports table names a local journal: this computer and the file."""
    return f"{socket.gethostname()}:{path.resolve()}"


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        yield db


def read_journal(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of a local journal (actions, history, keys, batches) as plain values."""
    with _read_only(path) as db:
        tables = {
            "actions": f"SELECT {_ACTIONS} FROM actions ORDER BY created_at, id",  # noqa: S608
            "history": "SELECT action_id, state, at, detail FROM history ORDER BY rowid",
            "idempotency": "SELECT key, body_hash, action_id, created_at FROM idempotency",
            "batches": "SELECT * FROM batches ORDER BY created_at, id",
        }
        return {name: [dict(r) for r in db.execute(query)] for name, query in tables.items()}


async def import_journal(link: LedgerLink, path: Path, *, by: str) -> int | None:
    """Copy a local journal into the ledger; the number of actions, or None if done before."""
    rows = read_journal(path)
    source = source_of(path)

    async def work(conn: Conn) -> int | None:
        async with conn.transaction():
            cursor = await conn.execute(
                "INSERT INTO imports (source, host, actions, imported_by) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (source) DO NOTHING",
                (source, socket.gethostname(), len(rows["actions"]), by),
            )
            if cursor.rowcount == 0:
                return None
            return await _copy(conn, rows)

    return await link.run(work, seconds=max(30.0, link.settings.timeout))


async def _copy(conn: Conn, rows: dict[str, list[dict[str, Any]]]) -> int:
    added = 0
    for action in rows["actions"]:
        values = {**action, "total": Decimal(action["total"])}
        for column in _JSON:
            values[column] = Jsonb(json.loads(action[column]))
        cursor = await conn.execute(
            f"INSERT INTO actions ({_ACTIONS}) VALUES ("  # noqa: S608 (fixed names)
            + ", ".join(f"%({c.strip()})s" for c in _ACTIONS.split(","))
            + ") ON CONFLICT (id) DO NOTHING",
            values,
        )
        added += cursor.rowcount
    known = {a["id"] for a in rows["actions"]}
    for entry in rows["history"]:
        if entry["action_id"] in known:
            await conn.execute(
                "INSERT INTO history (action_id, state, at, detail) SELECT %(action_id)s, "
                "%(state)s, %(at)s, %(detail)s WHERE NOT EXISTS (SELECT 1 FROM history WHERE "
                "action_id = %(action_id)s AND state = %(state)s AND at = %(at)s)",
                entry,
            )
    for key in rows["idempotency"]:
        await conn.execute(
            "INSERT INTO idempotency (key, body_hash, action_id, created_at) "
            "VALUES (%(key)s, %(body_hash)s, %(action_id)s, %(created_at)s) "
            "ON CONFLICT (key) DO NOTHING",
            key,
        )
    for batch in rows["batches"]:
        detail = json.loads(batch["detail"]) if batch["detail"] else {}
        await conn.execute(
            "INSERT INTO batches (id, account, feed_type, marketplace_id, state, document_id, "
            "feed_id, create_started_at, detail, created_at, updated_at) VALUES (%(id)s, "
            "%(account)s, %(feed_type)s, %(marketplace_id)s, %(state)s, %(document_id)s, "
            "%(feed_id)s, %(create_started_at)s, %(detail)s, %(created_at)s, %(updated_at)s) "
            "ON CONFLICT (id) DO NOTHING",
            {**batch, "detail": Jsonb(detail)},
        )
    return added
