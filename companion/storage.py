"""Files spdesk cannot use, in one sentence each: which file, what is wrong, what to do.

The journal, the pairings and the data folder are opened at start-up (and by the command line).
A read-only or full disk, a file this user may not open, or a damaged database used to surface as
a traceback from SQLite; ``storage_error`` turns each into ``StorageUnusable``, which the command
line prints as one line and ends with exit status 78 (EX_CONFIG), so that a supervisor does not
restart in a loop what only a person can fix.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import ClassVar, Literal

from companion.errors import EX_CONFIG, SpdeskError

# Which file it is decides what a person can do about a damaged one.
FileKind = Literal["journal", "pairings", "folder"]
# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_CORRUPT = 3, 8, 11
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 13, 14, 26


class DamagedFile(Exception):
    """The file opens but is not what spdesk wrote there (another database, missing tables)."""


class StorageUnusable(SpdeskError):
    """A file or folder spdesk needs cannot be used; nothing was sent to Amazon."""

    default_code = "storage_unusable"
    exit_status: ClassVar[int] = EX_CONFIG


def _read_only(path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _case(path: Path, exc: BaseException) -> str:
    if isinstance(exc, DamagedFile):
        return "damaged"
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
        if code == _SQLITE_FULL:
            return "disk_full"
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return "damaged"
        if code in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM):
            return "read_only" if _read_only(path) else "no_access"
        return "unreadable"
    number = getattr(exc, "errno", None)
    if number in (errno.ENOSPC, errno.EDQUOT):
        return "disk_full"
    if number == errno.EROFS or _read_only(path):
        return "read_only"
    if number in (errno.EACCES, errno.EPERM):
        return "no_access"
    return "unreadable"


def storage_error(path: Path, exc: BaseException, kind: FileKind) -> StorageUnusable:
    """The refusal for ``path`` that failed with ``exc`` (OSError, SQLite error, DamagedFile)."""
    case = _case(path, exc)
    problem = str(exc) or type(exc).__name__
    if case == "damaged":
        case = "unreadable" if kind == "folder" else f"{kind}_damaged"
    message = {
        "disk_full": f"The disk holding {path} is full. Free some space, then start spdesk again.",
        "read_only": f"spdesk cannot write to {path}: the disk or folder is read-only. Make it "
        "writable for this user (or set another data_dir in settings.json), then start spdesk "
        "again.",
        "no_access": f"spdesk may not open {path} ({problem}). Give this user read and write "
        "access to it, then start spdesk again.",
        "journal_damaged": f"The journal {path} is damaged ({problem}). Restore it from a backup "
        "(spdesk journal backup makes one) or see 'spdesk journal verify'; until then spdesk "
        "does not start, so that no refund is sent twice.",
        "pairings_damaged": f"The pairing file {path} is damaged ({problem}). Delete it and pair "
        "the browser again with 'spdesk pair'.",
        "unreadable": f"spdesk cannot use {path} ({problem}). Check the disk, then start spdesk "
        "again.",
    }[case]
    return StorageUnusable(
        message, params={"case": case, "path": str(path), "problem": problem}, details={}
    )


def check_writable(folder: Path) -> None:
    """Refuse (StorageUnusable) unless a file can be created and removed in ``folder``."""
    probe = folder / f".spdesk-write-check-{os.getpid()}"
    try:
        probe.write_bytes(b"spdesk")
        probe.unlink()
    except OSError as exc:
        raise storage_error(folder, exc, "folder") from None
