"""Without a usable OS keyring the user gets one clear sentence, never a traceback."""

from __future__ import annotations

from companion.errors import KeyringUnavailable
from tests.companion.spawn import spdesk
from tests.plugins.companion import CliHome


def _no_keyring_env(cli_home: CliHome) -> dict[str, str]:
    env = dict(cli_home.env)
    env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/spdesk-test-bus"
    env.pop("PYTHON_KEYRING_BACKEND", None)
    return env


def test_account_add_stops_before_asking_for_secrets(cli_home: CliHome) -> None:
    done = spdesk(
        "account",
        "add",
        "acme",
        "--region",
        "NA",
        "--marketplaces",
        "US",
        "--client-id",
        "amzn1.application-oa2-client.x",
        env=_no_keyring_env(cli_home),
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"spdesk: {KeyringUnavailable.default_message}"
    assert "Traceback" not in done.stderr + done.stdout
    assert "secret" not in done.stdout.lower()  # it never prompted
    assert not (cli_home.config_dir / "accounts.json").exists()


def test_doctor_names_the_keyring_problem(cli_home: CliHome) -> None:
    done = spdesk("doctor", "--offline", env=_no_keyring_env(cli_home))
    assert done.returncode == 1
    assert f"[FAIL] keyring    {KeyringUnavailable.default_message}" in done.stdout
    assert "Traceback" not in done.stderr + done.stdout
