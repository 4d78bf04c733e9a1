"""This installation's identity, and where its companion is running.

Another program (another user's spdesk, the demo, or something posing as spdesk) may answer on
127.0.0.1:8765. ``GET /v1/health`` names the companion's public ``instance`` id, and with
``?challenge=`` it proves it holds this installation's secret (an HMAC of the challenge), which
only this user can read from the data folder. ``spdesk doctor`` and ``spdesk pair`` check that
proof before they call the companion on the port "ours".

``running.json`` in the data folder says on which port the companion of that folder listens (the
demo moves to a free port when 8765 is taken), so that ``spdesk pair --demo`` names the right
address; a stale file (after a SIGKILL) is harmless, the proof decides.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from companion.config import private_dir, write_private_json
from companion.storage import storage_error

IDENTITY_FILE = "identity.json"
RUNNING_FILE = "running.json"
# What a caller may send as ?challenge= (hex, at least 128 bits).
CHALLENGE = re.compile(r"[0-9a-f]{32,128}")


@dataclass(frozen=True, slots=True)
class Identity:
    """A public id and the secret that proves it; the secret never leaves this process."""

    instance: str
    secret: bytes = field(repr=False)

    def prove(self, challenge: str) -> str:
        """The proof for a challenge: HMAC-SHA256 of it under the secret, in hex."""
        return hmac.new(self.secret, challenge.encode(), hashlib.sha256).hexdigest()

    def proves(self, challenge: str, proof: object) -> bool:
        """True when ``proof`` is this installation's answer to ``challenge``."""
        return isinstance(proof, str) and hmac.compare_digest(self.prove(challenge), proof)


def new_challenge() -> str:
    """A fresh random challenge."""
    return secrets.token_hex(16)


def load_identity(data_dir: Path) -> Identity:
    """The identity kept in ``data_dir`` (made on first use, readable only by this user)."""
    path = data_dir / IDENTITY_FILE
    try:
        found = _read(path)
        if found is None:
            _create(data_dir, path)
            found = _read(path)
    except OSError as exc:
        raise storage_error(path, exc, "folder") from None
    assert found is not None
    return found


def _read(path: Path) -> Identity | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Identity(str(data["instance"]), bytes.fromhex(data["secret"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        path.unlink()  # damaged: nothing depends on it but the proof, so a new one will do
        return None


def _create(data_dir: Path, path: Path) -> None:
    private_dir(data_dir)
    fresh = data_dir / f".{IDENTITY_FILE}.{os.getpid()}"
    write_private_json(
        fresh, {"instance": "spd_" + secrets.token_hex(8), "secret": secrets.token_hex(32)}
    )
    try:
        os.link(fresh, path)  # the first writer wins when two start at once
    except FileExistsError:
        pass
    finally:
        fresh.unlink()


def record_running(data_dir: Path, port: int) -> None:
    """Say on which port the companion of ``data_dir`` listens (removed when it stops)."""
    write_private_json(data_dir / RUNNING_FILE, {"port": port, "pid": os.getpid()})


def forget_running(data_dir: Path) -> None:
    """The companion of ``data_dir`` stopped."""
    (data_dir / RUNNING_FILE).unlink(missing_ok=True)


def running_port(data_dir: Path) -> int | None:
    """The port the companion of ``data_dir`` said it listens on, if it said so."""
    try:
        return int(json.loads((data_dir / RUNNING_FILE).read_text(encoding="utf-8"))["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
