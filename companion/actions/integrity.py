"""Has the journal gone backwards? A high-water mark kept apart from the database says.

The journal is what makes a retried request harmless: the Idempotency-Key of every action sent,
and the state of every feed. A journal that lost records — restored from an old copy, truncated,
its write-ahead log deleted after a crash, replaced by another file — would let a retried request
create a second action and Amazon refund twice. So each journal has a random id and a counter of
committed writes (table ``meta``); after every commit the counter is written to a mark file in the
*config* folder, apart from the data folder a restore or a copy would roll back with the journal.

Each new action (its row and Idempotency-Key) is also appended to a key log beside the mark,
before its transaction commits, so anything that may be sent is known outside the database too.

At start-up the journal is compared with its mark. The mark is written after the commit, so it may
lag the journal (a crash between the two, another process writing) but never lead it: a journal
behind its mark, or another journal under the same path, lost records. Then spdesk refuses new
refunds and cancellations (``journal_behind``) and resumes nothing, until a person restores the
journal or accepts the loss (``spdesk journal accept-loss``, recorded in the journal with who and
why; every unfinished action becomes ``unknown``, to be checked in Seller Central, and every
action of the key log that the journal lost comes back as ``unknown`` with its key: a retried
request replays it instead of refunding again, and its amount counts as in flight).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from companion.config import write_private_json
from companion.errors import SpdeskError

MARK_FILE = "journal-mark.json"
KEYS_FILE = "journal-keys.jsonl"
# The key log keeps the newest entries: enough for a backup weeks old on a busy desk.
KEYS_KEPT = 10_000


class JournalBehind(SpdeskError):
    """The journal holds fewer writes than it had, or is another journal: refunds could repeat."""

    status = 503
    default_code = "journal_behind"


@dataclass(frozen=True, slots=True)
class Mark:
    """What a journal had written: its id and its number of committed writes."""

    journal: str
    journal_id: str
    writes: int


def read_mark(path: Path) -> Mark | None:
    """The mark kept in ``path``, or None (never written, or unreadable: nothing to compare)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Mark(str(data["journal"]), str(data["journalId"]), int(data["writes"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_mark(path: Path, mark: Mark) -> None:
    """Replace the mark (atomically; not synced: a mark lost in a power cut only lags)."""
    write_private_json(
        path, {"journal": mark.journal, "journalId": mark.journal_id, "writes": mark.writes}
    )


def compare(expected: Mark | None, found: Mark) -> JournalBehind | None:
    """Why ``found`` (the journal as opened) is behind its mark, or None when it is not."""
    if expected is None or expected.journal != found.journal:
        return None  # first start with a mark, or the mark of another path: nothing to compare
    path = found.journal
    what = (
        "Restore the newest backup of it (spdesk journal backup makes them), or, after checking "
        "Seller Central, accept the loss with 'spdesk journal accept-loss'; until then spdesk "
        "sends no refund or cancellation, so that none is sent twice."
    )
    if expected.journal_id != found.journal_id:
        return JournalBehind(
            f"The journal {path} is not the one spdesk wrote (it was replaced or recreated), so "
            f"refunds it recorded could be sent again. {what}",
            params={"case": "replaced", "path": path},
        )
    if found.writes < expected.writes:
        return JournalBehind(
            f"The journal {path} has lost records: it holds {found.writes} of the "
            f"{expected.writes} changes spdesk wrote (restored from an old copy, truncated, or "
            f"its write-ahead log was lost), so refunds it recorded could be sent again. {what}",
            params={
                "case": "behind",
                "path": path,
                "found": found.writes,
                "expected": expected.writes,
            },
        )
    return None


@dataclass(frozen=True, slots=True)
class Witness:
    """The two files kept apart from the journal: its high-water mark and its key log."""

    mark: Path
    keys: Path

    @classmethod
    def in_folder(cls, config_dir: Path) -> Witness:
        """The witness of the journal of the profile whose config folder this is."""
        return cls(config_dir / MARK_FILE, config_dir / KEYS_FILE)

    def log_action(self, key: str | None, body_hash: str, row: dict[str, object]) -> None:
        """Append a new action (its journal row and key) before its transaction commits."""
        line = json.dumps({"key": key, "bodyHash": body_hash, "row": row}, separators=(",", ":"))
        fd = os.open(self.keys, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
        if self.keys.stat().st_size > KEYS_KEPT * 4096:
            self._trim()

    def logged_actions(self) -> list[tuple[str | None, str, dict[str, object]]]:
        """(key, body hash, row) of every action in the key log, oldest first."""
        try:
            lines = self.keys.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        found = []
        for line in lines:
            try:
                entry = json.loads(line)
                found.append((entry["key"], str(entry["bodyHash"]), dict(entry["row"])))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash
        return found

    def _trim(self) -> None:
        lines = self.keys.read_text(encoding="utf-8").splitlines()[-KEYS_KEPT:]
        fresh = self.keys.with_name(f".{self.keys.name}.{os.getpid()}")
        fresh.write_text("\n".join(lines) + "\n", encoding="utf-8")
        fresh.chmod(0o600)
        os.replace(fresh, self.keys)


def mark_path(config_dir: Path) -> Path:
    """Where the mark of the journal of this profile lives."""
    return config_dir / MARK_FILE


def journal_key(path: Path) -> str:
    """The journal's path as the mark records it."""
    return os.path.realpath(path)
