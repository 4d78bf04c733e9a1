"""Benchmark: how soon `spdesk serve` answers again after a SIGKILL with the browser's connections
open, against a cold start of the same companion with nothing left on its port.

Each round starts `spdesk serve` on a fixed port, pairs a client, opens a kept-alive connection
and an event stream (`GET /v1/events`), kills the companion with SIGKILL while both stay open on
the client's side, and starts a new one on the same port: restart time is the kill to the first
answer of `GET /v1/health`. The baseline is the spawn to the first answer of a companion started on
a port nothing has used. Before address reuse the restart failed outright ("port busy") for about
a minute, the time the kernel keeps the old connections.

Run: packaging/with-keyring.sh .venv/bin/python -m bench.restart [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench._shared import add_results_argument, load_average, summary, table, write_results
from companion.config import Settings
from companion.pairing import PairingStore

NAME = "restart"
REPO = Path(__file__).resolve().parents[1]
ORIGIN = "chrome-extension://bbbbccccddddeeeeffffgggghhhhiiii"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _home(root: Path, port: int) -> dict[str, str]:
    config = root / "config" / "spdesk"
    config.mkdir(parents=True, exist_ok=True)
    settings = {"port": port, "data_dir": str(root / "data"), "keyring_service": "spdesk-bench"}
    (config / "settings.json").write_text(json.dumps(settings))
    return {**os.environ, "XDG_CONFIG_HOME": str(root / "config")}


async def _spawn(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "companion", "serve", env=env, cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def _answers(session: aiohttp.ClientSession, url: str, since: float) -> float:
    """Milliseconds from `since` until GET /v1/health answers."""
    while True:
        try:
            async with session.get(url + "/v1/health") as reply:
                if reply.status == 200:
                    return (time.perf_counter() - since) * 1000
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.005)


async def _open_streams(session: aiohttp.ClientSession, url: str, root: Path) -> Any:
    code = PairingStore.for_settings(Settings.load(config_dir=root / "config" / "spdesk"))
    async with session.post(
        url + "/v1/pair", json={"code": code.new_code()}, headers={"Origin": ORIGIN}
    ) as reply:
        token = (await reply.json())["token"]
    auth = {"Authorization": f"Bearer {token}"}
    async with session.get(url + "/v1/status", headers=auth) as reply:
        await reply.read()  # the connection stays in the pool, kept alive
    stream = await session.get(url + "/v1/events", headers=auth)
    await stream.content.readline()
    return stream


async def _round(root: Path) -> tuple[float, float]:
    port = _free_port()
    env, url = _home(root, port), f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        first = await _spawn(env)
        cold = await _answers(session, url, started)
        stream = await _open_streams(session, url, root)
        first.send_signal(signal.SIGKILL)
        killed = time.perf_counter()
        await first.wait()
        second = await _spawn(env)
        again = await _answers(session, url, killed)
        stream.close()
        second.send_signal(signal.SIGTERM)
        await second.wait()
    return cold, again


async def measure(rounds: int) -> dict[str, Any]:
    """Cold start and restart-after-SIGKILL times, `rounds` each."""
    cold, again = [], []
    for n in range(rounds):
        with tempfile.TemporaryDirectory(prefix="spdesk-bench-restart-") as tmp:
            a, b = await _round(Path(tmp) / str(n))
        cold.append(a)
        again.append(b)
    return {
        "rounds": rounds,
        "load_average": load_average(),
        "cold_start": summary(cold, 1),
        "restart_after_sigkill": summary(again, 1),
        "ratio_p50": round(
            again and sorted(again)[len(again) // 2] / sorted(cold)[len(cold) // 2], 2
        ),
    }


def main() -> None:
    """Run the benchmark and write bench/results/restart.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    add_results_argument(parser)
    args = parser.parse_args()
    results = asyncio.run(measure(args.rounds))
    rows = [
        (label, results[key]["p50_ms"], results[key]["p95_ms"], results[key]["max_ms"])
        for label, key in (
            ("cold start on a fresh port (baseline)", "cold_start"),
            ("restart after SIGKILL, streams open", "restart_after_sigkill"),
        )
    ]
    markdown = "\n".join(
        [
            "# Restart after SIGKILL (bench/restart.py)",
            "",
            *table(["", "p50 ms", "p95 ms", "max ms"], rows),
            "",
            f"Restart / cold start (p50): {results['ratio_p50']}; {results['rounds']} rounds, "
            f"load average {results['load_average']}. The restart time counts from the kill.",
            "",
        ]
    )
    write_results(args.results_dir, NAME, results, markdown)


if __name__ == "__main__":
    main()
