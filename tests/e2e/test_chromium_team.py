"""Chromium in team mode: agent B's open panel shows agent A's refund live, with A's name; Bob,
an approver, approves and rejects teammates' refunds over their limit from his side panel."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from companion.accounts import AccountStore
from companion.config import Settings
from spdesk_demo.sandbox_account import install_sandbox_account
from tests.e2e.browsers import ChromiumSession, poll
from tests.e2e.panel import SidePanel, confirm
from tests.e2e.stack import Stack, running_stack
from tests.e2e.test_chromium_edges import open_order
from tests.plugins.actions import FAST_ACTIONS, adopt_sandbox_rates
from tests.plugins.companion import CompanionClient, start_client, stop_client
from tests.plugins.postgres import PgCluster
from tests.plugins.team import FAST_TEAM, ledger_of

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ledger_dsn(pg_cluster: PgCluster) -> Iterator[str]:
    """A ledger for this module's team."""
    name = pg_cluster.create_database()
    yield pg_cluster.dsn(name)
    pg_cluster.drop_database(name)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, ledger_dsn: str) -> Iterator[Stack]:
    """The browser's companion is Bob's, on the team ledger; Bob approves the team's refunds."""
    settings = {**FAST_ACTIONS, **FAST_TEAM, "ledger": ledger_dsn, "agent": "Bob"}
    with running_stack(tmp_path_factory.mktemp("stack"), settings) as running:
        team = ledger_of(running.companion).team
        running.loop.run(team.join("Bob"))
        running.loop.run(team.set_role("Bob", "approver", by="lead"))
        yield running


@pytest.fixture
def limits(stack: Stack) -> Iterator[None]:
    """Ann and Bob may refund at most 1.00 EUR at once without an approver."""
    team = ledger_of(stack.companion).team
    for agent in ("Ann", "Bob"):
        stack.loop.run(team.join(agent))
        stack.loop.run(team.set_limit(agent, "EUR", Decimal("1.00"), None, by="lead"))
    yield
    for agent in ("Ann", "Bob"):
        stack.loop.run(team.set_limit(agent, "EUR", None, None, by="lead"))


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


def ask_refund(stack: Stack, client: CompanionClient, order_id: str, key: str) -> dict[str, Any]:
    """A 2.00 refund of the order's first item from `client`'s agent: over the 1.00 limit."""
    item = stack.api("GET", f"/v1/orders/{order_id}").json()["items"][0]
    body = {
        "orderId": order_id,
        "mode": "partial",
        "reason": "CustomerReturn",
        "items": [{"orderItemCode": item["orderItemCode"], "components": {"Principal": "2.00"}}],
    }
    reply = stack.loop.run(
        client.request("POST", "/v1/refunds", json=body, headers={"Idempotency-Key": key})
    )
    assert reply.status == 202, reply.body
    action: dict[str, Any] = reply.json()
    assert action["state"] == "awaiting_approval", action
    return action


def action_as_seen_by(stack: Stack, client: CompanionClient, action_id: str) -> dict[str, Any]:
    """The action as a companion's API shows it (its agent's panel reads the same)."""
    reply = stack.loop.run(client.request("GET", f"/v1/actions/{action_id}"))
    assert reply.status == 200, reply.body
    return dict(reply.json())


def adjustments_of(stack: Stack, order_id: str) -> list[dict[str, Any]]:
    """The refunds Amazon (the sandbox) applied to an order."""
    return list(stack.sandbox_json("GET", f"/adjustments?orderId={order_id}")["adjustments"])


def asked_in_open_panel(
    stack: Stack, chromium: ChromiumSession, page: Page, client: CompanionClient, label: str
) -> tuple[SidePanel, dict[str, Any], str]:
    """Bob's panel shows the order's ticket; `client`'s agent asks for a refund over the limit.

    Returns the panel, the request, and the selector of its entry in Bob's approvals list, once
    it is there (live: nobody reloads).
    """
    order_id = stack.order_id(label)
    _, panel = open_order(
        stack, chromium, page, "acme.helpscout.test", "helpscout.html", order_id, swap=True
    )
    asked = ask_refund(stack, client, order_id, f"over-limit-{label}")
    item = f"#approvals li[data-approval='{asked['id']}']"
    panel.wait(item, timeout=2.0)
    return panel, asked, item


def decide_in_panel(panel: SidePanel, item: str, verdict: str) -> None:
    """Open the confirmation of `verdict` for a listed request."""
    panel.click(f"{item} button[data-spdesk='{verdict}']")
    panel.wait("[role='dialog'] [data-spdesk='approval-summary']")


def test_an_approver_approves_from_the_panel(
    stack: Stack, chromium: ChromiumSession, page: Page, ann: CompanionClient, limits: None
) -> None:
    """Ann's refund over her limit waits; Bob sees it live, approves it, Amazon applies it."""
    panel, asked, item = asked_in_open_panel(stack, chromium, page, ann, "fr-fbm-shipped")
    order_id = asked["orderId"]
    assert adjustments_of(stack, order_id) == []
    assert panel.attr(item, "data-requested-by") == "Ann"
    assert "2.00" in panel.text(f"{item} [data-spdesk='approval-amount']")
    # Worded by the panel from approval.whyCode (the companion's English: "over Ann's limit of
    # 1.00 EUR per refund").
    why = "Over Ann's limit of €1.00 per refund."
    assert panel.text(f"{item} [data-spdesk='approval-why']") == why
    assert panel.has(f"{item} [data-spdesk='approval-show-order']")  # the ticket names the order
    panel.shot("team-approvals-list")
    decide_in_panel(panel, item, "approve")
    said = panel.text("[role='dialog'] .confirm-order")
    assert order_id in said and "Ann" in said, said
    panel.shot("team-approve-dialog")
    assert "2.00" in confirm(panel)
    panel.wait("[role='dialog'] [data-spdesk='approval-result']")
    panel.shot("team-approved")
    panel.wait(item, gone=True)
    final = poll(
        lambda: (a := action_as_seen_by(stack, ann, asked["id"]))["state"] == "succeeded" and a,
        timeout=30,
        what="Ann's approved refund applied by Amazon",
    )
    approval = final["approval"]
    assert (approval["state"], approval["decidedBy"]) == ("approved", "Bob")
    assert approval["decidedAt"]
    assert [a["orderId"] for a in adjustments_of(stack, order_id)] == [order_id]
    # The order's history (what Ann's panel shows too) says who approved it.
    panel.press("Escape")
    decision = f"li[data-action='{asked['id']}'] [data-spdesk='approval-decision']"
    panel.wait(decision)
    assert panel.text(decision).startswith("Approved by Bob")
    assert panel.text(f"li[data-action='{asked['id']}'] [data-spdesk='approval-why']") == why
    panel.close()


def test_an_approver_never_decides_on_his_own_request(
    stack: Stack, chromium: ChromiumSession, page: Page, limits: None
) -> None:
    """Bob's own refund over his limit is listed without Approve or Reject."""
    panel, own, item = asked_in_open_panel(
        stack, chromium, page, stack.companion, "it-fbm-shipped-promotion"
    )
    assert "another approver" in panel.text(f"{item} [data-spdesk='approval-own']")
    for verdict in ("approve", "reject"):
        assert not panel.has(f"{item} button[data-spdesk='{verdict}']")
    refused = stack.api("POST", f"/v1/actions/{own['id']}/approve", json={})
    assert (refused.status, refused.json()["error"]["code"]) == (403, "self_approval")
    panel.close()


def test_a_rejection_from_the_panel_sends_nothing_to_amazon(
    stack: Stack, chromium: ChromiumSession, page: Page, ann: CompanionClient, limits: None
) -> None:
    """Bob rejects Ann's request with a note: it ends failed, Amazon never hears of it."""
    panel, asked, item = asked_in_open_panel(stack, chromium, page, ann, "es-fbm-shipped")
    decide_in_panel(panel, item, "reject")
    panel.fill("[role='dialog'] [data-spdesk='reject-note']", "Wait for the return first.")
    confirm(panel)
    panel.wait("[role='dialog'] [data-spdesk='approval-result']")
    panel.wait(item, gone=True)
    seen = action_as_seen_by(stack, ann, asked["id"])
    assert seen["state"] == "failed" and seen["feedId"] is None
    approval = seen["approval"]
    assert (approval["state"], approval["decidedBy"]) == ("rejected", "Bob")
    assert approval["note"] == "Wait for the return first."
    assert {step["state"] for step in seen["history"]} == {"awaiting_approval", "failed"}
    assert adjustments_of(stack, asked["orderId"]) == []
    panel.close()
