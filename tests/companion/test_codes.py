"""Every code the code can produce is in companion.codes, docs/protocol.md and the OpenAPI document.

The codes are read from the source (every SpdeskError subclass wherever it lives, every explicit
``code=`` where an error is made, every coded sentence of the order view and the action), so a new
refusal that is not documented fails here, and so does a documented one nothing produces.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from companion import codes
from companion.app import create_app
from companion.config import Settings
from companion.errors import Unprocessable
from companion.http.openapi import build_document
from companion.keys import ROUTES
from tests.architecture.importgraph import REPO
from tests.companion.codes_scan import Site, error_classes, error_sites, sentence_sites

PROTOCOL = REPO / "docs" / "protocol.md"
ROW = re.compile(r"^\| `(?P<code>[a-z_]+)` \|(?P<cells>.*)\|$")


@pytest.fixture(scope="module")
def sites() -> list[Site]:
    return error_sites(error_classes())


def _codes_made(sites: list[Site]) -> set[str]:
    return {cls.default_code for cls in error_classes().values()} | {s.code for s in sites}


def test_the_catalogue_holds_exactly_the_error_codes_the_code_can_produce(
    sites: list[Site],
) -> None:
    assert set(codes.ERRORS) == _codes_made(sites)


def _check_sites(found: list[Site], catalogue: dict[str, codes.Code]) -> list[str]:
    problems = []
    for site in found:
        entry = catalogue.get(site.code)
        if entry is None:
            problems.append(f"{site.where}: {site.code} is not in the catalogue")
            continue
        if extra := site.params - set(entry.params):
            problems.append(f"{site.where}: {site.code} has undocumented params {sorted(extra)}")
        if site.case is not None and site.case not in entry.cases:
            problems.append(f"{site.where}: {site.code} has an undocumented case {site.case}")
    return problems


def test_every_error_gives_only_the_params_and_cases_its_code_documents(
    sites: list[Site],
) -> None:
    assert _check_sites(sites, codes.ERRORS) == []


def test_every_other_sentence_gives_only_documented_codes_params_and_cases() -> None:
    found = {
        "ReasonCode": sentence_sites("Decision", code_at=2, params_at=3),
        "OutcomeCode": sentence_sites("said", code_at=0, params_at=None),
        "WarningCode": sentence_sites("Notice", code_at=0, params_at=2),
        "ApprovalCode": sentence_sites("ApprovalWhy", code_at=1, params_at=2),
    }
    for name, made in found.items():
        assert made, name  # the scan sees them
        assert _check_sites(made, codes.CATALOGUES[name]) == [], name
    made_codes = {s.code for sites in found.values() for s in sites}
    # Every code of these catalogues is made somewhere (amazon_result by AmazonResult.answered).
    expected = set(codes.REASONS) | set(codes.OUTCOMES) | set(codes.WARNINGS) | set(codes.APPROVALS)
    assert expected - made_codes == {"amazon_result"}


def test_the_typed_codes_and_the_catalogues_agree() -> None:
    assert set(get_args(codes.ReasonCode)) == set(codes.REASONS)
    assert set(get_args(codes.OutcomeCode)) == set(codes.OUTCOMES)
    assert set(get_args(codes.WarningCode)) == set(codes.WARNINGS)
    assert set(get_args(codes.HistoryCode)) == set(codes.HISTORY)
    assert set(get_args(codes.ApprovalCode)) == set(codes.APPROVALS)
    for catalogue in codes.CATALOGUES.values():
        for code, entry in catalogue.items():
            assert ("case" in entry.params) == bool(entry.cases), code


def _documented() -> dict[str, dict[str, tuple[str, ...]]]:
    """Heading ("ErrorCode", ...) -> code -> its table cells, from docs/protocol.md."""
    tables: dict[str, dict[str, tuple[str, ...]]] = {}
    heading = None
    for line in PROTOCOL.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            heading = line[4:].strip()
            continue
        match = ROW.match(line)
        if match and heading is not None:
            cells = tuple(c.strip() for c in match["cells"].split(" | "))
            tables.setdefault(heading, {})[match["code"]] = cells
    return tables


def _names(cell: str) -> tuple[str, ...]:
    return tuple(re.findall(r"`(\w+)`", cell))


def test_protocol_md_documents_every_code_with_its_status_params_and_cases(
    sites: list[Site],
) -> None:
    tables = _documented()
    statuses: dict[str, set[int]] = {}
    for cls in error_classes().values():
        statuses.setdefault(cls.default_code, set()).add(cls.status)
    for site in sites:
        statuses.setdefault(site.code, set()).add(site.status or 0)
    errors = {**tables["ErrorCode"], **tables["ErrorCode (command line only)"]}
    assert set(errors) == set(codes.ERRORS)
    for code, (status, params, cases, _sentence) in errors.items():
        entry = codes.ERRORS[code]
        assert {int(s) for s in status.split(", ")} == statuses[code], code
        assert (_names(params), _names(cases)) == (entry.params, entry.cases), code
        assert (code in tables["ErrorCode (command line only)"]) == entry.cli, code
    for name in ("ReasonCode", "OutcomeCode", "WarningCode", "HistoryCode", "ApprovalCode"):
        catalogue = codes.CATALOGUES[name]
        assert set(tables[name]) == set(catalogue), name
        for code, (params, cases, _sentence) in tables[name].items():
            assert (_names(params), _names(cases)) == (
                catalogue[code].params,
                catalogue[code].cases,
            ), code


def test_the_openapi_document_lists_the_codes_and_their_params(tmp_path: Path) -> None:
    app = create_app(Settings.for_tests(tmp_path))
    doc = build_document(app[ROUTES])
    schemas = doc["components"]["schemas"]
    for name, catalogue in codes.CATALOGUES.items():
        assert schemas[name]["enum"] == sorted(catalogue), name
        assert schemas[name]["x-params"] == {c: list(e.params) for c, e in catalogue.items()}
    assert schemas["ErrorCode"]["x-command-line-only"] == sorted(
        c for c, e in codes.ERRORS.items() if e.cli
    )
    api = {c for c, e in codes.ERRORS.items() if not e.cli}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            listed = set(operation["responses"]["default"]["x-error-codes"])
            assert listed <= api, (method, path, listed - api)


def test_error_bodies_carry_the_code_message_and_params() -> None:
    error = Unprocessable(
        "This order has no item 1.", code="unknown_order_item", params={"orderItemCode": "1"}
    )
    assert error.to_json() == {
        "error": {
            "code": "unknown_order_item",
            "message": "This order has no item 1.",
            "params": {"orderItemCode": "1"},
        }
    }
