"""The ``spdesk`` command line, called in-process: accounts, pairing, doctor."""

from __future__ import annotations

import builtins
import getpass
import socket
from collections.abc import Iterator

import pytest

from companion.accounts import AccountStore
from companion.cli import main
from companion.errors import EX_CONFIG
from companion.pairing import PairingStore
from spdesk_demo.sandbox_account import install_sandbox_account
from spdesk_sandbox.server import SandboxServer
from tests.plugins.companion import CliHome

SECRET = "amzn1.oa2-cs.v1.cli-test-client-secret-5f1e"
REFRESH = "Atzr|IwEBI-cli-test-refresh-token-77aa"
CHROME = "chrome-extension://kcbkpmgfjemhmldbhccpkhbgaflnmmnb"


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What the person types: input() and getpass() answers, in order; prompts are recorded."""
    answers: list[str] = []
    prompts: list[str] = []

    def answer(prompt: str = "") -> str:
        prompts.append(prompt)
        return answers.pop(0)

    monkeypatch.setattr(builtins, "input", answer)
    monkeypatch.setattr(getpass, "getpass", answer)
    yield answers
    assert not answers, f"not all answers were asked for; prompts were {prompts}"


def test_account_add_list_remove(
    cli_home: CliHome, typed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    typed += [SECRET, REFRESH]
    assert (
        main(
            "account",
            "add",
            "acme-us",
            "--region",
            "NA",
            "--marketplaces",
            "us,ca",
            "--client-id",
            "amzn1.application-oa2-client.cli",
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Added 'acme-us' (NA: US, CA)" in out
    assert main("account", "list") == 0
    listed = capsys.readouterr().out
    assert "acme-us" in listed and "US,CA" in listed and "default" in listed
    for path in [*cli_home.config_dir.rglob("*"), *cli_home.data_dir.rglob("*")]:
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
            assert REFRESH.encode() not in path.read_bytes(), path
    creds = AccountStore(cli_home.settings()).credentials("acme-us")
    assert creds.refresh_token.get_secret_value() == REFRESH

    assert main("account", "remove", "acme-us") == 0
    capsys.readouterr()
    assert main("account", "list") == 0
    assert "No seller account yet" in capsys.readouterr().out


def test_account_add_asks_for_what_flags_do_not_give(
    cli_home: CliHome, typed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    typed += ["acme-eu", "eu", "DE, FR", "amzn1.application-oa2-client.eu", SECRET, REFRESH]
    assert main("account", "add") == 0
    account = AccountStore(cli_home.settings()).get("acme-eu")
    assert account.marketplaces == ["DE", "FR"] and account.region == "EU"
    assert SECRET not in capsys.readouterr().out


def test_account_add_refuses_bad_input_in_a_sentence(
    cli_home: CliHome, typed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main("account", "add", "acme", "--region", "NA", "--marketplaces", "DE", "--client-id", "x")
        == 1
    )
    err = capsys.readouterr().err
    assert err == "spdesk: This account is not valid: marketplace DE is in region EU, not NA.\n"
    assert "Traceback" not in err
    typed += [""]  # an empty secret
    assert (
        main("account", "add", "acme", "--region", "NA", "--marketplaces", "US", "--client-id", "x")
        == 1
    )
    assert "LWA client secret is required" in capsys.readouterr().err
    assert AccountStore(cli_home.settings()).list() == []


async def test_account_test_against_the_sandbox(
    cli_home: CliHome, sandbox: object, capsys: pytest.CaptureFixture[str]
) -> None:
    store = AccountStore(cli_home.settings())
    install_sandbox_account(store, sandbox.url)  # type: ignore[attr-defined]
    # main() runs its own event loop: give it a thread, as a terminal would have one.
    import asyncio

    assert await asyncio.to_thread(main, "account", "test") == 0
    assert "sandbox: OK: logged in to the sandbox" in capsys.readouterr().out


async def test_account_test_reports_rejected_credentials(
    cli_home: CliHome, sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from pydantic import SecretStr

    from companion.accounts import Credentials
    from spdesk_demo.sandbox_account import sandbox_account

    store = AccountStore(cli_home.settings())
    store.add(
        sandbox_account(sandbox.url),
        Credentials(
            client_id="amzn1.application-oa2-client.wrong",
            client_secret=SecretStr("wrong-secret"),
            refresh_token=SecretStr("Atzr|wrong"),
        ),
    )
    assert await asyncio.to_thread(main, "account", "test", "sandbox") == 1
    out = capsys.readouterr()
    assert "sandbox: the sandbox refused or did not answer" in out.out
    assert "Traceback" not in out.out + out.err and "wrong-secret" not in out.out + out.err


def test_pair_list_revoke(cli_home: CliHome, capsys: pytest.CaptureFixture[str]) -> None:
    assert main("pair") == 0
    out = capsys.readouterr().out
    code = out.split("Pairing code: ", 1)[1].split()[0]
    assert len(code) == 9 and code[4] == "-"
    assert "no companion answers" in out  # none runs in this test
    store = PairingStore(cli_home.settings().pairings_db)
    pairing, token = store.exchange(code, CHROME, "Chrome on agent laptop")

    assert main("pair", "--list") == 0
    assert pairing.id in capsys.readouterr().out
    assert main("pair", "--revoke", pairing.id) == 0
    assert store.verify(token) is not None and not store.verify(token).active  # type: ignore[union-attr]
    assert main("pair", "--revoke", pairing.id) == 1
    assert f"no active pairing '{pairing.id}'" in capsys.readouterr().err

    main("pair")
    code = capsys.readouterr().out.split("Pairing code: ", 1)[1].split()[0]
    store.exchange(code, CHROME, "again")
    assert main("pair", "--all", "--yes") == 0
    assert "Revoked 1 pairing(s)" in capsys.readouterr().out
    assert store.list() == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_doctor_reports_everything(
    cli_home: CliHome, sandbox: object, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio
    import json

    settings_file = cli_home.config_dir / "settings.json"
    values = json.loads(settings_file.read_text())
    settings_file.write_text(json.dumps({**values, "port": _free_port()}))
    install_sandbox_account(AccountStore(cli_home.settings()), sandbox.url)  # type: ignore[attr-defined]
    store = PairingStore(cli_home.settings().pairings_db)
    store.exchange(store.new_code(), CHROME, "Chrome")

    assert await asyncio.to_thread(main, "doctor") == 0
    out = capsys.readouterr().out
    assert "[ok  ] keyring    keyring.backends.SecretService.Keyring" in out
    assert "is free" in out
    assert "[ok  ] account    sandbox (NA: " in out and "OK: logged in to the sandbox" in out
    assert "[ok  ] paired     pair_" in out and CHROME in out
    assert out.rstrip().endswith("All good.")


def test_doctor_without_accounts_says_what_to_do(
    cli_home: CliHome, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main("doctor", "--offline") == 1
    out = capsys.readouterr().out
    assert "[FAIL] accounts   none yet: add one with 'spdesk account add'" in out
    assert "no browser extension yet: run 'spdesk pair'" in out


def test_damaged_files_get_a_sentence_not_a_traceback(
    cli_home: CliHome, capsys: pytest.CaptureFixture[str]
) -> None:
    original = (cli_home.config_dir / "settings.json").read_text()
    (cli_home.config_dir / "accounts.json").write_text("{not json")
    assert main("account", "list") == 1
    err = capsys.readouterr().err
    assert "accounts.json is damaged. Remove it and add the accounts again." in err
    (cli_home.config_dir / "settings.json").write_text('{"port": "eighty"}')
    assert main("account", "list") == EX_CONFIG  # a supervisor must not restart it in a loop
    err = capsys.readouterr().err
    assert "settings.json are not valid: port:" in err and "Traceback" not in err
    (cli_home.config_dir / "settings.json").write_text(original)
    (cli_home.config_dir / "accounts.json").unlink()


def test_pair_demo_reaches_the_demo_companion(
    cli_home: CliHome, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main("pair", "--demo") == 0
    code = capsys.readouterr().out.split("Pairing code: ", 1)[1].split()[0]
    demo_store = PairingStore(cli_home.data_dir / "demo" / "pairings.sqlite3")
    demo_store.exchange(code, CHROME, "demo")
    assert main("pair", "--demo", "--list") == 0
    assert "demo" in capsys.readouterr().out
    assert PairingStore(cli_home.settings().pairings_db).list() == []
