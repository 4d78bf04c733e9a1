"""Limits and approvals on a real PostgreSQL ledger: over the limit waits, nothing is sent before
an approver says yes, never one's own, rejection and expiry send nothing."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from companion.cli import main
from companion.config import SETTINGS_FILE
from companion.ledger.team import APPROVAL_TTL, TeamStore
from tests.actions.test_faults import feed_count, small_refund
from tests.actions.test_refund_flow import adjustments, final, order_id
from tests.plugins.actions import eventually
from tests.plugins.companion import CliHome, CompanionClient, Reply
from tests.plugins.postgres import LedgerDb
from tests.plugins.team import TeamFactory
from tests.team.test_team_ledger import SHIPPED, refund


async def decide(client: CompanionClient, verdict: str, action_id: str, note: str = "") -> Reply:
    return await client.request(
        "POST", f"/v1/actions/{action_id}/{verdict}", json={"note": note} if note else {}
    )


@pytest.fixture
async def limited(team_factory: TeamFactory, team_store: TeamStore) -> list[CompanionClient]:
    """Ann may refund 5.00 USD at once and 8.00 a day; Bob approves."""
    for agent in ("Ann", "Bob"):
        await team_store.join(agent)
    await team_store.set_role("Bob", "approver", by="lead")
    await team_store.set_limit("Ann", "USD", Decimal("5.00"), Decimal("8.00"), by="lead")
    return await team_factory(2)


async def test_a_refund_over_the_limit_waits_and_goes_once_approved(
    limited: list[CompanionClient],
) -> None:
    ann, bob = limited
    oid = order_id(ann, SHIPPED)
    assert (await ann.request("GET", "/v1/team")).json() == {
        "mode": "team",
        "agent": "Ann",
        "role": "agent",
    }
    feeds_before = feed_count(ann)
    reply = await refund(ann, small_refund(oid, amount="6.00"))
    assert reply.status == 202 and reply.json()["state"] == "awaiting_approval", reply.body
    action_id = reply.json()["id"]
    assert reply.json()["approval"]["state"] == "pending"
    approval = reply.json()["approval"]
    assert approval["why"] == "over Ann's limit of 5.00 USD per refund"
    assert (approval["whyCode"], approval["whyParams"]) == (
        "over_limit",
        {"case": "per_refund", "agent": "Ann", "limit": "5.00", "currency": "USD"},
    )
    pending = (await bob.request("GET", "/v1/approvals")).json()["actions"]
    assert [a["id"] for a in pending] == [action_id]
    own = await decide(ann, "approve", action_id)
    assert own.status == 403 and own.code in ("self_approval", "not_approver")
    assert feed_count(ann) == feeds_before and adjustments(ann, oid) == []  # nothing sent
    approved = await decide(bob, "approve", action_id, "damaged on arrival")
    assert approved.status == 200 and approved.json()["approval"]["decidedBy"] == "Bob"
    done = await final(ann, action_id)
    assert done["state"] == "succeeded" and len(adjustments(ann, oid)) == 1
    assert [h["state"] for h in done["history"]][:3] == ["awaiting_approval", "accepted", "queued"]
    again = await decide(bob, "reject", action_id)
    assert again.status == 409 and again.code == "approval_not_pending"


async def test_within_the_limits_a_refund_goes_at_once_and_the_day_adds_up(
    limited: list[CompanionClient],
) -> None:
    ann, _ = limited
    oid = order_id(ann, SHIPPED)
    first = await refund(ann, small_refund(oid, amount="5.00"))
    assert first.json()["state"] in ("accepted", "queued"), first.body
    second = await refund(ann, {**small_refund(oid, amount="3.01"), "confirmOverlap": True})
    assert second.json()["state"] == "awaiting_approval"  # 8.01 in a day
    approval = second.json()["approval"]
    assert "per day" in approval["why"] and approval["whyCode"] == "over_limit"
    assert approval["whyParams"] == {
        "case": "per_day",
        "agent": "Ann",
        "limit": "8.00",
        "spent": "5.00",
        "currency": "USD",
    }


async def test_a_rejected_refund_sends_nothing_and_says_who(
    limited: list[CompanionClient],
) -> None:
    ann, bob = limited
    oid = order_id(ann, SHIPPED)
    reply = await refund(ann, small_refund(oid, amount="7.00"))
    rejected = await decide(bob, "reject", reply.json()["id"], "ask the warehouse first")
    assert rejected.status == 200, rejected.body
    action = rejected.json()
    assert action["state"] == "failed" and action["approval"]["state"] == "rejected"
    assert action["amazon"]["code"] == "approval_rejected"
    assert action["amazon"]["params"] == {"by": "Bob", "note": "ask the warehouse first"}
    # The amount is free again: the same refund can be asked for anew.
    view = (await ann.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    assert view["items"][0]["components"][0]["refunded"] == "0.00"
    assert adjustments(ann, oid) == []


async def test_an_unanswered_request_expires_and_sends_nothing(
    limited: list[CompanionClient], team_store: TeamStore
) -> None:
    ann, bob = limited
    await team_store.set_setting(APPROVAL_TTL, "1")
    oid = order_id(ann, SHIPPED)
    reply = await refund(ann, small_refund(oid, amount="9.00"))
    assert reply.json()["state"] == "awaiting_approval"

    async def expired() -> dict[str, Any] | None:
        action = (await ann.request("GET", f"/v1/actions/{reply.json()['id']}")).json()
        return action if action["state"] == "failed" else None

    action = await eventually(expired, within=5)
    assert (
        action["approval"]["state"] == "expired" and action["amazon"]["code"] == "approval_expired"
    )
    late = await decide(bob, "approve", action["id"])
    assert late.status == 409 and late.code == "approval_expired"
    assert adjustments(ann, oid) == []


async def test_approvers_decide_from_the_command_line_too(
    limited: list[CompanionClient],
    team_store: TeamStore,
    ledger_db: LedgerDb,
    cli_home: CliHome,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ann, _ = limited
    await team_store.set_role("Ann", "approver", by="lead")  # an approver, yet not of her own
    (cli_home.config_dir / SETTINGS_FILE).write_text(
        f'{{"keyring_service": "{cli_home.settings().keyring_service}", '
        f'"ledger": "{ledger_db.dsn}", "agent": "Bob"}}'
    )
    reply = await refund(ann, small_refund(order_id(ann, SHIPPED), amount="6.00"))
    action_id = reply.json()["id"]
    assert await asyncio.to_thread(main, "team", "approve", action_id, "--by", "Ann") == 1
    assert "their own refund" in capsys.readouterr().err
    command = ("team", "approve", action_id, "--by", "Bob", "--note", "ok")
    assert await asyncio.to_thread(main, *command) == 0
    assert "approved" in capsys.readouterr().out
    assert (await final(ann, action_id))["state"] == "succeeded"


async def test_a_companion_alone_has_no_approvals(spdesk: CompanionClient) -> None:
    assert (await spdesk.request("GET", "/v1/team")).json()["mode"] == "single"
    assert (await spdesk.request("GET", "/v1/approvals")).json() == {"actions": []}
    reply = await decide(spdesk, "approve", "act_X")
    assert reply.status == 409 and reply.code == "team_mode_only"
    missing = await spdesk.request(
        "POST",
        "/v1/refunds",
        json={**small_refund(order_id(spdesk, SHIPPED)), "agent": " "},
        headers={"Idempotency-Key": "key-no-agent-1"},
    )
    assert missing.status == 400 and missing.code == "agent_required"
