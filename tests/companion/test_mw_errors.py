"""Error middleware, alone on a tiny app: domain errors as JSON, nothing else leaks."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from companion.errors import InvalidOrderId, NoAccount
from companion.http.errors import setup_errors


def _app() -> web.Application:
    async def domain(request: web.Request) -> web.Response:
        raise InvalidOrderId(details={"orderId": "12-3"})

    async def conflict(request: web.Request) -> web.Response:
        raise NoAccount()

    async def crash(request: web.Request) -> web.Response:
        raise RuntimeError("secret-internal-detail")

    app = web.Application()
    setup_errors(app)
    app.router.add_get("/domain", domain)
    app.router.add_get("/conflict", conflict)
    app.router.add_get("/crash", crash)
    return app


async def test_domain_error_becomes_its_status_code_and_message() -> None:
    async with TestClient(TestServer(_app(), host="127.0.0.1", port=0)) as client:
        response = await client.get("/domain")
        assert response.status == 400
        assert await response.json() == {
            "error": {
                "code": "invalid_order_id",
                "message": InvalidOrderId.default_message,
                "params": {},
                "details": {"orderId": "12-3"},
            }
        }
        response = await client.get("/conflict")
        assert response.status == 409
        assert (await response.json())["error"]["code"] == "no_account"


async def test_unexpected_error_is_a_bare_internal_error(caplog: pytest.LogCaptureFixture) -> None:
    async with TestClient(TestServer(_app(), host="127.0.0.1", port=0)) as client:
        with caplog.at_level(logging.ERROR, logger="companion.http.errors"):
            response = await client.get("/crash")
        text = await response.text()
        assert response.status == 500
        assert (await response.json())["error"]["code"] == "internal_error"
        assert "secret-internal-detail" not in text and "Traceback" not in text
        # The detail goes to the companion's own log, for whoever runs it.
        assert "secret-internal-detail" in caplog.text


async def test_routing_errors_have_the_same_shape() -> None:
    async with TestClient(TestServer(_app(), host="127.0.0.1", port=0)) as client:
        response = await client.get("/nowhere")
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "not_found"
        response = await client.post("/domain")
        assert response.status == 405
        assert (await response.json())["error"]["code"] == "method_not_allowed"
        assert "GET" in response.headers["Allow"]
