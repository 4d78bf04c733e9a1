"""Origin middleware, alone on a tiny app: state changes only from a paired extension."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

from companion.http.origin import OriginPolicy, setup_origin
from tests.companion.tiny import tiny_app

PAIRED = "chrome-extension://kcbkpmgfjemhmldbhccpkhbgaflnmmnb"
OTHER_EXTENSION = "moz-extension://0b7c3d4e-1f2a-4b5c-8d9e-0a1b2c3d4e5f"
POLICY = OriginPolicy(lambda: {PAIRED})


def _setup(app: object) -> None:
    setup_origin(app, POLICY)  # type: ignore[arg-type]


async def test_paired_extension_may_post() -> None:
    async with tiny_app(_setup) as client:
        response = await client.post("/v1/thing", json={}, headers={"Origin": PAIRED})
        assert response.status == 200


@pytest.mark.parametrize(
    "origin",
    [
        None,  # a POST without Origin never comes from the extension
        "https://evil.example",  # a web page's own fetch
        "null",  # sandboxed iframes, file: pages
        OTHER_EXTENSION,  # an extension that was never paired
        "http://127.0.0.1:8766",  # even a page served from loopback
    ],
)
async def test_post_from_anything_else_is_refused(origin: str | None) -> None:
    headers = {"Origin": origin} if origin else {}
    async with tiny_app(_setup) as client:
        response = await client.post("/v1/thing", json={}, headers=headers)
        assert response.status == 403
        body = await response.json()
        assert body["error"]["code"] == "origin_not_allowed"
        assert "extension" in body["error"]["message"]


async def test_get_without_origin_passes_but_web_origin_does_not() -> None:
    async with tiny_app(_setup) as client:
        assert (await client.get("/v1/thing")).status == 200
        response = await client.get("/v1/thing", headers={"Origin": "https://evil.example"})
        assert response.status == 403


async def test_any_extension_may_pair_but_no_web_page() -> None:
    async with tiny_app(_setup) as client:
        ok = await client.post("/v1/pair", json={}, headers={"Origin": OTHER_EXTENSION})
        assert ok.status == 200
        refused = await client.post("/v1/pair", json={}, headers={"Origin": "https://evil.example"})
        assert refused.status == 403
        # Pairing does not open other routes to an unpaired extension.
        other = await client.post("/v1/thing", json={}, headers={"Origin": OTHER_EXTENSION})
        assert other.status == 403


def test_policy_reads_paired_origins_on_every_call() -> None:
    paired: set[str] = set()
    policy = OriginPolicy(lambda: paired)
    assert not policy.allows("POST", "/v1/thing", PAIRED)
    paired.add(PAIRED)
    assert policy.allows("POST", "/v1/thing", PAIRED)


async def test_two_origin_headers_are_refused_whatever_their_order() -> None:
    async with tiny_app(_setup) as client:
        for pair in (
            (PAIRED, "https://evil.example"),
            ("https://evil.example", PAIRED),
            (PAIRED, PAIRED),
        ):
            headers = CIMultiDict([("Origin", pair[0]), ("Origin", pair[1])])
            response = await client.post("/v1/thing", json={}, headers=headers)
            assert response.status == 403, pair


@pytest.mark.parametrize("dest", ["image", "script", "document", "iframe", "style", "object"])
async def test_page_loads_without_origin_are_refused(dest: str) -> None:
    # <img src>, <script src>, a link or a frame: a GET without Origin that a page can time.
    async with tiny_app(_setup) as client:
        response = await client.get(
            "/v1/health",
            headers={
                "Sec-Fetch-Dest": dest,
                "Sec-Fetch-Mode": "no-cors",
                "Sec-Fetch-Site": "cross-site",
            },
        )
        assert response.status == 403


async def test_fetch_from_the_extension_passes() -> None:
    async with tiny_app(_setup) as client:
        response = await client.get(
            "/v1/health",
            headers={"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "none"},
        )
        assert response.status == 200
