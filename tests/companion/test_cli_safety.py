"""The command line at its edges: asks before revoking everything, says which companion a code is
for, checks that the companion on the port is this installation's and that the secrets exist,
reads the demo's journal, and explains refusals in words rather than patterns."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import keyring
import pytest
from aiohttp import web

from companion.accounts import AccountStore
from companion.actions.journal import JOURNAL_FILE, Journal
from companion.cli import main
from companion.config import Settings
from companion.pairing import PairingStore
from companion.server import RunningCompanion, start_companion
from spdesk_demo.sandbox_account import install_sandbox_account
from tests.plugins.companion import TEST_EXTENSION_ORIGIN, CliHome


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _use_port(cli_home: CliHome, port: int) -> None:
    path = cli_home.config_dir / "settings.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "port": port}))


def test_an_invalid_account_name_is_said_in_words(
    cli_home: CliHome, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("account", "add", "has space", "--region", "NA", "--marketplaces", "US")
    assert main(*args, "--client-id", "amzn1.application-oa2-client.x") == 1
    err = capsys.readouterr().err
    assert "an account name is 1 to 40 letters, digits" in err
    assert "[A-Za-z" not in err and "pattern" not in err


@pytest.fixture
def two_pairings(cli_home: CliHome) -> PairingStore:
    store = PairingStore(cli_home.settings().pairings_db)
    for label in ("Chrome", "Firefox"):
        store.exchange(store.new_code(), TEST_EXTENSION_ORIGIN, label)
    return store


@pytest.mark.parametrize(("answer", "left"), [("n", 2), ("", 2), ("y", 0)])
def test_pair_all_asks_at_a_terminal(
    two_pairings: PairingStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: str,
    left: int,
) -> None:
    asked: list[str] = []

    def person(prompt: str) -> str:
        asked.append(prompt)
        return answer

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", person)
    assert main("pair", "--all") == (0 if left == 0 else 1)
    assert asked == ["Revoke all 2 pairing(s)? Every paired browser must pair again. [y/N] "]
    assert len(two_pairings.list()) == left


def test_pair_all_from_a_script_needs_yes(
    two_pairings: PairingStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main("pair", "--all") == 1  # standard input is not a terminal here
    assert "add --yes" in capsys.readouterr().err
    assert len(two_pairings.list()) == 2
    assert main("pair", "--all", "--yes") == 0
    assert two_pairings.list() == []


@pytest.mark.parametrize("command", [("action", "list"), ("audit", "export")])
def test_demo_journal_with_demo(
    cli_home: CliHome, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    demo = Settings.profile("demo")
    demo.make_private_dirs()
    Journal(demo.data_dir / JOURNAL_FILE).close()
    assert main(*command) == 1  # the seller's own profile has no journal yet
    assert "No refunds or cancellations have been recorded yet" in capsys.readouterr().err
    assert main(*command, "--demo") == 0


async def test_doctor_offline_finds_secrets_missing_from_the_keyring(
    cli_home: CliHome, capsys: pytest.CaptureFixture[str]
) -> None:
    store = AccountStore(cli_home.settings())
    install_sandbox_account(store, "http://127.0.0.1:9")
    keyring.delete_password(cli_home.settings().keyring_service, "sandbox")
    assert await asyncio.to_thread(main, "doctor", "--offline") == 1
    out = capsys.readouterr().out
    assert "[FAIL] account    sandbox" in out
    assert "The keyring holds no credentials for the account 'sandbox'" in out


@pytest.fixture
async def impostor() -> AsyncIterator[int]:
    """A program on a port that answers /v1/health as spdesk would, without the proof."""

    async def health(request: web.Request) -> web.Response:
        return web.json_response(
            {"service": "spdesk-companion", "version": "0.1.0", "apiVersion": 1, "proof": "00"}
        )

    app = web.Application()
    app.router.add_get("/v1/health", health)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield port
    await runner.cleanup()


async def test_doctor_and_pair_tell_another_spdesk_from_ours(
    cli_home: CliHome, impostor: int, capsys: pytest.CaptureFixture[str]
) -> None:
    _use_port(cli_home, impostor)
    assert await asyncio.to_thread(main, "doctor", "--offline") == 1
    out = capsys.readouterr().out
    assert (
        "[FAIL] port       a spdesk that is not this installation's answers on "
        f"127.0.0.1:{impostor}" in out
    )
    assert await asyncio.to_thread(main, "pair") == 0
    assert f"the spdesk answering on http://127.0.0.1:{impostor} is not this one" in (
        capsys.readouterr().out
    )


@pytest.fixture
async def ours(cli_home: CliHome) -> AsyncIterator[RunningCompanion]:
    """This installation's companion, on a port of its own choosing (as the demo moves)."""
    _use_port(cli_home, _free_port())
    settings = cli_home.settings().model_copy(update={"port": 0})
    server = await start_companion(settings, store=AccountStore(settings))
    yield server
    await server.stop()


async def test_pair_names_the_address_of_this_installations_companion(
    cli_home: CliHome, ours: RunningCompanion, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, "pair") == 0
    out = capsys.readouterr().out
    assert f"The code is for the companion at http://127.0.0.1:{ours.port}" in out
    assert await asyncio.to_thread(main, "doctor", "--offline") == 1  # no account: FAIL there
    assert f"this installation's companion answers on 127.0.0.1:{ours.port}" in (
        capsys.readouterr().out
    )
