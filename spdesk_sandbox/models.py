"""Amazon's SP-API models (Swagger 2.0 files): operations looked up by method and path template."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
_PARAM = re.compile(r"\{[^}]+\}")

Json = dict[str, Any]


class ModelsError(ValueError):
    """A models directory the sandbox cannot use; the message names the directory or file."""


@cache
def load_models(models_dir: Path) -> dict[str, Json]:
    """Every model file (*.json) of a directory, by file name."""
    try:
        models = {
            p.name: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(Path(models_dir).glob("*.json"))
        }
    except (OSError, ValueError) as exc:
        raise ModelsError(f"cannot read the SP-API models in {models_dir}: {exc}") from None
    if not models:
        raise ModelsError(f"no SP-API model files (*.json) in {models_dir}")
    return models


def resolve(spec: Json, node: Json) -> Json:
    """Follow local `$ref`s ("#/definitions/X", "#/parameters/Y") until a real node."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def path_template(path: str) -> str:
    """A path with every `{parameter}` name blanked, so templates compare by shape."""
    return _PARAM.sub("{}", path)


@dataclass(frozen=True)
class Operation:
    """One operation of one model: its method, path template and Swagger definition."""

    model: str
    method: str
    path: str
    operation_id: str
    spec: Json

    @property
    def definition(self) -> Json:
        """The operation object of the model."""
        definition: Json = self.spec["paths"][self.path][self.method]
        return definition

    @property
    def parameters(self) -> list[Json]:
        """Path-level and operation-level parameters, `$ref`s resolved."""
        raw = [
            *self.spec["paths"][self.path].get("parameters", []),
            *self.definition.get("parameters", []),
        ]
        return [resolve(self.spec, p) for p in raw]

    def response(self, status: int) -> Json | None:
        """The documented response for this status (or `default`), `$ref` resolved."""
        responses = self.definition["responses"]
        found = responses.get(str(status)) or responses.get("default")
        return None if found is None else resolve(self.spec, found)

    def body_schema(self) -> Json | None:
        """The schema of the JSON request body, if the operation takes one."""
        for param in self.parameters:
            if param.get("in") == "body":
                return resolve(self.spec, param["schema"])
        return None


def iter_operations(models_dir: Path) -> Iterator[Operation]:
    """Every operation of every model in the directory."""
    for name, spec in load_models(models_dir).items():
        for path, item in spec.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    yield Operation(name, method, path, item[method]["operationId"], spec)


@cache
def _index(models_dir: Path) -> dict[tuple[str, str], Operation]:
    return {(op.method, path_template(op.path)): op for op in iter_operations(models_dir)}


def find_operation(models_dir: Path, method: str, path: str) -> Operation | None:
    """The operation served at this method and path template (parameter names may differ)."""
    return _index(models_dir).get((method.lower(), path_template(path)))
