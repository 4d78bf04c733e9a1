"""Electing the team's feed builder: a session advisory lock on a connection of its own.

The companion holding the lock builds, sends and follows the team's feeds and polls Finances.
Taking the lock starts a new term (`leader.epoch`); every batch write checks the term, so a
companion that lost the lock cannot start a createFeed. The lock goes with its connection: a
companion that dies gives it up at once, and one cut off from the server gives it up when the
server ends its idle session (its heartbeats stop arriving), so another takes over within seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from companion.ledger.errors import LedgerUnavailable
from companion.ledger.keys import FEED_LEADER
from companion.ledger.link import LINK_ERRORS, Conn, LinkSettings, bounded, connect

log = logging.getLogger(__name__)
NAME = "feeds"
_TAKE_TERM = """
INSERT INTO leader (name, epoch, holder, since, heartbeat_at) VALUES (%s, 1, %s, now(), now())
ON CONFLICT (name) DO UPDATE
  SET epoch = leader.epoch + 1, holder = excluded.holder, since = now(), heartbeat_at = now()
RETURNING epoch"""
_HEARTBEAT = "UPDATE leader SET heartbeat_at = now() WHERE name = %s AND epoch = %s"


@dataclass(frozen=True)
class LeaderTiming:
    """How often to try for the lock and to renew it, and when the server ends a silent leader."""

    poll: float = 1.0
    heartbeat: float = 1.0
    idle_session: float = 5.0


DEFAULT_TIMING = LeaderTiming()


class Leadership:
    """Runs for the companion's lifetime, calling `on_gain(term)` and `on_loss()` as the lock moves.

    `on_gain` must return quickly (start work, do not do it): the heartbeat waits for it, and the
    server ends a session that stays silent for `idle_session` seconds.
    """

    def __init__(
        self,
        link: LinkSettings,
        holder: str,
        on_gain: Callable[[int], Awaitable[None]],
        on_loss: Callable[[], Awaitable[None]],
        timing: LeaderTiming = DEFAULT_TIMING,
    ) -> None:
        self.link = link
        self.holder = holder
        self.on_gain = on_gain
        self.on_loss = on_loss
        self.timing = timing
        self.term: int | None = None

    @property
    def leading(self) -> bool:
        """True while this companion holds the lock."""
        return self.term is not None

    async def run(self) -> None:
        """Try for the lock, lead while it holds, start again after a loss; until cancelled."""
        while True:
            conn = None
            try:
                conn = await connect(
                    self.link, idle_session_timeout=f"{int(self.timing.idle_session * 1000)}"
                )
                await self._contend(conn)
                await self._lead(conn)
            except (LedgerUnavailable, *LINK_ERRORS) as exc:
                log.info("feed builder election: ledger not reachable (%s)", type(exc).__name__)
            finally:
                await self._step_down()
                if conn is not None:
                    with suppress(Exception):
                        await bounded(conn.close(), 1.0)
            await asyncio.sleep(self.timing.poll)

    async def _contend(self, conn: Conn) -> None:
        while True:
            if await self._query(conn, "SELECT pg_try_advisory_lock(%s, %s)", FEED_LEADER):
                break
            await asyncio.sleep(self.timing.poll)
        self.term = int(await self._query(conn, _TAKE_TERM, (NAME, self.holder)))
        log.info("this companion now builds the team's feeds (term %s)", self.term)
        await self.on_gain(self.term)

    async def _lead(self, conn: Conn) -> None:
        while True:
            await asyncio.sleep(self.timing.heartbeat)
            cursor = await bounded(conn.execute(_HEARTBEAT, (NAME, self.term)), self.link.timeout)
            if cursor.rowcount != 1:
                log.warning("feed builder term %s ended by another companion", self.term)
                return

    async def _step_down(self) -> None:
        if self.term is None:
            return
        log.info("this companion no longer builds the team's feeds (term %s)", self.term)
        self.term = None
        await self.on_loss()

    async def _query(self, conn: Conn, sql: str, params: tuple[object, ...]) -> Any:
        async def one() -> Any:
            cursor = await conn.execute(sql, params)
            row = await cursor.fetchone()
            return row[0] if row else None

        return await bounded(one(), self.link.timeout)
