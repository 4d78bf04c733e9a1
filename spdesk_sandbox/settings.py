"""How a sandbox runs: address, seed, virtual-time speed, usage-plan scale and durations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from spdesk_sandbox.defaults import (
    ACCESS_TOKEN_TTL_SECONDS,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    SANDBOX_SELLER_ID,
)


@dataclass(slots=True)
class SandboxSettings:
    """How to run a sandbox. `speed` scales virtual time; `rate_scale` scales usage-plan rates."""

    host: str = "127.0.0.1"
    port: int = 0
    speed: float = 1.0
    seed_path: Path | None = None
    state_dir: Path | None = None
    bulk_orders: int = 0
    rate_scale: float = 1.0
    start_time: datetime | None = None  # virtual start; None = now (seed dates follow it)
    access_token_ttl_seconds: int = ACCESS_TOKEN_TTL_SECONDS
    feed_queue_seconds: float = 10.0  # virtual seconds a new feed waits IN_QUEUE (at least)
    feed_processing_seconds: float = 60.0  # virtual seconds a feed spends IN_PROGRESS
    gzip_reports: bool = False  # serve processing reports GZIP-compressed, as Amazon may
    posting_lag_seconds: float = 900.0  # virtual seconds before Finances shows a refund
    presigned_url_ttl_seconds: float = 300.0
    # Amazon's model files: when set, every SP-API request is checked against its operation.
    request_models_dir: Path | None = None
    client_id: str = SANDBOX_CLIENT_ID
    client_secret: str = field(default=SANDBOX_CLIENT_SECRET, repr=False)
    refresh_token: str = field(default=SANDBOX_REFRESH_TOKEN, repr=False)
    seller_id: str = SANDBOX_SELLER_ID

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError(f"speed must be positive, got {self.speed}")
        if self.rate_scale <= 0:
            raise ValueError(f"rate_scale must be positive, got {self.rate_scale}")
        if self.bulk_orders < 0:
            raise ValueError(f"bulk_orders must be 0 or more, got {self.bulk_orders}")
        if self.seed_path is not None:
            self.seed_path = Path(self.seed_path)
        if self.state_dir is not None:
            self.state_dir = Path(self.state_dir)
        if self.request_models_dir is not None:
            self.request_models_dir = Path(self.request_models_dir)
