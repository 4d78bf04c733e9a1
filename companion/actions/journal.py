"""The action journal: SQLite in WAL mode; every action is written before anything is sent."""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path

from companion.actions.integrity import (
    JournalBehind,
    Mark,
    Witness,
    compare,
    journal_key,
    read_mark,
    write_mark,
)
from companion.actions.models import RESOLUTIONS, TRANSITIONS, ActionState, now_iso
from companion.actions.ports import ActionQuery, IdempotencyKeyTaken, InvalidTransition, Move
from companion.actions.record import Action, AmazonResult, Notice, Resolution, extra_to_json
from companion.actions.schema import (
    ACTION_COLUMNS,
    BATCH_FINAL,
    SCHEMA,
    Batch,
    Change,
    action_from_row,
    action_to_row,
    batch_from_row,
)
from companion.config import Settings, private_file
from companion.errors import SpdeskError
from companion.storage import DamagedFile, storage_error

log = logging.getLogger(__name__)
# In the data dir; `spdesk action` and `spdesk audit` read it while `spdesk serve` writes it.
JOURNAL_FILE = "actions.sqlite3"
# Chosen on purpose (docs/architecture.md, "Durability of the journal"):
DURABILITY = (
    # Readers (`spdesk action`, `audit`) never block the companion's writes, and a commit is one
    # sequential append.
    "PRAGMA journal_mode=WAL",
    # FULL: the WAL is synced at every commit, so a committed "creating" (the step before
    # createFeed) survives a power cut, not only a crash. NORMAL would lose the last commits.
    "PRAGMA synchronous=FULL",
    # macOS: fsync does not reach the disk's own cache; F_FULLFSYNC does (ignored elsewhere).
    "PRAGMA fullfsync=ON",
    "PRAGMA checkpoint_fullfsync=ON",
    # Move the WAL into the main file every ~400 KiB (100 pages, not 1000): what exists only in
    # the WAL, and would go with it if it were deleted, stays small; close() checkpoints all.
    "PRAGMA wal_autocheckpoint=100",
    "PRAGMA busy_timeout=5000",
)


def open_recorded(data_dir: Path) -> Journal:
    """The journal in a data dir, for the command line; a clear error when nothing was recorded."""
    path = data_dir / JOURNAL_FILE
    if not path.exists():
        raise SpdeskError(
            f"No refunds or cancellations have been recorded yet ({path}).",
            code="no_journal",
            params={"path": str(path)},
        )
    return Journal(path)


def check_journal(path: Path) -> int:
    """Read the whole journal without writing (``spdesk doctor``): its number of actions.

    Refuses in one sentence (StorageUnusable) when the file is damaged or not spdesk's.
    """
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            problems = [row[0] for row in db.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise DamagedFile("; ".join(problems[:3]))
            return int(db.execute("SELECT COUNT(*) FROM actions").fetchone()[0])
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            damaged = DamagedFile(f"not an spdesk journal: {exc}")
            raise storage_error(path, damaged, "journal") from None
        raise storage_error(path, exc, "journal") from None
    except (OSError, sqlite3.Error, DamagedFile) as exc:
        raise storage_error(path, exc, "journal") from None


def journal_behind(settings: Settings) -> JournalBehind | None:
    """Why the profile's journal is behind its mark (read only), or None."""
    path = settings.data_dir / JOURNAL_FILE
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error:
        return None  # an older journal without the table: nothing to compare yet
    found = Mark(journal_key(path), str(meta.get("journal_id")), int(meta.get("writes", 0)))
    return compare(read_mark(Witness.in_folder(settings.config_dir).mark), found)


class Journal:
    """Durable record of actions, their history, idempotency keys and feed batches.

    With a ``witness`` (the companion's journal: companion.actions.integrity) the journal is
    compared with its high-water mark when opened, the mark follows every commit and every new
    action is also written to the key log; ``behind`` says why
    the journal cannot be trusted (then no new action is created).
    """

    def __init__(
        self,
        path: Path,
        on_change: Callable[[Action], None] | None = None,
        *,
        witness: Witness | None = None,
    ) -> None:
        self.path = path
        self.witness = witness
        self.behind: JournalBehind | None = None
        try:
            self._db = self._open(path)
            self._writes = self._meta_int("writes")
            self._id = self._meta("journal_id")
        except (OSError, sqlite3.Error, DamagedFile) as exc:
            # A read-only or full disk, no permission, a damaged file: one sentence, not a
            # traceback, and nothing starts on a journal that cannot be trusted.
            raise storage_error(path, exc, "journal") from None
        self.on_change = on_change
        if witness is not None:
            self.behind = compare(read_mark(witness.mark), self.high_water())
            if self.behind is None:
                write_mark(witness.mark, self.high_water())

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            # Notes and agent names are personal data: only this user may read the journal.
            path.chmod(0o600)
            db.row_factory = sqlite3.Row
            for pragma in DURABILITY:
                db.execute(pragma)
            try:
                db.executescript(SCHEMA)
            except sqlite3.OperationalError as exc:
                # Tables of the same name that are not spdesk's: another program's database.
                raise DamagedFile(f"not an spdesk journal: {exc}") from None
            # A truncated file can still open; reading every page finds what it lost.
            problems = [row[0] for row in db.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise DamagedFile("; ".join(problems[:3]))
            created = db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('journal_id', ?)", (secrets.token_hex(16),)
            ).rowcount
            db.execute("INSERT OR IGNORE INTO meta VALUES ('writes', '0')")
            if created:
                # The id goes into the main file at once: a lost WAL must not take it along
                # (the journal would then look replaced rather than behind).
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            db.close()
            raise
        return db

    def _meta(self, key: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return str(row["value"])

    def _meta_int(self, key: str) -> int:
        return int(self._meta(key))

    def high_water(self) -> Mark:
        """This journal's id and number of committed writes, as its mark records them."""
        return Mark(journal_key(self.path), self._id, self._writes)

    def close(self) -> None:
        """Checkpoint (a stopped companion leaves everything in the main file) and close."""
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:  # e.g. the disk is full: the WAL keeps it all the same
            log.warning("journal checkpoint at close failed: %s", exc)
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            writes = self._db.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='writes' "
                "RETURNING CAST(value AS INTEGER)"
            ).fetchone()[0]
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        self._writes = int(writes)
        if self.witness is not None and self.behind is None:
            # After the commit: the mark may lag the journal, never lead it.
            write_mark(self.witness.mark, self.high_water())

    # -- actions ---------------------------------------------------------------------------
    def create(self, action: Action, *, idempotency_key: str | None, body_hash: str) -> Action:
        """Insert a new action in state accepted, with its idempotency key, in one transaction."""
        if self.behind is not None:
            raise self.behind
        at = now_iso()
        action = replace(action, state=ActionState.ACCEPTED, created_at=at, updated_at=at)
        row = action_to_row(action)
        if self.witness is not None:
            # Before the commit: whatever may be sent is known outside the database too.
            self.witness.log_action(idempotency_key, body_hash, row)
        with self._tx() as db:
            db.execute(
                f"INSERT INTO actions ({','.join(ACTION_COLUMNS)}) "  # noqa: S608 (fixed names)
                f"VALUES ({','.join('?' * len(ACTION_COLUMNS))})",
                [row[c] for c in ACTION_COLUMNS],
            )
            db.execute(
                "INSERT INTO history VALUES (?,?,?,NULL)",
                (action.id, action.state.value, action.created_at),
            )
            if idempotency_key is not None:
                try:
                    db.execute(
                        "INSERT INTO idempotency VALUES (?,?,?,?)",
                        (idempotency_key, body_hash, action.id, action.created_at),
                    )
                except sqlite3.IntegrityError:
                    raise IdempotencyKeyTaken(idempotency_key) from None
        return self._emit(action.id)

    def idempotent(self, key: str) -> tuple[str, str] | None:
        """(body hash, action id) already stored under this Idempotency-Key, if any."""
        row = self._db.execute(
            "SELECT body_hash, action_id FROM idempotency WHERE key=?", (key,)
        ).fetchone()
        return (row["body_hash"], row["action_id"]) if row else None

    def transition(
        self,
        action_id: str,
        state: ActionState,
        *,
        detail: str | None = None,
        amazon: AmazonResult | None = None,
        warnings: tuple[Notice, ...] | None = None,
        feed_id: str | None = None,
    ) -> Action:
        """Move an action to a new state (and record Amazon's answer, warnings, the feed id)."""
        change = Change(amazon, warnings, feed_id)
        with self._tx() as db:
            self._transition(db, action_id, state, detail, change)
        return self._emit(action_id)

    def transition_many(self, moves: list[Move], *, detail: str | None = None) -> list[Action]:
        """Several moves in one transaction (a whole feed batch changes at once)."""
        with self._tx() as db:
            for action_id, state, change in moves:
                self._transition(db, action_id, state, detail, change)
        return [self._emit(action_id) for action_id, _, _ in moves]

    def update(self, action_id: str, *, warnings: tuple[Notice, ...]) -> Action:
        """Change the warnings without a state change."""
        with self._tx() as db:
            self._set(db, action_id, Change(warnings=warnings).columns())
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
            action = self._get(db, action_id)
            if action is None:
                raise KeyError(action_id)
            if action.state is not ActionState.UNKNOWN:
                return action.state
            at = now_iso()
            found = replace(action, resolution=Resolution(state, by, note, at))
            self._set(
                db, action_id, {"state": state.value, "extra": json.dumps(extra_to_json(found))}, at
            )
            db.execute("INSERT INTO history VALUES (?,?,?,?)", (action_id, state.value, at, detail))
            db.execute(
                "INSERT INTO resolutions (action_id, state, by, note, at) VALUES (?,?,?,?,?)",
                (action_id, state.value, by, note, at),
            )
        self._emit(action_id)
        return ActionState.UNKNOWN

    def accept_loss(self, expected: Mark, *, by: str, note: str, said: AmazonResult) -> int:
        """A person accepts that the journal lost records since ``expected``; returns how many
        unfinished actions became ``unknown`` (``said`` explains it on each).

        Nothing is resent: what the journal still calls queued or in a feed may have been sent
        in the records it lost, so each is left to a person (Seller Central, `spdesk action
        resolve`). The acknowledgement is kept with who and why; the mark starts again here.
        """
        unfinished = self.unfinished()
        change = Change(said)
        at = now_iso()
        with self._tx() as db:
            restored = self._restore_logged(db, said, at)
            for action in unfinished:
                self._set(db, action.id, {**change.columns(), "state": "unknown"}, at)
                db.execute(
                    "INSERT INTO history VALUES (?,?,?,?)",
                    (action.id, "unknown", at, "journal lost records"),
                )
            marks = ",".join("?" * len(BATCH_FINAL))
            db.execute(
                f"UPDATE batches SET state='unknown', updated_at=? "  # noqa: S608 (fixed names)
                f"WHERE state NOT IN ({marks})",
                (at, *BATCH_FINAL),
            )
            db.execute(
                "INSERT INTO losses (at, by, note, expected_id, expected_writes, found_writes, "
                "unfinished) VALUES (?,?,?,?,?,?,?)",
                (at, by, note, expected.journal_id, expected.writes, self._writes, len(unfinished)),
            )
        self.behind = None
        if self.witness is not None:
            write_mark(self.witness.mark, self.high_water())
        return len(unfinished) + restored

    def _restore_logged(self, db: sqlite3.Connection, said: AmazonResult, at: str) -> int:
        """Bring back, as `unknown` with their keys, the logged actions the journal lost."""
        if self.witness is None:
            return 0
        count = 0
        for key, body_hash, row in self.witness.logged_actions():
            if db.execute("SELECT 1 FROM actions WHERE id=?", (row["id"],)).fetchone():
                continue
            lost = {**row, **Change(said).columns(), "state": "unknown", "updated_at": at}
            db.execute(
                f"INSERT INTO actions ({','.join(ACTION_COLUMNS)}) "  # noqa: S608 (fixed names)
                f"VALUES ({','.join('?' * len(ACTION_COLUMNS))})",
                [lost.get(c) for c in ACTION_COLUMNS],
            )
            db.executemany(
                "INSERT INTO history VALUES (?,?,?,?)",
                [
                    (row["id"], "accepted", row["created_at"], None),
                    (row["id"], "unknown", at, "journal lost records"),
                ],
            )
            if key is not None:
                db.execute(
                    "INSERT OR IGNORE INTO idempotency VALUES (?,?,?,?)",
                    (key, body_hash, row["id"], row["created_at"]),
                )
            count += 1
        return count

    def losses(self) -> list[dict[str, object]]:
        """Every loss a person accepted, oldest first."""
        rows = self._db.execute("SELECT * FROM losses ORDER BY seq").fetchall()
        return [dict(row) for row in rows]

    def backup(self, target: Path) -> None:
        """A consistent copy of the journal, WAL included, while it is in use (SQLite backup)."""
        private_file(target)
        with closing(sqlite3.connect(target)) as copy:
            self._db.backup(copy)

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
        change: Change,
    ) -> None:
        row = db.execute("SELECT state FROM actions WHERE id=?", (action_id,)).fetchone()
        if row is None:
            raise KeyError(action_id)
        current = ActionState(row["state"])
        if state not in TRANSITIONS[current]:
            raise InvalidTransition(f"{action_id}: {current} -> {state}")
        at = now_iso()
        self._set(db, action_id, {**change.columns(), "state": state.value}, at)
        db.execute("INSERT INTO history VALUES (?,?,?,?)", (action_id, state.value, at, detail))

    @staticmethod
    def _set(
        db: sqlite3.Connection, action_id: str, columns: dict[str, object], at: str | None = None
    ) -> None:
        """Write already encoded columns (names from this module, never from a user)."""
        values = {**columns, "updated_at": at or now_iso()}
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
        return self._get(self._db, action_id)

    def _get(self, db: sqlite3.Connection, action_id: str) -> Action | None:
        row = db.execute("SELECT * FROM actions WHERE id=?", (action_id,)).fetchone()
        return self._load(row) if row else None

    def _load(self, row: sqlite3.Row) -> Action:
        history = self._db.execute(
            "SELECT state, at, detail FROM history WHERE action_id=? ORDER BY rowid", (row["id"],)
        ).fetchall()
        return action_from_row(row, history)

    def query(
        self,
        where: str = "1=1",
        params: tuple[object, ...] = (),
        order: str = "created_at DESC, id DESC",
    ) -> list[Action]:
        """Actions matching a WHERE clause written by this package (never by a user)."""
        rows = self._db.execute(
            f"SELECT * FROM actions WHERE {where} ORDER BY {order}",  # noqa: S608
            params,
        ).fetchall()
        return [self._load(r) for r in rows]

    def find(self, query: ActionQuery) -> list[Action]:
        """Actions matching a typed filter."""
        where: list[str] = ["1=1"]
        params: list[object] = []
        for clause, value in (
            ("order_id=?", query.order_id),
            ("account=?", query.account),
            ("kind=?", query.kind),
            ("created_at>=?", query.since),
            ("created_at<?", query.until),
        ):
            if value:
                where.append(clause)
                params.append(value)
        if query.states is not None:
            where.append(f"state IN ({','.join('?' * len(query.states))})")
            params.extend(sorted(str(state) for state in query.states))
        order = "created_at, id" if query.oldest_first else "created_at DESC, id DESC"
        return self.query(" AND ".join(where), tuple(params), order=order)

    def for_order(self, order_id: str) -> list[Action]:
        """Every action of one order, newest first."""
        return self.query("order_id=?", (order_id,))

    def unfinished(self) -> list[Action]:
        """Actions not yet in a terminal state, oldest first."""
        return self.query(
            "state IN ('awaiting_approval','accepted','queued','submitted','processing')",
            (),
            order="created_at, id",
        )

    def in_batch(self, batch_id: str) -> list[Action]:
        """The actions sent (or to be sent) in one feed batch, by message id."""
        return self.query("batch_id=?", (batch_id,), order="message_id")

    # -- feed batches ------------------------------------------------------------------------
    def claim_batch(
        self, batch_id: str, key: tuple[str, str, str], action_ids: list[str]
    ) -> list[Action]:
        """Make a batch of those actions still queued and in no live batch; returns them.

        Each gets its message id before any upload. An action already in a live batch is never
        taken again, whoever asks.
        """
        at = now_iso()
        with self._tx() as db:
            marks = ",".join("?" * len(action_ids))
            free = {
                r["id"]
                for r in db.execute(
                    f"SELECT a.id FROM actions a LEFT JOIN batches b ON b.id = a.batch_id "  # noqa: S608
                    f"WHERE a.id IN ({marks}) AND a.state = 'queued' "
                    "AND (a.batch_id IS NULL OR b.state = 'dissolved')",
                    action_ids,
                )
            }
            claimed = [a for a in dict.fromkeys(action_ids) if a in free]
            if not claimed:
                return []
            db.execute(
                "INSERT INTO batches VALUES (?,?,?,?,?,NULL,NULL,NULL,NULL,?,?)",
                (batch_id, *key, "open", at, at),
            )
            for message_id, action_id in enumerate(claimed, start=1):
                self._set(db, action_id, {"batch_id": batch_id, "message_id": message_id}, at)
        return self.in_batch(batch_id)

    def start_create_feed(self, batch_id: str) -> bool:
        """Move an uploaded batch to `creating`, the step before createFeed; False: send nothing.

        Refused while another batch of its queue is `creating`: one unanswered createFeed per
        queue keeps a lost answer's reconciliation unambiguous.
        """
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE batches SET state='creating', create_started_at=?, updated_at=? "
                "WHERE id=? AND state='uploaded' AND NOT EXISTS (SELECT 1 FROM batches o "
                "WHERE o.state='creating' AND o.account=batches.account "
                "AND o.feed_type=batches.feed_type AND o.marketplace_id=batches.marketplace_id)",
                (now_iso(), now_iso(), batch_id),
            )
            return cursor.rowcount == 1

    def update_batch(
        self,
        batch_id: str,
        *,
        state: str | None = None,
        document_id: str | None = None,
        detail: dict[str, object] | None = None,
    ) -> None:
        """Change a batch's state, document id or detail."""
        fields = {
            "state": state,
            "document_id": document_id,
            "detail": json.dumps(detail) if detail is not None else None,
        }
        values = {k: v for k, v in fields.items() if v is not None}
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
                self._transition(
                    db, action_id, ActionState.SUBMITTED, None, Change(feed_id=feed_id)
                )
        return [self._emit(action_id) for action_id in members]

    def batch(self, batch_id: str) -> Batch | None:
        """One batch, or None."""
        row = self._db.execute("SELECT * FROM batches WHERE id=?", (batch_id,)).fetchone()
        return batch_from_row(row) if row else None

    def open_batches(self) -> list[Batch]:
        """Batches whose outcome is not settled yet, oldest first."""
        marks = ",".join("?" * len(BATCH_FINAL))
        rows = self._db.execute(
            f"SELECT * FROM batches WHERE state NOT IN ({marks}) ORDER BY created_at, id",  # noqa: S608
            tuple(BATCH_FINAL),
        ).fetchall()
        return [batch_from_row(r) for r in rows]

    def batches(self, account: str) -> list[Batch]:
        """Every batch of an account, oldest first (for status and diagnostics)."""
        rows = self._db.execute(
            "SELECT * FROM batches WHERE account=? ORDER BY created_at, id", (account,)
        )
        return [batch_from_row(r) for r in rows]

    def known_feed_ids(self, account: str) -> set[str]:
        """Feed ids spdesk itself created for this account."""
        rows = self._db.execute(
            "SELECT feed_id FROM batches WHERE account=? AND feed_id IS NOT NULL", (account,)
        )
        return {r["feed_id"] for r in rows}
