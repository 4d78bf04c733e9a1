"""Does an account work? Log in with its keyring credentials and make one cheap SP-API call."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from companion.accounts import AccountStore
from companion.amazon.pool import GatewayPool
from companion.amazon.retry import RetryPolicy
from companion.errors import SpdeskError

log = logging.getLogger(__name__)

# getFeeds is cheap, read-only and needs the same role as the refunds spdesk sends.
PROBE_FEED_TYPE = "POST_PAYMENT_ADJUSTMENT_DATA"
# A person is waiting at the terminal: fail fast instead of retrying for half a minute.
PROBE_POLICY = RetryPolicy(max_attempts=2, deadline=10.0)


@dataclass(frozen=True)
class ProbeResult:
    """The outcome of one account check."""

    ok: bool
    message: str


async def probe_account(store: AccountStore, name: str) -> ProbeResult:
    """Get an access token and list the last day's refund feeds for ``name``."""
    account = store.get(name)
    where = "the sandbox" if account.sandbox else f"Amazon ({account.region.value})"
    pool = GatewayPool(store, request_timeout=5.0, policy=PROBE_POLICY)
    try:
        try:
            gateway = await pool.get(name)  # reads the keyring; no network yet
        except SpdeskError as exc:
            return ProbeResult(False, exc.message)
        since = datetime.now(UTC) - timedelta(days=1)
        feeds = await gateway.get_feeds([PROBE_FEED_TYPE], created_since=since)
    except SpdeskError as exc:
        return ProbeResult(False, f"{where} refused or did not answer: {exc.message}")
    finally:
        await pool.aclose()
    return ProbeResult(
        True, f"OK: logged in to {where} and read {len(feeds)} refund feed(s) of the last 24 hours."
    )
