"""The import graph of the three packages keeps the architecture of docs/architecture.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.importgraph import REPO, Edge, Where, cycles, edges, in_package
from tests.architecture.layering import PACKAGES, breaches, layer_of, package_of

# Imports that run only when a function is called hide a dependency from a reader (and often a
# circle). None is needed; a real exception would be listed here with the reason.
FUNCTION_LEVEL_ALLOWED: frozenset[tuple[str, str]] = frozenset()


@pytest.fixture(scope="module")
def graph() -> list[Edge]:
    """Every import between modules of companion, spdesk_sandbox and spdesk_demo."""
    return edges([REPO / package for package in PACKAGES])


def test_the_graph_is_read_from_every_package(graph: list[Edge]) -> None:
    sources = {e.source for e in graph}
    assert {package_of(m) for m in sources} == set(PACKAGES)
    # Known edges: the assembly imports the order service, the demo the simulator's server.
    assert any(e.source == "companion.app" and e.target == "companion.orders" for e in graph)
    assert any(
        e.source == "spdesk_demo.runner" and e.target == "spdesk_sandbox.server" for e in graph
    )


def test_no_import_cycle(graph: list[Edge]) -> None:
    assert cycles(graph) == []


def test_the_product_imports_neither_simulator_nor_demo(graph: list[Edge]) -> None:
    wrong = [
        e
        for e in graph
        if package_of(e.source) == "companion" and package_of(e.target) != "companion"
    ]
    assert wrong == []


def test_the_simulator_imports_nothing_of_the_product_or_the_demo(graph: list[Edge]) -> None:
    wrong = [
        e
        for e in graph
        if package_of(e.source) == "spdesk_sandbox" and package_of(e.target) != "spdesk_sandbox"
    ]
    assert wrong == []


def test_the_gateway_never_imports_the_web_layer(graph: list[Edge]) -> None:
    wrong = [
        e
        for e in graph
        if in_package(e.source, "companion.amazon")
        and (in_package(e.target, "companion.http") or e.target == "companion.keys")
    ]
    assert wrong == []


def test_no_import_goes_up_a_layer(graph: list[Edge]) -> None:
    assert [str(b) for b in breaches(graph)] == []


def test_every_product_module_has_a_layer() -> None:
    modules = {e.source for e in edges([REPO / "companion"])}
    assert [m for m in sorted(modules) if layer_of(m) is None] == []


def test_imports_inside_functions_only_where_allowed(graph: list[Edge]) -> None:
    found = {(e.source, e.target) for e in graph if e.where is Where.FUNCTION}
    assert found <= FUNCTION_LEVEL_ALLOWED


def test_package_init_modules_import_nothing_of_their_own(graph: list[Edge]) -> None:
    # A package's __init__ that re-exports its modules makes importing any one of them import
    # them all (and is where import circles start).
    inits = {p.parent.relative_to(REPO).as_posix().replace("/", ".") for p in _init_files()}
    assert [e for e in graph if e.source in inits] == []


def _init_files() -> list[Path]:
    return [p for package in PACKAGES for p in (REPO / package).rglob("__init__.py")]


# -- the reader itself, on a package written for the purpose -------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_reader_finds_circles_hidden_in_functions_and_type_checking(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from pkg import b\n",
            "b.py": "def f():\n    from pkg.a import x\n",
            "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import d\n",
            "d.py": "import pkg.c\n",
            "sub/__init__.py": "",
            "sub/e.py": "from ..a import y\nfrom . import f\n",
            "sub/f.py": "",
        },
    )
    found = edges([root])
    where = {(e.source, e.target): e.where for e in found}
    assert where[("pkg.b", "pkg.a")] is Where.FUNCTION
    assert where[("pkg.c", "pkg.d")] is Where.TYPE_CHECKING
    assert where[("pkg.sub.e", "pkg.a")] is Where.MODULE
    assert where[("pkg.sub.e", "pkg.sub.f")] is Where.MODULE
    assert cycles(found) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]
