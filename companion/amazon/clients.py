"""Builds python-amazon-sp-api's async clients for one account, immune to its env lookups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr
from sp_api.asyncio.api import Feeds, Finances, FulfillmentOutbound, Orders
from sp_api.asyncio.auth.access_token_client import AccessTokenClient
from sp_api.asyncio.auth.access_token_client import cache as _token_cache
from sp_api.auth._core import build_cache_key
from sp_api.base import fill_query_params
from sp_api.base.credential_provider import FromCodeCredentialProvider

from companion.accounts import Account, Credentials
from companion.amazon.transport import ObservedTransport, tls_context
from companion.marketplaces import LWA_TOKEN_URL, REGION_HOSTS, marketplace

ORDERS_VERSION = "2026-01-01"
CANCEL_FULFILLMENT_ORDER = "/fba/outbound/2020-07-01/fulfillmentOrders/{}/cancel"


@dataclass(frozen=True)
class Target:
    """Where and as whom one gateway talks: endpoint, LWA URL, marketplaces and the LWA secrets."""

    name: str
    endpoint: str
    lwa_url: str
    marketplace_ids: tuple[str, ...]
    client_id: str
    client_secret: SecretStr = field(repr=False)
    refresh_token: SecretStr = field(repr=False)

    @classmethod
    def of(cls, account: Account, credentials: Credentials) -> Target:
        """The target of a configured account (the sandbox sets its own endpoint and LWA URL)."""
        return cls(
            name=account.name,
            endpoint=(account.endpoint or REGION_HOSTS[account.region]).rstrip("/"),
            lwa_url=account.lwa_url or LWA_TOKEN_URL,
            marketplace_ids=tuple(marketplace(code).id for code in account.marketplaces),
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            refresh_token=credentials.refresh_token,
        )

    @property
    def token_cache_key(self) -> str:
        """The key of this account's access token in the library's process-wide cache."""
        return str(build_cache_key(self.refresh_token.get_secret_value()))

    def evict_access_token(self) -> None:
        """Forget the cached access token so the next call fetches a fresh one."""
        _token_cache.pop(self.token_cache_key, None)


@dataclass(frozen=True)
class _Place:
    """A marketplace-like object: the library reads only these three attributes."""

    endpoint: str
    marketplace_id: str
    region: str


@dataclass
class SpApiClients:
    """The four library clients of one account, each on its own observed httpx client."""

    orders: Any
    finances: Any
    outbound: Any
    feeds: Any
    http: list[httpx.AsyncClient] = field(default_factory=list)

    def all(self) -> list[Any]:
        """Every library client."""
        return [self.orders, self.finances, self.outbound, self.feeds]

    async def aclose(self) -> None:
        """Close the pooled HTTP connections."""
        for http in self.http:
            await http.aclose()


def _token_client_class(lwa_url: str) -> type[AccessTokenClient]:
    parts = urlsplit(lwa_url)
    return type(
        "SpdeskAccessTokenClient",
        (AccessTokenClient,),
        {"scheme": f"{parts.scheme}://", "host": parts.netloc, "path": parts.path or "/"},
    )


def _library_options(target: Target) -> dict[str, Any]:
    """Constructor arguments every library client gets: nothing left for it to look up."""
    return {
        "credentials": {
            "refresh_token": target.refresh_token.get_secret_value(),
            "lwa_app_id": target.client_id,
            "lwa_client_secret": target.client_secret.get_secret_value(),
        },
        # Without this the library falls back to env variables and ~/.config/python-sp-api.
        "credential_providers": [FromCodeCredentialProvider],
        "auth_token_client_class": _token_client_class(target.lwa_url),
        # The library builds httpx clients of its own (build_clients replaces them): share one
        # TLS context so that costs nothing.
        "verify": tls_context(),
    }


def build_clients(target: Target, new_http: Callable[[], httpx.AsyncClient]) -> SpApiClients:
    """Create the library clients with explicit credentials, endpoint and marketplace."""
    place = _Place(target.endpoint, target.marketplace_ids[0], "")
    common = _library_options(target)
    clients = SpApiClients(
        orders=Orders(place, version=ORDERS_VERSION, **common),
        finances=Finances(place, version="v0", **common),
        outbound=FulfillmentOutbound(place, **common),
        feeds=Feeds(place, version="2021-06-30", **common),
    )
    for client in clients.all():
        # SP_API_DEFAULT_MARKETPLACE silently overrides the marketplace passed in: set it back.
        client.endpoint = target.endpoint
        client.marketplace_id = target.marketplace_ids[0]
        # A pool per API: Orders and Finances are read at once for every lookup, and two
        # concurrent requests on one httpx pool cost measurably more CPU than on two.
        http = new_http()
        clients.http.append(http)
        client._transport = client._auth._transport = ObservedTransport(http)
    return clients


async def cancel_fulfillment_order(outbound: Any, seller_fulfillment_order_id: str) -> Any:
    """cancelFulfillmentOrder exactly as Amazon's model has it: a PUT without a body.

    The library's own method puts marketplace ids into a JSON body, which the model does not
    declare and Amazon may refuse (docs/amazon.md); its `_request` can leave them out.
    """
    path = fill_query_params(CANCEL_FULFILLMENT_ORDER, seller_fulfillment_order_id)
    return await outbound._request(path, data={"method": "PUT"}, add_marketplace=False)
