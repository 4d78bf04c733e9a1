"""The exception tree drawn in companion.errors' docstring is the real one."""

from __future__ import annotations

import re

import companion.errors as errors

# "    │   └── OrderNotFound            (404 order_not_found)"
LINE = re.compile(r"^(?P<indent>[ │├└─]*)(?P<name>\w+)\s+\((?P<status>\d{3}) (?P<code>[a-z_]+)")


def documented() -> dict[str, tuple[str | None, int, str]]:
    """Name -> (parent, status, code) as the module docstring draws them."""
    assert errors.__doc__ is not None
    tree = errors.__doc__.split("Tree::", 1)[1]
    rows: dict[str, tuple[str | None, int, str]] = {}
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
        )
        parents.append(match["name"])
    return rows


def test_every_documented_error_is_the_class_the_tree_draws() -> None:
    for name, (parent, status, code) in documented().items():
        cls = getattr(errors, name)
        assert (cls.status, cls.default_code) == (status, code), name
        if parent is not None:
            assert cls.__bases__ == (getattr(errors, parent),), name


def test_every_error_class_of_the_module_is_in_the_tree() -> None:
    classes = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.SpdeskError)
    }
    assert classes == set(documented())
