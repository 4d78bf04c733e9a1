"""Advisory-lock keys of the ledger: (namespace, object) pairs, one namespace per kind of lock.

PostgreSQL advisory locks are named by two 32-bit integers. spdesk keeps to namespaces of its own
so that another application sharing the database cannot take its locks by accident; a hash
collision inside a namespace only makes two unrelated orders (or agents) wait for each other.
"""

from __future__ import annotations

import hashlib

_BASE = 0x53504400  # "SPD\0"
LEDGER = _BASE  # ledger-wide locks below
ORDERS = _BASE + 1  # one per (account, order): actions on one order run one at a time
AGENTS = _BASE + 2  # one per agent: a per-day limit is checked and used atomically

MIGRATIONS = (LEDGER, 1)  # schema upgrades run one at a time
FEED_LEADER = (LEDGER, 2)  # held by the companion that builds and submits the team's feeds


def object_key(*parts: str) -> int:
    """A signed 32-bit key for a name made of parts (stable across processes and machines)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def order_lock(account: str, order_id: str) -> tuple[int, int]:
    """The advisory-lock key of one order of one account."""
    return (ORDERS, object_key(account, order_id))


def agent_lock(agent: str) -> tuple[int, int]:
    """The advisory-lock key of one agent's limits."""
    return (AGENTS, object_key(agent))
