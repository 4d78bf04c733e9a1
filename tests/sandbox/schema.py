"""Contract checks against Amazon's SP-API models (Swagger 2.0, JSON Schema draft-4).

`find_operation(method, path)` looks an operation up across the vendored model files by method and
path template; `validate_body(operation, status, body)` checks a response body against the schema
of that status, with `$ref`s resolved inside the model, and `validate_headers` its headers. By
default the check is strict: an object with declared properties may not carry undeclared ones, so
the sandbox cannot invent fields.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from spdesk_sandbox import models
from spdesk_sandbox.models import Operation

MODELS_DIR = Path(os.environ.get("SPAPI_MODELS_DIR") or Path(__file__).with_name("spapi"))


def find_operation(method: str, path_template: str) -> Operation:
    """The operation served at this method and path template (parameter names may differ)."""
    operation = models.find_operation(MODELS_DIR, method, path_template)
    assert operation is not None, f"no SP-API model has {method.upper()} {path_template}"
    return operation


def _documented(operation: Operation, status: int) -> dict[str, Any]:
    response = operation.response(status)
    assert response is not None, f"{operation.operation_id} does not document status {status}"
    return response


def _strict(node: Any) -> Any:
    """A copy in which objects with declared properties refuse undeclared ones."""
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


@cache
def _definitions(model: str, strict: bool) -> dict[str, Any]:
    definitions: dict[str, Any] = copy.deepcopy(
        models.load_models(MODELS_DIR)[model].get("definitions", {})
    )
    if strict:
        definitions = _strict(definitions)
    return definitions


def schema_errors(
    operation: Operation, schema: dict[str, Any], body: Any, strict: bool = True
) -> list[str]:
    """Readable validation errors of `body` against `schema` within the operation's model."""
    root = dict(_strict(schema) if strict else schema)
    root["definitions"] = _definitions(operation.model, strict)
    validator = jsonschema.Draft4Validator(root, format_checker=jsonschema.FormatChecker())
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<body>'}: {error.message}"
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    ]


def validate_body(operation: Operation, status: int, body: Any, strict: bool = True) -> None:
    """Assert that a response body matches the model's schema for that status."""
    schema = _documented(operation, status).get("schema")
    if schema is None:
        assert body in (None, b"", ""), f"{operation.operation_id} {status} should have no body"
        return
    errors = schema_errors(operation, schema, body, strict)
    assert not errors, (
        f"{operation.operation_id} {status} does not match {operation.model}:\n  "
        + "\n  ".join(errors[:20])
    )


def validate_headers(
    operation: Operation, status: int, headers: Mapping[str, str], only: tuple[str, ...]
) -> None:
    """Assert that of the headers in `only`, the answer carries exactly those the model lists."""
    headers_doc = _documented(operation, status).get("headers", {})
    # Older models keep a header on 429/5xx with the note that it is "no longer returned".
    declared = {
        h.lower()
        for h, spec in headers_doc.items()
        if "no longer returned" not in spec.get("description", "")
    }
    sent = {h.lower() for h in headers}
    for header in only:
        expected = header.lower() in declared
        assert (header.lower() in sent) == expected, (
            f"{operation.operation_id} {status}: {header} should be "
            f"{'sent' if expected else 'absent'}; the answer has {sorted(sent)}"
        )


def validate_error_list(body: Any, code: str | None = None) -> None:
    """Assert Amazon's error shape `{"errors": [{"code", "message", "details"?}]}`."""
    assert isinstance(body, dict) and isinstance(body.get("errors"), list), body
    assert body["errors"], body
    for error in body["errors"]:
        assert isinstance(error.get("code"), str) and isinstance(error.get("message"), str), body
        assert set(error) <= {"code", "message", "details"}, body
    if code is not None:
        assert body["errors"][0]["code"] == code, body
