"""``spdesk journal``: verify the journal against its mark, back it up, accept a loss.

The way forward when spdesk says the journal lost records (``journal_behind``): ``verify`` says
what is wrong; a newer backup is restored by hand (stop spdesk, copy the file over the journal);
or a person who checked Seller Central accepts the loss (``accept-loss``), which is recorded with
their name and note, and leaves every unfinished action ``unknown`` for ``spdesk action resolve``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from companion.actions.integrity import Witness, mark_path, read_mark
from companion.actions.journal import JOURNAL_FILE, Journal, check_journal, journal_behind
from companion.actions.record import AmazonResult
from companion.commands.reach import PortState, check_port
from companion.config import DEMO_PROFILE, Settings, private_dir
from companion.errors import BadRequest, SpdeskError
from companion.identity import load_identity, running_port

JOURNAL_LOST = AmazonResult.said(
    "journal_lost",
    "spdesk's journal lost the records written after this one, so it cannot tell whether Amazon "
    "applied this action. Check the order in Seller Central, then record what you found with "
    "'spdesk action resolve'.",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sub-commands of ``spdesk journal``."""
    demo = argparse.ArgumentParser(add_help=False)
    demo.add_argument("--demo", action="store_true", help="the journal of 'spdesk demo'")
    sub = parser.add_subparsers(dest="journal_command", metavar="COMMAND", required=True)
    sub.add_parser(
        "verify", parents=[demo], help="check the journal is intact and has lost no records"
    )
    backup = sub.add_parser(
        "backup", parents=[demo], help="copy the journal safely, also while spdesk runs"
    )
    backup.add_argument("--to", metavar="FILE", help="where (default: data folder/backups/)")
    accept = sub.add_parser(
        "accept-loss",
        parents=[demo],
        help="after checking Seller Central, accept that the journal lost records",
    )
    accept.add_argument("--by", required=True, metavar="NAME", help="who checked and accepts")
    accept.add_argument("--note", default="", metavar="TEXT", help="what was checked, why")


def _journal(settings: Settings) -> Path:
    path = settings.data_dir / JOURNAL_FILE
    if not path.exists():
        raise SpdeskError(
            f"No refunds or cancellations have been recorded yet ({path}).",
            code="no_journal",
            params={"path": str(path)},
        )
    return path


def verify(settings: Settings) -> int:
    """Print what the journal holds and whether it is behind its mark; 1 when it is."""
    path = _journal(settings)
    count = check_journal(path)
    journal = Journal(path)
    try:
        writes, losses = journal.high_water().writes, journal.losses()
    finally:
        journal.close()
    print(f"{path}: intact, {count} action(s), {writes} change(s) written.")
    for loss in losses:
        print(
            f"Loss accepted {loss['at']} by {loss['by']}: {loss['found_writes']} of "
            f"{loss['expected_writes']} changes were left; {loss['unfinished']} action(s) "
            f"became unknown. {loss['note']}".rstrip()
        )
    behind = journal_behind(settings)
    if behind is not None:
        print(f"BEHIND: {behind.message}")
        return 1
    print("It holds every change spdesk recorded writing (its mark agrees).")
    return 0


def backup(settings: Settings, target: str | None) -> int:
    """Copy the journal with SQLite's online backup."""
    path = _journal(settings)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    copy = Path(target) if target else settings.data_dir / "backups" / f"actions-{stamp}.sqlite3"
    private_dir(copy.parent)
    journal = Journal(path)
    try:
        journal.backup(copy)
    finally:
        journal.close()
    print(f"Journal backed up to {copy}.")
    print(
        "To restore it: stop spdesk, copy it over "
        f"{path} (removing {path.name}-wal and {path.name}-shm), start spdesk. Changes made "
        "after this backup are lost: spdesk then says so and waits for 'spdesk journal "
        "accept-loss'."
    )
    return 0


def accept_loss(settings: Settings, by: str, note: str) -> int:
    """Record a person's acceptance of the loss; unfinished actions become unknown."""
    by, note = by.strip(), note.strip()
    if not by or len(by) > 200 or len(note) > 2000:
        raise BadRequest(
            "Say who accepts the loss (--by NAME, at most 200 characters; --note at most 2000).",
            code="loss_by_required",
        )
    port = running_port(settings.data_dir) or settings.port
    if port and check_port(port, load_identity(settings.data_dir)).state is PortState.OURS:
        raise SpdeskError(
            f"Stop the running spdesk first (on 127.0.0.1:{port}): it holds the journal open. "
            "Then run this again and start spdesk.",
            code="stop_companion_first",
            params={"port": port},
        )
    journal = Journal(_journal(settings), witness=Witness.in_folder(settings.config_dir))
    try:
        expected = read_mark(mark_path(settings.config_dir))
        if journal.behind is None or expected is None:
            print("The journal has lost nothing spdesk knows of: there is no loss to accept.")
            return 1
        count = journal.accept_loss(expected, by=by, note=note, said=JOURNAL_LOST)
    finally:
        journal.close()
    print(
        f"Loss accepted by {by}. {count} action(s) are now unknown (unfinished, or lost and "
        "brought back from the key log with their Idempotency-Keys): check each in "
        "Seller Central and record it with 'spdesk action resolve' (see 'spdesk action list "
        "--state unknown'). Refunds and cancellations are accepted again after spdesk starts."
    )
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``spdesk journal …``."""
    settings = Settings.profile(DEMO_PROFILE) if args.demo else Settings.load()
    try:
        if args.journal_command == "verify":
            return verify(settings)
        if args.journal_command == "backup":
            return backup(settings, args.to)
        return accept_loss(settings, args.by, args.note)
    except SpdeskError as exc:
        print(f"spdesk: {exc.message}", file=sys.stderr)
        return exc.exit_status
