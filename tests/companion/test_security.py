"""The hardened local API as a whole: every rejection a web page or a stranger would meet."""

from __future__ import annotations

from tests.plugins.companion import CompanionClient

EVIL = "https://evil.example"


async def test_dns_rebinding_host_is_refused_even_with_a_token(
    bare_companion: CompanionClient,
) -> None:
    await bare_companion.pair()
    port = bare_companion.server.port
    reply = await bare_companion.request(
        "GET", "/v1/status", headers={"Host": f"rebind.evil.example:{port}"}
    )
    assert (reply.status, reply.code) == (421, "host_not_allowed")
    health = await bare_companion.request(
        "GET", "/v1/health", headers={"Host": f"rebind.evil.example:{port}"}
    )
    assert health.status == 421


async def test_web_page_fetch_is_refused(bare_companion: CompanionClient) -> None:
    # What a page on evil.example can send: its own Origin, no token, maybe a guessed body.
    for method, path in (("GET", "/v1/status"), ("POST", "/v1/pair"), ("POST", "/v1/refunds")):
        reply = await bare_companion.request(
            method, path, json={"code": "AAAA-AAAA"}, headers={"Origin": EVIL}
        )
        assert (reply.status, reply.code) == (403, "origin_not_allowed"), (method, path)
        assert "Access-Control-Allow-Origin" not in reply.headers


async def test_stolen_token_is_useless_from_a_web_page(bare_companion: CompanionClient) -> None:
    await bare_companion.pair()
    reply = await bare_companion.request("GET", "/v1/status", headers={"Origin": EVIL})
    assert (reply.status, reply.code) == (403, "origin_not_allowed")


async def test_post_without_origin_is_refused(bare_companion: CompanionClient) -> None:
    # The code does not matter: the Origin check comes first.
    reply = await bare_companion.request(
        "POST", "/v1/pair", json={"code": "AAAA-AAAA"}, headers={"Origin": None}
    )
    assert (reply.status, reply.code) == (403, "origin_not_allowed")


async def test_missing_and_revoked_tokens(bare_companion: CompanionClient) -> None:
    missing = await bare_companion.request("GET", "/v1/status")
    assert (missing.status, missing.code) == (401, "unauthorized")
    forged = await bare_companion.request(
        "GET", "/v1/status", headers={"Authorization": "Bearer spd_forged"}
    )
    assert (forged.status, forged.code) == (401, "token_revoked")


async def test_oversize_body_is_refused(bare_companion: CompanionClient) -> None:
    big = {"code": "AAAA-AAAA", "label": "x" * (bare_companion.settings.max_body_bytes + 1)}
    reply = await bare_companion.request("POST", "/v1/pair", json=big)
    assert (reply.status, reply.code) == (413, "payload_too_large")
    assert "64 KiB" in reply.json()["error"]["message"]


async def test_unknown_fields_are_refused(bare_companion: CompanionClient) -> None:
    reply = await bare_companion.request(
        "POST", "/v1/pair", json={"code": "AAAA-AAAA", "admin": True}
    )
    assert (reply.status, reply.code) == (400, "invalid_request")
    error = reply.json()["error"]
    assert "'admin' is not a field spdesk knows" in error["message"]
    assert error["details"]["problems"][0]["field"] == "admin"


async def test_non_json_bodies_are_refused(bare_companion: CompanionClient) -> None:
    text = await bare_companion.request(
        "POST", "/v1/pair", data=b"code=AAAA", headers={"Content-Type": "text/plain"}
    )
    assert (text.status, text.code) == (400, "invalid_request")
    broken = await bare_companion.request(
        "POST", "/v1/pair", data=b"{", headers={"Content-Type": "application/json"}
    )
    assert (broken.status, broken.code) == (400, "invalid_request")
    listed = await bare_companion.request("POST", "/v1/pair", json=["AAAA-AAAA"])
    assert (listed.status, listed.code) == (400, "invalid_request")


async def test_health_is_public_and_says_nothing_about_accounts(
    bare_companion: CompanionClient,
) -> None:
    reply = await bare_companion.request("GET", "/v1/health", headers={"Authorization": None})
    health = reply.json()
    assert set(health) == {
        "service",
        "version",
        "apiVersion",
        "instance",
        "pairingCodeWaiting",
        "proof",
    }
    assert health["service"] == "spdesk-companion" and health["instance"].startswith("spd_")


async def test_binds_loopback_only(bare_companion: CompanionClient) -> None:
    addresses = bare_companion.server.runner.addresses
    assert addresses and all(address[0] == "127.0.0.1" for address in addresses)
