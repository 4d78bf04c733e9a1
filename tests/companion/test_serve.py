"""``spdesk serve`` as a process: a code from ``spdesk pair`` reaches it; no code in its log."""

from __future__ import annotations

import asyncio
import os
import pty
import signal
import socket
import sys

import aiohttp

from companion.cli import main
from companion.pairing import PairingStore
from tests.companion.spawn import REPO
from tests.plugins.companion import TEST_EXTENSION_ORIGIN, CliHome

LINE_TIMEOUT = 20.0
SERVE = (sys.executable, "-m", "companion", "serve")
ORIGIN = TEST_EXTENSION_ORIGIN


async def _line_with(process: asyncio.subprocess.Process, text: str) -> str:
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), LINE_TIMEOUT)).decode()
        assert line, f"serve ended before printing {text!r}"
        if text in line:
            return line


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_serve_on_a_terminal_shows_the_first_code(cli_home: CliHome) -> None:
    """At a terminal (nothing is logged) the first start still shows a code to type."""
    main_fd, terminal = pty.openpty()
    process = await asyncio.create_subprocess_exec(
        *SERVE,
        "--port",
        str(_free_port()),
        cwd=REPO,
        env=cli_home.env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    try:
        seen = b""
        async with asyncio.timeout(LINE_TIMEOUT):
            while b"Pairing code: " not in seen or not seen.endswith(b"\n"):
                seen += await asyncio.to_thread(os.read, main_fd, 4096)
        code = seen.split(b"Pairing code: ", 1)[1][:9].decode()
        assert PairingStore.for_settings(cli_home.settings()).exchange(code, ORIGIN, "tty")
    finally:
        process.send_signal(signal.SIGINT)
        await process.wait()
        os.close(main_fd)


async def test_serve_pair_revoke_and_stop(cli_home: CliHome, capsys: object) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        *SERVE,
        "--port",
        str(port),
        cwd=REPO,
        env=cli_home.env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        url = (await _line_with(process, "listening on")).split("listening on ")[1].strip()
        # Its standard output is a pipe (a log, under systemd): it names the command, no code.
        await _line_with(process, "run 'spdesk pair' for a pairing code")
        async with aiohttp.ClientSession() as http:
            # A code made by another process (the `spdesk pair` command) reaches the server.
            assert await asyncio.to_thread(main, "pair") == 0
            out = capsys.readouterr().out  # type: ignore[attr-defined]
            code = out.split("Pairing code: ", 1)[1].split()[0]
            async with http.post(
                f"{url}/v1/pair", json={"code": code}, headers={"Origin": TEST_EXTENSION_ORIGIN}
            ) as reply:
                assert reply.status == 201
                paired = await reply.json()
            auth = {"Authorization": f"Bearer {paired['token']}"}
            async with http.get(f"{url}/v1/status", headers=auth) as reply:
                assert reply.status == 200
            assert await asyncio.to_thread(main, "pair", "--revoke", paired["pairingId"]) == 0
            async with http.get(f"{url}/v1/status", headers=auth) as reply:
                assert reply.status == 401
                assert (await reply.json())["error"]["code"] == "token_revoked"
        # A second `spdesk serve` on the same port says so instead of failing on the socket.
        assert await asyncio.to_thread(main, "serve", "--port", str(port)) == 1
        err = capsys.readouterr().err  # type: ignore[attr-defined]
        assert f"spdesk is already running on 127.0.0.1:{port}." in err
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), LINE_TIMEOUT)
        assert process.returncode == 0, err
        assert b"spdesk companion stopped." in out
        assert b"Traceback" not in err
        assert b"Pairing code" not in out + err
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
