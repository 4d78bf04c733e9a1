"""Every start-up failure is one sentence naming the file and what to do, never a traceback.

`spdesk serve` runs as a real process on a real failing disk (a read-only mount, a full tmpfs) or
a damaged file; it must end with exit status 78 (systemd does not restart it: only a person can
fix it) and say the same thing `spdesk doctor` says.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from companion.actions.journal import JOURNAL_FILE, Journal
from companion.errors import EX_CONFIG
from tests.companion.disks import fill, read_only, small_disk
from tests.companion.spawn import spdesk
from tests.plugins.companion import CliHome


def _refused(cli_home: CliHome) -> str:
    """Run `spdesk serve`; it must stop at once with one clear line on stderr."""
    done = spdesk("serve", "--port", "0", env=cli_home.env, timeout=30)
    _clean(done)
    assert done.returncode == EX_CONFIG, done.stderr
    assert "listening on" not in done.stdout
    return done.stderr


def _clean(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("spdesk: "), done.stderr


def _doctor(cli_home: CliHome) -> str:
    done = spdesk("doctor", "--offline", env=cli_home.env)
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == 1, done.stdout
    return done.stdout


def _journal(cli_home: CliHome) -> Path:
    cli_home.data_dir.mkdir(parents=True, exist_ok=True)
    Journal(cli_home.data_dir / JOURNAL_FILE).close()
    return cli_home.data_dir / JOURNAL_FILE


def test_damaged_journal(cli_home: CliHome) -> None:
    path = _journal(cli_home)
    path.write_bytes(b"this is not a database, it was overwritten" * 200)
    said = _refused(cli_home)
    assert f"The journal {path} is damaged" in said
    assert "spdesk journal backup" in said
    assert f"The journal {path} is damaged" in _doctor(cli_home)


def test_damaged_pairing_file(cli_home: CliHome) -> None:
    _journal(cli_home)
    (cli_home.data_dir / "pairings.sqlite3").write_bytes(b"\x00garbage" * 512)
    said = _refused(cli_home)
    assert "pairings.sqlite3 is damaged" in said
    assert "spdesk pair" in said
    assert "pairings.sqlite3 is damaged" in _doctor(cli_home)


def test_read_only_data_folder(cli_home: CliHome) -> None:
    _journal(cli_home)
    with read_only(cli_home.data_dir):
        said = _refused(cli_home)
        assert f"spdesk cannot write to {cli_home.data_dir}" in said
        assert "read-only" in said
        assert f"spdesk cannot write to {cli_home.data_dir}" in _doctor(cli_home)


def test_full_disk(cli_home: CliHome) -> None:
    with small_disk(cli_home.data_dir):
        _journal(cli_home)
        fill(cli_home.data_dir)
        said = _refused(cli_home)
        assert "is full. Free some space" in said
        assert "is full" in _doctor(cli_home)


def test_a_journal_that_is_not_spdesks(cli_home: CliHome) -> None:
    # Some other SQLite database under spdesk's name: readable, but not a journal.
    path = _journal(cli_home)
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE actions (something_else TEXT)")
    said = _refused(cli_home)
    assert f"The journal {path} is damaged" in said


@pytest.mark.parametrize("command", [("action", "list"), ("audit", "export")])
def test_the_commands_that_read_the_journal_say_the_same(
    cli_home: CliHome, command: tuple[str, ...]
) -> None:
    path = _journal(cli_home)
    path.write_bytes(b"not a database" * 300)
    done = spdesk(*command, env=cli_home.env)
    assert done.returncode == EX_CONFIG
    assert "Traceback" not in done.stderr
    assert f"The journal {path} is damaged" in done.stderr
