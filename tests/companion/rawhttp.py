"""Hand-written HTTP/1.1 requests on a plain socket: what browsers never send, attackers may."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DEADLINE = 10.0


@dataclass
class RawReply:
    """Status line, headers (all values, in order) and body of one response."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of a header, case-insensitively."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def code(self) -> str | None:
        """The error code of a JSON error body, else None."""
        try:
            return str(json.loads(self.body)["error"]["code"])
        except (ValueError, KeyError, TypeError):
            return None


def build(method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes = b"") -> bytes:
    """The bytes of one request, headers exactly as given (duplicates and all)."""
    lines = [
        f"{method} {target} HTTP/1.1",
        *(f"{k}: {v}" for k, v in headers),
        "Connection: close",
        "",
        "",
    ]
    return "\r\n".join(lines).encode("latin-1") + body


def parse(raw: bytes) -> RawReply:
    """Split a complete (Connection: close) response into its parts."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = [(k.strip(), v.strip()) for k, _, v in (h.partition(":") for h in header_lines)]
    if any(k.lower() == "transfer-encoding" and v == "chunked" for k, v in headers):
        body = _dechunk(body)
    return RawReply(int(status_line.split()[1]), headers, body)


def _dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_text, _, rest = body.partition(b"\r\n")
        size = int(size_text, 16)
        if size == 0:
            break
        out, body = out + rest[:size], rest[size + 2 :]
    return out


async def send(port: int, data: bytes) -> RawReply:
    """Send raw bytes to 127.0.0.1:``port`` and read the whole response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), DEADLINE)
    finally:
        writer.close()
    return parse(raw)


async def request(
    port: int, method: str, target: str, headers: Sequence[tuple[str, str]], body: Any = None
) -> RawReply:
    """One request; a non-bytes ``body`` is sent as JSON with its Content-Length."""
    data = b""
    extra: list[tuple[str, str]] = []
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        extra = [("Content-Length", str(len(data)))]
    return await send(port, build(method, target, [*headers, *extra], data))
