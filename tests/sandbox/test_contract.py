"""Every SP-API route of the sandbox answers what Amazon's models say, valid and invalid calls."""

from __future__ import annotations

import aiohttp
import pytest

from spdesk_sandbox.app import create_sandbox_app
from spdesk_sandbox.models import Operation
from spdesk_sandbox.server import SandboxServer
from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.state import SandboxState
from spdesk_sandbox.throttle import EXEMPT_PREFIXES, RATE_LIMIT_HEADER, USAGE_PLANS
from tests.plugins.sandbox import SandboxFactory, sandbox_access_token
from tests.sandbox.contract import Call, ContractCase, collect_cases, invalid_variants, send
from tests.sandbox.schema import (
    find_operation,
    validate_body,
    validate_error_list,
    validate_headers,
)

ALL_INCLUDED = (
    "BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT,"
    "FULFILLMENT_ORDERS"
)
SEED_LABELS = [
    "us-fbm-unshipped-single",
    "us-fbm-unshipped-multi",
    "us-fbm-buyer-cancel-request",
    "us-fbm-partially-shipped",
    "us-fbm-shipped",
    "us-fbm-shipped-partly-refunded",
    "us-fbm-cancelled",
    "us-fba-shipped",
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
UNKNOWN_ORDER = "999-0000000-0000000"


def sp_api_routes() -> dict[str, tuple[str, str]]:
    """Route name -> (method, path template) of every SP-API route the sandbox serves."""
    app = create_sandbox_app(SandboxState.create(SandboxSettings()))
    routes = {}
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if route.method == "HEAD" or path.startswith(EXEMPT_PREFIXES):
            continue
        assert route.name, f"{route.method} {path} has no operation name"
        routes[route.name] = (route.method, path)
    return routes


ROUTES = sp_api_routes()


async def _get_order_calls(server: SandboxServer) -> list[Call]:
    base = "/orders/2026-01-01/orders/"
    calls = [
        Call("GET", base + server.seed.order_id(label), {"includedData": ALL_INCLUDED})
        for label in SEED_LABELS
    ]
    calls += [
        Call("GET", base + server.seed.order_id("us-fbm-unshipped-multi")),
        Call("GET", base + UNKNOWN_ORDER, expect=404),
        Call("GET", base + server.seed.order_id("us-mcf-received"), expect=404),
        Call("GET", base + "not-an-order-id", expect=400),
    ]
    return calls


async def _search_orders_calls(server: SandboxServer) -> list[Call]:
    path = "/orders/2026-01-01/orders"
    after = "2020-01-01T00:00:00Z"
    return [
        Call("GET", path, {"createdAfter": after, "includedData": ALL_INCLUDED}),
        Call("GET", path, {"lastUpdatedAfter": after, "fulfilledBy": "AMAZON"}),
        Call(
            "GET",
            path,
            {
                "createdAfter": after,
                "marketplaceIds": "A1PA6795UKMFR9",
                "fulfillmentStatuses": "SHIPPED,UNSHIPPED",
                "maxResultsPerPage": "1",
            },
        ),
        Call("GET", path, {}, expect=400),
        Call("GET", path, {"createdAfter": after, "lastUpdatedAfter": after}, expect=400),
        Call("GET", path, {"createdAfter": after, "maxResultsPerPage": "101"}, expect=400),
        Call("GET", path, {"createdAfter": after, "paginationToken": "%%%"}, expect=400),
    ]


async def _v0_order_calls(server: SandboxServer) -> list[Call]:
    calls = [
        Call("GET", f"/orders/v0/orders/{server.seed.order_id(label)}") for label in SEED_LABELS
    ]
    return [*calls, Call("GET", f"/orders/v0/orders/{UNKNOWN_ORDER}", expect=404)]


async def _v0_items_calls(server: SandboxServer) -> list[Call]:
    calls = [
        Call("GET", f"/orders/v0/orders/{server.seed.order_id(label)}/orderItems")
        for label in SEED_LABELS
    ]
    return [*calls, Call("GET", f"/orders/v0/orders/{UNKNOWN_ORDER}/orderItems", expect=404)]


CONTRACT_CASES = [
    ContractCase("getOrder", _get_order_calls),
    ContractCase("searchOrders", _search_orders_calls),
    ContractCase("ordersV0.getOrder", _v0_order_calls),
    ContractCase("ordersV0.getOrderItems", _v0_items_calls),
]
CASES = collect_cases()  # after CONTRACT_CASES: this module is one of those it collects


def test_every_sp_api_route_has_a_contract_case_and_a_usage_plan() -> None:
    assert {"getOrder", "searchOrders"} <= set(ROUTES)
    assert sorted(set(ROUTES) - set(CASES)) == [], (
        "routes without a contract case: add a ContractCase to CONTRACT_CASES in the test module "
        "of that route (see tests/sandbox/contract.py)"
    )
    assert sorted(set(ROUTES) - set(USAGE_PLANS)) == [], "routes without a usage plan"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_is_an_amazon_operation(name: str) -> None:
    method, path = ROUTES[name]
    operation = find_operation(method, path)
    assert operation.operation_id == name.rpartition(".")[2]


RATE_AND_ID = (RATE_LIMIT_HEADER, "x-amzn-RequestId")


async def _case(name: str, server: SandboxServer) -> tuple[Operation, list[Call], Call]:
    """The model operation of a route, its contract calls, and the first valid one."""
    operation = find_operation(*ROUTES[name])
    calls = await CASES[name].build(server)
    assert any(c.expect < 300 for c in calls), "a case needs at least one successful call"
    return operation, calls, next(c for c in calls if c.expect < 300)


@pytest.fixture(params=["strict", "handlers-only"])
async def either_sandbox(
    request: pytest.FixtureRequest, sandbox_factory: SandboxFactory
) -> SandboxServer:
    """A sandbox with strict requests, and one where only the handlers' own checks refuse."""
    if request.param == "strict":
        return await sandbox_factory()
    return await sandbox_factory(request_models_dir=None)


@pytest.mark.parametrize("name", sorted(set(ROUTES) & set(CASES)))
async def test_contract(
    name: str, either_sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    sandbox = either_sandbox
    operation, calls, valid = await _case(name, sandbox)
    token = await sandbox_access_token(sandbox, sandbox_session)
    derived = [call for _, call in invalid_variants(operation, valid)]
    for call in [*calls, *derived]:
        reply = await send(sandbox_session, sandbox, token, call)
        where = f"{call.method} {call.path} {call.query}"
        assert reply.status == call.expect, f"{where}: {reply.status} {reply.body}"
        validate_body(operation, reply.status, reply.body)
        validate_headers(operation, reply.status, reply.headers, RATE_AND_ID)
        if reply.status == 400:
            validate_error_list(reply.body, "InvalidInput")


@pytest.mark.parametrize("name", sorted(set(ROUTES) & set(CASES)))
async def test_refusals_match_the_model(
    name: str, sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    """No token -> 403 Unauthorized, throttled -> 429 QuotaExceeded, both as the model says."""
    operation, _, valid = await _case(name, sandbox)
    reply = await send(sandbox_session, sandbox, "", valid)
    assert reply.status == 403
    validate_body(operation, 403, reply.body)
    validate_headers(operation, 403, reply.headers, RATE_AND_ID)
    validate_error_list(reply.body, "Unauthorized")
    sandbox.state.faults.add("throttle", name, count=1)
    token = await sandbox_access_token(sandbox, sandbox_session)
    reply = await send(sandbox_session, sandbox, token, valid)
    assert reply.status == 429
    validate_body(operation, 429, reply.body)
    validate_headers(operation, 429, reply.headers, RATE_AND_ID)
    validate_error_list(reply.body, "QuotaExceeded")


def test_the_validator_itself_catches_invented_fields_and_bad_types() -> None:
    operation = find_operation("GET", "/orders/2026-01-01/orders/{orderId}")
    good = {
        "order": {
            "orderId": "111-0000000-0000000",
            "createdTime": "2026-11-20T12:00:00Z",
            "lastUpdatedTime": "2026-11-20T12:00:00Z",
            "salesChannel": {"channelName": "AMAZON"},
            "orderItems": [],
        }
    }
    validate_body(operation, 200, good)
    for broken in (
        {"order": {**good["order"], "refundable": True}},
        {"order": {**good["order"], "createdTime": "last tuesday"}},
        {
            "order": {
                **good["order"],
                "orderItems": [{"orderItemId": "1", "quantityOrdered": "2", "product": {}}],
            }
        },
    ):
        with pytest.raises(AssertionError, match="does not match"):
            validate_body(operation, 200, broken)
