"""Versioned schema migrations of the ledger: numbered SQL files, applied once, in order.

Every migration runs in one transaction under an advisory lock, so two companions started at the
same moment never apply one twice, and a failing migration leaves the schema as it was. A ledger
whose schema is newer than this spdesk is refused: an older companion must not write rows it
does not understand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from psycopg import AsyncConnection
from psycopg.rows import TupleRow

from companion.ledger.errors import LedgerSchemaError
from companion.ledger.keys import MIGRATIONS

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_SCHEMA_VERSION = """
CREATE TABLE IF NOT EXISTS schema_version (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)"""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file of companion/ledger/migrations."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration this spdesk ships, by version (1, 2, … with no gap)."""
    found = []
    for entry in resources.files("companion.ledger.migrations").iterdir():
        if match := _FILE.match(entry.name):
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"ledger migrations are not numbered 1..n: {[m.version for m in found]}")
    return found


def newest_version() -> int:
    """The schema version this spdesk writes."""
    return migrations()[-1].version


async def migrate(conn: AsyncConnection[TupleRow]) -> list[int]:
    """Bring the ledger's schema up to this spdesk's; returns the versions applied now."""
    known = migrations()
    applied_now = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", MIGRATIONS)
        await conn.execute(_SCHEMA_VERSION)
        cursor = await conn.execute("SELECT version FROM schema_version")
        applied = {int(row[0]) for row in await cursor.fetchall()}
        _refuse_newer(max(applied, default=0), known[-1].version)
        for migration in known:
            if migration.version in applied:
                continue
            await conn.execute(migration.sql.encode())
            await conn.execute(
                "INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            applied_now.append(migration.version)
    return applied_now


async def current_version(conn: AsyncConnection[TupleRow]) -> int:
    """The ledger's schema version (0 when spdesk never set it up)."""
    cursor = await conn.execute("SELECT to_regclass('schema_version') IS NOT NULL")
    row = await cursor.fetchone()
    if not row or not row[0]:
        return 0
    cursor = await conn.execute("SELECT coalesce(max(version), 0) FROM schema_version")
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def check_version(conn: AsyncConnection[TupleRow]) -> int:
    """The ledger's schema version if this spdesk can work on it, else a clear refusal."""
    version = await current_version(conn)
    newest = newest_version()
    if version == 0:
        raise LedgerSchemaError(
            "This database holds no spdesk ledger yet. Set it up once with 'spdesk team init DSN'.",
            code="ledger_not_initialised",
        )
    _refuse_newer(version, newest)
    if version < newest:
        raise LedgerSchemaError(
            f"The team ledger has schema version {version}; this spdesk needs {newest}. "
            "Run 'spdesk team init DSN' once with this version to upgrade it.",
            code="ledger_outdated",
            params={"version": version, "newest": newest},
        )
    return version


def _refuse_newer(version: int, newest: int) -> None:
    if version > newest:
        raise LedgerSchemaError(
            f"The team ledger has schema version {version}, newer than this spdesk "
            f"understands ({newest}). Upgrade spdesk on this computer.",
            code="ledger_too_new",
            params={"version": version, "newest": newest},
        )
