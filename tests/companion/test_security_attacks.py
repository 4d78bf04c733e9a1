"""Attacks on the running companion over real HTTP: rebinding, Origin tricks, CSRF, bodies, errors.

Requests are written by hand (tests/companion/rawhttp.py) so that the attack is exactly what is
sent: duplicate headers, absolute-form targets and malformed lines that aiohttp's client refuses.
"""

from __future__ import annotations

import logging

import pytest

from companion.keys import PAIRINGS
from tests.companion import rawhttp
from tests.plugins.companion import CompanionClient

EVIL = "https://evil.example"
UNPAIRED = "chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh"


def _base(client: CompanionClient, *, token: bool = True) -> list[tuple[str, str]]:
    headers = [("Host", f"127.0.0.1:{client.server.port}")]
    if token:
        headers.append(("Authorization", f"Bearer {client.token}"))
    return headers


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1.evil.example:{port}",
        "localhost.:{port}",
        "[::1]:{port}",
        "127.0.0.1",
        "localhost",
        "127.0.0.1:0{port}",
        "evil@127.0.0.1:{port}",
        "rebind.evil.example:{port}",
        "127.0.0.1:{port}.evil.example",
        "0x7f000001:{port}",
        "2130706433:{port}",
    ],
)
async def test_dns_rebinding_host_variants_are_refused(
    bare_companion: CompanionClient, host: str
) -> None:
    await bare_companion.pair()
    port = bare_companion.server.port
    headers = [
        ("Host", host.format(port=port)),
        ("Authorization", f"Bearer {bare_companion.token}"),
    ]
    reply = await rawhttp.request(port, "GET", "/v1/status", headers)
    assert (reply.status, reply.code) == (421, "host_not_allowed")


async def test_loopback_names_pass_in_any_case(bare_companion: CompanionClient) -> None:
    await bare_companion.pair()
    port = bare_companion.server.port
    for host in (f"LOCALHOST:{port}", f"LocalHost:{port}", f"127.0.0.1:{port}"):
        auth = ("Authorization", f"Bearer {bare_companion.token}")
        reply = await rawhttp.request(port, "GET", "/v1/status", [("Host", host), auth])
        assert reply.status == 200, host


async def test_missing_or_duplicate_host_is_refused(bare_companion: CompanionClient) -> None:
    port = bare_companion.server.port
    http10 = await rawhttp.send(port, b"GET /v1/health HTTP/1.0\r\n\r\n")
    assert (http10.status, http10.code) == (421, "host_not_allowed")
    http11 = await rawhttp.send(port, b"GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert http11.status == 400
    twice = await rawhttp.request(
        port, "GET", "/v1/health", [("Host", f"127.0.0.1:{port}"), ("Host", f"evil.example:{port}")]
    )
    assert twice.status == 400


async def test_absolute_form_target_must_name_us_too(bare_companion: CompanionClient) -> None:
    await bare_companion.pair()
    port = bare_companion.server.port
    foreign = await rawhttp.request(
        port, "GET", f"http://evil.example:{port}/v1/status", _base(bare_companion)
    )
    assert (foreign.status, foreign.code) == (421, "host_not_allowed")
    ours = await rawhttp.request(
        port, "GET", f"http://127.0.0.1:{port}/v1/status", _base(bare_companion)
    )
    assert ours.status == 200


@pytest.mark.parametrize(
    "origin",
    [
        "null",
        UNPAIRED,
        EVIL,
        "{paired}/",
        "{paired}/options.html",
        "{paired_upper}",
        "MOZ-EXTENSION://0b7c3d4e-1f2a-4b5c-8d9e-0a1b2c3d4e5f",
        "{paired}.evil.example",
        "http://127.0.0.1",
        "file://",
    ],
)
async def test_origin_tricks_are_refused(bare_companion: CompanionClient, origin: str) -> None:
    await bare_companion.pair()
    paired = bare_companion.origin
    origin = origin.format(paired=paired, paired_upper=paired.upper())
    port = bare_companion.server.port
    for method, path, body in (
        ("GET", "/v1/status", None),
        ("POST", "/v1/refunds", {"orderId": "113-4820571-0038214"}),
    ):
        reply = await rawhttp.request(
            port,
            method,
            path,
            [*_base(bare_companion), ("Origin", origin), ("Content-Type", "application/json")],
            body,
        )
        assert (reply.status, reply.code) == (403, "origin_not_allowed"), (method, origin)
        assert reply.header("Access-Control-Allow-Origin") is None


async def test_a_second_origin_header_is_refused(bare_companion: CompanionClient) -> None:
    await bare_companion.pair()
    port = bare_companion.server.port
    for pair in ((bare_companion.origin, EVIL), (EVIL, bare_companion.origin)):
        reply = await rawhttp.request(
            port, "GET", "/v1/status", [*_base(bare_companion), *(("Origin", o) for o in pair)]
        )
        assert (reply.status, reply.code) == (403, "origin_not_allowed"), pair


async def test_a_second_authorization_header_is_refused(bare_companion: CompanionClient) -> None:
    await bare_companion.pair()
    port = bare_companion.server.port
    reply = await rawhttp.request(
        port, "GET", "/v1/status", [*_base(bare_companion), ("Authorization", "Bearer other")]
    )
    assert (reply.status, reply.code) == (401, "unauthorized")


async def test_preflight_names_only_the_paired_origin_and_little_else(
    bare_companion: CompanionClient,
) -> None:
    await bare_companion.pair()
    port = bare_companion.server.port
    ask = [
        ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "authorization,content-type,x-evil"),
    ]
    for origin in (UNPAIRED, EVIL, "null"):
        refused = await rawhttp.request(
            port,
            "OPTIONS",
            "/v1/refunds",
            [*_base(bare_companion, token=False), ("Origin", origin), *ask],
        )
        assert (refused.status, refused.code) == (403, "origin_not_allowed"), origin
        assert refused.header("Access-Control-Allow-Origin") is None
    ok = await rawhttp.request(
        port,
        "OPTIONS",
        "/v1/refunds",
        [*_base(bare_companion, token=False), ("Origin", bare_companion.origin), *ask],
    )
    assert ok.status == 204
    assert ok.header("Access-Control-Allow-Origin") == bare_companion.origin
    assert ok.header("Access-Control-Allow-Methods") == "GET, POST"
    allowed = {
        h.strip().lower() for h in (ok.header("Access-Control-Allow-Headers") or "").split(",")
    }
    assert allowed == {"authorization", "content-type", "idempotency-key"}
    assert ok.header("Access-Control-Allow-Credentials") is None
    assert all("*" not in value for name, value in ok.headers if name.startswith("Access-"))


async def test_token_in_the_query_string_is_not_a_token(bare_companion: CompanionClient) -> None:
    await bare_companion.pair()
    port = bare_companion.server.port
    for target in (
        f"/v1/status?token={bare_companion.token}",
        f"/v1/status?access_token={bare_companion.token}",
        f"/v1/events?token={bare_companion.token}",
    ):
        reply = await rawhttp.request(port, "GET", target, _base(bare_companion, token=False))
        assert (reply.status, reply.code) == (401, "unauthorized"), target


async def test_deeply_nested_json_is_a_bad_request(bare_companion: CompanionClient) -> None:
    depth = 30_000  # fits in 64 KiB, deeper than Python's recursion limit
    bomb = b'{"code": ' + b"[" * depth + b"]" * depth + b"}"
    assert len(bomb) < bare_companion.settings.max_body_bytes
    reply = await bare_companion.request(
        "POST", "/v1/pair", data=bomb, headers={"Content-Type": "application/json"}
    )
    assert (reply.status, reply.code) == (400, "invalid_request")


async def test_chunked_body_without_length_is_cut_at_the_limit(
    bare_companion: CompanionClient,
) -> None:
    port = bare_companion.server.port
    chunk = b"a" * 8192
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(12)) + b"0\r\n\r\n"
    reply = await rawhttp.send(
        port,
        rawhttp.build(
            "POST",
            "/v1/pair",
            [
                *_base(bare_companion, token=False),
                ("Origin", bare_companion.origin),
                ("Content-Type", "application/json"),
                ("Transfer-Encoding", "chunked"),
            ],
            body,
        ),
    )
    assert (reply.status, reply.code) == (413, "payload_too_large")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ],
)
async def test_non_json_bodies_never_reach_a_handler(
    companion: CompanionClient, content_type: str | None
) -> None:
    body = b'{"orderId": "113-4820571-0038214", "mode": "full", "reason": "CustomerReturn"}'
    headers = {"Idempotency-Key": "csrf-test-0001", "Content-Type": content_type}
    reply = await companion.request("POST", "/v1/refunds", data=body, headers=headers)
    assert (reply.status, reply.code) == (400, "invalid_request")


async def test_form_post_from_a_web_page_is_refused_before_any_handler(
    companion: CompanionClient,
) -> None:
    # A <form enctype="text/plain"> is a "simple request": no preflight, but it carries its Origin
    # (or "null" from a sandboxed frame or data: URL) and no token.
    body = (
        b'{"orderId": "113-4820571-0038214", "mode": "full", "reason": "CustomerReturn", "x": "="}'
    )
    for origin in (EVIL, "null"):
        for path in ("/v1/refunds", "/v1/cancellations"):
            reply = await rawhttp.request(
                companion.server.port,
                "POST",
                path,
                [
                    *_base(companion, token=False),
                    ("Origin", origin),
                    ("Content-Type", "text/plain"),
                ],
                body,
            )
            assert (reply.status, reply.code) == (403, "origin_not_allowed"), (origin, path)
    listed = await companion.request("GET", "/v1/orders/113-4820571-0038214/actions")
    assert listed.status == 200 and listed.json() == {"actions": []}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/refunds"),
        ("GET", "/v1/cancellations"),
        ("GET", "/v1/pair"),
        ("HEAD", "/v1/refunds"),
        ("OPTIONS", "/v1/refunds"),
        ("PUT", "/v1/refunds"),
        ("DELETE", "/v1/status"),
    ],
)
async def test_wrong_methods_do_nothing(companion: CompanionClient, method: str, path: str) -> None:
    reply = await companion.request(method, path)
    assert reply.status in (401, 405), reply.body
    listed = await companion.request("GET", "/v1/orders/113-4820571-0038214/actions")
    assert listed.json() == {"actions": []}


async def test_malformed_requests_never_put_a_token_in_the_log(
    companion: CompanionClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    port = companion.server.port
    for value in (f"Bearer {companion.token}\x01", f"Bearer {companion.token}" + "a" * 9000):
        reply = await rawhttp.send(
            port,
            rawhttp.build(
                "GET", "/v1/status", [("Host", f"127.0.0.1:{port}"), ("Authorization", value)]
            ),
        )
        assert reply.status == 400
    assert companion.token not in caplog.text
    assert "Traceback" not in caplog.text
    assert any("malformed" in r.getMessage() for r in caplog.records)


async def test_internal_errors_leak_nothing(
    bare_companion: CompanionClient, caplog: pytest.LogCaptureFixture
) -> None:
    await bare_companion.pair()
    db = bare_companion.app[PAIRINGS].path
    db.write_bytes(b"this is not a database " * 100)  # any failure inside the token lookup
    reply = await bare_companion.request("GET", "/v1/status")
    assert (reply.status, reply.code) == (500, "internal_error")
    text = reply.body.decode()
    for leak in ("Traceback", str(db.parent), "sqlite", "pairings", bare_companion.token):
        assert leak not in text
    assert reply.headers["Content-Type"].startswith("application/json")


async def test_a_page_cannot_probe_for_the_companion_with_script_or_img(
    bare_companion: CompanionClient,
) -> None:
    # <script src="http://127.0.0.1:8765/v1/health"> sends no Origin; its onload would say
    # "spdesk runs here". Refused, it looks like any failed load.
    port = bare_companion.server.port
    for dest in ("script", "image", "document"):
        reply = await rawhttp.request(
            port,
            "GET",
            "/v1/health",
            [
                *_base(bare_companion, token=False),
                ("Sec-Fetch-Dest", dest),
                ("Sec-Fetch-Mode", "no-cors"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        )
        assert (reply.status, reply.code) == (403, "origin_not_allowed"), dest
    fetched = await rawhttp.request(
        port,
        "GET",
        "/v1/health",
        [
            *_base(bare_companion, token=False),
            ("Sec-Fetch-Dest", "empty"),
            ("Sec-Fetch-Mode", "cors"),
            ("Sec-Fetch-Site", "none"),
        ],
    )
    assert fetched.status == 200
