"""The companion's local HTTP API: app factory, middlewares, pairing, validation, OpenAPI."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from companion.http.app import create_app as create_app
    from companion.http.server import RunningCompanion as RunningCompanion
    from companion.http.server import start_companion as start_companion
    from companion.http.validation import ApiModel as ApiModel
    from companion.http.validation import json_response as json_response
    from companion.http.validation import parse_json as parse_json

# Exported lazily so that `spdesk pair` and friends, which only need the pairing store, do not
# pay for importing the whole server (aiohttp, the SP-API client) at start-up.
_EXPORTS = {
    "create_app": "companion.http.app",
    "RunningCompanion": "companion.http.server",
    "start_companion": "companion.http.server",
    "ApiModel": "companion.http.validation",
    "json_response": "companion.http.validation",
    "parse_json": "companion.http.validation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'companion.http' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
