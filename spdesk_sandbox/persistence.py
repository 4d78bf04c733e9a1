"""Optional state directory: the sandbox saves its orders and money moves and restores them."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter, ValidationError

from spdesk_sandbox.clock import Clock
from spdesk_sandbox.records import Adjustment, Cancellation, FulfillmentOrder, Order
from spdesk_sandbox.seed import load_seed
from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.state import SandboxState

log = logging.getLogger(__name__)
STATE_FILE = "sandbox-state.json"
FORMAT_VERSION = 1
SAVE_INTERVAL_SECONDS = 0.5


class StateFileError(ValueError):
    """A state directory whose file cannot be read back; the message names the file."""


@dataclass
class Snapshot:
    """What survives a restart: the virtual time, the world, and issued access tokens."""

    format: int
    clock_now: datetime
    orders: list[Order]
    fulfillment_orders: list[FulfillmentOrder]
    adjustments: list[Adjustment]
    cancellations: list[Cancellation]
    access_tokens: dict[str, datetime] = field(default_factory=dict)


_ADAPTER = TypeAdapter(Snapshot)


def state_file(state_dir: Path) -> Path:
    """Where the snapshot lives inside a state directory."""
    return state_dir / STATE_FILE


def save_state(state: SandboxState) -> None:
    """Write the snapshot atomically (temp file + rename)."""
    if state.settings.state_dir is None:
        return
    snapshot = Snapshot(
        FORMAT_VERSION,
        state.now(),
        list(state.orders.values()),
        list(state.fulfillment_orders.values()),
        state.adjustments,
        state.cancellations,
        dict(state.access_tokens),
    )
    target = state_file(state.settings.state_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_suffix(".tmp")
    temp.write_bytes(_ADAPTER.dump_json(snapshot, indent=1))
    os.replace(temp, target)


def load_state(settings: SandboxSettings) -> SandboxState | None:
    """The state saved in `settings.state_dir`, or None when there is none yet."""
    if settings.state_dir is None:
        return None
    path = state_file(settings.state_dir)
    if not path.exists():
        return None
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        snapshot = _ADAPTER.validate_python(raw)
    except (OSError, ValueError, ValidationError) as exc:
        raise StateFileError(f"cannot restore the sandbox from {path}: {exc}") from None
    if snapshot.format != FORMAT_VERSION:
        raise StateFileError(f"{path} has format {snapshot.format}, expected {FORMAT_VERSION}")
    clock = Clock(settings.speed, snapshot.clock_now)
    seed = load_seed(settings.seed_path, settings.bulk_orders, settings.start_time or clock.start)
    state = SandboxState.create(settings, seed)
    state.clock = clock
    state.orders = {o.order_id: o for o in snapshot.orders}
    state.fulfillment_orders = {
        f.seller_fulfillment_order_id: f for f in snapshot.fulfillment_orders
    }
    state.adjustments = snapshot.adjustments
    state.cancellations = snapshot.cancellations
    state.access_tokens = snapshot.access_tokens
    return state


def setup_persistence(app: web.Application, state: SandboxState) -> None:
    """Save the state shortly after every change and once more on shutdown."""
    if state.settings.state_dir is None:
        return

    async def saver(_app: web.Application) -> AsyncIterator[None]:
        async def loop() -> None:
            saved = -1
            while True:
                if state.version != saved:
                    saved = state.version
                    save_state(state)
                await asyncio.sleep(SAVE_INTERVAL_SECONDS)

        task = asyncio.create_task(loop())
        yield
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        save_state(state)

    app.cleanup_ctx.append(saver)
