"""Query and path parameter parsing for SP-API routes, failing with Amazon's 400 InvalidInput."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from aiohttp import web

from spdesk_sandbox.errors import invalid_input
from spdesk_sandbox.records import ORDER_ID


def query_list(
    request: web.Request, name: str, allowed: Collection[str] | None = None, max_items: int = 0
) -> list[str]:
    """A CSV (or repeated) query parameter; unknown enum values and empty items are refused."""
    values = [v.strip() for raw in request.query.getall(name, []) for v in raw.split(",")]
    if any(not v for v in values):
        raise invalid_input(f"Invalid value for parameter {name}: empty list item.")
    if allowed is not None:
        for value in values:
            if value not in allowed:
                raise invalid_input(
                    f"Invalid value '{value}' for parameter {name}.",
                    f"Allowed values: {', '.join(sorted(allowed))}.",
                )
    if max_items and len(values) > max_items:
        raise invalid_input(f"Too many values for parameter {name}: at most {max_items}.")
    return list(dict.fromkeys(values))


def query_int(request: web.Request, name: str, low: int, high: int, default: int) -> int:
    """An integer query parameter within [low, high]."""
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_input(
            f"Invalid value '{raw}' for parameter {name}: expected an integer."
        ) from None
    if not low <= value <= high:
        raise invalid_input(f"Invalid value {value} for parameter {name}: must be {low}-{high}.")
    return value


def parse_datetime(raw: str, name: str) -> datetime:
    """An ISO 8601 date-time (naive values are taken as UTC)."""
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_input(
            f"Invalid value '{raw}' for parameter {name}: expected an ISO 8601 date-time."
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def query_datetime(request: web.Request, name: str) -> datetime | None:
    """An optional ISO 8601 date-time query parameter."""
    raw = request.query.get(name)
    return None if raw is None else parse_datetime(raw, name)


def iso(value: datetime) -> str:
    """Amazon's date-time format: UTC, seconds, 'Z'."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def order_id_param(request: web.Request) -> str:
    """The {orderId} path parameter, which must have the 3-7-7 form."""
    order_id = request.match_info["orderId"]
    if not ORDER_ID.fullmatch(order_id):
        raise invalid_input(
            f"Invalid orderId '{order_id}'.", "An Amazon order id looks like 123-1234567-1234567."
        )
    return order_id
