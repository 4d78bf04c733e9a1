"""Input exactly as docs/protocol.md writes it: everything else is a 4xx with a code, never a 500.

Each case was accepted (or answered 500) before: money read numerically after trimming, pydantic's
lax coercion of "1" and true, a lower-case currency, JSON in UTF-16 or behind a byte-order mark,
a second Idempotency-Key, order ids in other scripts' digits.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from companion.keys import ACTIONS
from tests.companion import rawhttp
from tests.plugins.actions import new_key
from tests.plugins.companion import CompanionClient

SHIPPED_ITEM = "29384756102938"  # us-fbm-shipped: Principal 89.00, Tax 7.34


def _order(client: CompanionClient, label: str = "us-fbm-shipped") -> str:
    return str(client.extra["sandbox"].seed.order_id(label))


def _partial(order_id: str, **item: Any) -> dict[str, Any]:
    line = {"orderItemCode": SHIPPED_ITEM, "quantity": 1, "components": {"Principal": "1.00"}}
    line.update(item)
    return {
        "orderId": order_id,
        "mode": "partial",
        "reason": "CustomerReturn",
        "items": [line],
        "agent": "Anna",
    }


async def _refund(client: CompanionClient, body: Any, **headers: str) -> Any:
    return await client.request(
        "POST", "/v1/refunds", json=body, headers={"Idempotency-Key": new_key(), **headers}
    )


@pytest.fixture
async def shop(companion: CompanionClient, sandbox: Any) -> CompanionClient:
    companion.extra["sandbox"] = sandbox
    return companion


NOT_MONEY = [
    " 1.00",
    "1.00 ",
    "1.000",
    "1.",
    ".50",
    "+1.00",
    "-1.00",
    "1e2",
    "1_000",
    "0x10",
    "NaN",
    "",
    "\u0661.00",  # Arabic-Indic digit one
    "\uff11.00",  # full-width digit one
    "1,00",
    "1234567890123456789012345678.9",  # 29 significant digits: a 500 with a traceback before
    "9999999999999",  # 13 digits: more than any order could hold
]


@pytest.mark.parametrize("text", NOT_MONEY)
async def test_a_component_that_is_not_plain_money_is_400(shop: CompanionClient, text: str) -> None:
    reply = await _refund(shop, _partial(_order(shop), components={"Principal": text}))
    assert (reply.status, reply.code) == (400, "invalid_amount"), reply.body
    assert reply.json()["error"]["params"]["text"] == text


@pytest.mark.parametrize("text", ["1.000", " 1.00", "1234567890123456789012345678.9"])
async def test_expected_total_and_fee_follow_the_same_rule(
    shop: CompanionClient, text: str
) -> None:
    body = _partial(_order(shop), restockingFee=text)
    assert (await _refund(shop, body)).code == "invalid_amount"
    full = {"orderId": _order(shop), "mode": "full", "reason": "Other", "expectedTotal": text}
    full["agent"] = "Anna"
    assert (await _refund(shop, full)).code == "invalid_amount"


async def test_yen_written_with_decimals_is_refused_even_when_zero(
    shop: CompanionClient,
) -> None:
    order_id = _order(shop, "jp-fbm-shipped")
    view = (await shop.request("GET", f"/v1/orders/{order_id}")).json()
    item = view["items"][0]["orderItemCode"]
    body = _partial(order_id, orderItemCode=item, components={"Principal": "1.00"})
    reply = await _refund(shop, body)
    assert (reply.status, reply.code) == (422, "amount_precision")


@pytest.mark.parametrize(
    ("field", "value"),
    [("quantity", "1"), ("quantity", True), ("quantity", 1.5), ("quantity", None)],
)
async def test_numbers_must_be_json_numbers(shop: CompanionClient, field: str, value: Any) -> None:
    reply = await _refund(shop, _partial(_order(shop), **{field: value}))
    assert (reply.status, reply.code) == (400, "invalid_request"), reply.body


async def test_a_whole_number_may_be_written_as_json_allows(shop: CompanionClient) -> None:
    reply = await _refund(shop, _partial(_order(shop), quantity=1.0))
    assert reply.status == 202, reply.body
    assert reply.json()["items"][0]["quantity"] == 1


@pytest.mark.parametrize("value", ["true", 1, "yes"])
async def test_booleans_must_be_json_booleans(shop: CompanionClient, value: Any) -> None:
    body = {**_partial(_order(shop)), "confirmOverlap": value}
    reply = await _refund(shop, body)
    assert (reply.status, reply.code) == (400, "invalid_request"), reply.body


@pytest.mark.parametrize("currency", ["usd", "Usd", "US", "USDD", "U$D"])
async def test_currency_is_three_capital_letters(shop: CompanionClient, currency: str) -> None:
    body = {**_partial(_order(shop)), "currency": currency}
    reply = await _refund(shop, body)
    assert (reply.status, reply.code) == (400, "invalid_request"), reply.body
    assert "pattern" not in reply.json()["error"]["message"]


async def test_another_well_formed_currency_is_a_mismatch(shop: CompanionClient) -> None:
    reply = await _refund(shop, {**_partial(_order(shop)), "currency": "EUR"})
    assert (reply.status, reply.code) == (422, "currency_mismatch")


def _raw_headers(client: CompanionClient, content_type: str) -> list[tuple[str, str]]:
    return [
        ("Host", f"127.0.0.1:{client.server.port}"),
        ("Authorization", f"Bearer {client.token}"),
        ("Origin", client.origin),
        ("Content-Type", content_type),
        ("Idempotency-Key", new_key()),
    ]


@pytest.mark.parametrize(
    ("encoding", "content_type"),
    [
        ("utf-8-sig", "application/json"),
        ("utf-16", "application/json"),
        ("utf-16-le", "application/json"),
        ("utf-32", "application/json"),
        ("utf-8", "application/json; charset=latin-1"),
    ],
)
async def test_only_utf8_json_is_read(
    shop: CompanionClient, encoding: str, content_type: str
) -> None:
    body = json.dumps(_partial(_order(shop))).encode(encoding)
    headers = _raw_headers(shop, content_type)
    reply = await rawhttp.request(shop.server.port, "POST", "/v1/refunds", headers, body)
    assert (reply.status, reply.code) == (400, "invalid_request"), reply.body


@pytest.mark.parametrize(
    "text",
    [
        '{"orderId": "%s", "mode": "full", "reason": "Other", "reason": "CustomerReturn"}',
        '{"orderId": "%s", "mode": "full", "reason": "Other", "note": NaN}',
        '{"orderId": "%s", "mode": "full", "reason": "Other", "note": "\\ud800"}',
    ],
)
async def test_ambiguous_json_is_refused(shop: CompanionClient, text: str) -> None:
    body = (text % _order(shop)).encode()
    headers = _raw_headers(shop, "application/json")
    reply = await rawhttp.request(shop.server.port, "POST", "/v1/refunds", headers, body)
    assert (reply.status, reply.code) == (400, "invalid_request"), reply.body


async def test_exactly_one_idempotency_key(shop: CompanionClient) -> None:
    headers = [*_raw_headers(shop, "application/json"), ("Idempotency-Key", new_key())]
    body = _partial(_order(shop))
    reply = await rawhttp.request(shop.server.port, "POST", "/v1/refunds", headers, body)
    assert (reply.status, reply.code) == (400, "idempotency_key_invalid"), reply.body
    assert await shop.app[ACTIONS].ledger.for_order(body["orderId"]) == []


@pytest.mark.parametrize(
    "order_id",
    [
        "\u0661\u0661\u0663-4820571-0038214",  # Arabic-Indic digits
        "113-4820571-0038214\n",
        "113-4820571-0038214 ",
        "\uff11\uff11\uff13-4820571-0038214",  # full-width digits
    ],
)
async def test_order_ids_are_ascii_digits_only(shop: CompanionClient, order_id: str) -> None:
    body = {"orderId": order_id, "mode": "full", "reason": "Other", "agent": "Anna"}
    assert (await _refund(shop, body)).status == 400
    path = "/v1/orders/" + quote(order_id, safe="")
    assert (await shop.request("GET", path)).code == "invalid_order_id"
    assert (await shop.request("GET", path + "/actions")).code == "invalid_order_id"


@pytest.mark.parametrize(
    ("field", "value"),
    [("agent", "Anna\x1b[2J"), ("note", "ok\x07"), ("ticketUrl", "https://x.example/\x00")],
)
async def test_text_fields_refuse_control_characters(
    shop: CompanionClient, field: str, value: str
) -> None:
    body = {**_partial(_order(shop)), field: value}
    reply = await _refund(shop, body)
    assert (reply.status, reply.code) == (400, "invalid_request"), reply.body


async def test_a_note_may_have_several_lines(shop: CompanionClient) -> None:
    body = {**_partial(_order(shop)), "note": "Arrived broken.\nPhoto in the ticket.\tThanks"}
    reply = await _refund(shop, body)
    assert reply.status == 202, reply.body


@pytest.mark.parametrize("fresh", ["maybe", "2", "TRUE "])
async def test_fresh_takes_only_documented_values(shop: CompanionClient, fresh: str) -> None:
    reply = await shop.request("GET", f"/v1/orders/{_order(shop)}?fresh={fresh}")
    assert (reply.status, reply.code) == (400, "invalid_request"), reply.body
    for fine in ("1", "true", "0", "false"):
        assert (await shop.request("GET", f"/v1/orders/{_order(shop)}?fresh={fine}")).status == 200
