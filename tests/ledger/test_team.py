"""Members, roles, limits and the limit check on a real PostgreSQL server."""

from __future__ import annotations

from decimal import Decimal

import pytest

from companion.actions.record import ApprovalWhy
from companion.errors import BadRequest, NotFound
from companion.ledger.link import Conn
from companion.ledger.team import TeamStore, check_currency, over_limit, parse_limit


async def _refund(
    conn: Conn, action_id: str, agent: str, total: str, state: str = "queued"
) -> None:
    await conn.execute(
        "INSERT INTO actions (id, kind, account, order_id, marketplace_id, currency, state, total, "
        "reason, items, agent, channel, created_at, updated_at) VALUES (%s, 'refund', 'acme', "
        "'111-1111111-1111111', 'ATVPDKIKX0DER', 'USD', %s, %s, 'Other', '[]', %s, 'FBM', now(), "
        "now())",
        (action_id, state, Decimal(total), agent),
    )


async def test_members_roles_and_limits(team_store: TeamStore) -> None:
    await team_store.join("  Maria ")
    await team_store.join("Tom")
    await team_store.join("Tom")  # joining twice changes nothing
    await team_store.set_role("Maria", "approver", by="Maria")
    await team_store.set_limit("Tom", "USD", Decimal("100.00"), Decimal("500.00"), by="Maria")
    await team_store.set_limit("Tom", "JPY", Decimal("10000"), None, by="Maria")
    members = {m.agent: m for m in await team_store.members()}
    assert members["Maria"].role == "approver" and members["Maria"].limits == ()
    assert [(x.currency, x.per_refund, x.per_day) for x in members["Tom"].limits] == [
        ("JPY", Decimal("10000"), None),
        ("USD", Decimal("100.00"), Decimal("500.00")),
    ]
    await team_store.set_limit("Tom", "JPY", None, None, by="Maria")
    assert [x.currency for x in (await team_store.member("Tom")).limits] == ["USD"]
    with pytest.raises(NotFound) as missing:
        await team_store.set_role("Nobody", "approver", by="Maria")
    assert missing.value.code == "member_not_found" and "team join" in missing.value.message


def test_limit_amounts_and_currencies_are_checked() -> None:
    assert parse_limit("100.50", "USD") == Decimal("100.50")
    assert parse_limit("none", "USD") is None
    for bad, currency in (("100.5", "JPY"), ("-1", "USD"), ("1.001", "USD"), ("NaN", "USD")):
        with pytest.raises(BadRequest) as refused:
            parse_limit(bad, currency)
        assert refused.value.code == "limit_invalid"
    assert check_currency("usd") == "USD"
    with pytest.raises(BadRequest):
        check_currency("XXX")


async def test_over_limit_per_refund_per_day_and_unlimited_currencies(
    team_store: TeamStore,
) -> None:
    await team_store.join("Tom")
    await team_store.join("Ann")
    await team_store.set_limit("Tom", "USD", Decimal("100.00"), Decimal("250.00"), by="lead")

    async def check(conn: Conn, agent: str, currency: str, amount: str) -> ApprovalWhy | None:
        async with conn.transaction():
            return await over_limit(conn, agent, currency, Decimal(amount))

    tom = {"agent": "Tom", "currency": "USD"}
    async with team_store.link.connection() as conn:
        assert await check(conn, "Ann", "USD", "99999.00") is None  # no limits at all
        assert await check(conn, "Tom", "USD", "100.00") is None
        assert await check(conn, "Tom", "USD", "100.01") == ApprovalWhy(
            "over Tom's limit of 100.00 USD per refund",
            "over_limit",
            {"case": "per_refund", "limit": "100.00", **tom},
        )
        assert await check(conn, "Tom", "GBP", "1.00") == ApprovalWhy(
            "Tom has no refund limit in GBP",
            "over_limit",
            {"case": "no_limit", "agent": "Tom", "currency": "GBP"},
        )
        await _refund(conn, "act_1", "Tom", "100.00")
        await _refund(conn, "act_2", "Tom", "100.00", state="failed")  # gave nothing back
        await _refund(conn, "act_3", "Tom", "90.00")
        assert await check(conn, "Tom", "USD", "60.00") is None  # 190 + 60 = 250
        assert await check(conn, "Tom", "USD", "60.01") == ApprovalWhy(
            "over Tom's limit of 250.00 USD per day (190.00 USD refunded in the last 24 hours)",
            "over_limit",
            {"case": "per_day", "limit": "250.00", "spent": "190.00", **tom},
        )
        await team_store.set_limit("Tom", "JPY", None, Decimal("1000"), by="lead")
        jpy = await check(conn, "Tom", "JPY", "1001")
        assert jpy is not None and jpy.params == {
            "case": "per_day",
            "limit": "1000",
            "spent": "0",
            "agent": "Tom",
            "currency": "JPY",
        }
