"""Pairing: one-time codes shown by the companion, exchanged for long tokens stored only hashed."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from companion.config import Settings, private_file
from companion.errors import Forbidden, NotFound, SpdeskError
from companion.storage import storage_error

# No 0/O, 1/I/L: the code is read off a terminal and typed by a person.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
TOKEN_PREFIX = "spd_"
# Exactly what browsers send: a Chrome (Edge, Brave …) id is 32 letters a-p, a Firefox origin a
# lower-case UUID. Anything else starting with these schemes is not a real extension's Origin.
EXTENSION_ORIGIN = re.compile(
    r"chrome-extension://[a-p]{32}"
    r"|moz-extension://[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
LAST_SEEN_RESOLUTION = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pairings (
    id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, origin TEXT NOT NULL,
    label TEXT NOT NULL, created_at REAL NOT NULL, last_seen_at REAL, revoked_at REAL);
CREATE TABLE IF NOT EXISTS pending_code (
    slot INTEGER PRIMARY KEY CHECK (slot = 1), code_hash TEXT NOT NULL,
    expires_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
"""


class PairingCodeInvalid(Forbidden):
    """The code does not match the one waiting, or no code is waiting (case ``none_waiting``)."""

    default_code = "pairing_code_invalid"
    default_message = (
        "That pairing code is wrong or has expired. "
        "Run 'spdesk pair' on this computer for a new one."
    )

    def at(self, address: str) -> PairingCodeInvalid:
        """The same refusal naming the companion (host:port) that gave it."""
        if self.params.get("case") == "none_waiting":
            return PairingCodeInvalid(
                f"No pairing code is waiting at the spdesk companion on {address}. If 'spdesk "
                "pair' named another address (the demo moves to a free port), connect the "
                "extension to that one; otherwise run 'spdesk pair' for a new code.",
                params={"case": "none_waiting", "address": address},
            )
        return PairingCodeInvalid(
            f"That pairing code is wrong or has expired at the spdesk companion on {address}. "
            "Run 'spdesk pair' on this computer for a new one.",
            params={"case": "wrong", "address": address},
        )


class PairingLocked(SpdeskError):
    status = 429
    default_code = "pairing_locked"
    default_message = (
        "Too many wrong pairing codes. Run 'spdesk pair' on this computer for a new code."
    )


@dataclass(frozen=True, slots=True)
class Pairing:
    """One paired browser extension."""

    id: str
    origin: str
    label: str
    created_at: float
    last_seen_at: float | None
    revoked_at: float | None

    @property
    def active(self) -> bool:
        """True until the pairing is revoked."""
        return self.revoked_at is None


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_code(code: str) -> str:
    """The code as stored: upper case, without the dash or spaces a person may type."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def format_code(raw: str) -> str:
    """``K7QD2MXP`` -> ``K7QD-2MXP``, easier to read aloud."""
    return f"{raw[:4]}-{raw[4:]}"


def is_extension_origin(origin: str | None) -> bool:
    """True for well-formed ``chrome-extension://<id>`` and ``moz-extension://<uuid>`` origins."""
    return origin is not None and EXTENSION_ORIGIN.fullmatch(origin) is not None


# A small SQLite file, so that 'spdesk pair' (another process) can create a code or revoke a
# pairing while 'spdesk serve' runs, and the server sees it on the very next request.
class PairingStore:
    """Pairings and the pending code, in ``pairings.sqlite3`` under the data dir."""

    def __init__(
        self,
        path: Path,
        *,
        code_ttl: float = 300.0,
        max_attempts: int = 5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.clock = clock
        self.code_ttl = code_ttl
        self.max_attempts = max_attempts
        self._ready = False

    @classmethod
    def for_settings(cls, settings: Settings) -> PairingStore:
        """The store in the settings' data dir, with their code lifetime and attempt limit."""
        return cls(
            settings.pairings_db,
            code_ttl=settings.pairing_code_ttl,
            max_attempts=settings.pairing_max_attempts,
        )

    def open(self) -> None:
        """Create or check the file now (at start-up); an unusable one is refused in a sentence."""
        if self._ready:
            return
        try:
            private_file(self.path)
            with closing(sqlite3.connect(self.path, timeout=5.0, isolation_level=None)) as db:
                db.executescript(_SCHEMA)
            self.path.chmod(0o600)
        except (OSError, sqlite3.Error) as exc:
            raise storage_error(self.path, exc, "pairings") from None
        self._ready = True

    @contextmanager
    def _db(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        self.open()
        with closing(sqlite3.connect(self.path, timeout=5.0, isolation_level=None)) as db:
            if not write:
                yield db  # a single SELECT is atomic on its own
                return
            # IMMEDIATE takes the write lock up front, so two processes never interleave changes.
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def new_code(self) -> str:
        """Create the one pending code (replacing any older one) and return it, formatted."""
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO pending_code (slot, code_hash, expires_at, attempts)"
                " VALUES (1, ?, ?, 0)",
                (_sha256(raw), self.clock() + self.code_ttl),
            )
        return format_code(raw)

    def exchange(self, code: str, origin: str, label: str) -> tuple[Pairing, str]:
        """Trade the pending code for a new pairing and its token (the only time it is seen)."""
        with self._db() as db:
            row = db.execute("SELECT code_hash, expires_at, attempts FROM pending_code").fetchone()
            refusal = self._check_code(row, code)
            if refusal is not None:
                if row is not None:
                    # A wrong guess must count even though the request fails.
                    db.execute("UPDATE pending_code SET attempts = attempts + 1")
            else:
                db.execute("DELETE FROM pending_code")
                token = TOKEN_PREFIX + secrets.token_urlsafe(32)
                pairing = Pairing(
                    id="pair_" + secrets.token_hex(4),
                    origin=origin,
                    label=label,
                    created_at=self.clock(),
                    last_seen_at=None,
                    revoked_at=None,
                )
                db.execute(
                    "INSERT INTO pairings (id, token_hash, origin, label, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (pairing.id, _sha256(token), origin, label, pairing.created_at),
                )
        if refusal is not None:
            raise refusal
        return pairing, token

    def _check_code(self, row: tuple[str, float, int] | None, code: str) -> SpdeskError | None:
        """Why ``code`` does not match the pending one (None when it does)."""
        if row is None or row[1] < self.clock():
            return PairingCodeInvalid(params={"case": "none_waiting"})
        code_hash, _expires, attempts = row
        if attempts >= self.max_attempts:
            return PairingLocked()
        if hmac.compare_digest(code_hash, _sha256(normalize_code(code))):
            return None
        return PairingLocked() if attempts + 1 >= self.max_attempts else PairingCodeInvalid()

    def code_waiting(self) -> bool:
        """True while a code from 'spdesk pair' may still be exchanged here."""
        with self._db(write=False) as db:
            row = db.execute("SELECT expires_at, attempts FROM pending_code").fetchone()
        return row is not None and row[0] >= self.clock() and row[1] < self.max_attempts

    def verify(self, token: str) -> Pairing | None:
        """The pairing a token belongs to (active or revoked), or None for an unknown token."""
        with self._db(write=False) as db:
            row = db.execute(
                "SELECT id, origin, label, created_at, last_seen_at, revoked_at FROM pairings"
                " WHERE token_hash = ?",
                (_sha256(token),),
            ).fetchone()
        if row is None:
            return None
        pairing = Pairing(*row)
        now = self.clock()
        # Every request passes here: write "last used" (a disk sync) at most once a minute.
        if pairing.active and (pairing.last_seen_at or 0) < now - LAST_SEEN_RESOLUTION:
            with self._db() as db:
                db.execute("UPDATE pairings SET last_seen_at = ? WHERE id = ?", (now, pairing.id))
        return pairing

    def list(self, *, include_revoked: bool = False) -> list[Pairing]:
        """Pairings, oldest first."""
        query = "SELECT id, origin, label, created_at, last_seen_at, revoked_at FROM pairings"
        if not include_revoked:
            query += " WHERE revoked_at IS NULL"
        with self._db(write=False) as db:
            rows = db.execute(query + " ORDER BY created_at").fetchall()
        return [Pairing(*row) for row in rows]

    def origins(self) -> set[str]:
        """Origins of the active pairings."""
        return {p.origin for p in self.list()}

    def revoke(self, pairing_id: str) -> None:
        """Revoke one pairing; its token stops working on the next request."""
        with self._db() as db:
            done = db.execute(
                "UPDATE pairings SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (self.clock(), pairing_id),
            ).rowcount
        if not done:
            raise NotFound(
                f"There is no active pairing '{pairing_id}'.",
                code="pairing_not_found",
                params={"pairingId": pairing_id},
            )

    def revoke_all(self) -> int:
        """Revoke every pairing; returns how many were active."""
        with self._db() as db:
            return int(
                db.execute(
                    "UPDATE pairings SET revoked_at = ? WHERE revoked_at IS NULL", (self.clock(),)
                ).rowcount
            )
