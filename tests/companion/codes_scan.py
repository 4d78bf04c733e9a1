"""What the source says about codes: every SpdeskError class and every call that makes a sentence.

Read from the AST of the product and the demo (and, for the classes, by importing every module),
so the tests compare the catalogue of companion.codes with what the code can really produce.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import companion
import spdesk_demo
from companion.errors import SpdeskError
from tests.architecture.importgraph import REPO

SCANNED = ("companion", "spdesk_demo")


def error_classes() -> dict[str, type[SpdeskError]]:
    """Every SpdeskError subclass of the product and the demo, wherever it lives, by name."""
    for package in (companion, spdesk_demo):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith("__main__"):  # __main__ would run the command line
                importlib.import_module(module.name)
    found: dict[str, type[SpdeskError]] = {}
    todo: list[type[SpdeskError]] = [SpdeskError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


@dataclass(frozen=True, slots=True)
class Site:
    """One call that makes a coded sentence: its code, the param names and the case it gives."""

    where: str
    code: str
    params: frozenset[str]
    case: str | None
    status: int | None = None


def _calls(root: str) -> Iterator[tuple[str, ast.Call]]:
    for path in sorted((REPO / root).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                yield f"{Path(path).relative_to(REPO)}:{node.lineno}", node


def _name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _dict_params(node: ast.expr | None) -> tuple[frozenset[str], str | None]:
    """Param names of a dict literal (``**spread`` left out) and the value of its "case"."""
    if not isinstance(node, ast.Dict):
        return frozenset(), None
    names, case = set(), None
    for key, value in zip(node.keys, node.values, strict=True):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
            if key.value == "case" and isinstance(value, ast.Constant):
                case = str(value.value)
    return frozenset(names), case


def error_sites(classes: dict[str, type[SpdeskError]]) -> list[Site]:
    """Every construction of a SpdeskError subclass, with the code it will carry."""
    sites = []
    for root in SCANNED:
        for where, call in _calls(root):
            cls = classes.get(_name(call) or "")
            if cls is None:
                continue
            keywords = {k.arg: k.value for k in call.keywords}
            code_node = keywords.get("code")
            code = str(code_node.value) if isinstance(code_node, ast.Constant) else cls.default_code
            params, case = _dict_params(keywords.get("params"))
            sites.append(Site(where, code, params, case, cls.status))
    return sites


def sentence_sites(constructor: str, code_at: int, params_at: int | None) -> list[Site]:
    """Calls of ``constructor`` (e.g. Notice) with a constant code as positional ``code_at``."""
    sites = []
    for root in SCANNED:
        for where, call in _calls(root):
            if _name(call) != constructor or len(call.args) <= code_at:
                continue
            code = call.args[code_at]
            if not isinstance(code, ast.Constant):
                continue
            if params_at is None:  # keyword params, as in AmazonResult.said(code, text, k=v)
                params = frozenset(k.arg for k in call.keywords if k.arg)
                case = next(
                    (
                        str(k.value.value)
                        for k in call.keywords
                        if k.arg == "case" and isinstance(k.value, ast.Constant)
                    ),
                    None,
                )
            else:
                node = call.args[params_at] if len(call.args) > params_at else None
                params, case = _dict_params(node)
            sites.append(Site(where, str(code.value), params, case))
    return sites
