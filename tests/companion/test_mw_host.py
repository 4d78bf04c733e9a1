"""Host allow-list middleware, alone on a tiny app."""

from __future__ import annotations

import pytest

from companion.http.host import host_allowed, setup_host, target_allowed
from tests.companion.tiny import tiny_app


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
async def test_loopback_names_with_our_port_pass(host: str) -> None:
    async with tiny_app(setup_host) as client:
        port = client.server.port
        response = await client.get("/v1/health", headers={"Host": host.format(port=port)})
        assert response.status == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:{port}",  # DNS rebinding: an attacker's name resolving to 127.0.0.1
        "127.0.0.1.nip.io:{port}",
        "127.0.0.1:{other}",  # another port: not us
        "127.0.0.1",  # no port at all
        "localhost.:{port}",
        "[::1]:{port}",  # we only bind 127.0.0.1
    ],
)
async def test_other_hosts_are_refused_with_421(host: str) -> None:
    async with tiny_app(setup_host) as client:
        port = client.server.port
        assert port is not None
        response = await client.get(
            "/v1/health", headers={"Host": host.format(port=port, other=port + 1)}
        )
        assert response.status == 421
        body = await response.json()
        assert body["error"]["code"] == "host_not_allowed"
        assert "127.0.0.1" in body["error"]["message"]


def test_host_allowed_needs_a_port() -> None:
    assert host_allowed("127.0.0.1:80", 80)
    assert not host_allowed("127.0.0.1:80", None)
    assert not host_allowed(None, 80)
    assert not host_allowed("127.0.0.1:http", 80)


def test_host_is_compared_exactly() -> None:
    assert not host_allowed("127.0.0.1:080", 80)
    assert not host_allowed("127.0.0.1:+80", 80)
    assert not host_allowed("user@localhost:80", 80)


def test_absolute_form_targets_must_name_us() -> None:
    assert target_allowed("/v1/status?x=1", 80)
    assert target_allowed("http://127.0.0.1:80/v1/status", 80)
    assert target_allowed("http://LOCALHOST:80/v1/status", 80)
    assert not target_allowed("http://evil.example:80/v1/status", 80)
    assert not target_allowed("http://127.0.0.1:81/v1/status", 80)
    assert not target_allowed("evil.example:80", 80)  # CONNECT-style authority form
    assert not target_allowed("*", 80)
