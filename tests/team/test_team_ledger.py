"""Companions of one team on a real PostgreSQL ledger: one action per key, shared guards and feeds,
live status for everyone, agent identity."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from companion.keys import ACTIONS
from tests.actions.test_faults import HEADPHONES, feed_count, small_refund
from tests.actions.test_refund_flow import adjustments, final, order_id
from tests.plugins.actions import new_key
from tests.plugins.companion import CompanionClient, Reply
from tests.plugins.team import TeamFactory, feed_builder, ledger_of

SHIPPED = "us-fbm-shipped"


async def refund(client: CompanionClient, body: dict[str, Any], key: str | None = None) -> Reply:
    return await client.request(
        "POST", "/v1/refunds", json=body, headers={"Idempotency-Key": key or new_key()}
    )


async def test_one_key_on_several_companions_is_one_action_and_one_adjustment(
    team_factory: TeamFactory,
) -> None:
    team = await team_factory(3)
    oid = order_id(team[0], SHIPPED)
    body, key = small_refund(oid, amount="3.00"), new_key()
    replies = await asyncio.gather(*(refund(team[n % 3], body, key) for n in range(30)))
    assert {r.status for r in replies} == {202}, [r.body for r in replies if r.status != 202]
    assert len({r.json()["id"] for r in replies}) == 1
    assert sum(1 for r in replies if "Idempotent-Replayed" not in r.headers) == 1
    done = await final(team[1], replies[0].json()["id"])
    assert done["state"] == "succeeded", done
    assert len(adjustments(team[0], oid)) == 1


async def test_a_teammates_refund_in_flight_is_seen_by_the_guards_and_the_view(
    team_factory: TeamFactory,
) -> None:
    ann, bob = await team_factory(2)
    oid = order_id(ann, SHIPPED)
    before = (await bob.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    first = await refund(ann, small_refund(oid, amount="10.00"))
    assert first.status == 202, first.body
    second = await refund(bob, small_refund(oid, amount="10.00"))
    assert second.status == 409 and second.code == "overlap_needs_confirmation"
    assert second.json()["error"]["details"]["actionIds"] == [first.json()["id"]]
    # Bob's view counts Ann's refund as in flight: it is never offered twice.
    after = (await bob.request("GET", f"/v1/orders/{oid}?fresh=1")).json()
    assert after["totals"]["refundable"] != before["totals"]["refundable"]
    too_much = {
        **small_refund(oid, amount=str(before["items"][0]["components"][0]["refundable"])),
        "confirmOverlap": True,
    }
    over = await refund(bob, too_much)
    assert over.status == 422 and over.code == "refund_exceeds_refundable", over.body


async def test_every_action_is_the_configured_agents_and_everyone_sees_it_live(
    team_factory: TeamFactory,
) -> None:
    ann, bob = await team_factory(2)
    oid = order_id(ann, SHIPPED)
    async with bob.session.get(bob.url + "/v1/events", headers=bob.headers("GET")) as stream:
        assert await stream.content.readline() == b": connected\n"
        reply = await refund(ann, {**small_refund(oid), "agent": "Somebody Else"})
        assert reply.status == 202 and reply.json()["agent"] == "Ann"

        async def seen_by_bob() -> dict[str, Any]:
            while True:
                line = (await stream.content.readline()).decode()
                if line.startswith("data: "):
                    event: dict[str, Any] = json.loads(line[6:])
                    if event["id"] == reply.json()["id"]:
                        return event

        async with asyncio.timeout(1.0):  # within a second, in Bob's open panel
            event = await seen_by_bob()
    assert event["agent"] == "Ann" and event["orderId"] == oid
    listed = (await bob.request("GET", f"/v1/orders/{oid}/actions")).json()["actions"]
    assert [a["agent"] for a in listed] == ["Ann"]


async def test_one_companion_builds_the_feeds_for_everyone(team_factory: TeamFactory) -> None:
    team = await team_factory(3)
    builder = await feed_builder(team)
    others = [c for c in team if c is not builder]
    assert not any(c.app[ACTIONS].engine.working for c in others)
    oids = [order_id(team[0], label) for label in (SHIPPED, "us-fbm-shipped-partly-refunded")]
    bodies = [small_refund(oids[0]), small_refund(oids[1], "70491836275104")]
    replies = [await refund(c, bodies[n % 2], None) for n, c in enumerate(others)]
    for reply in replies:
        assert (await final(builder, reply.json()["id"]))["state"] == "succeeded"
    batches = await ledger_of(builder).batches("sandbox")
    term = ledger_of(builder).term
    assert batches and {b.state for b in batches} == {"done"}
    assert feed_count(builder) == len(batches)
    assert term is not None

    async def epochs() -> set[int]:
        async def work(conn: Any) -> set[int]:
            cursor = await conn.execute("SELECT DISTINCT leader_epoch FROM batches")
            return {int(row[0]) for row in await cursor.fetchall()}

        return await ledger_of(builder).link.run(work)

    assert await epochs() == {term}


async def test_the_feed_builder_stops_and_another_takes_over_its_queue(
    team_factory: TeamFactory,
) -> None:
    from tests.plugins.companion import stop_client

    team = await team_factory(2, feed_batch_window=0.4)
    builder = await feed_builder(team)
    other = next(c for c in team if c is not builder)
    oid = order_id(other, SHIPPED)
    reply = await refund(other, small_refund(oid, HEADPHONES, "2.00"))
    assert reply.status == 202
    await stop_client(builder)  # its batch window had not closed: nothing was sent yet
    team.remove(builder)
    assert await feed_builder(team) is other
    done = await final(other, reply.json()["id"])
    assert done["state"] == "succeeded" and len(adjustments(other, oid)) == 1
