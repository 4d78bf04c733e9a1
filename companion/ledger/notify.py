"""Listening to the ledger: one connection per companion receives every teammate's changes.

Writers send `NOTIFY <channel>, <payload>` inside the transaction that makes a change, so a
notification arrives only once the change is committed, and PostgreSQL delivers notifications of
different transactions in commit order. A listening connection that was lost may have missed some:
`on_reset` is called after every (re)connection, before any notification, so the owner can drop
what it derived from earlier ones (end event streams, empty caches) instead of keeping a silent gap.
The link is probed between notifications, so a partition is noticed within seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress

from psycopg import sql

from companion.ledger.errors import LedgerUnavailable
from companion.ledger.link import LINK_ERRORS, Conn, LinkSettings, bounded, connect

log = logging.getLogger(__name__)
Handler = Callable[[str], Awaitable[None]]
ACTIONS_CHANNEL = "spdesk_actions"  # payload: an action id whose row changed
WORK_CHANNEL = "spdesk_work"  # payload: an action id the feed builder should start


class Listener:
    """Feeds each notification's payload to its channel's handler, reconnecting for ever."""

    def __init__(
        self,
        link: LinkSettings,
        handlers: Mapping[str, Handler],
        on_reset: Callable[[], Awaitable[None]],
        *,
        probe_every: float = 2.0,
        retry_after: float = 0.5,
    ) -> None:
        self.link = link
        self.handlers = dict(handlers)
        self.on_reset = on_reset
        self.probe_every = probe_every
        self.retry_after = retry_after
        self.connected = asyncio.Event()

    async def run(self) -> None:
        """Listen until cancelled."""
        while True:
            conn = None
            try:
                conn = await connect(self.link)
                for channel in self.handlers:
                    await bounded(
                        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel))),
                        self.link.timeout,
                    )
                await self.on_reset()
                self.connected.set()
                await self._listen(conn)
            except (LedgerUnavailable, *LINK_ERRORS) as exc:
                log.info("ledger notifications interrupted (%s); reconnecting", type(exc).__name__)
            finally:
                self.connected.clear()
                if conn is not None:
                    with suppress(Exception):
                        await bounded(conn.close(), 1.0)
            await asyncio.sleep(self.retry_after)

    async def _listen(self, conn: Conn) -> None:
        while True:
            async for note in conn.notifies(timeout=self.probe_every):
                handler = self.handlers.get(note.channel)
                if handler is not None:
                    await self._deliver(handler, note.payload)
            # Quiet for a while: make sure the link is alive (a partition says nothing).
            await bounded(conn.execute("SELECT 1"), self.link.timeout)

    @staticmethod
    async def _deliver(handler: Handler, payload: str) -> None:
        try:
            await handler(payload)
        except LedgerUnavailable:
            raise  # the handler could not read the ledger: reconnect and reset
        except Exception:
            log.exception("handling a ledger notification failed")
