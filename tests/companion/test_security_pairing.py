"""Attacks on pairing and tokens: concurrent codes, guessing, odd origins, revoked open streams."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time

import aiohttp
import pytest

from companion.keys import PAIRINGS
from companion.pairing import CODE_ALPHABET, CODE_LENGTH, normalize_code
from tests.plugins.companion import CompanionClient

FIREFOX = "moz-extension://0b7c3d4e-1f2a-4b5c-8d9e-0a1b2c3d4e5f"


async def test_one_code_gives_exactly_one_token_under_concurrency(
    bare_companion: CompanionClient,
) -> None:
    code = bare_companion.app[PAIRINGS].new_code()
    replies = await asyncio.gather(
        *(
            bare_companion.request(
                "POST",
                "/v1/pair",
                json={"code": code, "label": f"tab {i}"},
                headers={"Origin": FIREFOX, "Authorization": None},
            )
            for i in range(20)
        )
    )
    assert sorted(r.status for r in replies) == [201] + [403] * 19
    assert {r.code for r in replies if r.status == 403} == {"pairing_code_invalid"}
    assert len(bare_companion.app[PAIRINGS].list()) == 1


async def test_guessing_locks_the_code_for_good(bare_companion: CompanionClient) -> None:
    code = bare_companion.app[PAIRINGS].new_code()
    guesses = [c * CODE_LENGTH for c in CODE_ALPHABET if c * CODE_LENGTH != normalize_code(code)]
    statuses = []
    for guess in guesses[:12]:
        reply = await bare_companion.request(
            "POST", "/v1/pair", json={"code": guess}, headers={"Origin": FIREFOX}
        )
        statuses.append(reply.status)
    assert statuses.count(403) == bare_companion.settings.pairing_max_attempts - 1
    assert set(statuses[bare_companion.settings.pairing_max_attempts - 1 :]) == {429}
    right = await bare_companion.request(
        "POST", "/v1/pair", json={"code": code}, headers={"Origin": FIREFOX}
    )
    assert (right.status, right.code) == (429, "pairing_locked")


def test_codes_have_enough_entropy_for_five_guesses(bare_companion: CompanionClient) -> None:
    store = bare_companion.app[PAIRINGS]
    codes = {normalize_code(store.new_code()) for _ in range(300)}
    assert len(codes) == 300
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    # 5 guesses against 31^8 codes: below one chance in 10^11 per code.
    assert math.log2(len(CODE_ALPHABET) ** CODE_LENGTH) > 39
    used = set("".join(codes))
    assert len(used) == len(CODE_ALPHABET)  # every symbol drawn, none privileged


@pytest.mark.parametrize(
    "origin",
    [
        "chrome-extension://evil.example",
        "chrome-extension://evil.example/../x",
        "chrome-extension://",
        "chrome-extension://KCBKPMGFJEMHMLDBHCCPKHBGAFLNMMNB",
        "chrome-extension://kcbkpmgfjemhmldbhccpkhbgaflnmmnb/",
        "moz-extension://not-a-uuid",
        "moz-extension://0B7C3D4E-1F2A-4B5C-8D9E-0A1B2C3D4E5F",
        "null",
        "https://evil.example",
        "chrome-extension://kcbkpmgfjemhmldbhccpkhbgaflnmmnb\tx",
    ],
)
async def test_only_well_formed_extension_origins_may_pair(
    bare_companion: CompanionClient, origin: str
) -> None:
    code = bare_companion.app[PAIRINGS].new_code()
    reply = await bare_companion.request(
        "POST", "/v1/pair", json={"code": code}, headers={"Origin": origin}
    )
    assert (reply.status, reply.code) == (403, "origin_not_allowed")
    assert bare_companion.app[PAIRINGS].list() == []


@pytest.mark.parametrize("label", ["\x1b[2J\x1b[31mrevoked", "tab\nspdesk: all good", "a\x00b"])
async def test_labels_cannot_carry_terminal_control_characters(
    bare_companion: CompanionClient, label: str
) -> None:
    # The label is printed by 'spdesk pair --list' and 'spdesk doctor' on the user's terminal.
    code = bare_companion.app[PAIRINGS].new_code()
    reply = await bare_companion.request(
        "POST", "/v1/pair", json={"code": code, "label": label}, headers={"Origin": FIREFOX}
    )
    assert (reply.status, reply.code) == (400, "invalid_request")


async def _open_stream(client: CompanionClient, token: str) -> aiohttp.ClientResponse:
    response = await client.session.get(
        client.url + "/v1/events",
        headers={**client.headers(), "Authorization": f"Bearer {token}"},
        timeout=aiohttp.ClientTimeout(total=None, sock_read=None),
    )
    assert response.status == 200
    assert await asyncio.wait_for(response.content.readline(), 10) == b": connected\n"
    return response


async def _read_to_end(response: aiohttp.ClientResponse, deadline: float) -> float:
    """Read until the stream ends; how long that took."""
    started = time.monotonic()
    with contextlib.suppress(aiohttp.ClientPayloadError, aiohttp.ClientConnectionError):
        while await asyncio.wait_for(response.content.readany(), deadline):
            pass
    return time.monotonic() - started


async def test_revoking_a_pairing_cuts_its_open_event_stream(companion: CompanionClient) -> None:
    revoked_token, revoked_id = companion.token, companion.pairing_id
    assert (await companion.pair(origin=FIREFOX)).status == 201
    kept = await _open_stream(companion, companion.token)
    cut = await _open_stream(companion, revoked_token)
    try:
        companion.app[PAIRINGS].revoke(revoked_id)  # as 'spdesk pair --revoke' does
        # Well before the 15 s keep-alive: the revocation itself ends the stream.
        assert await _read_to_end(cut, deadline=8.0) < 8.0
        assert not kept.content.at_eof() and not kept.closed
        again = await companion.request(
            "GET", "/v1/events", headers={"Authorization": f"Bearer {revoked_token}"}
        )
        assert (again.status, again.code) == (401, "token_revoked")
    finally:
        cut.close()
        kept.close()
