"""`spdesk serve` as a real child process with its own config and data dirs, for crash tests."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from companion.accounts import AccountStore
from companion.config import SETTINGS_FILE, Settings
from companion.pairing import PairingStore
from spdesk_demo.sandbox_account import install_sandbox_account
from tests.plugins.actions import FAST_ACTIONS
from tests.plugins.companion import TEST_EXTENSION_ORIGIN

SPDESK = [sys.executable, "-m", "companion", "serve"]
REPO = Path(__file__).resolve().parents[2]


def home_settings(root: Path) -> Settings:
    """The settings a `spdesk serve` started by start_process(root) runs with."""
    return Settings.load(config_dir=root / "config" / "spdesk")


def prepare_home(root: Path, sandbox_url: str, keyring_service: str, **extra: Any) -> AccountStore:
    """A config dir with settings.json (tmp data dir, fast feeds) and the sandbox account."""
    config = root / "config" / "spdesk"
    settings = Settings.model_validate(
        {
            "port": 0,
            "config_dir": config,
            "data_dir": root / "data",
            "keyring_service": keyring_service,
            **FAST_ACTIONS,
            **extra,
        }
    )
    config.mkdir(parents=True, exist_ok=True)
    values = settings.model_dump(mode="json", exclude={"config_dir"})
    (config / SETTINGS_FILE).write_text(json.dumps(values), encoding="utf-8")
    store = AccountStore(settings)
    install_sandbox_account(store, sandbox_url)
    return store


@dataclass
class CompanionProcess:
    """One running `spdesk serve`."""

    proc: asyncio.subprocess.Process
    url: str
    pairing_code: str | None

    async def wait_exit(self, within: float) -> bool:
        """True if the process ended by itself within `within` seconds."""
        try:
            await asyncio.wait_for(self.proc.wait(), within)
        except TimeoutError:
            return False
        return True

    async def kill(self) -> None:
        """SIGKILL (no clean-up of any kind) and reap."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        """SIGTERM: the clean shutdown path."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        await self.proc.wait()


async def start_process(root: Path, crash_at: str | None = None) -> CompanionProcess:
    """Start `spdesk serve` with XDG_CONFIG_HOME under root; wait until it listens.

    Until a test pairs (the token file under root), a pairing code is made as `spdesk pair`
    makes it: `serve` itself never prints one, so none reaches a log.
    """
    env = {**os.environ, "XDG_CONFIG_HOME": str(root / "config"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SPDESK_CRASH_AT", None)
    if crash_at:
        env["SPDESK_CRASH_AT"] = crash_at
    log = (root / "companion.log").open("ab")
    proc = await asyncio.create_subprocess_exec(
        *SPDESK, stdout=asyncio.subprocess.PIPE, stderr=log, env=env, cwd=REPO
    )
    log.close()
    assert proc.stdout is not None
    url = None
    async with asyncio.timeout(20):
        while url is None:
            line = (await proc.stdout.readline()).decode()
            if not line:
                raise AssertionError(f"spdesk serve ended early: {proc.returncode}")
            if found := re.search(r"listening on (http://\S+)", line):
                url = found.group(1)
    code = (
        None
        if (root / "token").exists()
        else PairingStore.for_settings(home_settings(root)).new_code()
    )
    return CompanionProcess(proc, url, code)


class Client:
    """Talks to a companion process like the paired extension."""

    def __init__(self, root: Path, session: aiohttp.ClientSession, timeout: float = 15) -> None:
        self.root = root
        self.session = session
        self.url = ""
        self.timeout = timeout

    def headers(self, method: str) -> dict[str, str]:
        host = self.url.split("://", 1)[1]
        headers = {"Host": host}
        token = self.root / "token"
        if token.exists():
            headers["Authorization"] = f"Bearer {token.read_text()}"
        if method != "GET":
            headers["Origin"] = TEST_EXTENSION_ORIGIN
        return headers

    async def pair(self, code: str) -> None:
        """Pair with the printed code and keep the token for later processes."""
        status, body = await self.call("POST", "/v1/pair", {"code": code, "label": "crash"})
        assert status == 201, body
        (self.root / "token").write_text(body["token"])

    async def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """One request; returns status and JSON."""
        async with self.session.request(
            method,
            self.url + path,
            json=body,
            headers={**self.headers(method), **(headers or {})},
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        ) as response:
            return response.status, await response.json()
