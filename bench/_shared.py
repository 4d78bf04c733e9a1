"""Helpers the benchmarks share: result files, summaries, Markdown tables, bare baselines."""

from __future__ import annotations

import argparse
import json
import os
import statistics
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from companion.keys import PAIRINGS
from companion.server import RunningCompanion
from spdesk_sandbox.server import SandboxServer

RESULTS = Path(__file__).with_name("results")


def add_results_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--results-dir`, so a quick trial run can leave bench/results untouched."""
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=RESULTS,
        help="where NAME.json and NAME.md are written (default: bench/results)",
    )


def write_results(directory: Path, name: str, results: Any, markdown: str) -> None:
    """Write `directory`/NAME.json and NAME.md, then print the Markdown."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (directory / f"{name}.md").write_text(markdown, encoding="utf-8")
    print(markdown)


def load_average() -> float:
    """The 1-minute load average: other work on the machine stretches wall-clock times."""
    return round(os.getloadavg()[0], 2)


def percentile(values: Iterable[float], q: float) -> float:
    """The q-quantile (0..1) of the values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(samples: list[float], digits: int) -> dict[str, float]:
    """Count, mean, p50, p95 and max of millisecond samples, rounded to `digits`."""
    return {
        "n": len(samples),
        # One digit more on the mean: coarse timers make small medians read 0.
        "mean_ms": round(statistics.fmean(samples), digits + 1),
        "p50_ms": round(statistics.median(samples), digits),
        "p95_ms": round(percentile(samples, 0.95), digits),
        "max_ms": round(max(samples), digits),
    }


def row(*cells: object) -> str:
    """One Markdown table row."""
    return "|" + "|".join(f" {cell} " if str(cell) else " " for cell in cells) + "|"


def table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    """A Markdown table: header row, separator, one line per row."""
    names = list(header)
    return [row(*names), "|" + "---|" * len(names), *(row(*cells) for cells in rows)]


@asynccontextmanager
async def bare_server(path: str, body: bytes) -> AsyncIterator[str]:
    """A bare aiohttp route on 127.0.0.1 serving `body` as JSON; yields the server's base URL.

    The baseline of a local HTTP hop: no middleware, no checks, no serialization.
    """

    async def serve(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get(path, serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def sandbox_token(server: SandboxServer, session: aiohttp.ClientSession) -> str:
    """An LWA access token from the sandbox, for the credentials it was started with."""
    s = server.settings
    form = {
        "grant_type": "refresh_token",
        "refresh_token": s.refresh_token,
        "client_id": s.client_id,
        "client_secret": s.client_secret,
    }
    async with session.post(f"{server.url}/auth/o2/token", data=form) as response:
        return str((await response.json())["access_token"])


# The extension origin the benchmarks pair as (a well-formed id; no browser is involved).
ORIGIN = "chrome-extension://kcbkpmgfjemhmldbhccpkhbgaflnmmnb"


async def pair(session: aiohttp.ClientSession, server: RunningCompanion) -> dict[str, str]:
    """Pair ``server`` as the benchmarks' extension; the headers of an authorised request."""
    code = server.app[PAIRINGS].new_code()
    headers = {"Host": f"127.0.0.1:{server.port}", "Origin": ORIGIN}
    async with session.post(
        server.url + "/v1/pair", json={"code": code, "label": "bench"}, headers=headers
    ) as response:
        token = (await response.json())["token"]
    return {**headers, "Authorization": f"Bearer {token}"}
