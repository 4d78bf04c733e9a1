"""The seller account that points the companion at a running sandbox."""

from __future__ import annotations

from pydantic import SecretStr

from companion.accounts import Account, AccountStore, Credentials
from companion.marketplaces import Region
from spdesk_sandbox import defaults

# The sandbox serves every region on one URL, so one account may span them.
SANDBOX_MARKETPLACES = ["US", "CA", "UK", "DE", "FR", "IT", "ES", "JP"]


def sandbox_account(url: str, name: str = defaults.SANDBOX_ACCOUNT_NAME) -> Account:
    """An account whose SP-API and LWA endpoints are the sandbox at ``url``."""
    return Account(
        name=name,
        region=Region.NA,
        marketplaces=SANDBOX_MARKETPLACES,
        seller_id=defaults.SANDBOX_SELLER_ID,
        lwa_url=f"{url}/auth/o2/token",
        endpoint=url,
        sandbox=True,
    )


def sandbox_credentials() -> Credentials:
    """The sandbox's fixed LWA app and refresh token (they open nothing but the sandbox)."""
    return Credentials(
        client_id=defaults.SANDBOX_CLIENT_ID,
        client_secret=SecretStr(defaults.SANDBOX_CLIENT_SECRET),
        refresh_token=SecretStr(defaults.SANDBOX_REFRESH_TOKEN),
    )


def install_sandbox_account(store: AccountStore, url: str) -> Account:
    """Store (or refresh) the sandbox account, in the keyring like a real one."""
    account = sandbox_account(url)
    store.add(account, sandbox_credentials(), replace=True)
    return account
