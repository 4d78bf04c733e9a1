"""What `spdesk team init` records besides the schema: this journal and the seller accounts."""

from __future__ import annotations

from companion.accounts import AccountStore
from companion.actions.journal import JOURNAL_FILE
from companion.config import Settings
from companion.ledger.importer import import_journal
from companion.ledger.link import LedgerLink
from companion.ledger.team import TeamStore


async def initialise(settings: Settings, link: LedgerLink, *, by: str) -> list[str]:
    """Import this computer's journal (once) and record its accounts' non-secret metadata."""
    lines = []
    journal = settings.data_dir / JOURNAL_FILE
    if journal.exists():
        added = await import_journal(link, journal, by=by)
        lines.append(
            f"This computer's journal was already imported ({journal})."
            if added is None
            else f"Imported {added} action(s) from this computer's journal ({journal})."
        )
    team = TeamStore(link)
    for account in AccountStore(settings).list():
        await team.record_account(
            account.name,
            str(account.region),
            list(account.marketplaces),
            account.seller_id,
            by=by,
        )
        lines.append(f"Recorded seller account {account.name} (credentials stay in keyrings).")
    return lines
