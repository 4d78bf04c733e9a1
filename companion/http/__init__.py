"""The companion's local HTTP API: app factory, middlewares, pairing, validation, OpenAPI."""

from companion.http.app import create_app
from companion.http.server import RunningCompanion, start_companion
from companion.http.validation import ApiModel, json_response, parse_json

__all__ = [
    "ApiModel",
    "RunningCompanion",
    "create_app",
    "json_response",
    "parse_json",
    "start_companion",
]
