"""Processing reports mapped to actions by MessageID: errors, warnings, gaps, rejected documents."""

from __future__ import annotations

from pathlib import Path

from companion.actions.feeds import parse_processing_report
from companion.actions.journal import Journal
from companion.actions.models import ActionState
from companion.actions.ports import FeedGateway
from companion.actions.record import AmazonResult
from companion.actions.sqlite_ledger import SqliteLedger
from companion.actions.tracker import FeedTracker, TrackTiming
from spdesk_sandbox import report
from tests.actions.test_journal import QUEUE, action
from tests.plugins.actions import sqlite_ledger

ORDER = "113-4820571-0038214"


def batch_of(journal: Journal, size: int) -> list[str]:
    ids = []
    for _ in range(size):
        created = journal.create(action(), idempotency_key=None, body_hash="h")
        journal.transition(created.id, ActionState.QUEUED)
        ids.append(created.id)
    journal.claim_batch("bat_1", QUEUE, ids)
    journal.batch_submitted("bat_1", "5001")
    return ids


async def settle(
    tmp_path: Path, size: int, processed: int, results: list[report.Result]
) -> list[tuple[str, AmazonResult]]:
    journal = Journal(tmp_path / "j.sqlite3")
    ids = batch_of(journal, size)
    journal.close()
    async with sqlite_ledger(tmp_path / "j.sqlite3") as ledger:
        return await _settle(ledger, ids, processed, results)


async def _settle(
    ledger: SqliteLedger, ids: list[str], processed: int, results: list[report.Result]
) -> list[tuple[str, AmazonResult]]:
    settled: list[str] = []

    async def no_gateway(account: str) -> FeedGateway:
        raise AssertionError("not needed")

    tracker = FeedTracker(ledger, no_gateway, TrackTiming(1, 1, 1), lambda a: settled.append(a.id))
    data = report.render_report("5001", "S", processed, results)
    await tracker.apply_report("bat_1", parse_processing_report(data))
    found = [await ledger.get(i) for i in ids]
    out = [(str(a.state), a.amazon) for a in found if a is not None]
    assert sorted(settled) == sorted(ids)  # everyone hears about the end
    batch = await ledger.batch("bat_1")
    assert batch is not None and batch.state == "done"
    return out


async def test_errors_fail_their_message_only_and_warnings_still_succeed(tmp_path: Path) -> None:
    out = await settle(
        tmp_path,
        3,
        3,
        [
            report.error(2, report.MessageCode.COMPONENT_EXCEEDS_REFUNDABLE, "Tax too high", ORDER),
            report.warning(3, report.MessageCode.ADJUSTMENT_PENDING_SHIPMENT, "pending", ORDER),
        ],
    )
    assert [state for state, _ in out] == ["succeeded", "failed", "succeeded"]
    assert out[1][1].description == "Tax too high" and out[1][1].message_code == "18032"
    assert out[2][1].result_code == "Warning"


async def test_a_message_the_report_does_not_cover_is_unknown(tmp_path: Path) -> None:
    out = await settle(tmp_path, 2, 1, [])
    assert [state for state, _ in out] == ["unknown", "unknown"]


async def test_a_rejected_document_fails_every_message(tmp_path: Path) -> None:
    out = await settle(tmp_path, 2, 0, [report.error(0, report.MessageCode.XML_PARSING, "bad XML")])
    assert [state for state, _ in out] == ["failed", "failed"]
    assert "bad XML" in (out[0][1].description or "")


async def test_amazons_unreadable_document_report_fails_every_message(tmp_path: Path) -> None:
    # Amazon counts an unreadable document as one message processed, with an error, whatever
    # the number of messages in it (and the sandbox reports it the same way).
    out = await settle(tmp_path, 3, 1, [report.error(0, report.MessageCode.XML_PARSING, "fatal")])
    assert [state for state, _ in out] == ["failed", "failed", "failed"]


async def test_a_report_that_contradicts_itself_is_left_to_a_person(tmp_path: Path) -> None:
    # A whole-document error, yet one message counted successful: never "failed" (a retry by
    # the agent could refund twice), never "succeeded".
    out = await settle(tmp_path, 2, 2, [report.error(0, report.MessageCode.XML_PARSING, "odd")])
    assert [state for state, _ in out] == ["unknown", "unknown"]
    assert "1 message(s) as successful" in (out[0][1].description or "")
