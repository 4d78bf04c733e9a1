"""The exception tree drawn in companion.errors' docstring is the real one, every class included."""

from __future__ import annotations

import re

import companion.errors as errors
from tests.companion.codes_scan import error_classes

# "    │   └── TokenRevoked             (401 token_revoked)              companion.http.auth"
LINE = re.compile(
    r"^(?P<indent>[ │├└─]*)(?P<name>\w+)\s+\((?P<status>\d{3}) (?P<code>[a-z_]+)[^)]*\)"
    r"\s*(?P<module>[\w.]*)$"
)


def documented() -> dict[str, tuple[str | None, int, str, str]]:
    """Name -> (parent, status, code, module) as the module docstring draws them."""
    assert errors.__doc__ is not None
    tree = errors.__doc__.split("::", 1)[1]
    rows: dict[str, tuple[str | None, int, str, str]] = {}
    parents: list[str] = []
    for line in tree.strip("\n").splitlines():
        match = LINE.match(line[4:])  # the block is indented by four spaces
        assert match, line
        depth = len(match["indent"]) // 4
        del parents[depth:]
        rows[match["name"]] = (
            parents[-1] if parents else None,
            int(match["status"]),
            match["code"],
            match["module"] or errors.__name__,
        )
        parents.append(match["name"])
    return rows


def test_every_documented_error_is_the_class_the_tree_draws() -> None:
    classes = error_classes()
    for name, (parent, status, code, module) in documented().items():
        cls = classes[name]
        assert (cls.status, cls.default_code, cls.__module__) == (status, code, module), name
        if parent is not None:
            assert cls.__bases__ == (classes[parent],), name


def test_every_error_class_wherever_it_lives_is_in_the_tree() -> None:
    assert set(error_classes()) == set(documented())
