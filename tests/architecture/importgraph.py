"""The import graph of spdesk's Python packages, read from their source (nothing is imported).

An edge is one import statement between two modules of the analysed packages, with where it
stands: at module level, under ``if TYPE_CHECKING:``, or inside a function (run only when the
function is called). Targets follow grimp's convention: ``from a.b import c`` points at the module
``a.b.c`` when there is one, else at ``a.b``; a package's ``__init__`` is not implied by importing
one of its modules.

    python -m tests.architecture.importgraph companion spdesk_sandbox spdesk_demo
prints the modules, the cycles (with the hidden edges that close them) and every function-level
import, for the before/after comparison of the architecture work.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class Where(StrEnum):
    """Where an import statement stands, i.e. when it runs."""

    MODULE = "module"
    TYPE_CHECKING = "type-checking"
    FUNCTION = "function"


@dataclass(frozen=True, slots=True)
class Edge:
    """One import of ``target`` by ``source`` (both module names), at ``line``."""

    source: str
    target: str
    where: Where
    line: int
    function: str | None = None


def module_files(package_dirs: Iterable[Path]) -> dict[str, Path]:
    """Module name -> file, for every ``.py`` file under the package directories."""
    found: dict[str, Path] = {}
    for top in package_dirs:
        for path in sorted(top.rglob("*.py")):
            parts = list(path.relative_to(top.parent).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name of a (possibly relative) ``from … import`` base."""
    if level == 0:
        return name or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _known(name: str, modules: set[str]) -> str | None:
    """``name`` itself or its longest prefix that is an analysed module."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(
    tree: ast.AST, where: Where = Where.MODULE, function: str | None = None
) -> Iterator[tuple[ast.Import | ast.ImportFrom, Where, str | None]]:
    """Every import statement with where it stands (class bodies run at import: module level)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, where, function
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _imports(node, Where.FUNCTION, function or node.name)
        elif isinstance(node, ast.If) and _is_type_checking(node.test) and where is Where.MODULE:
            for child in node.body:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), Where.TYPE_CHECKING)
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), where, function)
        else:
            yield from _imports(node, where, function)


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: set[str]
) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if (found := _known(alias.name, modules)) is not None:
                yield found
        return
    base = _absolute(module, is_package, node.level, node.module)
    for alias in node.names:
        found = _known(f"{base}.{alias.name}", modules) if alias.name != "*" else None
        if found is None or found != f"{base}.{alias.name}":
            found = _known(base, modules)
        if found is not None:
            yield found


def edges(package_dirs: Iterable[Path]) -> list[Edge]:
    """Every import between modules of the packages (self-imports of a package left out)."""
    files = module_files(package_dirs)
    names = set(files)
    out: list[Edge] = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node, where, function in _imports(tree):
            for target in dict.fromkeys(_targets(node, module, is_package, names)):
                if target != module:
                    out.append(Edge(module, target, where, node.lineno, function))
    return out


def cycles(graph_edges: Iterable[Edge]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    adjacency: dict[str, set[str]] = {}
    for edge in graph_edges:
        adjacency.setdefault(edge.source, set()).add(edge.target)
        adjacency.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(adjacency[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(adjacency):
        if node not in index:
            visit(node)
    return sorted(found)


def within(component: list[str], graph_edges: Iterable[Edge]) -> list[Edge]:
    """The edges between members of one cycle."""
    members = set(component)
    return [e for e in graph_edges if e.source in members and e.target in members]


def in_package(module: str, package: str) -> bool:
    """True when ``module`` is ``package`` or one of its modules."""
    return module == package or module.startswith(package + ".")


def _report(package_dirs: list[Path]) -> str:
    graph = edges(package_dirs)
    modules = module_files(package_dirs)
    lines = [f"{len(modules)} modules, {len(graph)} import edges"]
    hidden = [e for e in graph if e.where is not Where.MODULE]
    lines.append(f"{len(hidden)} imports not at module level:")
    for e in hidden:
        inside = f" in {e.function}()" if e.function else ""
        lines.append(f"  {e.source}:{e.line} -> {e.target} ({e.where}{inside})")
    found = cycles(graph)
    lines.append(f"{len(found)} cycle(s):")
    for component in found:
        lines.append("  " + " <-> ".join(component))
        for e in within(component, graph):
            lines.append(f"      {e.source}:{e.line} -> {e.target} [{e.where}]")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the report for the named top-level packages of the repository."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="+", help="top-level package directories, e.g. companion")
    args = parser.parse_args(argv)
    print(_report([REPO / p for p in args.packages]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
