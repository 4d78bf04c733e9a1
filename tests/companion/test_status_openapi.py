"""GET /v1/status for the options page, and the OpenAPI document of every served route."""

from __future__ import annotations

import re

import jsonschema

from companion.keys import ROUTES
from tests.plugins.companion import CompanionClient


async def test_status_names_mode_pairing_and_accounts(companion: CompanionClient) -> None:
    reply = await companion.request("GET", "/v1/status")
    assert reply.status == 200
    body = reply.json()
    assert body["mode"] == "sandbox"
    assert body["pairingId"] == companion.pairing_id
    assert body["version"] == "0.1.0"
    [account] = body["accounts"]
    assert account["name"] == "sandbox" and account["default"] is True
    assert "US" in account["marketplaces"] and account["region"] == "NA"
    # Nothing secret or internal in it: no endpoint, no client id.
    assert "endpoint" not in reply.body.decode() and "client" not in reply.body.decode()


async def test_status_without_accounts_is_unconfigured(bare_companion: CompanionClient) -> None:
    await bare_companion.pair()
    body = (await bare_companion.request("GET", "/v1/status")).json()
    assert body["mode"] == "unconfigured" and body["accounts"] == []


def _served_routes(companion: CompanionClient) -> set[tuple[str, str]]:
    served = set()
    for route in companion.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if route.method != "HEAD" and path:
            served.add((route.method, re.sub(r"{(\w+):[^}]*}", r"{\1}", path)))
    return served


async def test_openapi_describes_every_served_route(companion: CompanionClient) -> None:
    reply = await companion.request("GET", "/v1/openapi.json", headers={"Authorization": None})
    assert reply.status == 200
    doc = reply.json()
    assert doc["openapi"].startswith("3.")
    documented = {
        (m.upper(), re.sub(r"{(\w+):[^}]*}", r"{\1}", p))
        for p, ops in doc["paths"].items()
        for m in ops
    }
    assert _served_routes(companion) <= documented
    assert {("GET", "/v1/health"), ("POST", "/v1/pair"), ("GET", "/v1/status")} <= documented
    registered = {(r.method, r.path) for r in companion.app[ROUTES].routes}
    assert len(registered) == len(companion.app[ROUTES].routes), "a route was declared twice"


async def test_openapi_request_schemas_refuse_unknown_fields(companion: CompanionClient) -> None:
    doc = (await companion.request("GET", "/v1/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    pair = doc["paths"]["/v1/pair"]["post"]
    ref = pair["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = schemas[ref.rsplit("/", 1)[1]]
    assert schema["additionalProperties"] is False
    assert "security" not in pair
    assert doc["paths"]["/v1/status"]["get"]["security"] == [{"pairingToken": []}]
    # The live response validates against the documented schema.
    status_ref = doc["paths"]["/v1/status"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]["$ref"]
    live = (await companion.request("GET", "/v1/status")).json()
    jsonschema.validate(
        live, {**schemas[status_ref.rsplit("/", 1)[1]], "components": {"schemas": schemas}}
    )
