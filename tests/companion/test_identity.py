"""Which companion answers: /v1/health proves this installation's identity and says whether a
pairing code waits; a refused code names the companion that refused it."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from companion.identity import load_identity, new_challenge
from companion.keys import PAIRINGS
from tests.companion.spawn import REPO
from tests.plugins.companion import TEST_EXTENSION_ORIGIN, CompanionClient


async def test_health_proves_the_installation_and_nothing_else(
    bare_companion: CompanionClient,
) -> None:
    identity = load_identity(bare_companion.settings.data_dir)
    challenge = new_challenge()
    health = (await bare_companion.request("GET", f"/v1/health?challenge={challenge}")).json()
    assert health["instance"] == identity.instance
    assert identity.proves(challenge, health["proof"])
    assert identity.secret.hex() not in str(health)
    plain = (await bare_companion.request("GET", "/v1/health")).json()
    assert plain["proof"] is None and plain["instance"] == identity.instance
    for bad in ("short", "Z" * 40, new_challenge().upper()):
        reply = await bare_companion.request("GET", f"/v1/health?challenge={bad}")
        assert (reply.status, reply.code) == (400, "invalid_request")


async def test_another_data_folder_is_another_companion(
    bare_companion: CompanionClient, tmp_path: Path
) -> None:
    other = load_identity(tmp_path / "someone-else")
    challenge = new_challenge()
    health = (await bare_companion.request("GET", f"/v1/health?challenge={challenge}")).json()
    assert health["instance"] != other.instance
    assert not other.proves(challenge, health["proof"])


async def test_a_refused_code_names_the_companion_that_refused_it(
    bare_companion: CompanionClient,
) -> None:
    address = f"127.0.0.1:{bare_companion.server.port}"
    assert (await bare_companion.request("GET", "/v1/health")).json()["pairingCodeWaiting"] is False
    headers = {"Origin": TEST_EXTENSION_ORIGIN}
    reply = await bare_companion.request(
        "POST", "/v1/pair", json={"code": "K7QD-2MXP"}, headers=headers
    )
    error = reply.json()["error"]
    assert (reply.status, error["code"]) == (403, "pairing_code_invalid")
    assert error["params"] == {"case": "none_waiting", "address": address}
    assert f"No pairing code is waiting at the spdesk companion on {address}" in error["message"]

    bare_companion.app[PAIRINGS].new_code()
    assert (await bare_companion.request("GET", "/v1/health")).json()["pairingCodeWaiting"] is True
    reply = await bare_companion.request(
        "POST", "/v1/pair", json={"code": "K7QD-2MXP"}, headers=headers
    )
    error = reply.json()["error"]
    assert error["params"] == {"case": "wrong", "address": address}
    assert f"wrong or has expired at the spdesk companion on {address}" in error["message"]


def test_the_throwaway_keyring_password_is_in_no_environment() -> None:
    """packaging/with-keyring.sh: neither dbus-daemon nor the keyring daemon inherits it."""
    marker = f"SPDESK_SCAN={uuid.uuid4().hex}".encode()
    # Every process the script started inherits the marker: the scan looks at those only.
    scan = (
        "import os, sys\n"
        "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "    try:\n"
        "        env = open(f'/proc/{pid}/environ', 'rb').read().split(b'\\0')\n"
        "        cmd = open(f'/proc/{pid}/cmdline', 'rb').read().split(b'\\0')\n"
        "    except OSError:\n"
        "        continue\n"
        f"    if {marker!r} in env:\n"
        "        name = os.path.basename(cmd[0]).decode()\n"
        "        print(name, any(b'PASSWORD' in v.split(b'=')[0] for v in env))\n"
    )
    done = subprocess.run(
        [str(REPO / "packaging" / "with-keyring.sh"), str(REPO / ".venv/bin/python"), "-c", scan],
        env={**os.environ, "SPDESK_PRIVATE_KEYRING": "1", **dict([marker.decode().split("=")])},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = dict(line.rsplit(" ", 1) for line in done.stdout.splitlines())
    assert {"dbus-daemon", "gnome-keyring-daemon"} <= set(seen), done.stdout
    assert set(seen.values()) == {"False"}, done.stdout
