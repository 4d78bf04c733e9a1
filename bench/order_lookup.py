"""Benchmark: order lookup through the companion vs the same lookup with the library directly.

Both sides read the same sandbox orders in the same run, alternating. The baseline calls
python-amazon-sp-api itself the way the companion does (Orders v2026-01-01 getOrder and Finances
listFinancialEventsByOrderId at once); the companion answers GET /v1/orders/{id} over HTTP as it
does for the extension (host/auth middlewares, gateway with buckets and status checks, view).
Every companion lookup is cold (each order once); then one order is looked up again and again to
time the cache. A third side, a bare aiohttp route serving the same JSON on 127.0.0.1, shows what
any local HTTP hop costs before the companion does anything. Two settings: the sandbox answering
at once (the companion's own cost shows in full), and the sandbox's "slow" fault adding a fixed
delay per SP-API call, closer to Amazon. Goals: companion cold <= 1.15 x direct; a cached lookup
<= 5 ms at p99.

Run: packaging/with-keyring.sh .venv/bin/python -m bench.order_lookup [--orders N] [--cached N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from bench._shared import add_results_argument, bare_server, load_average, table, write_results
from companion.accounts import AccountStore
from companion.amazon.gateway import ORDER_INCLUDED_DATA
from companion.config import Settings
from companion.keys import PAIRINGS
from companion.server import RunningCompanion, start_companion
from spdesk_demo.sandbox_account import install_sandbox_account
from spdesk_sandbox.server import SandboxServer, start_sandbox
from spdesk_sandbox.settings import SandboxSettings

NAME = "order_lookup"
ORIGIN = "chrome-extension://kcbkpmgfjemhmldbhccpkhbgaflnmmnb"
GOAL_COLD_RATIO = 1.15
GOAL_CACHED_P99_MS = 5.0
REFUNDABLE = {"UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"}


def _direct_clients(server: SandboxServer) -> tuple[Any, Any]:
    """python-amazon-sp-api's async Orders and Finances clients aimed at the sandbox."""
    from sp_api.asyncio.api import Finances, Orders
    from sp_api.asyncio.auth.access_token_client import AccessTokenClient
    from sp_api.base import Marketplaces
    from sp_api.base.credential_provider import FromCodeCredentialProvider

    s = server.settings
    scheme, host = server.url.split("://", 1)
    token_class = type(
        "BenchTokenClient", (AccessTokenClient,), {"scheme": f"{scheme}://", "host": host}
    )
    common: dict[str, Any] = {
        "credentials": {
            "refresh_token": s.refresh_token,
            "lwa_app_id": s.client_id,
            "lwa_client_secret": s.client_secret,
        },
        "credential_providers": [FromCodeCredentialProvider],
        "auth_token_client_class": token_class,
    }
    orders = Orders(Marketplaces.US, version="2026-01-01", **common)
    finances = Finances(Marketplaces.US, **common)
    for client in (orders, finances):
        client.endpoint = server.url
    return orders, finances


async def _direct_lookup(orders: Any, finances: Any, order_id: str) -> None:
    response, _events = await asyncio.gather(
        orders.get_order(order_id, includedData=ORDER_INCLUDED_DATA),  # as the companion asks
        finances.get_financial_events_for_order(order_id),
    )
    assert response.payload["order"]["fulfillment"]["fulfillmentStatus"] in REFUNDABLE


async def _start_companion(tmp: Path, server: SandboxServer) -> tuple[RunningCompanion, str]:
    settings = Settings.for_tests(tmp)
    store = AccountStore(settings)
    install_sandbox_account(store, server.url)
    companion = await start_companion(settings, store=store)
    code = companion.app[PAIRINGS].new_code()
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{companion.url}/v1/pair",
            json={"code": code, "label": "bench"},
            headers={"Origin": ORIGIN, "Host": _host(companion)},
        ) as reply:
            token = str((await reply.json())["token"])
    return companion, token


def _host(companion: RunningCompanion) -> str:
    return f"127.0.0.1:{companion.port}"


# One lookup: (wall-clock seconds, CPU seconds of this process, which runs every side).
Sample = tuple[float, float]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _summary(samples: list[Sample]) -> dict[str, float]:
    ordered = sorted(wall for wall, _ in samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    # CPU time is what the lookup costs this process; other load on the machine barely moves it,
    # while it does move wall-clock tails.
    cpu = sorted(c for _, c in samples)
    return {
        "n": len(samples),
        "p50_ms": _ms(pick(0.50)),
        "p90_ms": _ms(pick(0.90)),
        "p99_ms": _ms(pick(0.99)),
        "mean_ms": _ms(statistics.fmean(ordered)),
        "cpu_p50_ms": _ms(cpu[len(cpu) // 2]),
        "cpu_mean_ms": _ms(statistics.fmean(cpu)),
    }


async def _timed(call: Any) -> Sample:
    wall, cpu = time.perf_counter(), time.process_time()
    await call
    return time.perf_counter() - wall, time.process_time() - cpu


def _fetcher(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str]
) -> Callable[[str], Awaitable[None]]:
    """GET `url`/v1/orders/{id}, reading the whole answer."""

    async def fetch(order_id: str) -> None:
        async with session.get(f"{url}/v1/orders/{order_id}", headers=headers) as reply:
            await reply.read()

    return fetch


async def _alternate(sides: list[Any], ids: list[str]) -> list[list[Sample]]:
    """Each order read once by every side, the side that goes first rotating per order."""
    samples: list[list[Sample]] = [[] for _ in sides]
    for n, order_id in enumerate(ids):
        for k in range(len(sides)):
            side = (n + k) % len(sides)
            samples[side].append(await _timed(sides[side](order_id)))
    return samples


async def _measure(
    server: SandboxServer, companion: RunningCompanion, token: str, ids: list[str], n_cached: int
) -> dict[str, Any]:
    orders, finances = _direct_clients(server)
    headers = {"Host": _host(companion), "Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session:

        async def direct(order_id: str) -> None:
            await _direct_lookup(orders, finances, order_id)

        async def through(order_id: str) -> bytes:
            async with session.get(
                f"{companion.url}/v1/orders/{order_id}", headers=headers
            ) as reply:
                assert reply.status == 200, await reply.text()
                return await reply.read()

        # Warm both sides (access tokens, connection pools) on an order not measured.
        warm = server.seed.order_id("us-fbm-shipped")
        await direct(warm)
        # The loopback floor: a bare route serving the same JSON, what any local HTTP hop costs.
        async with bare_server("/v1/orders/{orderId}", await through(warm)) as bare_url:
            floor = _fetcher(session, bare_url, {"Authorization": headers["Authorization"]})
            await floor(warm)
            d, c, f = await _alternate([direct, through, floor], ids)
            cached = [await _timed(through(ids[0])) for _ in range(n_cached)]
    for client in (orders, finances):
        await client.aclose()
    return _result(d, c, f, cached)


def _result(
    direct: list[Sample], cold: list[Sample], floor: list[Sample], cached: list[Sample]
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "direct": _summary(direct),
        "companion_cold": _summary(cold),
        "loopback_floor": _summary(floor),
    }
    if cached:
        result["companion_cached"] = _summary(cached)
    d, c = result["direct"], result["companion_cold"]
    for stat in ("p50", "mean", "cpu_p50"):
        result[f"cold_ratio_{stat}"] = round(c[f"{stat}_ms"] / d[f"{stat}_ms"], 3)
        result[f"added_{stat}_ms"] = round(c[f"{stat}_ms"] - d[f"{stat}_ms"], 3)
    return result


async def run(n_orders: int, n_cached: int, n_slow: int, delay_ms: float) -> dict[str, Any]:
    """Start a sandbox and a companion, measure both lookups in both settings."""
    # Other work on the machine stretches wall-clock times (not CPU times): say how busy it was.
    before = load_average()
    server = await start_sandbox(SandboxSettings(bulk_orders=n_orders + n_slow, rate_scale=1e6))
    ids = [v for k, v in sorted(server.seed.labels.items()) if k.startswith("bulk-")]
    try:
        with tempfile.TemporaryDirectory(prefix="spdesk-bench-") as tmp:
            companion, token = await _start_companion(Path(tmp), server)
            try:
                instant = await _measure(server, companion, token, ids[:n_orders], n_cached)
                server.state.faults.add("slow", "*", count=None, delay_seconds=delay_ms / 1000)
                slow = await _measure(server, companion, token, ids[n_orders:], 0)
                server.state.faults.clear()
            finally:
                await companion.stop()
    finally:
        await server.stop()
    return {
        "name": NAME,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1min": [before, load_average()],
        "instant": instant,
        "amazon_like": {**slow, "delay_ms_per_call": delay_ms},
        "goal_cold_ratio": GOAL_COLD_RATIO,
        "goal_cached_p99_ms": GOAL_CACHED_P99_MS,
    }


def _rows(title: str, r: dict[str, Any]) -> list[str]:
    rows = [
        ("python-amazon-sp-api directly (baseline)", r["direct"]),
        ("companion GET /v1/orders/{id}, cold", r["companion_cold"]),
    ]
    if "companion_cached" in r:
        rows.append(("companion GET /v1/orders/{id}, cached", r["companion_cached"]))
    rows.append(("bare aiohttp route, same JSON (loopback floor)", r["loopback_floor"]))
    lines = [f"## {title}", ""]
    lines += table(
        ["lookup", "n", "p50 ms", "p90 ms", "p99 ms", "mean ms", "CPU p50 ms"],
        [
            (name, s["n"], s["p50_ms"], s["p90_ms"], s["p99_ms"], s["mean_ms"], s["cpu_p50_ms"])
            for name, s in rows
        ],
    )
    met = _met(r["cold_ratio_p50"] <= GOAL_COLD_RATIO)
    lines += [
        "",
        f"- cold companion / direct: **{r['cold_ratio_p50']}** at p50 "
        f"({r['cold_ratio_mean']} on the mean, {r['cold_ratio_cpu_p50']} in CPU); "
        f"the companion adds **{r['added_p50_ms']} ms** at p50 "
        f"({r['added_cpu_p50_ms']} ms CPU), of which a bare loopback HTTP hop is "
        f"{r['loopback_floor']['p50_ms']} ms ({r['loopback_floor']['cpu_p50_ms']} ms "
        f"CPU); goal <= {GOAL_COLD_RATIO}: **{met}**",
        "",
    ]
    return lines


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def _markdown(r: dict[str, Any]) -> str:
    slow = r["amazon_like"]
    lines = [
        "# Order lookup: companion vs python-amazon-sp-api directly",
        "",
        f"Distinct bulk sandbox orders (FBM, Orders + Finances each), every order read by "
        f"each side in rotating order, one process and event loop for sandbox, companion "
        f"and clients (Python {r['python']}, {r['cpus']} CPUs, 1-min load average "
        f"{r['load_average_1min'][0]} before / {r['load_average_1min'][1]} after). Goals: "
        f"cold ratio <= {r['goal_cold_ratio']}, cached p99 <= {r['goal_cached_p99_ms']} ms.",
        "",
    ]
    lines += _rows("Sandbox answering at once (the companion's own cost in full)", r["instant"])
    cached_p99 = r["instant"]["companion_cached"]["p99_ms"]
    lines += [
        f"- cached p99: **{cached_p99} ms**; goal <= {GOAL_CACHED_P99_MS} ms: "
        f"**{_met(cached_p99 <= GOAL_CACHED_P99_MS)}**",
        "",
    ]
    lines += _rows(
        f"Sandbox with {slow['delay_ms_per_call']:g} ms per SP-API call "
        "(Amazon answers getOrder in the 100s of ms)",
        slow,
    )
    return "\n".join(lines)


def main() -> None:
    """Measure, print, and write bench/results/order_lookup.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300, help="distinct orders (cold lookups)")
    parser.add_argument("--cached", type=int, default=1000, help="cached lookups of one order")
    parser.add_argument("--slow-orders", type=int, default=100, help="orders read with a delay")
    parser.add_argument("--delay-ms", type=float, default=100.0, help="delay per SP-API call")
    add_results_argument(parser)
    args = parser.parse_args()
    results = asyncio.run(run(args.orders, args.cached, args.slow_orders, args.delay_ms))
    write_results(args.results_dir, NAME, results, _markdown(results))


if __name__ == "__main__":
    main()
