"""Benchmark: start-up time and idle memory (RSS) of `spdesk serve`, against a bare aiohttp server.

Both run as their own process the same way: spawn, wait for the "listening on URL" line, then for
the first answer of GET /v1/health. Start-up is spawn to first answer; idle RSS is read from
/proc after a short idle pause. The baseline is the smallest aiohttp server that answers the same
route: the ratio is what spdesk (settings, keyring, SP-API client, journal, middlewares) adds.
A third number is the cost of the hardening per request: an authenticated GET /v1/status through
every middleware (Host, body limit, CORS, Origin, token lookup) against a bare handler returning
the same JSON, both in this process, sequential requests over one keep-alive connection.

Run: packaging/with-keyring.sh .venv/bin/python -m bench.companion_startup [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench._shared import add_results_argument, bare_server, table, write_results

NAME = "companion_startup"
REPO = Path(__file__).resolve().parents[1]
IDLE_SECONDS = 1.0
BENCH_ORIGIN = "chrome-extension://bbbbccccddddeeeeffffgggghhhhiiii"  # a well-formed extension id

BASELINE = """
import asyncio
from aiohttp import web

async def health(request):
    return web.json_response({"service": "baseline"})

async def main():
    app = web.Application()
    app.router.add_get("/v1/health", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(f"listening on http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _wait_health(url: str, deadline: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(f"{url}/v1/health", timeout=1.0) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def measure(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Spawn one server, time it to its first answer, read its idle RSS, stop it."""
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if "listening on " in line:
                url = line.split("listening on ", 1)[1].strip()
                break
        else:
            raise RuntimeError(f"{argv} exited before listening")
        _wait_health(url, started + 30)
        ready = time.monotonic() - started
        time.sleep(IDLE_SECONDS)  # let start-up garbage settle before reading the idle size
        return {"startup_s": ready, "rss_mib": _rss_kib(process.pid) / 1024}
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _latency_us(http: Any, url: str, headers: dict[str, str], requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        async with http.get(url, headers=headers) as reply:
            await reply.read()
            assert reply.status == 200, reply.status
    return (time.perf_counter() - started) / requests * 1e6


async def request_overhead(tmp: Path, requests: int = 2000) -> dict[str, float]:
    """Mean latency of GET /v1/status: full companion vs a bare aiohttp handler."""
    import aiohttp

    from companion.config import Settings
    from companion.keys import PAIRINGS
    from companion.server import start_companion

    settings = Settings(port=0, config_dir=tmp / "oc", data_dir=tmp / "od")
    companion = await start_companion(settings)
    body = {"version": "0.1.0", "mode": "unconfigured", "pairingId": "pair_x", "accounts": []}
    try:
        async with (
            bare_server("/v1/status", json.dumps(body).encode()) as bare,
            aiohttp.ClientSession() as http,
        ):
            code = companion.app[PAIRINGS].new_code()
            async with http.post(
                f"{companion.url}/v1/pair", json={"code": code}, headers={"Origin": BENCH_ORIGIN}
            ) as r:
                token = (await r.json())["token"]
            auth = {"Authorization": f"Bearer {token}"}
            bare_url = f"{bare}/v1/status"
            await _latency_us(http, bare_url, {}, 200)  # warm up both
            await _latency_us(http, f"{companion.url}/v1/status", auth, 200)
            return {
                "baseline_us": round(await _latency_us(http, bare_url, {}, requests), 1),
                "companion_us": round(
                    await _latency_us(http, f"{companion.url}/v1/status", auth, requests), 1
                ),
            }
    finally:
        await companion.stop()


def run(runs: int) -> dict[str, Any]:
    """Alternate baseline and companion runs; medians of each."""
    samples: dict[str, list[dict[str, float]]] = {"baseline": [], "companion": []}
    with tempfile.TemporaryDirectory(prefix="spdesk-bench-") as tmp:
        env = {**os.environ, "XDG_CONFIG_HOME": f"{tmp}/config", "XDG_DATA_HOME": f"{tmp}/data"}
        for _ in range(runs):
            samples["baseline"].append(measure([sys.executable, "-c", BASELINE], env))
            samples["companion"].append(
                measure([sys.executable, "-m", "companion", "serve", "--port", "0"], env)
            )
        overhead = asyncio.run(request_overhead(Path(tmp)))
    result: dict[str, Any] = {
        "name": NAME,
        "runs": runs,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
    }
    for who, rows in samples.items():
        result[who] = {
            key: round(statistics.median(r[key] for r in rows), 3)
            for key in ("startup_s", "rss_mib")
        }
    result["ratio"] = {
        key: round(result["companion"][key] / result["baseline"][key], 2)
        for key in ("startup_s", "rss_mib")
    }
    result["request"] = {
        **overhead,
        "ratio": round(overhead["companion_us"] / overhead["baseline_us"], 2),
    }
    return result


def _markdown(r: dict[str, Any]) -> str:
    b, c, q = r["baseline"], r["companion"], r["ratio"]
    rows = table(
        ["", "start-up to first answer", "idle RSS"],
        [
            ("bare aiohttp (baseline)", f"{b['startup_s']:.3f} s", f"{b['rss_mib']:.1f} MiB"),
            ("`spdesk serve`", f"{c['startup_s']:.3f} s", f"{c['rss_mib']:.1f} MiB"),
            ("ratio", f"{q['startup_s']:.2f}x", f"{q['rss_mib']:.2f}x"),
        ],
    )
    return "\n".join(
        [
            f"# {NAME}",
            "",
            f"Median of {r['runs']} runs ({r['machine']}, Python {r['python']}).",
            "",
            *rows,
            "",
            "Authenticated `GET /v1/status`, mean latency (sequential, keep-alive): "
            f"{r['request']['companion_us']:.0f} µs through every middleware vs "
            f"{r['request']['baseline_us']:.0f} µs for a bare handler "
            f"({r['request']['ratio']:.2f}x).",
            "",
        ]
    )


def main() -> None:
    """Measure, print, and write bench/results/companion_startup.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    add_results_argument(parser)
    args = parser.parse_args()
    results = run(args.runs)
    write_results(args.results_dir, NAME, results, _markdown(results))


if __name__ == "__main__":
    main()
