"""Bearer-token middleware, alone on a tiny app."""

from __future__ import annotations

from functools import partial

import pytest
from multidict import CIMultiDict

from companion.http.auth import setup_auth
from companion.pairing import Pairing
from tests.companion.tiny import tiny_app

ACTIVE = Pairing("pair_1", "chrome-extension://x", "test", 0.0, None, None)
REVOKED = Pairing("pair_2", "chrome-extension://x", "test", 0.0, None, 5.0)
TOKENS = {"good": ACTIVE, "revoked": REVOKED}
setup = partial(setup_auth, verify=TOKENS.get)


async def test_active_token_passes() -> None:
    async with tiny_app(setup) as client:
        response = await client.get("/v1/status", headers={"Authorization": "Bearer good"})
        assert response.status == 200


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "unauthorized"),
        ("Bearer ", "unauthorized"),
        ("Basic Z29vZDo=", "unauthorized"),
        ("good", "unauthorized"),
        ("Bearer unknown", "token_revoked"),
        ("Bearer revoked", "token_revoked"),
    ],
)
async def test_missing_unknown_or_revoked_token_is_401(
    authorization: str | None, code: str
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with tiny_app(setup) as client:
        response = await client.get("/v1/status", headers=headers)
        assert response.status == 401
        body = await response.json()
        assert body["error"]["code"] == code
        assert "spdesk pair" in body["error"]["message"]


async def test_public_routes_need_no_token() -> None:
    async with tiny_app(setup) as client:
        assert (await client.get("/v1/health")).status == 200
        assert (await client.post("/v1/pair", json={})).status == 200
        # Public means that method only: a POST to health is not public.
        assert (await client.post("/v1/health", json={})).status == 401


async def test_options_is_no_way_around_the_token() -> None:
    # Preflights are answered by the CORS middleware in front; nothing else skips the token.
    async with tiny_app(setup) as client:
        response = await client.options("/v1/status")
        assert response.status == 401


async def test_two_authorization_headers_are_refused() -> None:
    async with tiny_app(setup) as client:
        headers = CIMultiDict([("Authorization", "Bearer good"), ("Authorization", "Bearer x")])
        response = await client.get("/v1/status", headers=headers)
        assert response.status == 401
        assert (await response.json())["error"]["code"] == "unauthorized"
