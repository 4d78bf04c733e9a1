"""spdesk's intended architecture, as rules over the import graph (see docs/architecture.md).

Three packages in one distribution: the product (``companion``), the simulated Amazon
(``spdesk_sandbox``) and the demo (``spdesk_demo``). The demo uses both; the product and the
simulator share nothing. Inside the product, layers from the bottom up; a module may import its
own layer and those below, never one above:

    0 foundation   errors, vocabulary, marketplaces, fields, storage, config, identity,
                   accounts, pairing
    1 amazon/      the SP-API gateway
    2 orders       the order view service
    3 actions/     refunds and cancellations (journal, engine, feeds; the Ledger interface)
    4 ledger/      the team ledger on PostgreSQL (a second Ledger, team mode)
    5 web          keys (application state), http/ (middlewares, routes, OpenAPI)
    6 assembly     app (create_app), server (start_companion)
    7 commands     cli, commands/

``python -m tests.architecture.layering`` prints what breaks these rules.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

from tests.architecture.importgraph import REPO, Edge, Where, edges, in_package

PRODUCT, SIMULATOR, DEMO = "companion", "spdesk_sandbox", "spdesk_demo"
PACKAGES = (PRODUCT, SIMULATOR, DEMO)
# Before the split the simulator and the demo lived inside the product package.
_FORMER = {"companion.sandbox": SIMULATOR, "companion.demo": DEMO}
# Which package may import which.
ALLOWED_PACKAGES = {PRODUCT: {PRODUCT}, SIMULATOR: {SIMULATOR}, DEMO: {PRODUCT, SIMULATOR, DEMO}}

LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "companion",
        "companion.errors",
        "companion.codes",
        "companion.vocabulary",
        "companion.marketplaces",
        "companion.fields",
        "companion.storage",
        "companion.config",
        "companion.identity",
        "companion.accounts",
        "companion.pairing",
    ),
    ("companion.amazon",),
    ("companion.orders",),
    ("companion.actions",),
    ("companion.ledger",),
    ("companion.keys", "companion.http"),
    ("companion.app", "companion.server"),
    ("companion.cli", "companion.__main__", "companion.commands"),
)
LAYER_NAMES = (
    "foundation",
    "amazon",
    "orders",
    "actions",
    "ledger",
    "web",
    "assembly",
    "commands",
)
# Modules that moved between layers: the command modules that used to live in actions/.
_COMMAND_MODULES = ("companion.actions.action_cli", "companion.actions.audit_cli")


def package_of(module: str) -> str:
    """Which of the three packages a module belongs to (also for the former layout)."""
    for former, package in _FORMER.items():
        if in_package(module, former):
            return package
    return next(p for p in PACKAGES if in_package(module, p))


def layer_of(module: str) -> int | None:
    """The product layer of a module (the most specific prefix wins); None outside the product."""
    if package_of(module) != PRODUCT:
        return None
    if module in _COMMAND_MODULES:
        return len(LAYERS) - 1
    best: tuple[int, int] | None = None
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if in_package(module, prefix) and (best is None or len(prefix) > best[1]):
                best = (rank, len(prefix))
    return best[0] if best else None


@dataclass(frozen=True, slots=True)
class Breach:
    """One import against the intended architecture, and the rule it breaks."""

    edge: Edge
    rule: str

    def __str__(self) -> str:
        e = self.edge
        return f"{e.source}:{e.line} -> {e.target} [{e.where}]: {self.rule}"


def breaches(graph: Iterable[Edge]) -> list[Breach]:
    """Every import that crosses packages the wrong way or goes up a layer of the product."""
    found: list[Breach] = []
    for edge in graph:
        source, target = package_of(edge.source), package_of(edge.target)
        if target not in ALLOWED_PACKAGES[source]:
            found.append(Breach(edge, f"{source} must not import {target}"))
            continue
        low, high = layer_of(edge.source), layer_of(edge.target)
        if low is not None and high is not None and high > low:
            found.append(
                Breach(edge, f"layer {LAYER_NAMES[low]} must not import {LAYER_NAMES[high]}")
            )
    return found


def main() -> int:
    """Print every breach of the rules in the packages that exist in this checkout."""
    present = [REPO / p for p in PACKAGES if (REPO / p).is_dir()]
    graph = edges(present)
    found = breaches(graph)
    hidden = sum(1 for b in found if b.edge.where is not Where.MODULE)
    print(f"{len(found)} import(s) against the architecture ({hidden} not at module level):")
    for breach in found:
        print(f"  {breach}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
