"""The team's journal on PostgreSQL: actions, history, Idempotency-Keys, batches, approvals.

The same operations as the SQLite journal, asynchronous, each one transaction (or part of the
caller's order transaction, see scope.py). Every change of an action notifies the team in the
same transaction (`spdesk_actions`; `spdesk_work` when an action is ready for the feed builder).
Batches are claimed, never assigned: an action joins a batch only while it is queued and in no
live batch, and a batch moves to `creating` only while its builder's term is current.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from companion.actions.models import RESOLUTIONS, TRANSITIONS, ActionState
from companion.actions.ports import (
    ActionQuery,
    ApprovalRequest,
    IdempotencyKeyTaken,
    InvalidTransition,
    Move,
)
from companion.actions.record import Action, AmazonResult, Notice
from companion.actions.schema import (
    Batch,
    Change,
    action_from_row,
    action_to_row,
    batch_from_row,
)
from companion.ledger.link import Conn
from companion.ledger.notify import ACTIONS_CHANNEL, WORK_CHANNEL
from companion.ledger.rows import (
    CASTS,
    INSERT_ACTION,
    ISO,
    SELECT_ACTIONS,
    SELECT_BATCHES,
    approval_of,
    where,
)
from companion.ledger.scope import Transactions

BATCH_LIVE = ["open", "uploaded", "creating", "submitted", "processing"]
UNFINISHED = frozenset(
    {
        ActionState.AWAITING_APPROVAL,
        ActionState.ACCEPTED,
        ActionState.QUEUED,
        ActionState.SUBMITTED,
        ActionState.PROCESSING,
    }
)


class NotLeader(Exception):
    """This companion's term as feed builder is over: it must not touch batches."""


class PostgresJournal:
    """The journal of a team ledger."""

    def __init__(self, tx: Transactions, companion_id: str = "") -> None:
        self.tx = tx
        self.companion_id = companion_id

    # -- reading ---------------------------------------------------------------------------
    async def find(self, query: ActionQuery) -> list[Action]:
        """Actions matching a typed filter."""
        clause, params = where(query)
        return await self.tx.read(lambda c: _select(c, f"{SELECT_ACTIONS} WHERE {clause}", params))

    async def get(self, action_id: str) -> Action | None:
        """One action with its history and approval, or None."""
        found = await self.tx.read(
            lambda c: _select(c, f"{SELECT_ACTIONS} WHERE a.id = %s", [action_id])
        )
        return found[0] if found else None

    async def for_order(self, order_id: str) -> list[Action]:
        """Every action of one order, newest first (every teammate's)."""
        return await self.find(ActionQuery(order_id=order_id))

    async def unfinished(self) -> list[Action]:
        """Actions not yet in a terminal state, oldest first."""
        return await self.find(ActionQuery(states=UNFINISHED, oldest_first=True))

    async def in_batch(self, batch_id: str) -> list[Action]:
        """The actions of one feed batch, by message id."""
        statement = f"{SELECT_ACTIONS} WHERE a.batch_id = %s ORDER BY a.message_id"
        return await self.tx.read(lambda c: _select(c, statement, [batch_id]))

    async def idempotent(self, key: str) -> tuple[str, str] | None:
        """(body hash, action id) already stored under this Idempotency-Key, if any."""

        async def work(conn: Conn) -> tuple[str, str] | None:
            cursor = await conn.execute(
                "SELECT body_hash, action_id FROM idempotency WHERE key = %s", (key,)
            )
            row = await cursor.fetchone()
            return (str(row[0]), str(row[1])) if row else None

        return await self.tx.read(work)

    # -- writing actions ---------------------------------------------------------------------
    async def create(
        self,
        action: Action,
        *,
        idempotency_key: str | None,
        body_hash: str,
        approval: ApprovalRequest | None = None,
    ) -> Action:
        """Insert a new action with its key (and its approval request) in one transaction."""
        values = {**action_to_row(action), "companion": self.companion_id}

        async def work(conn: Conn) -> None:
            async with conn.pipeline():  # one round trip for every statement
                await conn.execute(INSERT_ACTION, values)
                await _history(conn, action.id, action.state, None)
                key = None
                if idempotency_key is not None:
                    key = await conn.execute(
                        "INSERT INTO idempotency (key, body_hash, action_id, created_at) "
                        "VALUES (%s, %s, %s, now()) ON CONFLICT (key) DO NOTHING",
                        (idempotency_key, body_hash, action.id),
                    )
                if approval is not None:
                    await conn.execute(
                        "INSERT INTO approvals (action_id, requested_by, requested_at, "
                        "expires_at, why, why_code, why_params) VALUES (%s, %s, now(), "
                        "now() + %s * interval '1 second', %s, %s, %s)",
                        (
                            action.id,
                            action.agent,
                            approval.ttl,
                            approval.why.text,
                            approval.why.code,
                            Jsonb(dict(approval.why.params)),
                        ),
                    )
                await _notify(conn, action.id, action.state)
            if key is not None and key.rowcount != 1:
                # Stored meanwhile by another request; raising ends this transaction.
                raise IdempotencyKeyTaken(idempotency_key)

        await self.tx.run(work)
        return await self._get(action.id)

    async def transition(
        self,
        action_id: str,
        state: ActionState,
        *,
        detail: str | None = None,
        amazon: AmazonResult | None = None,
        warnings: tuple[Notice, ...] | None = None,
        feed_id: str | None = None,
    ) -> Action:
        """Move an action to a new state (and record Amazon's answer, warnings, the feed id)."""
        change = Change(amazon, warnings, feed_id)
        await self.tx.run(lambda conn: _transition(conn, action_id, state, detail, change))
        return await self._get(action_id)

    async def transition_many(
        self, moves: list[Move], *, detail: str | None = None
    ) -> list[Action]:
        """Several moves in one transaction (a whole feed batch changes at once)."""

        async def work(conn: Conn) -> None:
            for action_id, state, change in moves:
                await _transition(conn, action_id, state, detail, change)

        await self.tx.run(work)
        return [await self._get(action_id) for action_id, _, _ in moves]

    async def update(self, action_id: str, *, warnings: tuple[Notice, ...]) -> Action:
        """Change the warnings without a state change."""

        async def work(conn: Conn) -> None:
            await _set(conn, action_id, Change(warnings=warnings).columns())
            await conn.execute("SELECT pg_notify(%s, %s)", (ACTIONS_CHANNEL, action_id))

        await self.tx.run(work)
        return await self._get(action_id)

    async def resolve(
        self, action_id: str, state: ActionState, *, by: str, note: str, detail: str
    ) -> ActionState:
        """Settle an `unknown` action by a person's finding; returns the state found before."""
        if state not in RESOLUTIONS:
            raise InvalidTransition(f"{action_id}: unknown -> {state}")

        async def work(conn: Conn) -> ActionState:
            before = await _lock_state(conn, action_id)
            if before is not ActionState.UNKNOWN:
                return before
            at = await _now(conn)
            resolution = {"state": state.value, "by": by, "note": note, "at": at}
            await conn.execute(
                "UPDATE actions SET extra = extra || jsonb_build_object('resolution', "
                "%s::jsonb) WHERE id = %s",
                (json.dumps(resolution), action_id),
            )
            await _move(conn, action_id, state, detail, {}, at)
            return before

        return await self.tx.run(work)

    async def _get(self, action_id: str) -> Action:
        found = await self.get(action_id)
        if found is None:
            raise KeyError(action_id)
        return found

    # -- approvals ---------------------------------------------------------------------------
    async def decide(
        self,
        action_id: str,
        decision: str,
        *,
        by: str,
        note: str,
        state: ActionState,
        detail: str,
        said: AmazonResult | None = None,
        expired: bool = False,
    ) -> Action | None:
        """Record a decision on a pending request and move the action; None when not pending.

        A request is decided only before it expires, and expired only after.
        """
        due = "expires_at <= now()" if expired else "expires_at > now()"
        statement = (
            "UPDATE approvals SET decision = %s, decided_by = %s, decided_at = now(), "  # noqa: S608
            f"note = %s WHERE action_id = %s AND decision IS NULL AND {due}"
        )

        async def work(conn: Conn) -> bool:
            cursor = await conn.execute(statement, (decision, by, note, action_id))
            if cursor.rowcount != 1:
                return False
            await _transition(conn, action_id, state, detail, Change(amazon=said))
            return True

        return await self._get(action_id) if await self.tx.run(work) else None

    async def expired_approvals(self) -> list[str]:
        """Ids of refunds whose approval request has expired undecided."""

        async def work(conn: Conn) -> list[str]:
            cursor = await conn.execute(
                "SELECT action_id FROM approvals WHERE decision IS NULL AND expires_at <= now() "
                "ORDER BY expires_at"
            )
            return [str(row[0]) for row in await cursor.fetchall()]

        return await self.tx.run(work)

    # -- feed batches ------------------------------------------------------------------------
    async def claim_batch(
        self, batch_id: str, key: tuple[str, str, str], action_ids: list[str], term: int | None
    ) -> list[Action]:
        """Make a batch of those actions still queued and in no live batch; returns them."""

        async def work(conn: Conn) -> list[str]:
            if not await _term_current(conn, term):
                raise NotLeader()
            cursor = await conn.execute(
                "SELECT a.id FROM actions a LEFT JOIN batches b ON b.id = a.batch_id "
                "WHERE a.id = ANY(%s) AND a.state = 'queued' "
                "AND (a.batch_id IS NULL OR b.state = 'dissolved') FOR UPDATE OF a",
                (action_ids,),
            )
            free = {str(row[0]) for row in await cursor.fetchall()}
            claimed = [a for a in dict.fromkeys(action_ids) if a in free]
            if not claimed:
                return []
            await conn.execute(
                "INSERT INTO batches (id, account, feed_type, marketplace_id, state, leader_epoch, "
                "created_at, updated_at) VALUES (%s, %s, %s, %s, 'open', %s, now(), now())",
                (batch_id, *key, term or 0),
            )
            await conn.execute(
                "UPDATE actions a SET batch_id = %s, message_id = m.n, updated_at = now() "
                "FROM unnest(%s::text[], %s::int[]) AS m(id, n) WHERE a.id = m.id",
                (batch_id, claimed, list(range(1, len(claimed) + 1))),
            )
            return claimed

        claimed = await self.tx.run(work)
        return await self.in_batch(batch_id) if claimed else []

    async def start_create_feed(self, batch_id: str, term: int | None) -> bool:
        """Move an uploaded batch to `creating` (the step before createFeed); False: send nothing.

        Refused when the caller's term is over, or another batch of the queue is creating.
        """

        async def work(conn: Conn) -> bool:
            if not await _term_current(conn, term):
                return False
            try:
                async with conn.transaction():  # a savepoint: a refusal must not end the caller's
                    cursor = await conn.execute(
                        "UPDATE batches SET state = 'creating', "
                        "create_started_at = clock_timestamp(), updated_at = now() "
                        "WHERE id = %s AND state = 'uploaded'",
                        (batch_id,),
                    )
            except psycopg.errors.UniqueViolation:
                return False
            return cursor.rowcount == 1

        return await self.tx.run(work)

    async def update_batch(
        self,
        batch_id: str,
        *,
        state: str | None = None,
        document_id: str | None = None,
        detail: dict[str, object] | None = None,
    ) -> None:
        """Change a batch's state, document id or detail."""
        values: dict[str, Any] = {"state": state, "document_id": document_id}
        values["detail"] = json.dumps(detail) if detail is not None else None
        values = {k: v for k, v in values.items() if v is not None}
        statement = sql.SQL("UPDATE batches SET {}, updated_at = now() WHERE id = {}").format(
            sql.SQL(", ").join(
                sql.SQL("{} = {}{}").format(
                    sql.Identifier(k),
                    sql.Placeholder(k),
                    sql.SQL("::jsonb" if k == "detail" else ""),
                )
                for k in values
            ),
            sql.Placeholder("batch_id"),
        )
        await self.tx.run(lambda conn: conn.execute(statement, {**values, "batch_id": batch_id}))

    async def batch_submitted(self, batch_id: str, feed_id: str) -> list[Action]:
        """Amazon gave the batch a feed id: record it on the batch and its actions at once."""

        async def work(conn: Conn) -> list[str]:
            await conn.execute(
                "UPDATE batches SET state = 'submitted', feed_id = %s, updated_at = now() "
                "WHERE id = %s",
                (feed_id, batch_id),
            )
            cursor = await conn.execute(
                "SELECT id FROM actions WHERE batch_id = %s ORDER BY message_id", (batch_id,)
            )
            members = [str(row[0]) for row in await cursor.fetchall()]
            for action_id in members:
                change = Change(feed_id=feed_id)
                await _transition(conn, action_id, ActionState.SUBMITTED, None, change)
            return members

        members = await self.tx.run(work)
        return [await self._get(action_id) for action_id in members]

    async def batch(self, batch_id: str) -> Batch | None:
        """One batch, or None."""
        found = await self._batches("WHERE id = %s", [batch_id])
        return found[0] if found else None

    async def open_batches(self) -> list[Batch]:
        """Batches whose outcome is not settled yet, oldest first."""
        return await self._batches("WHERE state = ANY(%s) ORDER BY created_at, id", [BATCH_LIVE])

    async def batches(self, account: str) -> list[Batch]:
        """Every batch of an account, oldest first."""
        return await self._batches("WHERE account = %s ORDER BY created_at, id", [account])

    async def known_feed_ids(self, account: str) -> set[str]:
        """Feed ids the team created for this account."""
        found = await self._batches("WHERE account = %s AND feed_id IS NOT NULL", [account])
        return {b.feed_id for b in found if b.feed_id}

    async def _batches(self, clause: str, params: list[Any]) -> list[Batch]:
        async def work(conn: Conn) -> list[Batch]:
            async with conn.cursor(row_factory=dict_row) as cursor:
                await cursor.execute(f"{SELECT_BATCHES} {clause}", params)
                return [batch_from_row(row) for row in await cursor.fetchall()]

        return await self.tx.run(work)


async def _select(conn: Conn, statement: str, params: list[Any]) -> list[Action]:
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(statement, params)
        rows = await cursor.fetchall()
    return [action_from_row(row, row["history"], approval_of(row)) for row in rows]


async def _now(conn: Conn) -> str:
    cursor = await conn.execute(f"SELECT {ISO.format('clock_timestamp()')}")
    row = await cursor.fetchone()
    assert row is not None
    return str(row[0])


async def _history(conn: Conn, action_id: str, state: ActionState, detail: str | None) -> None:
    await conn.execute(
        "INSERT INTO history (action_id, state, at, detail) VALUES (%s, %s, clock_timestamp(), %s)",
        (action_id, state.value, detail),
    )


async def _notify(conn: Conn, action_id: str, state: ActionState) -> None:
    await conn.execute("SELECT pg_notify(%s, %s)", (ACTIONS_CHANNEL, action_id))
    if state is ActionState.ACCEPTED:
        await conn.execute("SELECT pg_notify(%s, %s)", (WORK_CHANNEL, action_id))


async def _lock_state(conn: Conn, action_id: str) -> ActionState:
    cursor = await conn.execute("SELECT state FROM actions WHERE id = %s FOR UPDATE", (action_id,))
    row = await cursor.fetchone()
    if row is None:
        raise KeyError(action_id)
    return ActionState(row[0])


# The states each state may be reached from (the lifecycle, read the other way round).
_FROM = {
    target: sorted(s.value for s, allowed in TRANSITIONS.items() if target in allowed)
    for target in ActionState
}


async def _transition(
    conn: Conn, action_id: str, state: ActionState, detail: str | None, change: Change
) -> None:
    """Move an action if the lifecycle allows it from its current state, in one round trip."""
    async with conn.pipeline():
        cursor = await _set(
            conn, action_id, {**change.columns(), "state": state.value}, allowed=_FROM[state]
        )
        await _history_after(conn, action_id, state, detail)
        await _notify(conn, action_id, state)
    if cursor.rowcount != 1:
        current = await _lock_state(conn, action_id)  # raises KeyError for an unknown id
        raise InvalidTransition(f"{action_id}: {current} -> {state}")


async def _move(
    conn: Conn,
    action_id: str,
    state: ActionState,
    detail: str | None,
    columns: dict[str, object],
    at: str | None = None,
) -> None:
    await _set(conn, action_id, {**columns, "state": state.value}, at)
    await conn.execute(
        "INSERT INTO history (action_id, state, at, detail) "
        "VALUES (%s, %s, coalesce(%s::timestamptz, clock_timestamp()), %s)",
        (action_id, state.value, at, detail),
    )
    await _notify(conn, action_id, state)


async def _set(
    conn: Conn,
    action_id: str,
    columns: dict[str, object],
    at: str | None = None,
    allowed: list[str] | None = None,
) -> Any:
    """Write columns given in the journal's text format (names from this package).

    With `allowed`, only while the action is in one of those states (a lifecycle move).
    """
    statement = sql.SQL(
        "UPDATE actions SET {}, updated_at = coalesce({}::timestamptz, clock_timestamp()) "
        "WHERE id = {} AND ({}::text[] IS NULL OR state = ANY({}::text[]))"
    ).format(
        sql.SQL(", ").join(
            sql.SQL("{} = {}{}").format(
                sql.Identifier(k), sql.Placeholder(k), sql.SQL(CASTS.get(k, ""))
            )
            for k in columns
        ),
        sql.Placeholder("updated_at"),
        sql.Placeholder("action_id"),
        sql.Placeholder("allowed"),
        sql.Placeholder("allowed"),
    )
    params = {**columns, "updated_at": at, "action_id": action_id, "allowed": allowed}
    return await conn.execute(statement, params)


async def _history_after(
    conn: Conn, action_id: str, state: ActionState, detail: str | None
) -> None:
    # Written only if the move above happened (a refused move leaves no history).
    await conn.execute(
        "INSERT INTO history (action_id, state, at, detail) SELECT id, %s, clock_timestamp(), "
        "%s FROM actions WHERE id = %s AND state = %s",
        (state.value, detail, action_id, state.value),
    )


async def _term_current(conn: Conn, term: int | None) -> bool:
    if term is None:
        return False  # not the feed builder
    if term == 0:
        return True  # tools and tests that act alone
    cursor = await conn.execute("SELECT epoch FROM leader WHERE name = 'feeds'")
    row = await cursor.fetchone()
    return row is not None and int(row[0]) == term
