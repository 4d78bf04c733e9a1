"""Pairing end to end over HTTP: code -> token -> authorised -> revoked; codes expire and lock."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from companion.config import Settings
from companion.keys import PAIRINGS
from companion.pairing import PairingCodeInvalid, PairingStore
from tests.plugins.companion import CompanionClient

FIREFOX = "moz-extension://0b7c3d4e-1f2a-4b5c-8d9e-0a1b2c3d4e5f"


async def test_code_to_token_to_revoked(bare_companion: CompanionClient) -> None:
    client = bare_companion
    assert (await client.request("GET", "/v1/status")).code == "unauthorized"
    reply = await client.pair(label="Chrome on agent laptop")
    assert reply.status == 201
    body = reply.json()
    assert body["token"].startswith("spd_") and len(body["token"]) > 40
    assert body["companion"] == {"version": "0.1.0"}

    status = await client.request("GET", "/v1/status")
    assert status.status == 200
    assert status.json()["pairingId"] == body["pairingId"]

    client.app[PAIRINGS].revoke(body["pairingId"])
    after = await client.request("GET", "/v1/status")
    assert after.status == 401
    assert after.code == "token_revoked"


async def test_code_works_once(bare_companion: CompanionClient) -> None:
    code = bare_companion.app[PAIRINGS].new_code()
    pair = {"code": code, "label": "x"}
    headers = {"Origin": FIREFOX}
    first = await bare_companion.request("POST", "/v1/pair", json=pair, headers=headers)
    assert first.status == 201
    second = await bare_companion.request("POST", "/v1/pair", json=pair, headers=headers)
    assert second.status == 403
    assert second.code == "pairing_code_invalid"


async def test_code_is_forgiving_about_case_and_dash(bare_companion: CompanionClient) -> None:
    code = bare_companion.app[PAIRINGS].new_code()
    typed = " " + code.replace("-", " ").lower() + " "
    reply = await bare_companion.request(
        "POST", "/v1/pair", json={"code": typed}, headers={"Origin": FIREFOX}
    )
    assert reply.status == 201
    pairing = bare_companion.app[PAIRINGS].list()[0]
    assert pairing.origin == FIREFOX
    assert pairing.label == "Firefox"


async def test_wrong_codes_lock_the_pending_code(bare_companion: CompanionClient) -> None:
    code = bare_companion.app[PAIRINGS].new_code()
    wrong = "2222-2222" if code != "2222-2222" else "3333-3333"
    codes = []
    for _ in range(bare_companion.settings.pairing_max_attempts):
        reply = await bare_companion.request(
            "POST", "/v1/pair", json={"code": wrong}, headers={"Origin": FIREFOX}
        )
        codes.append((reply.status, reply.code))
    assert codes[:-1] == [(403, "pairing_code_invalid")] * (len(codes) - 1)
    assert codes[-1] == (429, "pairing_locked")
    # Even the right code is refused now: a new one must be made.
    right = await bare_companion.request(
        "POST", "/v1/pair", json={"code": code}, headers={"Origin": FIREFOX}
    )
    assert right.status == 429
    fresh = await bare_companion.pair(origin=FIREFOX)
    assert fresh.status == 201


def test_expired_code_is_refused(settings: Settings) -> None:
    now = [1000.0]
    store = PairingStore(settings.pairings_db, code_ttl=300, clock=lambda: now[0])
    code = store.new_code()
    now[0] += 301
    with pytest.raises(PairingCodeInvalid):
        store.exchange(code, FIREFOX, "x")
    now[0] -= 2  # inside the lifetime the same code works
    pairing, token = store.exchange(code, FIREFOX, "x")
    verified = store.verify(token)
    assert verified is not None and verified.id == pairing.id
    assert store.list()[0].last_seen_at == now[0]
    now[0] += 30  # "last used" is kept to the minute, not written on every request
    store.verify(token)
    assert store.list()[0].last_seen_at == now[0] - 30


async def test_only_hashes_are_stored(bare_companion: CompanionClient) -> None:
    code = bare_companion.app[PAIRINGS].new_code()
    reply = await bare_companion.request(
        "POST", "/v1/pair", json={"code": code}, headers={"Origin": FIREFOX}
    )
    token = reply.json()["token"]
    raw = bare_companion.settings.pairings_db.read_bytes()
    assert token.encode() not in raw
    with sqlite3.connect(bare_companion.settings.pairings_db) as db:
        (stored,) = db.execute("SELECT token_hash FROM pairings").fetchone()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert bare_companion.settings.pairings_db.stat().st_mode & 0o077 == 0


async def test_code_made_by_another_process_reaches_a_running_companion(
    bare_companion: CompanionClient,
) -> None:
    # `spdesk pair` runs in its own process with its own store on the same file.
    other = PairingStore(bare_companion.settings.pairings_db)
    code = other.new_code()
    reply = await bare_companion.request(
        "POST", "/v1/pair", json={"code": code}, headers={"Origin": FIREFOX}
    )
    assert reply.status == 201
    other.revoke_all()
    bare_companion.token = reply.json()["token"]
    assert (await bare_companion.request("GET", "/v1/status")).code == "token_revoked"
