"""The companion installer, run for real into a throwaway HOME without a systemd user manager."""

from __future__ import annotations

import configparser
import plistlib
import shutil
import subprocess
from pathlib import Path

import keyring
import pytest
from pydantic import SecretStr

from companion.accounts import Account, AccountStore, Credentials, keyring_backend_name
from companion.config import Settings, write_private_json
from companion.errors import KeyringUnavailable
from companion.marketplaces import Region
from tests.packaging.conftest import REPO, Home


def assert_clean(done: subprocess.CompletedProcess[str]) -> None:
    """Every line the installer prints is its own, never a traceback."""
    assert "Traceback" not in done.stdout + done.stderr
    for line in (done.stdout + done.stderr).splitlines():
        assert line.startswith("spdesk: ") or line.startswith("  ") or not line.strip(), line


def read_unit(path: Path) -> configparser.ConfigParser:
    """The unit as sections and keys; repeated keys (SystemCallFilter=) keep the last value."""
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(path.read_text())
    return unit


def systemd_verify(unit: Path, tmp_path: Path) -> None:
    """systemd-analyze verify in user mode must load the unit without a single complaint."""
    if shutil.which("systemd-analyze") is None:
        return
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(unit.parents[2]),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        ["systemd-analyze", "--user", "verify", str(unit)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if "spdesk" in line]
    assert complaints == []


def check_unit(home: Home, tmp_path: Path) -> None:
    unit = read_unit(home.unit)
    service = unit["Service"]
    assert service["ExecStart"] == f'"{home.venv}/bin/spdesk" serve'
    assert service["Restart"] == "on-failure"
    # Restarts at once (the port is bound again at once), never on a refusal a person must fix.
    assert service["RestartSec"] == "1"
    assert service["RestartPreventExitStatus"] == "78"
    assert service["NoNewPrivileges"] == "yes"
    # D-Bus (and so the keyring) is an AF_UNIX socket under /run/user: it must stay reachable.
    assert "AF_UNIX" in service["RestrictAddressFamilies"].split()
    for breaks_dbus in (
        "ProtectHome",
        "PrivateNetwork",
        "InaccessiblePaths",
        "TemporaryFileSystem",
    ):
        assert breaks_dbus not in service
    # The service must use the same moved XDG directories as the user's shell.
    env = service["Environment"]
    assert f'"XDG_DATA_HOME={home.data.parent}"' in env
    assert unit["Install"]["WantedBy"] == "default.target"
    systemd_verify(home.unit, tmp_path)


def test_install_reinstall_uninstall(home: Home, wheel: Path, tmp_path: Path) -> None:
    done = home.run("--from", str(wheel))
    assert done.returncode == 0, done.stderr
    assert_clean(done)
    assert "systemd --user is not running here" in done.stdout
    assert "spdesk serve" in done.stdout

    # The launcher runs the venv's spdesk, which comes from the wheel alone, not this checkout.
    version = subprocess.run(
        [str(home.launcher), "--version"],
        capture_output=True,
        text=True,
        env=home.env,
        timeout=60,
        check=True,
    )
    assert version.stdout.strip() == "spdesk 0.1.0"
    probe = "import spdesk_sandbox as s, pathlib; print(pathlib.Path(s.__file__).parent)"
    where = subprocess.run(
        [str(home.venv / "bin" / "python"), "-c", probe],
        cwd=home.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    package = Path(where.stdout.strip())
    assert package.is_relative_to(home.venv) and not package.is_relative_to(REPO)
    assert (package / "seed.json").is_file()
    check_unit(home, tmp_path)
    assert not (home.unit.parent / "spdesk.service.d").exists()  # no user manager to try it on

    # Again, now from the checkout (the upgrade path): the venv is reused, spdesk is rebuilt and
    # replaced, every installed file is the same, spdesk still runs.
    unit_text, launcher_text = home.unit.read_text(), home.launcher.read_text()
    venv_python = (home.venv / "bin" / "python").stat().st_ino
    init = next(home.venv.glob("lib/python3*/site-packages/companion/__init__.py"))
    init.write_text("broken = (\n")
    again = home.run()
    assert again.returncode == 0, again.stderr
    assert_clean(again)
    assert f"building spdesk from {REPO}" in again.stdout
    assert "creating a virtualenv" not in again.stdout
    assert init.read_text() == (REPO / "companion" / "__init__.py").read_text()
    assert (home.venv / "bin" / "python").stat().st_ino == venv_python
    assert (home.unit.read_text(), home.launcher.read_text()) == (unit_text, launcher_text)
    assert (
        subprocess.run(
            [str(home.launcher), "--version"],
            env=home.env,
            capture_output=True,
            timeout=60,
            check=False,
        ).returncode
        == 0
    )

    # The user's data outlives an uninstall; everything the installer wrote is gone.
    home.config.mkdir(parents=True)
    (home.config / "settings.json").write_text('{"port": 8799}\n')
    (home.data / "actions.sqlite3").write_bytes(b"journal")
    gone = home.run("--uninstall")
    assert gone.returncode == 0, gone.stderr
    assert_clean(gone)
    for path in (home.venv, home.launcher, home.unit, home.data / "install.log"):
        assert not path.exists(), path
    assert (home.config / "settings.json").read_text() == '{"port": 8799}\n'
    assert (home.data / "actions.sqlite3").read_bytes() == b"journal"
    assert "kept" in gone.stdout

    twice = home.run("--uninstall")
    assert twice.returncode == 0 and "nothing to remove" in twice.stdout


def check_service_calls(home: Home, record: Path, tmp_path: Path) -> None:
    calls = record.read_text().splitlines()
    trial = next(c for c in calls if c.startswith("systemd-run "))
    assert "-p PrivateUsers=yes" in trial and "-p ProtectHome=read-only" in trial
    assert trial.endswith(" /bin/true")
    service = [c for c in calls if c.startswith("systemctl") and "show-environment" not in c]
    assert service == [
        "systemctl --user daemon-reload",
        "systemctl --user enable --quiet spdesk.service",
        "systemctl --user restart spdesk.service",
    ]
    # The trial passed, so the filesystem sandbox is in, with the real (moved) folders writable.
    dropin = read_unit(home.unit.parent / "spdesk.service.d" / "sandbox.conf")["Service"]
    assert dropin["ReadWritePaths"] == f'"-{home.config}" "-{home.data}"'
    systemd_verify(home.unit, tmp_path)


def test_purge_asks_then_deletes_keyring_entries_and_data(
    home: Home, wheel: Path, tmp_path: Path
) -> None:
    try:
        keyring_backend_name()
    except KeyringUnavailable:
        pytest.fail("No usable OS keyring: run the tests under packaging/with-keyring.sh")
    settings = Settings.for_tests(home.root, config_dir=home.config, data_dir=home.data)
    write_private_json(home.config / "settings.json", {"keyring_service": settings.keyring_service})
    store = AccountStore(settings)
    store.add(
        Account(name="acme-us", region=Region.NA, marketplaces=["US"]),
        Credentials(
            client_id="amzn1.application-oa2-client.x",
            client_secret=SecretStr("client-secret"),
            refresh_token=SecretStr("Atzr|refresh"),
        ),
    )
    record = home.fake_user_manager()
    try:
        installed = home.run("--from", str(wheel))
        assert installed.returncode == 0, installed.stderr
        assert "the service is enabled and running" in installed.stdout
        check_service_calls(home, record, tmp_path)
        record.write_text("")
        (home.data / "actions.sqlite3").write_bytes(b"journal")

        declined = home.run("--uninstall", "--purge", stdin="no\n")
        assert declined.returncode == 1 and "nothing was removed" in declined.stderr
        assert_clean(declined)
        assert home.launcher.exists() and (home.data / "actions.sqlite3").exists()
        assert keyring.get_password(settings.keyring_service, "acme-us") is not None

        purged = home.run("--uninstall", "--purge", stdin="purge\n")
        assert purged.returncode == 0, purged.stderr
        assert_clean(purged)
        assert "removed the keyring entry of 'acme-us'" in purged.stdout
        assert keyring.get_password(settings.keyring_service, "acme-us") is None
        for path in (
            home.config,
            home.data,
            home.launcher,
            home.unit,
            home.unit.parent / "spdesk.service.d",
        ):
            assert not path.exists(), path
        assert "systemctl --user disable --now --quiet spdesk.service" in record.read_text()
    finally:
        if keyring.get_password(settings.keyring_service, "acme-us") is not None:
            keyring.delete_password(settings.keyring_service, "acme-us")


def test_purge_without_the_companion_removes_nothing(home: Home) -> None:
    home.config.mkdir(parents=True)
    (home.config / "accounts.json").write_text('{"default": null, "accounts": []}\n')
    done = home.run("--uninstall", "--purge", "--yes")
    assert done.returncode == 1
    assert_clean(done)
    assert "keyring entries cannot be removed from here" in done.stderr
    assert (home.config / "accounts.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--purge",), "--purge goes with --uninstall"),
        (("--frobnicate",), "unknown option '--frobnicate'"),
        (("--from", "/nonexistent/spdesk.whl"), "does not exist"),
        (("--from", str(REPO / "README.md")), "is not a wheel"),
        (("--from", str(REPO / "docs")), "neither an spdesk checkout nor a wheel"),
        (("--python", "/bin/false"), "needs Python 3.11 or newer"),
        (("--python", "no-such-python"), "'no-such-python' was not found"),
    ],
)
def test_refusals_are_one_clear_sentence(home: Home, args: tuple[str, ...], message: str) -> None:
    done = home.run(*args)
    assert done.returncode != 0
    assert_clean(done)
    assert message in done.stderr
    assert not home.data.exists() and not home.launcher.exists()


def test_someone_elses_spdesk_on_path_is_left_alone(home: Home, wheel: Path) -> None:
    home.launcher.parent.mkdir(parents=True)
    home.launcher.write_text("#!/bin/sh\necho mine\n")
    done = home.run("--from", str(wheel))
    assert done.returncode == 1
    assert "was not written by this installer" in done.stderr
    assert home.launcher.read_text() == "#!/bin/sh\necho mine\n"
    assert not home.venv.exists()


def test_unit_template_and_sandbox_dropin_verify(tmp_path: Path) -> None:
    units = tmp_path / "config" / "systemd" / "user"
    shutil.copytree(REPO / "packaging" / "systemd", units)
    dropin = read_unit(units / "spdesk.service.d" / "sandbox.conf")["Service"]
    # read-only keeps /run/user/UID/bus (the session D-Bus) reachable; yes or tmpfs would hide it.
    assert dropin["ProtectHome"] == "read-only"
    assert dropin["PrivateUsers"] == "yes"
    # %h is the home directory: verify checks that ExecStart's program exists there.
    spdesk = tmp_path / ".local" / "share" / "spdesk" / "venv" / "bin" / "spdesk"
    spdesk.parent.mkdir(parents=True)
    spdesk.write_text("#!/bin/sh\n")
    spdesk.chmod(0o755)
    systemd_verify(units / "spdesk.service", tmp_path)


def test_launchd_agent_runs_spdesk_serve_from_the_venv() -> None:
    plist = plistlib.loads((REPO / "packaging" / "launchd" / "spdesk.companion.plist").read_bytes())
    assert plist["ProgramArguments"] == [
        "__HOME__/Library/Application Support/spdesk/venv/bin/spdesk",
        "serve",
    ]
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}
