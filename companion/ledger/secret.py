"""The ledger password: in the OS keyring under the ledger's address, never in a file."""

from __future__ import annotations

import keyring
import keyring.errors

from companion.errors import KeyringUnavailable
from companion.ledger.dsn import describe
from companion.ledger.link import LinkSettings


def _service(keyring_service: str) -> str:
    return f"{keyring_service}-ledger"


def ledger_password(keyring_service: str, dsn: str) -> str | None:
    """The stored password of this ledger address, or None (the server may need none)."""
    try:
        return keyring.get_password(_service(keyring_service), describe(dsn))
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(details={"reason": type(exc).__name__}) from None


def store_ledger_password(keyring_service: str, dsn: str, password: str) -> None:
    """Keep the password of this ledger address in the keyring."""
    try:
        keyring.set_password(_service(keyring_service), describe(dsn), password)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(details={"reason": type(exc).__name__}) from None


def link_settings(keyring_service: str, dsn: str, *, agent: str, **timing: float) -> LinkSettings:
    """How this companion reaches the ledger, with the password from the keyring."""
    return LinkSettings(
        dsn=dsn,
        password=ledger_password(keyring_service, dsn),
        application_name=f"spdesk {agent}"[:63],
        **timing,  # type: ignore[arg-type]
    )
