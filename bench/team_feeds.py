"""Benchmark: three companions of a team on one ledger spend Amazon's quota like one companion.

The sandbox runs Amazon's real usage plans on a fast clock (`--speed`: buckets refill that much
faster, which the gateway learns from x-amzn-RateLimit-Limit; the companions' delays are divided
by it). The same 300 refunds (10 each on 30 orders, 10 agents at a time) are sent twice, each time
to a fresh sandbox:

- baseline: one companion on its own journal (SQLite) takes them all;
- team: three companions on one PostgreSQL ledger take them in turn; one of them, elected, builds
  and sends the feeds for all three, within the createFeed bucket the team shares in the ledger.

Reported: createFeed calls (feeds Amazon created) and 429s Amazon answered (goal: the same feed
count as one companion, 0 throttles), final states, and the time until every refund succeeded.

Run under the keyring: packaging/with-keyring.sh .venv/bin/python -m bench.team_feeds [--speed S]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from bench._ledger import Paired, paired_companion, partial_refund, private_ledger
from bench._shared import add_results_argument, load_average, table, write_results
from companion.accounts import AccountStore
from companion.actions.ports import ActionQuery
from companion.config import Settings
from companion.keys import ACTIONS
from spdesk_sandbox.processor import feeds_of
from spdesk_sandbox.server import start_sandbox
from spdesk_sandbox.settings import SandboxSettings

NAME = "team_feeds"
ORDERS, PER_ORDER, AGENTS = 30, 10, 10


def _settings(root: Path, speed: float, **team: Any) -> Settings:
    return Settings.for_tests(
        root,
        feed_batch_window=0.75 / speed,
        feed_poll_interval=20.0 / speed,
        feed_reconcile_grace=120.0 / speed,
        feed_retry_delay=5.0 / speed,
        finances_poll_interval=3600.0,
        **team,
    )


async def run(mode: str, speed: float, dsn: str | None, root: Path) -> dict[str, Any]:
    """Send the refunds through one companion or a team of three; measure what Amazon saw."""
    sandbox = await start_sandbox(
        SandboxSettings(
            speed=speed,
            rate_scale=speed,
            bulk_orders=2 * ORDERS,
            access_token_ttl_seconds=int(3600 * speed * 10),
        )
    )
    names = ["Ann", "Bob", "Cyd"] if dsn else ["alone"]
    async with aiohttp.ClientSession() as session:
        team: list[Paired] = []
        stores = []
        for name in names:
            extra = {"ledger": dsn, "agent": name} if dsn else {}
            settings = _settings(root / mode / name, speed, **extra)
            stores.append(AccountStore(settings))
            team.append(await paired_companion(settings, stores[-1], sandbox.url, session))
        try:
            return await _send(mode, sandbox, session, team, speed)
        finally:
            for paired in team:
                await paired.server.stop()
            stores[0].remove("sandbox")
            await sandbox.stop()


async def _send(
    mode: str, sandbox: Any, session: aiohttp.ClientSession, team: list[Paired], speed: float
) -> dict[str, Any]:
    gate = asyncio.Semaphore(AGENTS)
    labels = [f"bulk-{2 * n:04d}" for n in range(1, ORDERS + 1)] * PER_ORDER

    async def one(n: int, label: str) -> None:
        async with gate:
            status, reply = await team[n % len(team)].post(
                session, "/v1/refunds", partial_refund(sandbox, label, "0.10"), str(uuid.uuid4())
            )
        assert status == 202, reply

    began = time.perf_counter()
    await asyncio.gather(*(one(n, label) for n, label in enumerate(labels)))
    ledger = team[0].server.app[ACTIONS].ledger
    while True:
        if not await ledger.unfinished():
            break
        await asyncio.sleep(0.05)
    wall = time.perf_counter() - began
    actions = await ledger.find(ActionQuery())
    usage = sandbox.state.throttle.snapshot()
    return {
        "mode": mode,
        "companions": len(team),
        "refunds": len(actions),
        "states": sorted({str(a.state) for a in actions}),
        "feeds_created": len(feeds_of(sandbox.state)),
        "throttled_429": sum(int(u["throttled"]) for u in usage.values()),
        "wall_s_amazon": round(wall * speed, 1),
    }


def report(results: list[dict[str, Any]], speed: float) -> str:
    """The Markdown summary."""
    alone, team = results
    rows = [
        (label, *(r[key] for r in results))
        for label, key in (
            ("companions", "companions"),
            ("refunds", "refunds"),
            ("createFeed calls (feeds created)", "feeds_created"),
            ("429s Amazon answered", "throttled_429"),
            ("final states", "states"),
            ("until every refund succeeded (Amazon s)", "wall_s_amazon"),
        )
    ]
    lines = [
        "# A team of three companions spends Amazon's quota like one",
        "",
        f"{ORDERS * PER_ORDER} refunds ({PER_ORDER} on each of {ORDERS} orders, {AGENTS} agents "
        f"at a time); Amazon's real usage plans, sandbox clock x{speed:g}; Python "
        f"{platform.python_version()}, load average {load_average()}.",
        "",
        *table(["", "one companion (SQLite)", "three companions (one ledger)"], rows),
        "",
        f"- createFeed: **{team['feeds_created']} for the team vs {alone['feeds_created']} "
        f"alone**; 429s: **{team['throttled_429']}** (alone {alone['throttled_429']})",
        "- one feed builder sends everyone's queued refunds; the createFeed bucket lives in the "
        "ledger, so a companion never spends a token another already took",
    ]
    return "\n".join(lines) + "\n"


async def main_async(speed: float) -> list[dict[str, Any]]:
    """The baseline, then the team, each on a fresh sandbox."""
    with tempfile.TemporaryDirectory(prefix="spdesk-bench-") as tmp:
        alone = await run("alone", speed, None, Path(tmp))
        async with private_ledger() as dsn:
            team = await run("team", speed, dsn, Path(tmp))
    return [alone, team]


def main() -> None:
    """Run the benchmark and write bench/results/team_feeds.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--speed", type=float, default=100.0)
    add_results_argument(parser)
    args = parser.parse_args()
    results = asyncio.run(main_async(args.speed))
    write_results(args.results_dir, NAME, results, report(results, args.speed))


if __name__ == "__main__":
    main()
