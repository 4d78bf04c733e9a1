"""Contract cases: how to call each sandbox route validly, and the invalid calls derived from it.

A test module under tests/sandbox/ exposes `CONTRACT_CASES: list[ContractCase]` for the routes it
owns; tests/sandbox/test_contract.py collects them all and fails for any SP-API route without one.
Each case builds its calls against a running sandbox (it may create a feed first, for example).
From the first valid call of each case, invalid variants are derived from the Swagger parameters:
an unknown enum value, a non-integer for an integer, a missing required query parameter, a body
without one of its required properties. Each must be answered 400 InvalidInput.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp

from spdesk_sandbox.models import Operation, resolve
from spdesk_sandbox.server import SandboxServer

_ABSENT = object()


@dataclass(frozen=True)
class Call:
    """One HTTP request to the sandbox and the status it must get."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    json: Any = _ABSENT
    expect: int = 200

    @property
    def has_body(self) -> bool:
        """True when the call sends a JSON body."""
        return self.json is not _ABSENT


@dataclass(frozen=True)
class Reply:
    """A fully read response."""

    status: int
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class ContractCase:
    """The valid calls of one operation (route name), built against a live sandbox."""

    operation: str
    build: Callable[[SandboxServer], Awaitable[list[Call]]]


async def send(
    session: aiohttp.ClientSession, server: SandboxServer, token: str, call: Call
) -> Reply:
    """Send a call with an access token; JSON bodies decoded, others returned as text."""
    kwargs: dict[str, Any] = {"params": call.query, "headers": {"x-amz-access-token": token}}
    if call.has_body:
        kwargs["json"] = call.json
    async with session.request(call.method, server.url + call.path, **kwargs) as response:
        text = await response.text()
        is_json = response.content_type == "application/json"
        body = None if not text else (await response.json() if is_json else text)
        return Reply(response.status, dict(response.headers), body)


def collect_cases() -> dict[str, ContractCase]:
    """Every CONTRACT_CASES entry of the modules in tests/sandbox, by operation name."""
    import tests.sandbox as package

    cases: dict[str, ContractCase] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for case in getattr(module, "CONTRACT_CASES", []):
            assert case.operation not in cases, f"two contract cases for {case.operation}"
            cases[case.operation] = case
    return cases


def _bad_value(param: dict[str, Any]) -> str | None:
    """A value of the wrong type or outside the enum, or None when nothing can be wrong."""
    items = param.get("items", {}) if param.get("type") == "array" else param
    if "enum" in items:
        return "NOT_A_REAL_VALUE"
    if items.get("type") == "integer":
        return "twelve"
    if items.get("format") == "date-time":
        return "yesterday"
    return None


def invalid_variants(operation: Operation, call: Call) -> Iterator[tuple[str, Call]]:
    """Calls derived from a valid one that break one rule of the model each."""
    for param in operation.parameters:
        if param.get("in") != "query":
            continue
        name = param["name"]
        bad = _bad_value(param)
        if bad is not None:
            yield f"{name}={bad}", replace(call, query={**call.query, name: bad}, expect=400)
        if param.get("required") and name in call.query:
            query = {k: v for k, v in call.query.items() if k != name}
            yield f"missing {name}", replace(call, query=query, expect=400)
    schema = operation.body_schema()
    if schema is not None and call.has_body and isinstance(call.json, dict):
        yield "body not an object", replace(call, json=["not", "an", "object"], expect=400)
        for prop in resolve(operation.spec, schema).get("required", []):
            body = {k: v for k, v in call.json.items() if k != prop}
            yield f"body without {prop}", replace(call, json=body, expect=400)
