"""`spdesk serve` starts again at once on its port after SIGKILL or SIGTERM with connections open.

A supervisor (systemd, launchd) restarts the companion within seconds; the browser keeps its
keep-alive connection and its event stream open meanwhile. Without address reuse the port stayed
unbindable for about a minute after such a stop, and the restarted companion exited "port busy".
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.actions.process import Client, CompanionProcess, prepare_home, start_process

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def home(sandbox: Any, tmp_path: Path, settings: Any) -> AsyncIterator[tuple[Path, int]]:
    port = _free_port()
    store = prepare_home(tmp_path, sandbox.url, settings.keyring_service, port=port)
    yield tmp_path, port
    store.remove("sandbox")


async def _open_connections(client: Client, session: aiohttp.ClientSession) -> Any:
    """A finished request on a kept-alive connection and an event stream that has started."""
    status, _ = await client.call("GET", "/v1/status")
    assert status == 200
    stream = await session.get(
        client.url + "/v1/events", headers=client.headers("GET"), timeout=aiohttp.ClientTimeout()
    )
    assert stream.status == 200
    assert (await stream.content.readline()).startswith(b": connected")
    return stream


async def _started(root: Path, port: int) -> CompanionProcess:
    process = await start_process(root)
    assert process.url == f"http://127.0.0.1:{port}"
    return process


async def _paired(root: Path, port: int, session: aiohttp.ClientSession) -> Any:
    """A started companion and a client paired with it, as the extension would be."""
    process = await _started(root, port)
    client = Client(root, session)
    client.url = process.url
    assert process.pairing_code is not None
    await client.pair(process.pairing_code)
    return process, client


@pytest.mark.parametrize("stop", ["kill", "terminate"])
async def test_restarts_on_the_same_port_with_streams_open(
    home: tuple[Path, int], stop: str
) -> None:
    root, port = home
    async with aiohttp.ClientSession() as session:
        process, client = await _paired(root, port, session)
        stream = await _open_connections(client, session)
        if stop == "kill":
            await process.kill()
        else:
            await process.stop()
        # The browser has not noticed yet: its connections are still open on its side.
        again = await _started(root, port)
        try:
            status, body = await client.call("GET", "/v1/status")
            assert status == 200, body
        finally:
            stream.close()
            await again.stop()


async def test_sigterm_ends_open_event_streams_at_once(home: tuple[Path, int]) -> None:
    root, port = home
    async with aiohttp.ClientSession() as session:
        process, client = await _paired(root, port, session)
        streams = [await _open_connections(client, session) for _ in range(3)]
        assert process.proc.returncode is None
        process.proc.terminate()
        # The streams end (no 60 s wait for handlers): the process exits by itself.
        assert await process.wait_exit(within=10)
        assert process.proc.returncode == 0
        for stream in streams:
            stream.close()
