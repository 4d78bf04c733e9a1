"""GET /v1/orders/{orderId}: the order view of companion.orders, straight to JSON."""

from __future__ import annotations

from aiohttp import web

from companion.accounts import NAME_PATTERN
from companion.amazon.view import OrderView
from companion.errors import BadRequest
from companion.keys import ORDERS, ROUTES
from companion.vocabulary import ORDER_ID_SCHEMA

# What reading an order through a seller account can end in (every route that reads one).
ORDER_LOOKUP_ERRORS = (
    "invalid_order_id",
    "order_not_found",
    "no_account",
    "account_not_found",
    "accounts_file_invalid",
    "keyring_unavailable",
    "credentials_missing",
    "amazon_unavailable",
    "amazon_throttled",
    "amazon_timeout",
    "amazon_access_denied",
    "amazon_credentials_rejected",
    "amazon_rejected",
    "amazon_bad_response",
)


# ?fresh= as the protocol writes it; anything else is refused rather than read as "no".
FRESH = {"1": True, "true": True, "0": False, "false": False}


def _fresh(request: web.Request) -> bool:
    values = request.query.getall("fresh", [])
    if not values:
        return False
    if len(values) > 1 or values[0] not in FRESH:
        raise BadRequest(
            "fresh must be 1 or true (read the order from Amazon again), or 0 or false.",
            params={
                "case": "invalid_field",
                "field": "fresh",
                "problem": "not 1, true, 0 or false",
            },
        )
    return FRESH[values[0]]


async def get_order(request: web.Request) -> web.Response:
    """GET /v1/orders/{orderId}?account=NAME&fresh=1"""
    service = request.app[ORDERS]
    fresh = _fresh(request)
    view = await service.get_view(
        request.match_info["orderId"], account=request.query.get("account") or None, fresh=fresh
    )
    # Serialized straight to JSON bytes by pydantic: no intermediate dict, no json.dumps.
    return web.Response(body=view.model_dump_json(by_alias=True), content_type="application/json")


def setup(app: web.Application) -> None:
    """Register the order route."""
    app[ROUTES].add(
        app.router,
        "GET",
        "/v1/orders/{orderId}",
        get_order,
        summary="One normalized view of an Amazon order",
        response=OrderView,
        query=["account", "fresh"],
        errors=ORDER_LOOKUP_ERRORS,
        schemas={
            "orderId": ORDER_ID_SCHEMA,
            "account": {"type": "string", "pattern": NAME_PATTERN},
            "fresh": {"type": "string", "enum": list(FRESH)},
        },
    )
