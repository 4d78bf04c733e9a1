"""Seller accounts: non-secret metadata in the config dir, credentials only in the OS keyring."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)

from companion.config import Settings, write_private_json
from companion.errors import Conflict, KeyringUnavailable, NoAccount, NotFound, SpdeskError
from companion.marketplaces import Region, UnknownMarketplaceError, marketplace

log = logging.getLogger(__name__)

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"
_NAME = re.compile(NAME_PATTERN)


def _account_name(name: str) -> str:
    # Said in words: a person reads it at the terminal, not the pattern.
    if not _NAME.fullmatch(name):
        raise ValueError(
            "an account name is 1 to 40 letters, digits, '.', '_' or '-', and starts with a "
            "letter or a digit (e.g. acme-us)"
        )
    return name


T = TypeVar("T")


class Account(BaseModel):
    """One seller account: where it lives at Amazon, never how it logs in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, AfterValidator(_account_name)]
    region: Region
    marketplaces: list[str] = Field(min_length=1)
    seller_id: str | None = None
    lwa_url: str | None = None
    endpoint: str | None = None
    sandbox: bool = False

    @model_validator(mode="after")
    def _marketplaces_known(self) -> Account:
        codes = []
        for key in self.marketplaces:
            try:
                found = marketplace(key)
            except UnknownMarketplaceError:
                raise ValueError(f"unknown marketplace {key!r}") from None
            # One seller account is one region at Amazon; the sandbox serves every region at once.
            if found.region != self.region and not self.sandbox:
                raise ValueError(
                    f"marketplace {found.code} is in region {found.region}, not {self.region}"
                )
            codes.append(found.code)
        object.__setattr__(self, "marketplaces", list(dict.fromkeys(codes)))
        return self


class Credentials(BaseModel):
    """The LWA app and the seller's refresh token; lives only in memory and in the keyring."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    refresh_token: SecretStr

    def to_keyring(self) -> str:
        """The JSON stored as the keyring entry's password."""
        return json.dumps(
            {
                "client_id": self.client_id,
                "client_secret": self.client_secret.get_secret_value(),
                "refresh_token": self.refresh_token.get_secret_value(),
            }
        )


def _backend_name(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _usable_backend() -> KeyringBackend:
    """The OS keyring, or KeyringUnavailable when there is none (or only a plaintext one)."""
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # keyring's discovery can raise anything its backends raise
        raise KeyringUnavailable(details={"reason": type(exc).__name__}) from None
    name = _backend_name(backend)
    # keyrings.alt stores secrets in plain files; fail.Keyring means nothing usable was found.
    if name.startswith(("keyring.backends.fail", "keyrings.alt", "keyring.backends.null")):
        raise KeyringUnavailable(details={"backend": name})
    return backend


def keyring_backend_name() -> str:
    """A human-readable name of the keyring in use (for doctor), or raise KeyringUnavailable."""
    return _backend_name(_usable_backend())


class AccountStore:
    """Several seller accounts; the first one added is the default until another is chosen."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()

    # -- metadata (config dir) ----------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        path = self.settings.accounts_file
        if not path.is_file():
            return {"default": None, "accounts": []}
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
                raise ValueError("not an account file")
            for entry in data["accounts"]:
                Account.model_validate(entry)
        except (OSError, ValueError, ValidationError):
            raise SpdeskError(
                f"The account file {path} is damaged. Remove it and add the accounts again.",
                code="accounts_file_invalid",
                params={"path": str(path)},
            ) from None
        return data

    def _write(self, data: dict[str, Any]) -> None:
        write_private_json(self.settings.accounts_file, data)

    def list(self) -> list[Account]:
        """Every configured account, in the order they were added."""
        return [Account.model_validate(a) for a in self._read()["accounts"]]

    def get(self, name: str) -> Account:
        """The account called ``name``; NotFound when there is none."""
        for account in self.list():
            if account.name == name:
                return account
        raise NotFound(
            f"There is no seller account called '{name}'.",
            code="account_not_found",
            params={"account": name},
        )

    def default_name(self) -> str | None:
        """The default account's name, or None when no account exists."""
        data = self._read()
        names = [a["name"] for a in data["accounts"]]
        if data.get("default") in names:
            return str(data["default"])
        return names[0] if names else None

    def default(self) -> Account:
        """The account used when a request names none; NoAccount when nothing is set up."""
        name = self.default_name()
        if name is None:
            raise NoAccount()
        return self.get(name)

    def resolve(self, name: str | None) -> Account:
        """``get(name)``, or the default account when ``name`` is None."""
        return self.default() if name is None else self.get(name)

    def set_default(self, name: str) -> None:
        """Make ``name`` the default account."""
        with self._lock:
            self.get(name)
            data = self._read()
            data["default"] = name
            self._write(data)

    def add(self, account: Account, credentials: Credentials, *, replace: bool = False) -> None:
        """Store credentials in the keyring, then the metadata; nothing half-written on failure."""
        with self._lock:
            data = self._read()
            exists = any(a["name"] == account.name for a in data["accounts"])
            if exists and not replace:
                raise Conflict(
                    f"An account called '{account.name}' already exists; add it again "
                    "with --replace to change it.",
                    code="account_exists",
                    params={"account": account.name},
                )
            backend = _usable_backend()
            self._keyring_call(
                backend.set_password,
                self.settings.keyring_service,
                account.name,
                credentials.to_keyring(),
            )
            try:
                data["accounts"] = [a for a in data["accounts"] if a["name"] != account.name]
                data["accounts"].append(account.model_dump(mode="json"))
                self._write(data)
            except OSError:
                self._delete_secret(backend, account.name)
                raise
        log.info(
            "account %s added (%s, %s)",
            account.name,
            account.region,
            ",".join(account.marketplaces),
        )

    def remove(self, name: str) -> None:
        """Forget the account: its metadata and its keyring entry."""
        with self._lock:
            self.get(name)
            data = self._read()
            data["accounts"] = [a for a in data["accounts"] if a["name"] != name]
            if data.get("default") == name:
                data["default"] = None
            self._write(data)
            self._delete_secret(_usable_backend(), name)
        log.info("account %s removed", name)

    def credentials(self, name: str) -> Credentials:
        """The account's credentials, read from the OS keyring."""
        self.get(name)
        backend = _usable_backend()
        raw = self._keyring_call(backend.get_password, self.settings.keyring_service, name)
        if raw is None:
            raise KeyringUnavailable(
                f"The keyring holds no credentials for the account '{name}'. "
                f"Run 'spdesk account add {name} --replace' to enter them again.",
                code="credentials_missing",
                params={"case": "missing", "account": name},
            )
        try:
            return Credentials.model_validate_json(raw)
        except ValidationError:
            raise KeyringUnavailable(
                f"The keyring entry of the account '{name}' is damaged. "
                f"Run 'spdesk account add {name} --replace' to enter the credentials again.",
                code="credentials_missing",
                params={"case": "damaged", "account": name},
            ) from None

    # -- keyring --------------------------------------------------------------------------------
    def _delete_secret(self, backend: KeyringBackend, name: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):  # already gone
            self._keyring_call(backend.delete_password, self.settings.keyring_service, name)

    @staticmethod
    def _keyring_call(fn: Callable[..., T], *args: str) -> T:
        """Call the keyring, turning a locked or vanished keyring into KeyringUnavailable."""
        try:
            return fn(*args)
        except keyring.errors.PasswordDeleteError:
            raise
        except Exception as exc:  # D-Bus, Secret Service and keychain errors all end up here
            raise KeyringUnavailable(details={"reason": type(exc).__name__}) from None
