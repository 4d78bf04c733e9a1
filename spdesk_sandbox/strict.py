"""Strict requests: every SP-API request is checked against its operation in Amazon's models.

Amazon's gateway answers 400 InvalidInput when a request breaks its operation's model: a required
parameter or body property missing, a value of the wrong type, outside its enum, too long, or with
too many or too few items, or a body sent to an operation whose model declares none (such as
cancelFulfillmentOrder). It does not refuse what the models leave open, so neither does this:
query parameters the operation does not declare, and body properties beyond the declared ones of
an operation that has a body (no body schema forbids `additionalProperties`; python-amazon-sp-api
adds `marketplaceIds`, `MarketplaceIds` and `path` to bodies and `MarketplaceId`-like keys to
queries, and Amazon accepts them). Array parameters may come as CSV or as repeated keys. Needs
`jsonschema` (a test extra).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web

from spdesk_sandbox.errors import invalid_input
from spdesk_sandbox.models import Json, ModelsError, Operation, find_operation
from spdesk_sandbox.throttle import EXEMPT_PREFIXES, Handler, operation_of

# Keys of a Swagger parameter that are not JSON Schema keywords of its value.
_NOT_SCHEMA = frozenset({"name", "in", "description", "required", "collectionFormat", "schema"})


@dataclass(frozen=True, slots=True)
class Refusal:
    """A request the model refused: which operation, what was wrong, and who sent it."""

    operation: str
    method: str
    path: str
    problem: str
    user_agent: str

    def to_json(self) -> dict[str, str]:
        """The control API's view of the refusal."""
        return {
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "problem": self.problem,
            "userAgent": self.user_agent,
        }


def _coerce(raw: str, kind: str | None) -> Any:
    """A query or path string as the JSON value its declared type means (else the string)."""
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def _param_value(param: Json, raws: list[str]) -> Any:
    if param.get("type") != "array":
        return _coerce(raws[-1], param.get("type"))
    split = param.get("collectionFormat", "csv") == "csv"
    values = [v for raw in raws for v in (raw.split(",") if split else [raw])]
    return [_coerce(v, param.get("items", {}).get("type")) for v in values]


class OperationCheck:
    """The parameter and body validators of one operation."""

    def __init__(self, operation: Operation) -> None:
        import jsonschema  # a test extra: loaded only when strict requests are switched on

        self.operation = operation
        definitions = operation.spec.get("definitions", {})
        checker = jsonschema.FormatChecker()

        def validator(schema: Json) -> Any:
            return jsonschema.Draft4Validator(
                {**schema, "definitions": definitions}, format_checker=checker
            )

        self.params = [
            (p, validator({k: v for k, v in p.items() if k not in _NOT_SCHEMA}))
            for p in operation.parameters
            if p.get("in") in ("path", "query")
        ]
        body = next((p for p in operation.parameters if p.get("in") == "body"), None)
        self.body_required = bool(body and body.get("required"))
        self.body = validator(operation.body_schema() or {}) if body else None

    def parameter_problem(self, request: web.Request) -> str | None:
        """What is wrong with the path and query parameters, or None."""
        for param, validator in self.params:
            name = param["name"]
            if param["in"] == "path":
                raws = [request.match_info[name]] if name in request.match_info else []
            else:
                raws = request.query.getall(name, [])
            if not raws:
                if param.get("required"):
                    return f"Missing required parameter {name}."
                continue
            error = next(iter(validator.iter_errors(_param_value(param, raws))), None)
            if error is not None:
                return f"Invalid value for parameter {name}: {error.message}."
        return None

    async def body_problem(self, request: web.Request) -> str | None:
        """What is wrong with the JSON body, or None."""
        raw = await request.read()  # aiohttp keeps it: the handler reads the same bytes
        if self.body is None:
            # The model declares no body: Amazon's contract check refuses one (extra keys are
            # tolerated only inside a body the model has).
            return "This operation takes no request body." if raw.strip() else None
        if not raw.strip():
            return "The request body is required." if self.body_required else None
        try:
            body = json.loads(raw)
        except ValueError:
            return "The request body is not valid JSON."
        error = next(iter(sorted(self.body.iter_errors(body), key=lambda e: list(e.path))), None)
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path) or "body"
        return f"Invalid request body at {where}: {error.message}."


@cache  # validators are immutable: every sandbox of a process shares them
def _operation_check(models_dir: Path, method: str, path: str, name: str) -> OperationCheck:
    operation = find_operation(models_dir, method, path)
    if operation is None:
        raise ModelsError(
            f"no operation in the models of {models_dir} serves {method} {path} ({name})"
        )
    return OperationCheck(operation)


class RequestChecker:
    """Checks requests of the app's SP-API routes; counts them and remembers what it refused."""

    def __init__(self, app: web.Application, models_dir: Path) -> None:
        self.refusals: list[Refusal] = []
        self.checked: Counter[str] = Counter()
        self.checks: dict[str, OperationCheck] = {}
        for route in app.router.routes():
            name, path = route.name, route.resource.canonical if route.resource else ""
            if route.method == "HEAD" or not name or not path or path.startswith(EXEMPT_PREFIXES):
                continue
            self.checks[name] = _operation_check(models_dir, route.method, path, name)

    async def check(self, request: web.Request, operation: str) -> None:
        """Raise 400 InvalidInput (and remember it) if the request breaks the model."""
        check = self.checks.get(operation)
        if check is None:
            return
        self.checked[operation] += 1
        problem = check.parameter_problem(request) or await check.body_problem(request)
        if problem is None:
            return
        self.refusals.append(
            Refusal(
                operation,
                request.method,
                request.path,
                problem,
                request.headers.get("User-Agent", ""),
            )
        )
        raise invalid_input(problem, f"The request does not match {check.operation.model}.")


REQUEST_CHECKER = web.AppKey("sandbox_request_checker", RequestChecker)


def setup_strict_requests(app: web.Application, models_dir: Path) -> RequestChecker:
    """Check every SP-API request against the models in `models_dir` (after the usage plan)."""
    try:
        checker = RequestChecker(app, models_dir)
    except ImportError as exc:
        raise ModelsError(f"strict requests need the jsonschema package ({exc})") from None

    @web.middleware
    async def strict_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        operation = operation_of(request)
        if operation is not None:
            await checker.check(request, operation)
        return await handler(request)

    app[REQUEST_CHECKER] = checker
    app.middlewares.append(strict_middleware)
    return checker
