"""The demo: sandbox, companion and a demo helpdesk inbox running together."""

from __future__ import annotations

from companion.config import Settings

DEMO_KEYRING_SERVICE = "spdesk-demo"


def demo_settings(port: int = 8765) -> Settings:
    """The demo's own dirs and keyring entry, apart from the real accounts."""
    base = Settings.load()
    return Settings.load(
        config_dir=base.config_dir / "demo",
        data_dir=base.data_dir / "demo",
        keyring_service=DEMO_KEYRING_SERVICE,
        port=port,
    )
