"""Who answers on a port of 127.0.0.1: this installation's companion, another one, or neither.

Used by ``spdesk serve`` (already running?), ``spdesk pair`` (which address to name) and
``spdesk doctor``. A companion is "ours" only when it proves this installation's identity
(companion.identity): answering as spdesk is not enough.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from enum import StrEnum

from companion.config import Settings
from companion.identity import Identity, load_identity, new_challenge, running_port


class PortState(StrEnum):
    """What is on the port."""

    OURS = "ours"  # this installation's companion (proved)
    OTHER_SPDESK = "other_spdesk"  # answers as spdesk, cannot prove it is this installation's
    OTHER_PROGRAM = "other_program"  # something else listens there
    FREE = "free"


@dataclass(frozen=True, slots=True)
class PortCheck:
    """The state of one port and, for a spdesk companion, whether a pairing code waits there."""

    port: int
    state: PortState
    code_waiting: bool = False

    @property
    def address(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"


def _health(port: int, challenge: str) -> dict[str, object] | None:
    url = f"http://127.0.0.1:{port}/v1/health?challenge={challenge}"
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            body = json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return body if isinstance(body, dict) else None


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        # As the companion binds: connections a stopped companion left behind do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def check_port(port: int, identity: Identity) -> PortCheck:
    """Ask the port's /v1/health to prove ``identity``; else say whether the port is free."""
    challenge = new_challenge()
    health = _health(port, challenge)
    if health is not None and health.get("service") == "spdesk-companion":
        ours = identity.proves(challenge, health.get("proof"))
        state = PortState.OURS if ours else PortState.OTHER_SPDESK
        return PortCheck(port, state, health.get("pairingCodeWaiting") is True)
    return PortCheck(port, PortState.FREE if _bindable(port) else PortState.OTHER_PROGRAM)


def find_companion(settings: Settings) -> PortCheck:
    """This installation's companion: on the port it said it took (running.json), else on the
    configured port; when it is on neither, what is on the configured one."""
    identity = load_identity(settings.data_dir)
    ports = dict.fromkeys(p for p in (running_port(settings.data_dir), settings.port) if p)
    checks = [check_port(port, identity) for port in ports]
    found = next((c for c in checks if c.state is PortState.OURS), None)
    return found or (checks[-1] if checks else PortCheck(settings.port, PortState.FREE))
