"""Contract checks against Amazon's SP-API models (Swagger 2.0, JSON Schema draft-4).

`find_operation(method, path)` looks an operation up across every model file by method and path
template; `validate_body(operation, status, body)` checks a response body against the schema of
that status, with `$ref`s resolved inside the model. By default the check is strict: an object
with declared properties may not carry undeclared ones, so the sandbox cannot invent fields.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

MODELS_DIR = Path(os.environ.get("SPAPI_MODELS_DIR") or Path(__file__).with_name("spapi"))
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
_PARAM = re.compile(r"\{[^}]+\}")


@cache
def load_models() -> dict[str, dict[str, Any]]:
    """Every model file in MODELS_DIR by file name."""
    models = {p.name: json.loads(p.read_text(encoding="utf-8"))
              for p in sorted(MODELS_DIR.glob("*.json"))}
    assert models, f"no SP-API models found in {MODELS_DIR}"
    return models


@dataclass(frozen=True)
class Operation:
    """One operation of one model: its method, path template and Swagger definition."""

    model: str
    method: str
    path: str
    operation_id: str
    spec: dict[str, Any]

    @property
    def definition(self) -> dict[str, Any]:
        """The operation object of the model."""
        return self.spec["paths"][self.path][self.method]

    @property
    def parameters(self) -> list[dict[str, Any]]:
        """Path-level and operation-level parameters, `$ref`s resolved."""
        raw = [*self.spec["paths"][self.path].get("parameters", []),
               *self.definition.get("parameters", [])]
        return [resolve(self.spec, p) for p in raw]

    def response_schema(self, status: int) -> dict[str, Any] | None:
        """The schema of the response with this status (or `default`), if the model has one."""
        responses = self.definition["responses"]
        response = responses.get(str(status)) or responses.get("default")
        if response is None:
            raise AssertionError(f"{self.operation_id} does not document status {status}")
        response = resolve(self.spec, response)
        return response.get("schema")

    def body_schema(self) -> dict[str, Any] | None:
        """The schema of the JSON request body, if the operation takes one."""
        for param in self.parameters:
            if param.get("in") == "body":
                return resolve(self.spec, param["schema"])
        return None


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow local `$ref`s ("#/definitions/X", "#/parameters/Y") until a real node."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _template(path: str) -> str:
    return _PARAM.sub("{}", path)


def iter_operations() -> Iterator[Operation]:
    """Every operation of every model."""
    for name, spec in load_models().items():
        for path, item in spec.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    yield Operation(name, method, path, item[method]["operationId"], spec)


def find_operation(method: str, path_template: str) -> Operation:
    """The operation served at this method and path template (parameter names may differ)."""
    wanted = (method.lower(), _template(path_template))
    for operation in iter_operations():
        if (operation.method, _template(operation.path)) == wanted:
            return operation
    raise AssertionError(f"no SP-API model has {method.upper()} {path_template}")


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
    definitions = copy.deepcopy(load_models()[model].get("definitions", {}))
    return _strict(definitions) if strict else definitions


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
    schema = operation.response_schema(status)
    if schema is None:
        assert body in (None, b"", ""), f"{operation.operation_id} {status} should have no body"
        return
    errors = schema_errors(operation, schema, body, strict)
    assert not errors, (
        f"{operation.operation_id} {status} does not match {operation.model}:\n  "
        + "\n  ".join(errors[:20])
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
