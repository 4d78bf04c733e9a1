"""Benchmark: getOrder requests per second of the sandbox, against a bare aiohttp baseline.

The baseline serves the same JSON bytes from a handler with no auth, usage plan, fault check or
serialization: the ratio says what the simulation costs on top of aiohttp itself. The headroom
over Amazon's real getOrder plan (0.5 requests/s sustained) says whether the sandbox could ever be
the bottleneck of a test; the same with strict requests says what checking each request against
Amazon's model costs. Finally, with Amazon's real plan, a burst shows the 429s a client sees.
Client and server share one process and event loop, like the tests do.

Run: .venv/bin/python -m bench.sandbox_orders [--requests N] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from bench._shared import (
    add_results_argument,
    bare_server,
    sandbox_token,
    table,
    write_results,
)
from spdesk_sandbox.server import start_sandbox
from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.throttle import USAGE_PLANS

NAME = "sandbox_orders"
MODELS = Path(__file__).resolve().parents[1] / "tests" / "sandbox" / "spapi"
INCLUDED = "PROCEEDS,FULFILLMENT,CANCELLATION"


async def _hammer(
    fetch: Callable[[int], Awaitable[int]], requests: int, concurrency: int
) -> dict[str, Any]:
    """Run `requests` calls with `concurrency` workers; requests/s and status counts."""
    counter = iter(range(requests))
    statuses: dict[int, int] = {}

    async def worker() -> None:
        for n in counter:
            status = await fetch(n)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "requests": requests,
        "seconds": round(elapsed, 3),
        "rps": round(requests / elapsed, 1),
        "statuses": statuses,
    }


async def _baseline(body: bytes, requests: int, concurrency: int) -> dict[str, Any]:
    """The same bytes from a bare aiohttp route, hammered the same way."""
    async with (
        bare_server("/orders/2026-01-01/orders/{orderId}", body) as base_url,
        aiohttp.ClientSession() as session,
    ):

        async def fetch(_n: int) -> int:
            url = f"{base_url}/orders/2026-01-01/orders/111-0000000-0000000"
            async with session.get(url, params={"includedData": INCLUDED}) as response:
                await response.read()
                return response.status

        return await _hammer(fetch, requests, concurrency)


async def _sandbox(
    requests: int, concurrency: int, models_dir: Path | None = None
) -> tuple[dict[str, Any], bytes]:
    settings = SandboxSettings(bulk_orders=200, rate_scale=1e6, request_models_dir=models_dir)
    server = await start_sandbox(settings)
    ids = [v for k, v in server.seed.labels.items() if k.startswith("bulk-")]
    try:
        async with aiohttp.ClientSession() as session:
            headers = {"x-amz-access-token": await sandbox_token(server, session)}

            async def fetch(n: int) -> int:
                url = f"{server.url}/orders/2026-01-01/orders/{ids[n % len(ids)]}"
                async with session.get(
                    url, params={"includedData": INCLUDED}, headers=headers
                ) as response:
                    await response.read()
                    return response.status

            result = await _hammer(fetch, requests, concurrency)
            url = f"{server.url}/orders/2026-01-01/orders/{ids[0]}"
            async with session.get(
                url, params={"includedData": INCLUDED}, headers=headers
            ) as response:
                sample = await response.read()
        return result, sample
    finally:
        await server.stop()


async def _amazon_plan_burst(requests: int) -> dict[str, Any]:
    """With Amazon's real plan: how many of a quick burst get 429, as seen by /_sandbox/usage."""
    server = await start_sandbox(SandboxSettings(rate_scale=1.0))
    order_id = server.seed.order_id("us-fbm-shipped")
    try:
        async with aiohttp.ClientSession() as session:
            headers = {"x-amz-access-token": await sandbox_token(server, session)}

            async def fetch(_n: int) -> int:
                url = f"{server.url}/orders/2026-01-01/orders/{order_id}"
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    return response.status

            result = await _hammer(fetch, requests, 8)
            async with session.get(f"{server.url}/_sandbox/usage") as response:
                usage = (await response.json())["operations"]["getOrder"]
        return {
            "sent": requests,
            "ok": result["statuses"].get(200, 0),
            "throttled_seen_by_client": result["statuses"].get(429, 0),
            "throttled_in_usage": usage["throttled"],
            "burst": usage["burst"],
        }
    finally:
        await server.stop()


def _markdown(results: dict[str, Any]) -> str:
    s, b, t = results["sandbox"], results["baseline"], results["amazon_plan_burst"]
    strict = results["sandbox_strict"]
    return "\n".join(
        [
            "# Sandbox getOrder throughput",
            "",
            f"{results['requests']} requests, {results['concurrency']} concurrent, one process "
            f"({results['python']}).",
            "",
            *table(
                ["server", "requests/s", "statuses"],
                [
                    ("bare aiohttp, same bytes (baseline)", b["rps"], b["statuses"]),
                    (
                        "sandbox getOrder (auth, plan, faults, serialization)",
                        s["rps"],
                        s["statuses"],
                    ),
                    (
                        "same, strict requests (checked against the model)",
                        strict["rps"],
                        strict["statuses"],
                    ),
                ],
            ),
            "",
            f"- sandbox / baseline: **{results['ratio_to_baseline']}**",
            f"- strict / plain sandbox: **{results['strict_ratio']}**",
            f"- headroom over Amazon's getOrder rate ({results['amazon_rate']}/s): "
            f"**x{results['headroom_over_amazon']}**",
            f"- Amazon's plan, burst of {t['sent']}: {t['ok']} answered (burst {t['burst']}), "
            f"{t['throttled_seen_by_client']} got 429 (usage counter: {t['throttled_in_usage']})",
            "",
        ]
    )


async def run(requests: int, concurrency: int) -> dict[str, Any]:
    """Run the four measurements and return the results."""
    sandbox, sample = await _sandbox(requests, concurrency)
    strict, _ = await _sandbox(requests, concurrency, MODELS)
    baseline = await _baseline(sample, requests, concurrency)
    burst = await _amazon_plan_burst(60)
    amazon_rate = USAGE_PLANS["getOrder"].rate
    return {
        "name": NAME,
        "requests": requests,
        "concurrency": concurrency,
        "python": platform.python_version(),
        "baseline": baseline,
        "sandbox": sandbox,
        "ratio_to_baseline": round(sandbox["rps"] / baseline["rps"], 3),
        "sandbox_strict": strict,
        "strict_ratio": round(strict["rps"] / sandbox["rps"], 3),
        "amazon_rate": amazon_rate,
        "headroom_over_amazon": round(sandbox["rps"] / amazon_rate),
        "amazon_plan_burst": burst,
    }


def main() -> None:
    """Measure, print, and write bench/results/sandbox_orders.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    add_results_argument(parser)
    args = parser.parse_args()
    results = asyncio.run(run(args.requests, args.concurrency))
    write_results(args.results_dir, NAME, results, _markdown(results))


if __name__ == "__main__":
    main()
