"""``spdesk serve`` as a process: it prints a code, a separate ``spdesk pair`` reaches it."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys

import aiohttp

from companion.cli import main
from tests.companion.spawn import REPO
from tests.plugins.companion import TEST_EXTENSION_ORIGIN, CliHome

LINE_TIMEOUT = 20.0


async def _line_with(process: asyncio.subprocess.Process, text: str) -> str:
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), LINE_TIMEOUT)).decode()
        assert line, f"serve ended before printing {text!r}"
        if text in line:
            return line


async def _pair_status(http: aiohttp.ClientSession, url: str, code: str) -> int:
    async with http.post(
        f"{url}/v1/pair", json={"code": code}, headers={"Origin": TEST_EXTENSION_ORIGIN}
    ) as reply:
        return reply.status


async def test_serve_pair_revoke_and_stop(cli_home: CliHome, capsys: object) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "companion",
        "serve",
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
        first_code = (await _line_with(process, "Pairing code:")).split("Pairing code: ")[1][:9]
        async with aiohttp.ClientSession() as http:
            assert await _pair_status(http, url, first_code) == 201
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
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
