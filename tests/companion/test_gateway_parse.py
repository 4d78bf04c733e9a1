"""Pure parts of the gateway: Amazon payloads into models, response judgement, buckets, retries."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from companion.amazon.outcome import (
    Action,
    AmazonAccessDenied,
    AmazonCredentialsRejected,
    AmazonRejected,
    decode_json,
    judge_lwa,
    judge_sp_api,
    judge_storage,
    judge_transport_error,
)
from companion.amazon.parse import (
    AmazonBadResponse,
    item_proceeds,
    parse_feed,
    parse_financial_events,
    parse_fulfillment_order,
    parse_order,
)
from companion.amazon.ratelimit import RateLimiter, TokenBucket, UsagePlan, parse_rate
from companion.amazon.retry import RetryPolicy
from companion.errors import AmazonThrottled, AmazonTimeout, AmazonUnavailable, NotFound

# Amazon's own example of Orders v2026-01-01 getOrder (x-amzn-api-sandbox), trimmed of PII.
AMAZON_GET_ORDER = {
    "order": {
        "orderId": "171-9876543-2109876",
        "createdTime": "2024-12-24T20:30:00Z",
        "lastUpdatedTime": "2024-12-25T08:15:00Z",
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": "A2Q3Y263D00KWC",
            "marketplaceName": "Amazon.com.br",
        },
        "proceeds": {"grandTotal": {"amount": "299.90", "currencyCode": "BRL"}},
        "fulfillment": {
            "fulfillmentStatus": "UNSHIPPED",
            "fulfilledBy": "MERCHANT",
            "fulfillmentServiceLevel": "STANDARD",
            "shipByWindow": {
                "earliestDateTime": "2024-12-26T00:00:00Z",
                "latestDateTime": "2024-12-27T23:59:59Z",
            },
        },
        "orderItems": [
            {
                "orderItemId": "17198765432109",
                "quantityOrdered": 1,
                "product": {
                    "asin": "B08N5WRWNW",
                    "title": "Echo Dot (4ª Geração)",
                    "sellerSku": "ECHO-DOT-4-BR-PRETO",
                    "price": {"unitPrice": {"amount": "299.90", "currencyCode": "BRL"}},
                },
                "proceeds": {
                    "proceedsTotal": {"amount": "299.90", "currencyCode": "BRL"},
                    "breakdowns": [
                        {"type": "ITEM", "subtotal": {"amount": "299.90", "currencyCode": "BRL"}}
                    ],
                },
                "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": 1},
            }
        ],
    }
}


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currencyCode": "USD"}


def test_amazon_example_order_parses() -> None:
    order = parse_order(AMAZON_GET_ORDER)
    assert order.order_id == "171-9876543-2109876"
    assert order.marketplace_id == "A2Q3Y263D00KWC"
    assert order.status == "UNSHIPPED"
    assert order.fulfilled_by == "MERCHANT"
    assert order.currency == "BRL"
    assert order.latest_ship_date is not None and order.latest_ship_date.day == 27
    [item] = order.items
    assert item.proceeds is not None and item.proceeds.charges == {"ITEM": Decimal("299.90")}
    assert (item.quantity_ordered, item.quantity_shipped, item.quantity_cancelled) == (1, 0, 0)


def test_breakdowns_map_to_feed_components() -> None:
    proceeds = {
        "breakdowns": [
            {"type": "ITEM", "subtotal": usd("25.98")},
            {"type": "SHIPPING", "subtotal": usd("4.99")},
            {"type": "GIFT_WRAP", "subtotal": usd("3.99")},
            {
                "type": "TAX",
                "subtotal": usd("2.98"),
                "detailedBreakdowns": [
                    {"subtype": "ITEM", "value": usd("2.08")},
                    {"subtype": "SHIPPING", "value": usd("0.40")},
                    {"subtype": "GIFT_WRAP", "value": usd("0.50")},
                ],
            },
            {
                "type": "DISCOUNT",
                "subtotal": usd("-1.00"),
                "detailedBreakdowns": [
                    {"subtype": "SHIPPING", "value": usd("-1.00")},
                ],
            },
        ]
    }
    read = item_proceeds({**proceeds, "proceedsTotal": usd("36.92")})
    assert read is not None and read.total == Decimal("36.92")
    assert read.charges == {
        "ITEM": Decimal("25.98"),
        "SHIPPING": Decimal("4.99"),
        "GIFT_WRAP": Decimal("3.99"),
    }
    assert read.taxes == {
        "ITEM": Decimal("2.08"),
        "SHIPPING": Decimal("0.40"),
        "GIFT_WRAP": Decimal("0.50"),
    }
    assert read.discounts == {"SHIPPING": Decimal("-1.00")}  # as Amazon wrote it


def test_tax_and_discount_without_details_are_the_items() -> None:
    proceeds = {
        "breakdowns": [
            {"type": "TAX", "subtotal": usd("1.10")},
            {"type": "DISCOUNT", "subtotal": usd("-2.00")},
        ]
    }
    read = item_proceeds(proceeds)
    assert read is not None and read.total is None
    assert (read.taxes, read.discounts) == ({"ITEM": Decimal("1.10")}, {"ITEM": Decimal("-2.00")})
    assert item_proceeds(None) is None


def test_buyer_cancel_request_and_pending_availability() -> None:
    body = json.loads(json.dumps(AMAZON_GET_ORDER))
    body["order"]["fulfillment"]["fulfillmentStatus"] = "PENDING_AVAILABILITY"
    body["order"]["orderItems"][0]["cancellation"] = {
        "cancellationRequest": {"requester": "BUYER", "cancelReason": "Ordered by mistake"}
    }
    order = parse_order(body)
    assert order.status == "PENDING"
    request = order.items[0].cancellation_request
    assert request is not None and request.reason == "Ordered by mistake"


def test_order_without_fulfillment_is_a_bad_response() -> None:
    body = json.loads(json.dumps(AMAZON_GET_ORDER))
    del body["order"]["fulfillment"]
    with pytest.raises(AmazonBadResponse) as info:
        parse_order(body)
    assert info.value.code == "amazon_bad_response"


@pytest.mark.parametrize(
    "field, value", [("fulfillmentStatus", "LOST_IN_SPACE"), ("fulfilledBy", "SOMEONE_ELSE")]
)
def test_status_or_fulfiller_outside_amazons_model_is_a_bad_response(
    field: str, value: str
) -> None:
    # Caught where Amazon's answer is read, not later as a 500 while the view is built.
    body = json.loads(json.dumps(AMAZON_GET_ORDER))
    body["order"]["fulfillment"][field] = value
    with pytest.raises(AmazonBadResponse):
        parse_order(body)


def test_fulfillment_order_of_amazon_example() -> None:
    body = {
        "payload": {
            "fulfillmentOrder": {
                "sellerFulfillmentOrderId": "FBATestOrder-1",
                "marketplaceId": "ATVPDKIKX0DER",
                "displayableOrderId": "TestOrder-FBAOutbound",
                "displayableOrderDate": "2020-01-09T19:46:45Z",
                "displayableOrderComment": "x",
                "shippingSpeedCategory": "Standard",
                "destinationAddress": {},
                "receivedDate": "2020-02-07T01:23:30Z",
                "fulfillmentOrderStatus": "PROCESSING",
                "statusUpdatedDate": "2020-02-07T02:33:31Z",
            },
            "fulfillmentOrderItems": [
                {
                    "sellerSku": "CR-47K6-H6QN",
                    "sellerFulfillmentOrderItemId": "OrderItemID1",
                    "quantity": 3,
                    "cancelledQuantity": 0,
                    "unfulfillableQuantity": 0,
                    "perUnitDeclaredValue": {"currencyCode": "USD", "value": "18.99"},
                }
            ],
            "returnItems": [],
            "returnAuthorizations": [],
        }
    }
    order = parse_fulfillment_order(body)
    assert order.status == "PROCESSING"
    assert order.items[0].per_unit_price == Decimal("18.99")
    assert order.items[0].quantity == 3


def _refund_page(item: str, charges: dict[str, Any]) -> dict[str, Any]:
    raw = json.dumps(
        {
            "payload": {
                "FinancialEvents": {
                    "ShipmentEventList": [
                        {
                            "AmazonOrderId": "114-1-1",
                            "ShipmentItemList": [
                                {
                                    "OrderItemId": item,
                                    "ItemChargeList": [
                                        {
                                            "ChargeType": "Principal",
                                            "ChargeAmount": {
                                                "CurrencyCode": "USD",
                                                "CurrencyAmount": 39.99,
                                            },
                                        }
                                    ],
                                }
                            ],
                        }
                    ],
                    "RefundEventList": [
                        {
                            "AmazonOrderId": "114-1-1",
                            "ShipmentItemAdjustmentList": [
                                {
                                    "OrderItemId": item,
                                    "ItemChargeAdjustmentList": [
                                        {
                                            "ChargeType": kind,
                                            "ChargeAmount": {
                                                "CurrencyCode": "USD",
                                                "CurrencyAmount": amount,
                                            },
                                        }
                                        for kind, amount in charges.items()
                                    ],
                                }
                            ],
                        }
                    ],
                }
            }
        }
    )
    # Finances sends JSON numbers: decode them the way the gateway does, exactly.
    page = decode_json(raw.encode())
    assert isinstance(page, dict)
    return page


def test_refunds_are_summed_positive_per_item_and_component() -> None:
    pages = [
        _refund_page("70491836275104", {"Principal": -10.1, "Tax": -0.83}),
        _refund_page("70491836275104", {"Principal": -0.2}),
    ]
    events = parse_financial_events("114-1-1", pages)
    assert events.refunded("70491836275104", "Principal") == Decimal("10.30")
    assert events.refunded("70491836275104", "Tax") == Decimal("0.83")
    assert events.refunded("70491836275104", "Shipping") == 0
    assert events.charges["70491836275104"]["Principal"] == Decimal("79.98")
    assert events.currency == "USD"


def test_feed_of_amazon_example() -> None:
    feed = parse_feed(
        {
            "feedId": "FeedId1",
            "feedType": "POST_PRODUCT_DATA",
            "createdTime": "2024-03-11T13:16:24.630Z",
            "processingStatus": "CANCELLED",
            "processingEndTime": "2024-03-11T13:16:24.630Z",
        }
    )
    assert feed.processing_status == "CANCELLED" and feed.result_feed_document_id is None


def response(status: int, body: bytes | dict[str, Any] = b"", **headers: str) -> httpx.Response:
    content = json.dumps(body).encode() if isinstance(body, dict) else body
    request = httpx.Request("GET", "https://sellingpartnerapi-na.amazon.com/x")
    return httpx.Response(status, content=content, headers=headers, request=request)


def errors(code: str, message: str = "m") -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "details": ""}]}


def test_html_500_is_unavailable_not_success() -> None:
    verdict = judge_sp_api(
        response(500, b"<html><body>500</body></html>", **{"content-type": "text/html"}), "getOrder"
    )
    assert verdict.action is Action.RETRY
    assert isinstance(verdict.error, AmazonUnavailable)
    assert verdict.error.details["httpStatus"] == 500


def test_html_200_is_not_a_success_either() -> None:
    verdict = judge_sp_api(response(200, b"<html>login</html>"), "getOrder")
    assert verdict.action is Action.RETRY and isinstance(verdict.error, AmazonUnavailable)


def test_429_waits_for_the_applied_rate() -> None:
    verdict = judge_sp_api(
        response(429, errors("QuotaExceeded"), **{"x-amzn-RateLimit-Limit": "0.5"}), "getOrder"
    )
    assert verdict.action is Action.RETRY
    assert isinstance(verdict.error, AmazonThrottled)
    assert verdict.wait_hint == 2.0


def test_gateway_timeout_html_is_a_timeout() -> None:
    verdict = judge_sp_api(response(504, b"<html>504 Gateway Timeout</html>"), "getOrder")
    assert verdict.action is Action.RETRY and isinstance(verdict.error, AmazonTimeout)


def test_retry_after_wins_over_rate() -> None:
    verdict = judge_sp_api(response(503, b"", **{"retry-after": "3"}), "getFeed")
    assert verdict.wait_hint == 3.0


def test_expired_token_asks_for_eviction_and_is_not_resent() -> None:
    verdict = judge_sp_api(response(403, errors("Unauthorized")), "getOrder")
    assert verdict.evict_token and isinstance(verdict.error, AmazonAccessDenied)
    assert verdict.action is Action.FAIL


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 451])
def test_no_4xx_but_429_is_ever_retried(status: int) -> None:
    for judged in (
        judge_sp_api(response(status, errors("Refused")), "createFeed"),
        judge_sp_api(response(status, b"<html/>"), "getOrder"),
        judge_storage(response(status, b"<Error/>"), "createFeedDocument"),
        judge_lwa(response(status, {"error": "invalid_request"})),
    ):
        assert judged.action is Action.FAIL, (status, judged)
    assert judge_sp_api(response(429, errors("QuotaExceeded")), "getOrder").action is Action.RETRY


def test_404_and_400() -> None:
    assert isinstance(judge_sp_api(response(404, errors("NotFound")), "getOrder").error, NotFound)
    rejected = judge_sp_api(response(400, errors("InvalidInput", "Bad feed type")), "createFeed")
    assert rejected.action is Action.FAIL and isinstance(rejected.error, AmazonRejected)
    assert "Bad feed type" in rejected.error.message


def test_lwa_judgement() -> None:
    ok = judge_lwa(response(200, {"access_token": "a", "expires_in": 3600}))
    assert ok.action is Action.OK
    bad = judge_lwa(response(400, {"error": "invalid_grant", "error_description": "x"}))
    assert bad.action is Action.FAIL and isinstance(bad.error, AmazonCredentialsRejected)
    assert bad.error.details["amazonCode"] == "invalid_grant"
    assert judge_lwa(response(502, b"<html/>")).action is Action.RETRY


def test_storage_and_transport_errors() -> None:
    assert judge_storage(response(503, b"<Error/>"), "createFeedDocument").action is Action.RETRY
    request = httpx.Request("POST", "https://x/feeds")
    refused = judge_transport_error(httpx.ConnectError("refused", request=request), "createFeed")
    assert not refused.sent and isinstance(refused.error, AmazonUnavailable)
    timeout = judge_transport_error(httpx.ReadTimeout("slow", request=request), "createFeed")
    assert timeout.sent and isinstance(timeout.error, AmazonTimeout)


def test_token_bucket_burst_then_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(UsagePlan(rate=2.0, burst=3), clock=lambda: now[0])
    assert [bucket.try_take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.try_take() == pytest.approx(0.5)
    now[0] = 0.5
    assert bucket.try_take() == 0.0
    bucket.adopt_rate(4.0)
    assert bucket.try_take() == pytest.approx(0.25)
    now[0] = 10.0
    assert bucket.tokens == 3.0  # never more than the burst
    bucket.drain()
    assert bucket.tokens == 0.0


async def test_limiter_learns_rate_from_header() -> None:
    limiter = RateLimiter({"getOrder": UsagePlan(0.001, 1)})
    assert await limiter.acquire("getOrder")
    assert not await limiter.acquire("getOrder", max_wait=1.0)  # a token is 1000 s away
    limiter.observe("getOrder", "1000")
    assert limiter.bucket("getOrder").rate == 1000.0
    assert await limiter.acquire("getOrder", max_wait=1.0)


def test_parse_rate() -> None:
    assert parse_rate("0.0083") == 0.0083
    assert parse_rate("") is None and parse_rate("abc") is None and parse_rate("0") is None


def test_retry_policy_honours_hints_and_deadline() -> None:
    policy = RetryPolicy(max_attempts=3, base_delay=0.1, max_delay=2.0, deadline=5.0)
    assert 0.05 <= policy.delay(1) <= 0.1
    assert policy.delay(1, hint=1.5) == 1.5
    assert policy.allows(1, elapsed=0.0, delay=1.0)
    assert not policy.allows(3, elapsed=0.0, delay=0.1)  # attempts used up
    assert not policy.allows(1, elapsed=4.5, delay=1.0)  # past the deadline
    assert not policy.allows(1, elapsed=0.0, delay=120.0)  # createFeed's 2 minutes: give up
