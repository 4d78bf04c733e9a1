"""Settings and paths of the companion: platformdirs defaults, optional non-secret settings.json."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from companion.errors import EX_CONFIG, SpdeskError
from companion.storage import storage_error

APP_NAME = "spdesk"
SETTINGS_FILE = "settings.json"
# The profile `spdesk demo` runs in: its own folders and keyring entry, apart from real accounts.
DEMO_PROFILE = "demo"


def _config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def _data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class SettingsInvalid(SpdeskError):
    """settings.json cannot be read or holds values spdesk does not take."""

    default_code = "settings_invalid"
    exit_status = EX_CONFIG


class Settings(BaseModel):
    """Everything the companion can be configured with; nothing in here is secret."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    config_dir: Path = Field(default_factory=_config_dir)
    data_dir: Path = Field(default_factory=_data_dir)
    order_cache_ttl: float = Field(default=10.0, ge=0)
    keyring_service: str = "spdesk"
    max_body_bytes: int = Field(default=64 * 1024, gt=0)
    pairing_code_ttl: float = Field(default=300.0, gt=0)
    pairing_max_attempts: int = Field(default=5, gt=0)
    # Refunds and cancellations (companion.actions); every delay in real seconds.
    # Short enough that the agent sees "submitted" within a second; when createFeed's bucket is
    # empty the batcher keeps gathering anyway, so a busy team still shares feeds.
    feed_batch_window: float = Field(default=0.75, ge=0)
    feed_poll_interval: float = Field(default=20.0, gt=0)
    feed_stuck_after: float = Field(default=3600.0, gt=0)
    feed_give_up_after: float = Field(default=48 * 3600.0, gt=0)
    feed_reconcile_grace: float = Field(default=120.0, ge=0)
    feed_retry_delay: float = Field(default=5.0, gt=0)
    # A feed getFeed answers 404 for (Amazon no longer knows it) ends `unknown` after this long.
    feed_gone_grace: float = Field(default=600.0, ge=0)
    # At most this many actions in one feed: one FATAL leaves at most this many for a person.
    feed_max_messages: int = Field(default=50, ge=1, le=10_000)
    refund_overlap_window: float = Field(default=600.0, ge=0)
    events_keepalive: float = Field(default=15.0, gt=0)
    finances_poll_interval: float = Field(default=600.0, gt=0)
    # Team mode (docs/team.md): the shared ledger's address, postgresql://USER@HOST:PORT/DB
    # without a password (that lives in the keyring), and the agent this companion acts for.
    ledger: str | None = None
    agent: str | None = Field(default=None, max_length=200)
    ledger_timeout: float = Field(default=5.0, gt=0)
    # How fast a team notices its feed builder is gone (the server ends a silent one).
    leader_poll: float = Field(default=1.0, gt=0)
    leader_heartbeat: float = Field(default=1.0, gt=0)
    leader_idle_session: float = Field(default=5.0, gt=0)
    # The feed builder's sweep for actions whose notification was missed, and expired approvals.
    team_sweep_interval: float = Field(default=5.0, gt=0)

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Defaults, then ``settings.json`` in the config dir, then explicit overrides."""
        config_dir = Path(overrides.get("config_dir") or _config_dir())
        values: dict[str, Any] = {}
        path = config_dir / SETTINGS_FILE
        if path.is_file():
            try:
                values = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise SettingsInvalid(
                    f"The settings file {path} cannot be read ({exc}). Fix or delete it.",
                    params={"case": "unreadable", "path": str(path), "problem": str(exc)},
                ) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            raise SettingsInvalid(
                f"The settings in {path} are not valid: {problems}.",
                params={"case": "invalid", "path": str(path), "problem": problems},
            ) from None

    @classmethod
    def profile(cls, name: str, **overrides: Any) -> Settings:
        """A named profile: folders of its own under the usual ones, and its own keyring entry.

        ``spdesk demo`` runs in the ``demo`` profile, so that nothing it does (accounts, keyring
        entries, pairings, journal) mixes with the seller's real ones.
        """
        base = cls.load()
        return cls.load(
            config_dir=base.config_dir / name,
            data_dir=base.data_dir / name,
            keyring_service=f"{APP_NAME}-{name}",
            **overrides,
        )

    @classmethod
    def for_tests(cls, tmp_path: Path, **overrides: Any) -> Settings:
        """Settings whose every directory lives under ``tmp_path`` and whose port is ephemeral."""
        values: dict[str, Any] = {
            "port": 0,
            "config_dir": tmp_path / "config",
            "data_dir": tmp_path / "data",
            "keyring_service": f"spdesk-test-{os.urandom(4).hex()}",
        }
        values.update(overrides)
        return cls(**values)

    def save(self, **values: Any) -> None:
        """Write these keys into settings.json (keeping the others), then into this object."""
        path = self.config_dir / SETTINGS_FILE
        current: dict[str, Any] = {}
        if path.is_file():
            current = json.loads(path.read_text(encoding="utf-8"))
        current.update(values)
        type(self)(**{**self.model_dump(), **current})  # refuse what would not load again
        write_private_json(path, current)
        for key, value in values.items():
            setattr(self, key, value)

    @property
    def accounts_file(self) -> Path:
        """Non-secret account metadata (names, regions, marketplaces, endpoints)."""
        return self.config_dir / "accounts.json"

    def make_private_dirs(self) -> None:
        """Create the config and data dirs, readable only by this user (tightened if they exist).

        A folder that cannot be made or tightened (read-only disk, no permission) is refused in
        one sentence (StorageUnusable), never a traceback.
        """
        for folder in (self.config_dir, self.data_dir):
            try:
                private_dir(folder)
            except OSError as exc:
                raise storage_error(folder, exc, "folder") from None

    @property
    def pairings_db(self) -> Path:
        """Hashed pairing tokens and the pending pairing code."""
        return self.data_dir / "pairings.sqlite3"


def private_dir(path: Path) -> Path:
    """``path`` as a directory only this user may enter; an existing one is tightened."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 unless it exists, so it is never briefly readable."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    return path


def write_private_json(path: Path, data: Any) -> None:
    """Write JSON atomically, readable only by the current user."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
