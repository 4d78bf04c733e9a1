"""`spdesk team …` against a real PostgreSQL server, as a team lead and a teammate use it."""

from __future__ import annotations

import io
import json
import sys

import pytest

from companion.cli import main
from companion.config import SETTINGS_FILE
from companion.ledger.secret import ledger_password
from tests.plugins.companion import CliHome
from tests.plugins.postgres import PASSWORD, PASSWORD_ROLE, LedgerDb


def _settings(home: CliHome) -> dict[str, object]:
    return dict(json.loads((home.config_dir / SETTINGS_FILE).read_text()))


def test_init_joins_and_manages_members_limits_and_roles(
    empty_db: LedgerDb, cli_home: CliHome, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main("team", "init", empty_db.dsn, "--agent", "Maria", "--approval-hours", "2") == 0
    out = capsys.readouterr().out
    assert "schema upgraded" in out and "Maria (agent)" in out
    assert _settings(cli_home)["ledger"] == empty_db.dsn and _settings(cli_home)["agent"] == "Maria"
    assert main("team", "init", empty_db.dsn) == 0
    assert "schema up to date" in capsys.readouterr().out
    assert main("team", "role", "Maria", "approver") == 0
    assert main("team", "join", empty_db.dsn, "--agent", "Tom") == 0  # Tom's computer, here
    assert main("team", "limit", "Tom", "--per-refund", "100", "--per-day", "500",
                "--currency", "usd") == 0  # fmt: skip
    capsys.readouterr()
    assert main("team", "members") == 0
    table = capsys.readouterr().out
    assert "Maria" in table and "approver" in table
    assert "USD: 100 per refund, 500 per day" in table
    assert main("team", "status") == 0
    status = capsys.readouterr().out
    assert "This agent:    Tom" in status and "Feed builder:  none yet" in status


def test_bad_addresses_and_unknown_members_are_refused_clearly(
    ledger_db: LedgerDb, cli_home: CliHome, capsys: pytest.CaptureFixture[str]
) -> None:
    with_password = ledger_db.dsn.replace("postgres@", "postgres:hunter2@")
    assert main("team", "join", with_password, "--agent", "Tom") == 1
    err = capsys.readouterr().err
    assert "without a password" in err and "hunter2" not in err
    assert main("team", "status") == 1
    assert "not in a team" in capsys.readouterr().err
    nowhere = f"postgresql://postgres@127.0.0.1:{ledger_db.cluster.port + 1}/x"
    assert main("team", "join", nowhere, "--agent", "Tom") == 1
    assert "cannot reach the ledger" in capsys.readouterr().err
    assert main("team", "join", ledger_db.dsn, "--agent", "Tom") == 0
    assert main("team", "role", "Nobody", "approver") == 1
    assert "is not a member" in capsys.readouterr().err
    assert main("team", "limit", "Tom", "--per-refund", "1.5", "--currency", "JPY") == 1
    assert "limit must be an amount" in capsys.readouterr().err


def test_the_database_password_is_asked_once_and_kept_in_the_keyring(
    ledger_db: LedgerDb,
    cli_home: CliHome,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dsn = ledger_db.cluster.dsn(ledger_db.name, user=PASSWORD_ROLE)
    assert main("team", "join", dsn, "--agent", "Tom") == 1  # no password, no terminal
    assert "password" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main("team", "join", dsn, "--agent", "Tom", "--password-stdin") == 0
    assert PASSWORD not in (cli_home.config_dir / SETTINGS_FILE).read_text()
    assert ledger_password(cli_home.settings().keyring_service, dsn) == PASSWORD
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main("team", "status") == 0  # from the keyring now
