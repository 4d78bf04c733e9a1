"""OpenAPI 3 description of the local API, built from the routes' pydantic models."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from companion import __version__
from companion.codes import openapi_schemas

PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/v1/health"),
        ("POST", "/v1/pair"),
        ("GET", "/v1/openapi.json"),
    }
)


@dataclass(frozen=True, slots=True)
class RouteDoc:
    """What one route takes and gives."""

    method: str
    path: str
    summary: str
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    content_type: str = "application/json"
    # JSON schemas of path, query and header parameters by name (a plain string otherwise).
    schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


# Every part of the companion declares its routes through the registry, with the request and
# response models, so GET /v1/openapi.json always describes what is really served:
#     app[ROUTES].add(app.router, "POST", "/v1/refunds", create_refund,
#                     summary="Refund an order", request=RefundIn, response=ActionOut,
#                     status=202, errors=["refund_exceeds_refundable", "idempotency_key_missing"])
@dataclass
class RouteRegistry:
    """The documented routes of one application."""

    routes: list[RouteDoc] = field(default_factory=list)

    def register(self, doc: RouteDoc) -> None:
        """Add one route's description."""
        self.routes.append(doc)

    def add(
        self,
        router: web.UrlDispatcher,
        method: str,
        path: str,
        handler: Handler,
        *,
        summary: str,
        request: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        errors: Iterable[str] = (),
        query: Iterable[str] = (),
        headers: Iterable[str] = (),
        content_type: str = "application/json",
        schemas: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        """Register a handler on the router and describe it in the OpenAPI document."""
        router.add_route(method, path, handler)
        self.register(
            RouteDoc(
                method.upper(),
                path,
                summary,
                request,
                response,
                status,
                tuple(errors),
                tuple(query),
                tuple(headers),
                content_type,
                dict(schemas or {}),
            )
        )


def _parameters(doc: RouteDoc) -> list[dict[str, Any]]:
    places = [(n, "path", True) for n in re.findall(r"{(\w+)(?::[^}]*)?}", doc.path)]
    places += [(q, "query", False) for q in doc.query]
    places += [(h, "header", True) for h in doc.headers]
    return [
        {
            "name": name,
            "in": where,
            "required": required,
            "schema": dict(doc.schemas.get(name, {"type": "string"})),
        }
        for name, where, required in places
    ]


def _operation(doc: RouteDoc, refs: Mapping[Any, dict[str, Any]]) -> dict[str, Any]:
    params = _parameters(doc)
    ok: dict[str, Any] = {"description": "Success"}
    if doc.response is not None:
        ok["content"] = {doc.content_type: {"schema": refs[(doc.response, "serialization")]}}
    elif doc.content_type != "application/json":
        ok["content"] = {doc.content_type: {"schema": {"type": "string"}}}
    op: dict[str, Any] = {
        "summary": doc.summary,
        "operationId": f"{doc.method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', doc.path).strip('_')}",
        "responses": {
            str(doc.status): ok,
            "default": {
                "description": "Error"
                + (f" (codes: {', '.join(doc.errors)})" if doc.errors else ""),
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                "x-error-codes": list(doc.errors),
            },
        },
    }
    if params:
        op["parameters"] = params
    if doc.request is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(doc.request, "validation")]}},
        }
    if (doc.method, doc.path) not in PUBLIC_ROUTES:
        op["security"] = [{"pairingToken": []}]
    return op


# Every sentence's params: strings and numbers only (see companion.codes).
PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": ["string", "integer"]},
}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "params"],
            "properties": {
                "code": {"$ref": "#/components/schemas/ErrorCode"},
                "message": {"type": "string", "description": "the sentence, in English"},
                "params": PARAMS_SCHEMA,
                "details": {"type": "object"},
            },
        }
    },
}


def build_document(reg: RouteRegistry) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every registered route."""
    models: list[tuple[type[BaseModel], Any]] = []
    for doc in reg.routes:
        if doc.request is not None:
            models.append((doc.request, "validation"))
        if doc.response is not None:
            models.append((doc.response, "serialization"))
    refs, defs = models_json_schema(
        list(dict.fromkeys(models)), by_alias=True, ref_template="#/components/schemas/{model}"
    )
    paths: dict[str, dict[str, Any]] = {}
    for doc in reg.routes:
        paths.setdefault(doc.path, {})[doc.method.lower()] = _operation(doc, refs)
    schemas = dict(defs.get("$defs", {}))
    schemas["Error"] = _ERROR_SCHEMA
    schemas.update(openapi_schemas())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "spdesk companion",
            "version": __version__,
            "description": "Local API of the spdesk companion (see docs/protocol.md).",
        },
        "servers": [{"url": "http://127.0.0.1:8765"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"pairingToken": {"type": "http", "scheme": "bearer"}},
        },
    }
