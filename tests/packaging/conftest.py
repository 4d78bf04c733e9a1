"""Fixtures for the packaging tests: one wheel per session, a throwaway HOME for the installer."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALLER = REPO / "packaging" / "install-companion.sh"
BUILD_WHEEL = REPO / "packaging" / "build-wheel.sh"
# systemd --user cannot run here; these stand-ins answer as systemctl does without a user manager,
# and make sure a developer's real user manager is never touched by the tests.
NO_USER_MANAGER = '#!/bin/sh\necho "Failed to connect to bus: No medium found" >&2\nexit 1\n'
# What the installer may pass through from the outside: pip's settings (index, certificates) and
# the session bus of the keyring the suite runs under.
PASSED_THROUGH = ("PATH", "LANG", "DBUS_SESSION_BUS_ADDRESS", "SSL_CERT_FILE")


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spdesk wheel, built once per session by packaging/build-wheel.sh."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [str(BUILD_WHEEL), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path.is_file() and path.parent == out
    return path


@dataclass
class Home:
    """A user's home in tmp_path, with moved XDG directories (one with a space in its name)."""

    root: Path
    env: dict[str, str]

    @property
    def config(self) -> Path:
        """Where the companion's settings and accounts live."""
        return Path(self.env["XDG_CONFIG_HOME"]) / "spdesk"

    @property
    def data(self) -> Path:
        """Where the journal, the pairings and the virtualenv live."""
        return Path(self.env["XDG_DATA_HOME"]) / "spdesk"

    @property
    def venv(self) -> Path:
        """The installed virtualenv."""
        return self.data / "venv"

    @property
    def launcher(self) -> Path:
        """The ``spdesk`` command on PATH."""
        return self.root / ".local" / "bin" / "spdesk"

    @property
    def unit(self) -> Path:
        """The systemd user unit."""
        return Path(self.env["XDG_CONFIG_HOME"]) / "systemd" / "user" / "spdesk.service"

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run the installer as this user; never raises on a non-zero exit."""
        return subprocess.run(
            [str(INSTALLER), *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def fake_user_manager(self) -> Path:
        """Make systemctl/systemd-run succeed and record their arguments; returns the record."""
        record = self.root.parent / "systemd-calls.log"
        shims = Path(self.env["PATH"].split(":", 1)[0])
        for name in ("systemctl", "systemd-run"):
            (shims / name).write_text(f'#!/bin/sh\necho "{name} $*" >> "{record}"\n')
        record.touch()
        return record


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """HOME and XDG_* in tmp_path, no systemd user manager, the outside PATH for python3."""
    root = tmp_path / "home"
    shims = tmp_path / "no-user-manager"
    shims.mkdir()
    for name in ("systemctl", "systemd-run"):
        (shims / name).write_text(NO_USER_MANAGER)
        (shims / name).chmod(0o755)
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update({key: value for key, value in os.environ.items() if key.startswith("PIP_")})
    env.update(
        {
            "HOME": str(root),
            "XDG_CONFIG_HOME": str(root / ".config"),
            "XDG_DATA_HOME": str(root / "data home"),
            "XDG_CACHE_HOME": str(root / ".cache"),
            "TMPDIR": str(tmp_path),
            "PATH": f"{shims}:{os.environ['PATH']}",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    root.mkdir()
    return Home(root=root, env=env)
