"""Fault injection through the control API and programmatically."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from spdesk_sandbox.faults import FaultError, FaultSettings
from spdesk_sandbox.server import SandboxServer
from tests.plugins.sandbox import sandbox_access_token
from tests.sandbox.schema import validate_error_list


class Raw:
    """Raw HTTP calls to a sandbox with a valid token."""

    def __init__(self, server: SandboxServer, session: aiohttp.ClientSession, token: str) -> None:
        self.server, self.session, self.token = server, session, token

    async def get_order(self, give_up_after: float | None = None) -> tuple[int, str, str]:
        order_id = self.server.seed.order_id("us-fbm-shipped")
        url = f"{self.server.url}/orders/2026-01-01/orders/{order_id}"
        async with self.session.get(
            url,
            headers={"x-amz-access-token": self.token},
            timeout=aiohttp.ClientTimeout(total=give_up_after),
        ) as response:
            return response.status, response.content_type, await response.text()

    async def control(self, method: str, path: str, json: Any = None) -> tuple[int, Any]:
        url = f"{self.server.url}/_sandbox/{path}"
        async with self.session.request(method, url, json=json) as response:
            return response.status, await response.json()


@pytest.fixture
async def raw(sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession) -> Raw:
    return Raw(sandbox, sandbox_session, await sandbox_access_token(sandbox, sandbox_session))


async def test_html_500_for_count_requests_then_normal(raw: Raw) -> None:
    status, body = await raw.control(
        "POST", "faults", {"operation": "getOrder", "kind": "html_500", "count": 2}
    )
    assert status == 201 and body["fault"]["count"] == 2
    for _ in range(2):
        got, content_type, text = await raw.get_order()
        assert (got, content_type) == (500, "text/html")
        assert "<html>" in text
    assert (await raw.get_order())[0] == 200
    _, usage = await raw.control("GET", "usage")
    assert usage["operations"]["getOrder"]["requests"] == 3
    assert (await raw.control("GET", "faults"))[1] == {"faults": []}


async def test_throttle_storm_is_counted_in_usage(raw: Raw) -> None:
    await raw.control("POST", "faults", {"operation": "getOrder", "kind": "throttle", "count": 3})
    statuses = [(await raw.get_order())[0] for _ in range(4)]
    assert statuses == [429, 429, 429, 200]
    _, usage = await raw.control("GET", "usage")
    assert usage["operations"]["getOrder"]["throttled"] == 3
    assert usage["total"]["throttled"] == 3


async def test_fault_until_cleared_applies_to_every_operation(raw: Raw) -> None:
    await raw.control("POST", "faults", {"operation": "*", "kind": "html_503", "count": None})
    for _ in range(3):
        assert (await raw.get_order())[0] == 503
    status, body = await raw.control("DELETE", "faults")
    assert (status, body) == (200, {"faults": []})
    assert (await raw.get_order())[0] == 200


async def test_expired_token_fault(raw: Raw) -> None:
    await raw.control("POST", "faults", {"operation": "getOrder", "kind": "expired_token"})
    status, _, text = await raw.get_order()
    assert status == 403 and "has expired" in text


async def test_slow_answer_arrives_after_the_delay(raw: Raw) -> None:
    await raw.control(
        "POST", "faults", {"operation": "getOrder", "kind": "slow", "delaySeconds": 0.3}
    )
    started = time.monotonic()
    assert (await raw.get_order())[0] == 200
    assert time.monotonic() - started >= 0.3


async def test_timeout_holds_the_request_until_the_client_gives_up(raw: Raw) -> None:
    await raw.control(
        "POST", "faults", {"operation": "getOrder", "kind": "timeout", "delaySeconds": 600}
    )
    with pytest.raises(asyncio.TimeoutError):
        await raw.get_order(give_up_after=0.3)
    await raw.control("DELETE", "faults")  # releases the held handler
    assert (await raw.get_order())[0] == 200


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"operation": "getOrder", "kind": "explode"}, "explode"),
        ({"operation": "refundEverything", "kind": "html_500"}, "refundEverything"),
        ({"operation": "getOrder", "kind": "html_500", "count": 0}, "count"),
        ({"operation": "getOrder", "kind": "slow", "delaySeconds": "long"}, "delaySeconds"),
        ({"operation": "getOrder", "kind": "feed_fatal"}, "feeds"),
        ({"operation": "getOrder"}, "kind"),
        ({"kind": "html_500", "colour": "red"}, "colour"),
    ],
)
async def test_bad_fault_settings_are_refused_by_name(
    raw: Raw, body: dict[str, Any], names: str
) -> None:
    status, reply = await raw.control("POST", "faults", body)
    assert status == 400
    assert names in reply["error"]["message"]


def test_feed_faults_are_taken_in_order() -> None:
    faults = FaultSettings()
    faults.add("feed_stuck")
    faults.add("feed_fatal", count=2)
    taken = [faults.take_feed_fault() for _ in range(4)]
    assert taken == ["feed_stuck", "feed_fatal", "feed_fatal", None]
    assert faults.take("createFeed") is None  # feed faults never fail the request itself


def test_programmatic_add_validates() -> None:
    with pytest.raises(FaultError, match="unknown fault kind 'nope'"):
        FaultSettings().add("nope", "getOrder")


async def test_sandbox_error_bodies_are_amazon_shaped(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    token = await sandbox_access_token(sandbox, sandbox_session)
    async with sandbox_session.get(
        f"{sandbox.url}/orders/2026-01-01/nothing/here/at/all",
        headers={"x-amz-access-token": token},
    ) as response:
        assert response.status == 404
        validate_error_list(await response.json(), "NotFound")
