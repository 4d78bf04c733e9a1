"""Seller accounts in the real OS keyring: add, list, default, remove; no secret ever on disk."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from pydantic import SecretStr, ValidationError

from companion.accounts import Account, AccountStore, Credentials
from companion.errors import Conflict, KeyringUnavailable, NoAccount, NotFound
from companion.marketplaces import Region

SECRET = "amzn1.oa2-cs.v1.f00dfacecafe-test-client-secret"
REFRESH = "Atzr|IwEBI-test-refresh-token-0123456789abcdef"


def _credentials(suffix: str = "") -> Credentials:
    return Credentials(
        client_id="amzn1.application-oa2-client.test",
        client_secret=SecretStr(SECRET + suffix),
        refresh_token=SecretStr(REFRESH + suffix),
    )


def _files(*dirs: Path) -> list[Path]:
    return [p for d in dirs if d.exists() for p in d.rglob("*") if p.is_file()]


def test_add_list_default_remove(keyring_store: AccountStore) -> None:
    with pytest.raises(NoAccount):
        keyring_store.default()
    us = Account(name="acme-us", region=Region.NA, marketplaces=["US", "ca"])
    eu = Account(name="acme-eu", region=Region.EU, marketplaces=["DE", "GB"])
    keyring_store.add(us, _credentials("-us"))
    keyring_store.add(eu, _credentials("-eu"))

    assert [a.name for a in keyring_store.list()] == ["acme-us", "acme-eu"]
    assert keyring_store.get("acme-eu").marketplaces == ["DE", "UK"]
    assert keyring_store.default().name == "acme-us"
    keyring_store.set_default("acme-eu")
    assert keyring_store.resolve(None).name == "acme-eu"

    creds = keyring_store.credentials("acme-eu")
    assert creds.client_secret.get_secret_value() == SECRET + "-eu"
    assert creds.refresh_token.get_secret_value() == REFRESH + "-eu"

    keyring_store.remove("acme-eu")
    assert keyring_store.default().name == "acme-us"
    assert keyring.get_password(keyring_store.settings.keyring_service, "acme-eu") is None
    with pytest.raises(NotFound):
        keyring_store.get("acme-eu")


def test_no_secret_on_disk(keyring_store: AccountStore) -> None:
    keyring_store.add(Account(name="acme", region=Region.NA, marketplaces=["US"]), _credentials())
    settings = keyring_store.settings
    files = _files(settings.config_dir, settings.data_dir)
    assert settings.accounts_file in files
    for path in files:
        data = path.read_bytes()
        assert SECRET.encode() not in data and REFRESH.encode() not in data, path
    assert settings.accounts_file.stat().st_mode & 0o077 == 0


def test_secrets_do_not_show_in_repr(keyring_store: AccountStore) -> None:
    keyring_store.add(Account(name="acme", region=Region.NA, marketplaces=["US"]), _credentials())
    creds = keyring_store.credentials("acme")
    assert SECRET not in repr(creds) and SECRET not in str(creds)
    assert REFRESH not in repr(creds)


def test_same_name_needs_replace(keyring_store: AccountStore) -> None:
    account = Account(name="acme", region=Region.NA, marketplaces=["US"])
    keyring_store.add(account, _credentials())
    with pytest.raises(Conflict) as refused:
        keyring_store.add(account, _credentials("-new"))
    assert refused.value.code == "account_exists"
    keyring_store.add(account, _credentials("-new"), replace=True)
    assert keyring_store.credentials("acme").client_secret.get_secret_value() == SECRET + "-new"
    assert len(keyring_store.list()) == 1


def test_missing_keyring_entry_says_what_to_do(keyring_store: AccountStore) -> None:
    keyring_store.add(Account(name="acme", region=Region.NA, marketplaces=["US"]), _credentials())
    keyring.delete_password(keyring_store.settings.keyring_service, "acme")
    with pytest.raises(KeyringUnavailable) as missing:
        keyring_store.credentials("acme")
    assert missing.value.code == "credentials_missing"
    assert "spdesk account add acme --replace" in missing.value.message


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"region": "NA", "marketplaces": ["DE"]}, "region EU, not NA"),
        ({"region": "EU", "marketplaces": ["XX"]}, "unknown marketplace"),
        ({"region": "EU", "marketplaces": []}, "at least 1"),
        ({"region": "EU", "marketplaces": ["DE"], "name": "has space"}, "letters, digits"),
    ],
)
def test_invalid_accounts_are_refused(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Account.model_validate({"name": "acme", **fields})
    assert problem in str(refused.value)


def test_sandbox_account_may_span_regions() -> None:
    account = Account(
        name="sandbox", region=Region.NA, marketplaces=["US", "DE", "JP"], sandbox=True
    )
    assert account.marketplaces == ["US", "DE", "JP"]
