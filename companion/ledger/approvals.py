"""Approving or rejecting a refund that waits for an approver (panel and `spdesk team approve`).

Only a member with the approver role decides, never on their own refund, and only while the
request has not expired. The decision and the state change are one transaction: an approved
refund becomes `accepted` (the feed builder is told at once), a rejected or expired one `failed`
with who and why. Nothing about it reaches Amazon before approval.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.actions.models import ActionState
from companion.actions.record import Action, AmazonResult
from companion.errors import Conflict, Forbidden, NotFound
from companion.ledger.journal import PostgresJournal
from companion.ledger.link import Conn
from companion.ledger.team import check_agent

EXPIRED_BY = "spdesk"
EXPIRED = AmazonResult.said(
    "approval_expired", "Nobody approved this refund in time, so it was not sent to Amazon."
)


@dataclass(frozen=True)
class Decision:
    """What an approver decided: "approved" or "rejected", by whom, with an optional note."""

    verdict: str
    by: str
    note: str = ""

    @property
    def state(self) -> ActionState:
        """The action's state after the decision."""
        return ActionState.ACCEPTED if self.verdict == "approved" else ActionState.FAILED

    def detail(self) -> str:
        """The history entry in plain words."""
        said = f" ({self.note})" if self.note else ""
        if self.verdict == "approved":
            return f"Approved by {self.by}{said}."
        return f"Rejected by {self.by}{said}. Nothing was sent to Amazon."

    def outcome(self) -> AmazonResult | None:
        """A rejected refund's outcome (an approved one goes on to Amazon)."""
        if self.verdict == "approved":
            return None
        return AmazonResult.said("approval_rejected", self.detail(), by=self.by, note=self.note)


class Approvals:
    """Decisions on pending approval requests of one team ledger."""

    def __init__(self, journal: PostgresJournal) -> None:
        self.journal = journal

    async def decide(self, action_id: str, decision: Decision) -> Action:
        """Record an approver's decision; refusals say why in a support agent's words."""
        by = check_agent(decision.by)
        decision = Decision(decision.verdict, by, decision.note.strip()[:2000])
        request = await self._request(action_id)
        if await self._role(by) != "approver":
            raise Forbidden(
                f"{by} is not an approver of this team, so cannot decide on refunds. A team "
                "lead can change that with 'spdesk team role NAME approver'.",
                code="not_approver",
                params={"agent": by},
            )
        if request["requested_by"] == by:
            raise Forbidden(
                "Nobody approves or rejects their own refund: ask another approver.",
                code="self_approval",
            )
        if request["decision"] is not None:
            raise _not_pending(action_id, str(request["decision"]))
        if request["expired"]:
            raise _not_pending(action_id, "expired")
        decided = await self.journal.decide(
            action_id,
            decision.verdict,
            by=by,
            note=decision.note,
            state=decision.state,
            detail=decision.detail(),
            said=decision.outcome(),
        )
        if decided is None:  # decided or expired by someone else a moment ago
            return await self.decide(action_id, decision)
        return decided

    async def expire_due(self) -> list[Action]:
        """End every request whose time is up (the feed builder runs this)."""
        expired = []
        for action_id in await self.journal.expired_approvals():
            found = await self.journal.decide(
                action_id,
                "expired",
                by=EXPIRED_BY,
                note="",
                state=ActionState.FAILED,
                detail=EXPIRED.description or "",
                said=EXPIRED,
                expired=True,
            )
            if found is not None:
                expired.append(found)
        return expired

    async def _request(self, action_id: str) -> dict[str, object]:
        async def work(conn: Conn) -> dict[str, object] | None:
            cursor = await conn.execute(
                "SELECT requested_by, decision, expires_at <= now() FROM approvals "
                "WHERE action_id = %s",
                (action_id,),
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            return {"requested_by": row[0], "decision": row[1], "expired": bool(row[2])}

        found = await self.journal.tx.run(work)
        if found is None:
            raise NotFound("No refund waits for approval under this id.", code="approval_not_found")
        return found

    async def _role(self, agent: str) -> str | None:
        async def work(conn: Conn) -> str | None:
            cursor = await conn.execute("SELECT role FROM members WHERE agent = %s", (agent,))
            row = await cursor.fetchone()
            return str(row[0]) if row else None

        return await self.journal.tx.run(work)


def _not_pending(action_id: str, decision: str) -> Conflict:
    if decision == "expired":
        return Conflict(
            "This approval request has expired; the refund was not sent. The agent can ask again.",
            code="approval_expired",
            details={"actionId": action_id},
        )
    return Conflict(
        f"This refund was already {decision}.",
        code="approval_not_pending",
        params={"decision": decision},
        details={"actionId": action_id, "decision": decision},
    )
