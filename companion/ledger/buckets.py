"""Amazon's token buckets shared by a team, kept in the ledger and refilled by its clock.

Amazon meters a seller account, not a computer: ten companions each with a full createFeed bucket
would spend ten times the quota and collect 429s. In team mode the buckets of the operations the
team shares live in `rate_buckets`; one statement refills a bucket against the database server's
clock (so companions whose clocks disagree still agree) and takes a token, under the row's lock.
The rate is the one the caller last learnt from Amazon (x-amzn-RateLimit-Limit), from then on.
"""

from __future__ import annotations

from typing import Any

from companion.ledger.link import Conn, LedgerLink

_ENSURE = """
INSERT INTO rate_buckets (account, operation, tokens, rate, burst, updated_at)
VALUES (%(account)s, %(operation)s, %(burst)s, %(rate)s, %(burst)s, clock_timestamp())
ON CONFLICT (account, operation) DO NOTHING"""
# Refill, then take one token if there is a whole one; returns (taken, seconds until one is due).
_TAKE = """
WITH now AS (SELECT clock_timestamp() AS t),
bucket AS (
  SELECT least(burst, tokens + rate * extract(epoch FROM (now.t - updated_at))) AS level, rate
  FROM rate_buckets, now
  WHERE account = %(account)s AND operation = %(operation)s FOR UPDATE OF rate_buckets)
UPDATE rate_buckets r
SET tokens = CASE WHEN bucket.level >= 1 AND %(take)s THEN bucket.level - 1 ELSE bucket.level END,
    rate = %(rate)s, updated_at = now.t
FROM bucket, now
WHERE r.account = %(account)s AND r.operation = %(operation)s
RETURNING bucket.level"""
_DRAIN = """
UPDATE rate_buckets
SET tokens = least(0, tokens + rate * extract(epoch FROM (clock_timestamp() - updated_at))),
    updated_at = clock_timestamp()
WHERE account = %(account)s AND operation = %(operation)s"""


class SharedBuckets:
    """The team's token buckets of one ledger (rates and bursts as the gateway's plans say)."""

    def __init__(self, link: LedgerLink) -> None:
        self.link = link

    async def try_take(self, account: str, operation: str, rate: float, burst: float) -> float:
        """Take a token and return 0, or return the seconds until one is due (nothing taken)."""
        level = await self._step(account, operation, rate, burst, take=True)
        return 0.0 if level >= 1 else (1 - level) / rate

    async def tokens(self, account: str, operation: str, rate: float, burst: float) -> float:
        """Tokens available now (nothing taken)."""
        return await self._step(account, operation, rate, burst, take=False)

    async def drain(self, account: str, operation: str) -> None:
        """Amazon throttled a teammate anyway: the bucket is empty for everyone."""
        params = {"account": account, "operation": operation}
        await self.link.run(lambda conn: conn.execute(_DRAIN, params))

    async def _step(
        self, account: str, operation: str, rate: float, burst: float, *, take: bool
    ) -> float:
        params: dict[str, Any] = {
            "account": account,
            "operation": operation,
            "rate": rate,
            "burst": burst,
            "take": take,
        }

        async def work(conn: Conn) -> float:
            cursor = await conn.execute(_TAKE, params)
            row = await cursor.fetchone()
            if row is None:  # first use by anyone: the bucket starts full
                await conn.execute(_ENSURE, params)
                cursor = await conn.execute(_TAKE, params)
                row = await cursor.fetchone()
            assert row is not None
            return float(row[0])

        return await self.link.run(work)
