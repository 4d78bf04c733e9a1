"""Benchmark: what the team ledger (PostgreSQL) adds to a refund request, against SQLite.

Two companions in one process against one sandbox, same settings but the ledger: one on its own
SQLite journal (the baseline), one on a private PostgreSQL server (team mode; the server on this
machine, over loopback TCP as a team's database would be over its network). Refunds of distinct
orders are sent one at a time, alternating between the two, so both see the same machine load.
Reported: the HTTP request -> 202 time, and the same minus the Amazon reads of the order view
(what the companion itself adds: checks, ledger writes, order lock), p50 and p95; goal: the team
ledger adds at most 5 ms at p50.

Run under the keyring:
    packaging/with-keyring.sh .venv/bin/python -m bench.ledger_latency [--refunds N]
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
from bench._shared import add_results_argument, load_average, summary, table, write_results
from companion.accounts import AccountStore
from companion.config import Settings
from companion.keys import ACTIONS, ORDERS
from spdesk_sandbox.server import start_sandbox
from spdesk_sandbox.settings import SandboxSettings

NAME = "ledger_latency"
FAST = {"feed_batch_window": 0.2, "feed_poll_interval": 0.05, "finances_poll_interval": 3600.0}


class Reads:
    """The order service's get_view, timed per order (the Amazon reads inside a request)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds: dict[str, float] = {}

    async def __call__(self, order_id: str, account: str | None = None, fresh: bool = False) -> Any:
        started = time.perf_counter()
        try:
            return await self.inner(order_id, account=account, fresh=fresh)
        finally:
            self.seconds[order_id] = self.seconds.get(order_id, 0.0) + time.perf_counter() - started


async def _companion(
    root: Path, sandbox: Any, session: aiohttp.ClientSession, **settings: Any
) -> tuple[Paired, Reads, AccountStore]:
    config = Settings.for_tests(root, **FAST, **settings)
    store = AccountStore(config)
    paired = await paired_companion(config, store, sandbox.url, session)
    reads = Reads(paired.server.app[ORDERS].get_view)
    paired.server.app[ORDERS].get_view = reads  # type: ignore[method-assign]
    paired.server.app[ACTIONS].service.orders = paired.server.app[ORDERS]
    return paired, reads, store


async def measure(refunds: int) -> dict[str, Any]:
    """Both companions, `refunds` each, alternating; milliseconds per request."""
    sandbox = await start_sandbox(
        SandboxSettings(speed=200.0, rate_scale=1000.0, bulk_orders=4 * (refunds + 5) + 4)
    )
    samples: dict[str, dict[str, list[float]]] = {
        m: {"request": [], "own": []} for m in ("sqlite", "postgresql")
    }
    async with private_ledger() as dsn, aiohttp.ClientSession() as session:
        with tempfile.TemporaryDirectory(prefix="spdesk-bench-") as tmp:
            alone = await _companion(Path(tmp) / "alone", sandbox, session)
            team = await _companion(Path(tmp) / "team", sandbox, session, ledger=dsn, agent="Ann")
            try:
                for n in range(refunds + 5):  # the first five warm both up, not counted
                    for mode, (paired, reads, _) in (("sqlite", alone), ("postgresql", team)):
                        label = f"bulk-{2 * (2 * n + (mode == 'postgresql')) + 2:04d}"
                        body = partial_refund(sandbox, label)
                        started = time.perf_counter()
                        status, reply = await paired.post(
                            session, "/v1/refunds", body, str(uuid.uuid4())
                        )
                        elapsed = time.perf_counter() - started
                        assert status == 202, reply
                        if n >= 5:
                            own = elapsed - reads.seconds[body["orderId"]]
                            samples[mode]["request"].append(elapsed * 1000)
                            samples[mode]["own"].append(own * 1000)
            finally:
                for paired, _, _store in (alone, team):
                    await paired.server.stop()
                alone[2].remove("sandbox")
    await sandbox.stop()
    return {
        mode: {kind: summary(values, 2) for kind, values in found.items()}
        for mode, found in samples.items()
    }


def report(results: dict[str, Any], refunds: int) -> str:
    """The Markdown summary."""
    rows = [
        (
            label,
            *(results[mode][kind][stat] for mode in ("sqlite", "postgresql")),
            round(results["postgresql"][kind][stat] - results["sqlite"][kind][stat], 2),
        )
        for label, kind, stat in (
            ("request -> 202, p50 (ms)", "request", "p50_ms"),
            ("request -> 202, p95 (ms)", "request", "p95_ms"),
            ("minus the Amazon reads, p50 (ms)", "own", "p50_ms"),
            ("minus the Amazon reads, p95 (ms)", "own", "p95_ms"),
        )
    ]
    added = results["postgresql"]["own"]["p50_ms"] - results["sqlite"]["own"]["p50_ms"]
    lines = [
        "# Refund request latency: team ledger (PostgreSQL) vs own journal (SQLite)",
        "",
        f"{refunds} refunds per ledger, one at a time, alternating; sandbox in the same process; "
        f"PostgreSQL {'on this machine over loopback TCP'}; Python {platform.python_version()}, "
        f"load average {load_average()}.",
        "",
        *table(["", "SQLite (alone)", "PostgreSQL (team)", "difference"], rows),
        "",
        f"- the team ledger adds **{added:.2f} ms** at p50 to what the companion itself spends "
        "on a refund (goal: at most 5 ms)",
        "- what it adds: the order transaction (BEGIN, advisory lock, COMMIT), the replay and "
        "overlap reads, the approval-limit check and the insert, each a round trip; a database "
        "across a network adds its round-trip time to each",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark and write bench/results/ledger_latency.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--refunds", type=int, default=60)
    add_results_argument(parser)
    args = parser.parse_args()
    results = asyncio.run(measure(args.refunds))
    write_results(args.results_dir, NAME, results, report(results, args.refunds))


if __name__ == "__main__":
    main()
