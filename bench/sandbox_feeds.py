"""Benchmark: the sandbox's full feed cycle (upload, createFeed, processing, report) over HTTP.

Two measurements, each against a baseline run in the same process:

- Latency: submit -> DONE wall time at a given `speed` with the default virtual durations
  (10 s queue + 60 s processing). Baseline: the ideal (queue + processing) / speed; the ratio is
  the overhead of HTTP, polling and the worker on top of the simulated wait.
- Throughput: with zero virtual durations, feeds/s and messages/s through the whole HTTP cycle
  (document upload, createFeed, worker, report, download). Baseline: the same documents parsed,
  checked and applied in-process (`run_feed`), so the ratio says what the HTTP cycle costs.

Run: .venv/bin/python -m bench.sandbox_feeds [--speed S] [--cycles K] [--feeds N] [--messages M]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import time
from typing import Any

import aiohttp

from bench._shared import add_results_argument, sandbox_token, table, write_results
from spdesk_sandbox.feedapply import run_feed
from spdesk_sandbox.server import SandboxServer, start_sandbox
from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.state import SandboxState
from spdesk_sandbox.throttle import USAGE_PLANS

NAME = "sandbox_feeds"
FEED_TYPE = "POST_PAYMENT_ADJUSTMENT_DATA"
XML_TYPE = "text/xml; charset=UTF-8"
US = "ATVPDKIKX0DER"
LABEL = "us-fbm-shipped-partly-refunded"  # 59.98 of Principal left: room for many 0.01 refunds


def feed_xml(state: SandboxState, messages: int) -> bytes:
    """An Order Adjustment document refunding 0.01 Principal per message."""
    order = state.order(state.seed.order_id(LABEL))
    assert order is not None
    code = order.items[0].item_code
    body = "".join(
        f"<Message><MessageID>{n}</MessageID><OrderAdjustment>"
        f"<AmazonOrderID>{order.order_id}</AmazonOrderID><AdjustedItem>"
        f"<AmazonOrderItemCode>{code}</AmazonOrderItemCode>"
        f"<AdjustmentReason>GeneralAdjustment</AdjustmentReason><ItemPriceAdjustments>"
        f'<Component><Type>Principal</Type><Amount currency="USD">0.01</Amount></Component>'
        f"</ItemPriceAdjustments></AdjustedItem></OrderAdjustment></Message>"
        for n in range(1, messages + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><AmazonEnvelope><Header>'
        "<DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A2SPDESKDEMO01"
        "</MerchantIdentifier></Header><MessageType>OrderAdjustment</MessageType>"
        f"{body}</AmazonEnvelope>"
    ).encode()


class Client:
    """A minimal SP-API caller for the sandbox (LWA token, JSON in and out)."""

    def __init__(self, server: SandboxServer, session: aiohttp.ClientSession) -> None:
        self.server, self.session = server, session
        self.headers: dict[str, str] = {}

    async def login(self) -> None:
        """Get an LWA access token for the calls that follow."""
        self.headers = {"x-amz-access-token": await sandbox_token(self.server, self.session)}

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(
            method, self.server.url + path, json=body, headers=self.headers
        ) as response:
            assert response.status < 300, await response.text()
            return await response.json()

    async def submit(self, document: bytes) -> str:
        created = await self.call("POST", "/feeds/2021-06-30/documents", {"contentType": XML_TYPE})
        async with self.session.put(
            created["url"], data=document, headers={"Content-Type": XML_TYPE}
        ) as response:
            assert response.status == 200
        feed = await self.call(
            "POST",
            "/feeds/2021-06-30/feeds",
            {
                "feedType": FEED_TYPE,
                "marketplaceIds": [US],
                "inputFeedDocumentId": created["feedDocumentId"],
            },
        )
        return str(feed["feedId"])

    async def wait_done(self, feed_id: str, poll: float) -> dict[str, Any]:
        while True:
            feed = await self.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}")
            if feed["processingStatus"] in ("DONE", "FATAL", "CANCELLED"):
                return dict(feed)
            await asyncio.sleep(poll)

    async def report(self, document_id: str) -> bytes:
        info = await self.call("GET", f"/feeds/2021-06-30/documents/{document_id}")
        async with self.session.get(info["url"]) as response:
            return await response.read()


async def latency(speed: float, cycles: int) -> dict[str, Any]:
    """Median submit -> DONE wall time of single-message feeds at `speed`."""
    settings = SandboxSettings(speed=speed, rate_scale=1e6)
    server = await start_sandbox(settings)
    try:
        async with aiohttp.ClientSession() as session:
            client = Client(server, session)
            await client.login()
            document = feed_xml(server.state, 1)
            times = []
            for _ in range(cycles):
                started = time.perf_counter()
                feed = await client.wait_done(await client.submit(document), poll=0.005)
                times.append(time.perf_counter() - started)
                assert feed["processingStatus"] == "DONE"
    finally:
        await server.stop()
    ideal = (settings.feed_queue_seconds + settings.feed_processing_seconds) / speed
    median = statistics.median(times)
    return {
        "speed": speed,
        "cycles": cycles,
        "ideal_seconds": round(ideal, 4),
        "median_seconds": round(median, 4),
        "max_seconds": round(max(times), 4),
        "ratio_to_ideal": round(median / ideal, 3),
    }


async def throughput(feeds: int, messages: int) -> dict[str, Any]:
    """Feeds/s and messages/s through the whole HTTP cycle with zero virtual durations."""
    server = await start_sandbox(
        SandboxSettings(rate_scale=1e6, feed_queue_seconds=0.0, feed_processing_seconds=0.0)
    )
    try:
        async with aiohttp.ClientSession() as session:
            client = Client(server, session)
            await client.login()
            document = feed_xml(server.state, messages)
            started = time.perf_counter()
            ids = [await client.submit(document) for _ in range(feeds)]
            done = [await client.wait_done(feed_id, poll=0.001) for feed_id in ids]
            reports = [await client.report(f["resultFeedDocumentId"]) for f in done]
            elapsed = time.perf_counter() - started
        applied = len([a for a in server.state.adjustments if a.feed_id])
    finally:
        await server.stop()
    assert applied == feeds * messages and all(b"MessagesWithError>0<" in r for r in reports)
    return {
        "feeds": feeds,
        "messages_per_feed": messages,
        "seconds": round(elapsed, 3),
        "feeds_per_second": round(feeds / elapsed, 1),
        "messages_per_second": round(feeds * messages / elapsed, 1),
    }


def in_process(feeds: int, messages: int) -> dict[str, Any]:
    """Baseline: parse, check and apply the same documents without HTTP or the worker."""
    state = SandboxState.create(SandboxSettings())
    document = feed_xml(state, messages)
    started = time.perf_counter()
    for n in range(feeds):
        outcome = run_feed(state, str(n), FEED_TYPE, document, [US])
        assert not outcome.results
    elapsed = time.perf_counter() - started
    return {
        "feeds": feeds,
        "seconds": round(elapsed, 3),
        "feeds_per_second": round(feeds / elapsed, 1),
        "messages_per_second": round(feeds * messages / elapsed, 1),
    }


def _markdown(r: dict[str, Any]) -> str:
    lat, http, base = r["latency"], r["throughput"], r["in_process"]
    return "\n".join(
        [
            "# Sandbox feed cycle",
            "",
            f"One process ({r['python']}); client and sandbox share the event loop.",
            "",
            f"## Latency at speed {lat['speed']} ({lat['cycles']} one-message feeds)",
            "",
            *table(
                ["", "seconds"],
                [
                    (
                        "ideal (10 s queue + 60 s processing) / speed (baseline)",
                        lat["ideal_seconds"],
                    ),
                    ("submit -> DONE, median", lat["median_seconds"]),
                    ("submit -> DONE, max", lat["max_seconds"]),
                ],
            ),
            "",
            f"- median / ideal: **{lat['ratio_to_ideal']}**",
            "",
            f"## Throughput ({http['feeds']} feeds x {http['messages_per_feed']} messages, "
            "zero virtual durations)",
            "",
            *table(
                ["path", "feeds/s", "messages/s"],
                [
                    (
                        "run_feed in-process (baseline)",
                        base["feeds_per_second"],
                        base["messages_per_second"],
                    ),
                    (
                        "full HTTP cycle (upload, createFeed, worker, report)",
                        http["feeds_per_second"],
                        http["messages_per_second"],
                    ),
                ],
            ),
            "",
            f"- HTTP cycle / in-process: **{r['ratio_to_in_process']}**",
            f"- headroom over Amazon's createFeed rate ({r['amazon_create_feed_rate']}/s): "
            f"**x{r['headroom_over_amazon']}**",
            "",
        ]
    )


async def run(speed: float, cycles: int, feeds: int, messages: int) -> dict[str, Any]:
    """Run both measurements and their baselines."""
    lat = await latency(speed, cycles)
    http = await throughput(feeds, messages)
    base = in_process(feeds, messages)
    amazon = USAGE_PLANS["createFeed"].rate
    return {
        "name": NAME,
        "python": platform.python_version(),
        "latency": lat,
        "throughput": http,
        "in_process": base,
        "ratio_to_in_process": round(http["feeds_per_second"] / base["feeds_per_second"], 3),
        "amazon_create_feed_rate": amazon,
        "headroom_over_amazon": round(http["feeds_per_second"] / amazon),
    }


def main() -> None:
    """Measure, print, and write bench/results/sandbox_feeds.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=200.0)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    add_results_argument(parser)
    args = parser.parse_args()
    results = asyncio.run(run(args.speed, args.cycles, args.feeds, args.messages))
    write_results(args.results_dir, NAME, results, _markdown(results))


if __name__ == "__main__":
    main()
