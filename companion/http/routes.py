"""The companion's own routes: health, status, pairing and the OpenAPI document."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from companion import __version__
from companion.accounts import AccountStore
from companion.errors import BadRequest
from companion.fields import PlainText
from companion.http.openapi import build_document
from companion.http.origin import OriginNotAllowed
from companion.http.validation import ApiModel, json_response, parse_json
from companion.identity import CHALLENGE
from companion.keys import ACCOUNTS, IDENTITY, PAIRING, PAIRINGS, ROUTES
from companion.marketplaces import Region
from companion.pairing import PairingCodeInvalid, is_extension_origin

API_VERSION = 1
BROWSER_NAMES = {"chrome-extension": "Chrome", "moz-extension": "Firefox"}


class Health(ApiModel):
    """Liveness of the companion and which one it is; nothing about accounts."""

    service: Literal["spdesk-companion"] = "spdesk-companion"
    version: str = __version__
    api_version: int = API_VERSION
    # This installation's public id (another spdesk or the demo has another one).
    instance: str
    # A code from 'spdesk pair' is waiting here: the extension pairs with this companion.
    pairing_code_waiting: bool
    # With ?challenge=: HMAC-SHA256 of it under this installation's secret (companion.identity).
    proof: str | None = None


class PairRequest(ApiModel):
    """The one-time code from 'spdesk pair' and a name for this browser."""

    code: str = Field(min_length=4, max_length=20, description="the code 'spdesk pair' shows")
    # 'spdesk pair --list' and 'spdesk doctor' print it: no escape sequences, no fake lines.
    label: PlainText = Field(default="", max_length=100, description="which browser this is")


class CompanionInfo(ApiModel):
    """The companion's version."""

    version: str = __version__


class PairResponse(ApiModel):
    """The long-lived token (shown once) and the pairing's id."""

    token: str
    pairing_id: str
    companion: CompanionInfo = Field(default_factory=CompanionInfo)


class AccountSummary(ApiModel):
    """One seller account, without anything secret."""

    name: str
    region: Region
    marketplaces: list[str]
    default: bool


class Status(ApiModel):
    """What the extension's options page shows."""

    version: str = __version__
    mode: Literal["sandbox", "live", "unconfigured"]
    pairing_id: str
    accounts: list[AccountSummary]


async def health(request: web.Request) -> web.Response:
    """Liveness and identity; says nothing about accounts."""
    identity = request.app[IDENTITY]
    challenges = request.query.getall("challenge", [])
    if len(challenges) > 1 or (challenges and not CHALLENGE.fullmatch(challenges[0])):
        raise BadRequest(
            "challenge must be 32 to 128 lower-case hexadecimal digits.",
            params={
                "case": "invalid_field",
                "field": "challenge",
                "problem": "not 32 to 128 lower-case hexadecimal digits",
            },
        )
    return json_response(
        Health(
            instance=identity.instance,
            pairing_code_waiting=request.app[PAIRINGS].code_waiting(),
            proof=identity.prove(challenges[0]) if challenges else None,
        )
    )


async def pair(request: web.Request) -> web.Response:
    """Exchange the one-time code for a token; the caller's Origin becomes a paired origin."""
    body = await parse_json(request, PairRequest)
    origin = request.headers.get("Origin")
    if origin is None or not is_extension_origin(origin):
        raise OriginNotAllowed(
            "Only the spdesk browser extension can pair with spdesk.",
            params={"case": "not_extension"},
        )
    label = body.label or BROWSER_NAMES.get(origin.split("://", 1)[0], "Browser")
    try:
        pairing, token = request.app[PAIRINGS].exchange(body.code, origin, label)
    except PairingCodeInvalid as exc:
        # Name the companion that refused: the code may be for another one (the demo's).
        raise exc.at(request.host) from None
    return json_response(PairResponse(token=token, pairing_id=pairing.id), status=201)


def status_of(store: AccountStore, pairing_id: str) -> Status:
    """What the extension's options page shows."""
    accounts = store.list()
    default_name = store.default_name()
    default = next((a for a in accounts if a.name == default_name), None)
    mode: Literal["sandbox", "live", "unconfigured"] = (
        "unconfigured" if default is None else "sandbox" if default.sandbox else "live"
    )
    return Status(
        mode=mode,
        pairing_id=pairing_id,
        accounts=[
            AccountSummary(
                name=a.name,
                region=a.region,
                marketplaces=a.marketplaces,
                default=a.name == default_name,
            )
            for a in accounts
        ],
    )


async def status(request: web.Request) -> web.Response:
    """Version, mode, this browser's pairing and the configured accounts."""
    return json_response(status_of(request.app[ACCOUNTS], request[PAIRING].id))


async def openapi(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 document of every route this companion serves."""
    return web.json_response(build_document(request.app[ROUTES]))


def setup(app: web.Application) -> None:
    """Register the companion's own routes."""
    routes, router = app[ROUTES], app.router
    routes.add(
        router,
        "GET",
        "/v1/health",
        health,
        summary="Is the companion running, and which one is it?",
        response=Health,
        query=["challenge"],
        schemas={"challenge": {"type": "string", "pattern": f"^{CHALLENGE.pattern}$"}},
    )
    routes.add(
        router,
        "POST",
        "/v1/pair",
        pair,
        summary="Pair the extension with a one-time code",
        request=PairRequest,
        response=PairResponse,
        status=201,
        errors=["pairing_code_invalid", "pairing_locked", "origin_not_allowed"],
    )
    routes.add(
        router,
        "GET",
        "/v1/status",
        status,
        summary="Version, mode, pairing and accounts",
        response=Status,
    )
    routes.add(router, "GET", "/v1/openapi.json", openapi, summary="This API description")
