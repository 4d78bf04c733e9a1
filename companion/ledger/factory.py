"""Which ledger a companion uses: its own SQLite file, or the team's PostgreSQL database."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from companion.actions.integrity import Witness
from companion.actions.journal import JOURNAL_FILE
from companion.actions.ports import Ledger
from companion.actions.sqlite_ledger import SqliteLedger
from companion.config import Settings
from companion.errors import SpdeskError
from companion.ledger.dsn import check_dsn
from companion.ledger.leader import LeaderTiming
from companion.ledger.migrate import check_version
from companion.ledger.postgres import PostgresLedger
from companion.ledger.secret import link_settings


def ledger_for(settings: Settings) -> SqliteLedger | PostgresLedger:
    """The team ledger when settings name one ("ledger"), else this companion's journal file."""
    if not settings.ledger:
        return SqliteLedger(
            settings.data_dir / JOURNAL_FILE, witness=Witness.in_folder(settings.config_dir)
        )
    if not settings.agent:
        raise SpdeskError(
            "A team companion needs an agent name: run 'spdesk team join DSN --agent NAME'.",
            code="not_in_team",
        )
    link = link_settings(
        settings.keyring_service,
        check_dsn(settings.ledger),
        agent=settings.agent,
        timeout=settings.ledger_timeout,
    )
    timing = LeaderTiming(
        poll=settings.leader_poll,
        heartbeat=settings.leader_heartbeat,
        idle_session=settings.leader_idle_session,
    )
    companion_id = f"{socket.gethostname()}-{os.getpid()}"
    return PostgresLedger(
        link, companion_id=companion_id, agent=settings.agent, leader_timing=timing
    )


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[Ledger]:
    """The ledger for a command-line tool: opened, checked, closed afterwards (no watching)."""
    ledger = ledger_for(settings)
    if isinstance(ledger, SqliteLedger) and not ledger.path.exists():
        raise SpdeskError(
            f"No refunds or cancellations have been recorded yet ({ledger.path}).",
            code="no_journal",
            params={"path": str(ledger.path)},
        )
    await ledger.open()
    try:
        if isinstance(ledger, PostgresLedger):
            await ledger.link.run(check_version)
        yield ledger
    finally:
        await ledger.close()
