"""CORS middleware, alone on a tiny app: only paired extension origins, never a wildcard."""

from __future__ import annotations

from companion.http.cors import setup_cors
from companion.http.origin import OriginPolicy
from tests.companion.tiny import tiny_app

PAIRED = "chrome-extension://kcbkpmgfjemhmldbhccpkhbgaflnmmnb"
POLICY = OriginPolicy(lambda: {PAIRED})


def _setup(app: object) -> None:
    setup_cors(app, POLICY)  # type: ignore[arg-type]


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_preflight_from_paired_extension_names_only_that_origin() -> None:
    async with tiny_app(_setup) as client:
        response = await client.options("/v1/thing", headers=_preflight(PAIRED))
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == PAIRED
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
        assert "Origin" in response.headers["Vary"]


async def test_preflight_from_a_web_page_is_refused() -> None:
    async with tiny_app(_setup) as client:
        response = await client.options("/v1/thing", headers=_preflight("https://evil.example"))
        assert response.status == 403
        assert "Access-Control-Allow-Origin" not in response.headers
        assert (await response.json())["error"]["code"] == "origin_not_allowed"


async def test_responses_are_labelled_for_paired_origins_only() -> None:
    async with tiny_app(_setup) as client:
        ours = await client.get("/v1/thing", headers={"Origin": PAIRED})
        assert ours.headers["Access-Control-Allow-Origin"] == PAIRED
        theirs = await client.get("/v1/thing", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in theirs.headers
        none = await client.get("/v1/thing")
        assert "Access-Control-Allow-Origin" not in none.headers


async def test_every_options_request_is_answered_here() -> None:
    async with tiny_app(_setup) as client:
        plain = await client.options("/v1/thing", headers={"Origin": PAIRED})
        assert plain.status == 405  # not a preflight: never handed on to a route
        assert "read" not in await plain.json()
        preflight = await client.options("/v1/thing", headers=_preflight(PAIRED))
        assert preflight.headers["Access-Control-Allow-Methods"] == "GET, POST"
