"""What lives on this computer: file modes, loopback-only binding, the CLI and secrets."""

from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from companion.accounts import AccountStore
from companion.cli import main
from companion.config import Settings
from companion.errors import SpdeskError
from companion.pairing import PairingStore
from companion.server import start_companion
from spdesk_demo.sandbox_account import install_sandbox_account
from spdesk_sandbox import defaults
from tests.companion.spawn import REPO, spdesk
from tests.plugins.companion import CliHome, CompanionClient

SECRETS = (defaults.SANDBOX_CLIENT_SECRET, defaults.SANDBOX_REFRESH_TOKEN)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_state_on_disk_is_private(
    tmp_path: Path, keyring_store: AccountStore, sandbox: object
) -> None:
    settings = keyring_store.settings
    # Folders that already exist (made by hand, by an older version) are made private too.
    settings.data_dir.mkdir(parents=True, mode=0o755)
    settings.config_dir.mkdir(parents=True, mode=0o755)
    settings.data_dir.chmod(0o755)
    settings.config_dir.chmod(0o755)
    install_sandbox_account(keyring_store, sandbox.url)  # type: ignore[attr-defined]
    server = await start_companion(settings, store=keyring_store)
    try:
        store = PairingStore(settings.pairings_db)
        store.exchange(store.new_code(), "chrome-extension://kcbkpmgfjemhmldbhccpkhbgaflnmmnb", "x")
        files = [
            p
            for p in [*settings.data_dir.rglob("*"), *settings.config_dir.rglob("*")]
            if p.is_file()
        ]
        names = {p.name for p in files}
        assert {"pairings.sqlite3", "accounts.json"} <= names
        assert any(name.endswith(".sqlite3") and name != "pairings.sqlite3" for name in names)
        for path in files:
            assert _mode(path) & 0o077 == 0, f"{path} is {oct(_mode(path))}"
        for folder in (settings.data_dir, settings.config_dir):
            assert _mode(folder) == 0o700, f"{folder} is {oct(_mode(folder))}"
    finally:
        await server.stop()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "localhost", "192.168.1.10", "127.0.0.2", ""])
async def test_refuses_to_listen_beyond_loopback(tmp_path: Path, host: str) -> None:
    settings = Settings.for_tests(tmp_path, host=host)
    with pytest.raises(SpdeskError) as refused:
        await start_companion(settings, store=AccountStore(settings))
    assert refused.value.code == "settings_invalid"
    assert "127.0.0.1" in refused.value.message


def test_serve_configured_for_all_interfaces_refuses_in_a_sentence(cli_home: CliHome) -> None:
    settings_file = cli_home.config_dir / "settings.json"
    settings_file.write_text(
        json.dumps({**json.loads(settings_file.read_text()), "host": "0.0.0.0", "port": 0})
    )
    done = spdesk("serve", env=cli_home.env, timeout=30)
    assert done.returncode != 0
    assert "127.0.0.1" in done.stderr and "Traceback" not in done.stderr
    assert "listening" not in done.stdout


def test_account_add_takes_no_secret_from_a_pipe_file_or_environment(
    cli_home: CliHome, tmp_path: Path
) -> None:
    secrets_file = tmp_path / "secrets.txt"
    secrets_file.write_text(f"{SECRETS[0]}\n{SECRETS[1]}\n")
    env = {
        **cli_home.env,
        "LWA_CLIENT_SECRET": SECRETS[0],
        "SP_API_REFRESH_TOKEN": SECRETS[1],
        "LWA_APP_ID": "amzn1.application-oa2-client.env",
    }
    with secrets_file.open() as stdin:
        # No controlling terminal: getpass could only read the file given as stdin.
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "companion",
                "account",
                "add",
                "piped",
                "--region",
                "NA",
                "--marketplaces",
                "US",
                "--client-id",
                "amzn1.application-oa2-client.x",
            ],
            env=env,
            cwd=REPO,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            start_new_session=True,
            check=False,
        )
    assert done.returncode != 0, done.stdout
    assert "terminal" in done.stderr and "Traceback" not in done.stderr
    assert AccountStore(cli_home.settings()).list() == []
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr


def test_account_add_offers_no_secret_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main("account", "add", "--help")
    usage = capsys.readouterr().out.lower()
    for flag in ("--client-secret", "--refresh-token", "--secret", "--password", "file"):
        assert flag not in usage


async def test_doctor_and_account_list_print_no_secret(
    cli_home: CliHome, sandbox: object, capsys: pytest.CaptureFixture[str]
) -> None:
    install_sandbox_account(AccountStore(cli_home.settings()), sandbox.url)  # type: ignore[attr-defined]
    store = PairingStore(cli_home.settings().pairings_db)
    _, token = store.exchange(
        store.new_code(), "chrome-extension://kcbkpmgfjemhmldbhccpkhbgaflnmmnb", "Chrome"
    )
    assert await asyncio.to_thread(main, "doctor") in (0, 1)
    assert main("account", "list") == 0
    assert main("pair", "--list") == 0
    out = capsys.readouterr()
    assert "sandbox" in out.out and "pair_" in out.out
    for secret in (*SECRETS, token, defaults.SANDBOX_CLIENT_ID):
        assert secret not in out.out + out.err


async def test_error_bodies_of_a_full_flow_carry_no_paths(companion: CompanionClient) -> None:
    replies = [
        await companion.request("GET", "/v1/orders/999-0000000-0000000"),
        await companion.request("GET", "/v1/nope"),
        await companion.request("POST", "/v1/refunds", json={"orderId": "x"}),
    ]
    for reply in replies:
        assert reply.status >= 400
        text = reply.body.decode()
        for leak in (
            str(companion.settings.data_dir),
            str(companion.settings.config_dir),
            "Traceback",
            'File "',
            *SECRETS,
        ):
            assert leak not in text
