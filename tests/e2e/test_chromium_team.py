"""Chromium in team mode: agent B's open panel shows agent A's refund live, with A's name."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from companion.accounts import AccountStore
from companion.config import Settings
from spdesk_demo.sandbox_account import install_sandbox_account
from tests.e2e.browsers import ChromiumSession
from tests.e2e.stack import Stack, running_stack
from tests.e2e.test_chromium_edges import open_order
from tests.plugins.actions import FAST_ACTIONS, adopt_sandbox_rates
from tests.plugins.companion import CompanionClient, start_client, stop_client
from tests.plugins.postgres import PgCluster
from tests.plugins.team import FAST_TEAM

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ledger_dsn(pg_cluster: PgCluster) -> Iterator[str]:
    """A ledger for this module's team."""
    name = pg_cluster.create_database()
    yield pg_cluster.dsn(name)
    pg_cluster.drop_database(name)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, ledger_dsn: str) -> Iterator[Stack]:
    """The browser's companion is Bob's, on the team ledger."""
    settings = {**FAST_ACTIONS, **FAST_TEAM, "ledger": ledger_dsn, "agent": "Bob"}
    with running_stack(tmp_path_factory.mktemp("stack"), settings) as running:
        yield running


@pytest.fixture
def ann(stack: Stack, ledger_dsn: str, tmp_path: Path) -> Iterator[CompanionClient]:
    """Ann's companion on the same ledger (her own computer, in the team's terms)."""
    settings = Settings.for_tests(tmp_path, ledger=ledger_dsn, agent="Ann").model_copy(
        update={**FAST_ACTIONS, **FAST_TEAM}
    )
    store = AccountStore(settings)
    install_sandbox_account(store, stack.sandbox.url)
    client = stack.loop.run(start_client(settings, store))
    stack.loop.run(adopt_sandbox_rates(client, stack.sandbox.settings.rate_scale))
    assert stack.loop.run(client.pair(label="Ann's extension")).status == 201
    try:
        yield client
    finally:
        stack.loop.run(stop_client(client))
        store.remove("sandbox")


def test_agent_b_sees_agent_a_refund_live_in_the_open_panel(
    stack: Stack, chromium: ChromiumSession, page: Page, ann: CompanionClient
) -> None:
    order_id = stack.order_id("de-fbm-shipped")
    # Bob is looking at the order in his side panel.
    ticket, panel = open_order(
        stack, chromium, page, "acme.helpscout.test", "helpscout.html", order_id, swap=True
    )
    item = stack.api("GET", f"/v1/orders/{order_id}").json()["items"][0]
    body = {
        "orderId": order_id,
        "mode": "partial",
        "reason": "CustomerReturn",
        "agent": "Ann",
        "items": [{"orderItemCode": item["orderItemCode"], "components": {"Principal": "1.00"}}],
    }
    reply = stack.loop.run(
        ann.request("POST", "/v1/refunds", json=body, headers={"Idempotency-Key": "ann-refund-01"})
    )
    assert reply.status == 202, reply.body
    sent = time.monotonic()
    entry = f"li[data-action='{reply.json()['id']}']"
    panel.wait(entry, timeout=1.0)  # within a second, without Bob doing anything
    assert time.monotonic() - sent < 1.0
    assert "Ann" in panel.text(entry)
    panel.shot("team-panel-live")
    ticket.shot("team-page")
