"""`team init` brings this computer's SQLite journal into the team ledger, once."""

from __future__ import annotations

from pathlib import Path

from companion.actions.journal import Journal
from companion.actions.models import ActionState
from companion.ledger.importer import import_journal
from companion.ledger.journal import PostgresJournal
from companion.ledger.link import LedgerLink, LinkSettings
from companion.ledger.scope import Transactions
from tests.ledger.test_journal_pg import KEY, refund
from tests.plugins.postgres import LedgerDb


async def test_a_local_journal_is_imported_once_with_history_keys_and_batches(
    ledger_db: LedgerDb, tmp_path: Path
) -> None:
    local = Journal(tmp_path / "actions.sqlite3")
    done = local.create(refund(total="30.00"), idempotency_key="key-local-1", body_hash="h")
    local.transition(done.id, ActionState.QUEUED)
    local.claim_batch("bat_local", KEY, [done.id])
    local.batch_submitted("bat_local", "feed-9")
    local.transition(done.id, ActionState.SUCCEEDED)
    waiting = local.create(refund(total="1200", agent=""), idempotency_key=None, body_hash="")
    local.close()

    link = LedgerLink(LinkSettings(dsn=ledger_db.dsn))
    await link.open()
    try:
        assert await import_journal(link, tmp_path / "actions.sqlite3", by="Maria") == 2
        assert await import_journal(link, tmp_path / "actions.sqlite3", by="Maria") is None
        team = PostgresJournal(Transactions(link))
        imported = await team.get(done.id)
        assert imported is not None
        assert (imported.state, str(imported.total), imported.feed_id) == (
            ActionState.SUCCEEDED,
            "30.00",
            "feed-9",
        )
        assert imported.refund_lines == done.refund_lines
        assert [h.state for h in imported.history] == [
            "accepted",
            "queued",
            "submitted",
            "succeeded",
        ]
        assert imported.created_at == done.created_at
        assert await team.idempotent("key-local-1") == ("h", done.id)
        assert await team.known_feed_ids("acme") == {"feed-9"}
        assert [a.id for a in await team.unfinished()] == [waiting.id]
    finally:
        await link.close()
