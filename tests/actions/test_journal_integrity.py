"""A journal that went backwards is found when it is opened, and nothing new is sent on it.

Restored from an older copy, replaced by another file, truncated: each loses the Idempotency-Keys
of refunds already sent, so a retried request would refund again. The high-water mark in the
config folder finds the first two, SQLite's quick check the third; `spdesk journal` is the way
forward (verify, backup, accept the loss on a person's word).
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from pathlib import Path

import pytest

from companion.actions.integrity import JournalBehind, Witness, read_mark
from companion.actions.journal import Journal
from companion.actions.models import ActionState
from companion.commands.journal import JOURNAL_LOST
from companion.storage import StorageUnusable
from tests.actions.test_journal import action


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Witness]:
    data, config = tmp_path / "data", tmp_path / "config"
    data.mkdir()
    config.mkdir()
    return data / "actions.sqlite3", Witness.in_folder(config)


KEYS = itertools.count()
KEY_OF: dict[str, str] = {}


def _write(journal: Journal, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        key = f"key-{next(KEYS):08d}"
        ids.append(journal.create(action(), idempotency_key=key, body_hash="h").id)
        KEY_OF[ids[-1]] = key
    return ids


def test_the_mark_follows_every_commit(paths: tuple[Path, Witness]) -> None:
    path, witness = paths
    journal = Journal(path, witness=witness)
    first = read_mark(witness.mark)
    assert journal.behind is None and first is not None and first.writes == 0
    (done,) = _write(journal, 1)
    journal.transition(done, ActionState.QUEUED)
    again = read_mark(witness.mark)
    assert again is not None and again.writes == 2 and again.journal_id == first.journal_id
    journal.close()
    assert Journal(path, witness=witness).behind is None


def test_an_older_copy_is_behind_and_takes_no_new_action(paths: tuple[Path, Witness]) -> None:
    path, witness = paths
    journal = Journal(path, witness=witness)
    _write(journal, 1)
    journal.backup(path.with_name("old.sqlite3"))
    lost = _write(journal, 2)  # the keys of these two are what an old copy loses
    journal.close()
    shutil.copy(path.with_name("old.sqlite3"), path)
    restored = Journal(path, witness=witness)
    assert restored.behind is not None
    assert restored.behind.params == {
        "case": "behind",
        "path": str(path.resolve()),
        "found": 1,
        "expected": 3,
    }
    assert restored.get(lost[0]) is None  # a retried key of it would look new
    with pytest.raises(JournalBehind) as refused:
        _write(restored, 1)
    assert refused.value.status == 503 and "spdesk journal accept-loss" in refused.value.message
    # The refusal keeps the mark where it was: a restart still sees the loss.
    restored.close()
    assert Journal(path, witness=witness).behind is not None


def test_another_journal_under_the_same_name_is_refused(paths: tuple[Path, Witness]) -> None:
    path, witness = paths
    journal = Journal(path, witness=witness)
    _write(journal, 2)
    journal.close()
    for leftover in path.parent.iterdir():
        leftover.unlink()
    fresh = Journal(path, witness=witness)
    assert fresh.behind is not None and fresh.behind.params["case"] == "replaced"


def test_a_journal_without_a_mark_is_taken_as_it_is(paths: tuple[Path, Witness]) -> None:
    path, witness = paths
    older = Journal(path)  # an spdesk that kept no mark wrote it
    _write(older, 2)
    older.close()
    upgraded = Journal(path, witness=witness)
    assert upgraded.behind is None
    assert read_mark(witness.mark) == upgraded.high_water()


def test_a_truncated_journal_does_not_open(paths: tuple[Path, Witness]) -> None:
    path, witness = paths
    journal = Journal(path, witness=witness)
    _write(journal, 300)
    journal.close()  # checkpointed: everything is in the main file
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(size // 2)
    with pytest.raises(StorageUnusable) as refused:
        Journal(path, witness=witness)
    assert refused.value.params["case"] == "journal_damaged"


def test_accepting_the_loss_leaves_what_may_have_been_sent_unknown(
    paths: tuple[Path, Witness],
) -> None:
    path, witness = paths
    journal = Journal(path, witness=witness)
    queued, done = _write(journal, 2)
    journal.transition(queued, ActionState.QUEUED)
    journal.transition(done, ActionState.SUBMITTED, feed_id="5001")
    journal.transition(done, ActionState.SUCCEEDED)
    journal.backup(path.with_name("old.sqlite3"))
    (after,) = _write(journal, 1)  # lost with the records after the backup
    journal.close()
    shutil.copy(path.with_name("old.sqlite3"), path)
    restored = Journal(path, witness=witness)
    expected = read_mark(witness.mark)
    assert restored.behind is not None and expected is not None
    assert restored.get(after) is None
    assert restored.accept_loss(expected, by="Maria", note="checked", said=JOURNAL_LOST) == 2
    assert restored.behind is None
    for unsure in (queued, after):  # left unfinished, and brought back from the key log
        lost = restored.get(unsure)
        assert lost is not None and lost.state is ActionState.UNKNOWN, unsure
        assert lost.amazon.code == "journal_lost"
    # A retried request of the lost action finds it by its key: no second refund.
    assert restored.idempotent(KEY_OF[after]) == ("h", after)
    kept = restored.get(done)
    assert kept is not None and kept.state is ActionState.SUCCEEDED
    (loss,) = restored.losses()
    assert (loss["by"], loss["expected_writes"], loss["found_writes"]) == ("Maria", 6, 5)
    _write(restored, 1)  # new actions are taken again
    restored.close()
    assert Journal(path, witness=witness).behind is None


def test_a_backup_is_consistent_while_the_journal_is_in_use(paths: tuple[Path, Witness]) -> None:
    path, witness = paths
    journal = Journal(path, witness=witness)
    ids = _write(journal, 5)
    target = path.with_name("copy.sqlite3")
    journal.backup(target)  # the WAL is not checkpointed: the copy must include it
    with sqlite3.connect(target) as copy:
        assert {r[0] for r in copy.execute("SELECT id FROM actions")} == set(ids)
    assert target.stat().st_mode & 0o777 == 0o600
