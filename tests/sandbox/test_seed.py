"""Seed data: realistic, deterministic, and bad seed files fail fast with a clear message."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from spdesk_sandbox.marketplaces import marketplace
from spdesk_sandbox.records import Channel, FulfillmentOrderStatus, OrderStatus
from spdesk_sandbox.seed import BUILTIN_SEED, SeedError, load_seed

START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LABELS = [
    "us-fbm-unshipped-single",
    "us-fbm-unshipped-multi",
    "us-fbm-buyer-cancel-request",
    "us-fbm-partially-shipped",
    "us-fbm-shipped",
    "us-fbm-shipped-partly-refunded",
    "us-fbm-cancelled",
    "us-fba-shipped",
    "us-mcf-received",
    "us-mcf-planning",
    "us-mcf-processing",
    "uk-fbm-shipped",
    "uk-fbm-unshipped",
    "de-fbm-shipped",
    "de-fbm-unshipped",
    "jp-fbm-shipped",
    "jp-fbm-unshipped",
    "fr-fbm-shipped",
    "it-fbm-shipped-promotion",
    "es-fbm-shipped",
    "us-fbm-shipped-promotion",
    "jp-fbm-cod-shipped",
]


def test_every_documented_label_has_a_3_7_7_id() -> None:
    seed = load_seed(None, 0, START)
    assert sorted(seed.labels) == sorted(LABELS)
    ids = [seed.order_id(label) for label in LABELS]
    assert all(re.fullmatch(r"\d{3}-\d{7}-\d{7}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    with pytest.raises(KeyError, match="no seeded order is labelled 'nope'"):
        seed.order_id("nope")


def test_orders_are_realistic() -> None:
    seed = load_seed(None, 0, START)
    orders = {o.label: o for o in seed.fresh_orders()}
    codes = [i.item_code for o in orders.values() for i in o.items]
    assert all(re.fullmatch(r"\d{14}", c) for c in codes) and len(set(codes)) == len(codes)
    assert {o.currency for o in orders.values()} == {"USD", "GBP", "EUR", "JPY"}
    for order in orders.values():
        for item in order.items:
            assert all(order.marketplace.has_valid_scale(v) for v in item.charged.values())
    # Tax-exclusive amounts, each tax its own component: 4980 yen with 10 % inside.
    jp = orders["jp-fbm-shipped"].items[0]
    assert (jp.charged["Principal"], jp.charged["Tax"]) == (Decimal("4527"), Decimal("453"))
    assert orders["jp-fbm-cod-shipped"].cash_on_delivery
    assert orders["us-fba-shipped"].channel is Channel.FBA
    assert orders["us-fbm-partially-shipped"].status is OrderStatus.PARTIALLY_SHIPPED
    assert orders["us-fbm-cancelled"].items[0].cancellation is not None
    assert orders["us-fbm-buyer-cancel-request"].items[0].buyer_cancel_request is not None
    multi = orders["us-fbm-unshipped-multi"]
    assert len(multi.items) == 3 and multi.items[0].qty_ordered == 2
    assert multi.marketplace == marketplace("US")


def test_partly_refunded_order_has_posted_refunds() -> None:
    seed = load_seed(None, 0, START)
    order_id = seed.order_id("us-fbm-shipped-partly-refunded")
    refunds = [a for a in seed.fresh_adjustments() if a.order_id == order_id]
    assert [a.total() for a in refunds] == [Decimal("21.65"), Decimal("5.40")]
    assert all(a.posted_at < START for a in refunds)
    order = next(o for o in seed.fresh_orders() if o.order_id == order_id)
    assert order.items[0].refundable("Principal") == Decimal("59.98")


def test_mcf_orders_are_not_amazon_orders() -> None:
    seed = load_seed(None, 0, START)
    fulfillment = {f.label: f for f in seed.fresh_fulfillment_orders()}
    assert fulfillment["us-mcf-received"].status is FulfillmentOrderStatus.RECEIVED
    assert fulfillment["us-mcf-planning"].status is FulfillmentOrderStatus.PLANNING
    assert fulfillment["us-mcf-processing"].status is FulfillmentOrderStatus.PROCESSING
    order_ids = {o.order_id for o in seed.fresh_orders()}
    assert not order_ids & set(
        fulfillment_id.seller_fulfillment_order_id for fulfillment_id in fulfillment.values()
    )


def test_fresh_copies_are_independent() -> None:
    seed = load_seed(None, 0, START)
    first = seed.fresh_orders()
    first[0].items[0].refunded["Principal"] = Decimal("1.00")
    assert seed.fresh_orders()[0].items[0].refunded == {}


def test_bulk_orders_are_deterministic() -> None:
    one = load_seed(None, 50, START)
    two = load_seed(None, 50, START)
    bulk = {k: v for k, v in one.labels.items() if k.startswith("bulk-")}
    assert len(bulk) == 50 and "bulk-0001" in bulk and "bulk-0050" in bulk
    assert bulk == {k: v for k, v in two.labels.items() if k.startswith("bulk-")}
    statuses = {o.status for o in one.fresh_orders() if o.label and o.label.startswith("bulk-")}
    assert statuses == {OrderStatus.SHIPPED, OrderStatus.UNSHIPPED}


def _builtin() -> dict[str, Any]:
    seed: dict[str, Any] = json.loads(BUILTIN_SEED.read_text(encoding="utf-8"))
    return seed


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "seed.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_custom_seed_can_extend_the_builtin(tmp_path: Path) -> None:
    extra = _builtin()["orders"][0] | {"label": "my-order", "orderId": "111-0000000-0000001"}
    extra["items"] = [extra["items"][0] | {"itemCode": "11111111111111"}]
    path = _write(tmp_path, {"includeBuiltin": True, "orders": [extra]})
    seed = load_seed(path, 0, START)
    assert seed.order_id("my-order") == "111-0000000-0000001"
    assert "us-fbm-shipped" in seed.labels
    alone = load_seed(_write(tmp_path, {"orders": [extra]}), 0, START)
    assert list(alone.labels) == ["my-order"]


def _broken(mutate: str) -> dict[str, Any]:
    data = _builtin()
    order = data["orders"][0]
    if mutate == "marketplace":
        order["marketplace"] = "XX"
    elif mutate == "decimals":
        data["orders"][-1]["items"][0]["charged"]["Principal"] = "4980.50"
    elif mutate == "duplicate":
        data["orders"][1]["label"] = order["label"]
    elif mutate == "status":
        order["status"] = "SHIPPED"
    elif mutate == "component":
        order["items"][0]["charged"]["Bribe"] = "1.00"
    elif mutate == "order-id":
        order["orderId"] = "12345"
    elif mutate in ("tax-inside", "no-rate"):
        de = next(o for o in data["orders"] if o["label"] == "de-fbm-shipped")["items"][0]
        if mutate == "no-rate":
            del de["taxRate"]
        else:  # the VAT inside a gross price, with the gross price as Principal
            de["charged"]["Principal"] = "64.90"
    elif mutate == "discount":
        order["items"][0]["discounts"] = {"Shipping": "6.00"}
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        ("marketplace", "unknown marketplace 'XX'"),
        ("decimals", "more decimals than JPY allows"),
        ("duplicate", "label 'us-fbm-unshipped-single' is used twice"),
        ("status", "does not match the item quantities"),
        ("component", "unknown charge components ['Bribe']"),
        ("order-id", "orders.0.orderId"),
        ("tax-inside", "Tax 10.36 is not 0.19 of Principal"),
        ("no-rate", "a taxed item needs its taxRate"),
        ("discount", "the Shipping discount is more than its charge"),
    ],
)
def test_broken_seed_names_the_problem(tmp_path: Path, mutate: str, message: str) -> None:
    path = _write(tmp_path, _broken(mutate))
    with pytest.raises(SeedError) as raised:
        load_seed(path, 0, START)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_unreadable_seed_files(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="not valid JSON"):
        load_seed(_write(tmp_path, "{orders: ["), 0, START)
    with pytest.raises(SeedError, match="cannot read seed file"):
        load_seed(tmp_path / "missing.json", 0, START)
