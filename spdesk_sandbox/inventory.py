"""FBA Inventory v1 `getInventorySummaries`: what Amazon's warehouses hold, with product titles.

Every SKU the seller has in Amazon's fulfillment network appears here: the lines of Multi-Channel
orders (which ship only from FBA stock) and of Amazon-fulfilled orders. `productName` is the
listing's title in the marketplace's language, as Amazon's model describes it; `inventoryDetails`
comes only with `details=true`. `sellerSkus` (up to 50, the model's limit) names the SKUs; SKUs
Amazon does not hold are simply absent from the answer. Without it, or with `startDateTime`, every
stocked SKU is listed on one page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from spdesk_sandbox.errors import invalid_input
from spdesk_sandbox.marketplaces import BY_ID
from spdesk_sandbox.params import iso, query_datetime, query_list
from spdesk_sandbox.records import Channel
from spdesk_sandbox.state import STATE, SandboxState

PATH = "/fba/inventory/v1/summaries"
MAX_SKUS = 50


@dataclass(frozen=True, slots=True)
class StockedProduct:
    """One SKU in Amazon's warehouses for one marketplace."""

    seller_sku: str
    product_name: str
    asin: str | None
    quantity: int

    @property
    def fn_sku(self) -> str:
        """Amazon's label id: the ASIN for manufacturer-barcoded goods, else an X00… FNSKU."""
        return self.asin or "X00" + _digest(self.seller_sku)[:7].upper()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def stocked_products(state: SandboxState, marketplace_id: str) -> dict[str, StockedProduct]:
    """Every SKU the seller keeps in FBA stock for the marketplace, by seller SKU."""
    asins: dict[str, str] = {}
    names: dict[str, str] = {}
    for order in state.orders.values():
        if order.marketplace_id != marketplace_id:
            continue
        for item in order.items:
            asins.setdefault(item.sku, item.asin)  # the listing's ASIN, whoever ships it
            if order.channel is Channel.FBA:
                names.setdefault(item.sku, item.title)
    for fulfillment in state.fulfillment_orders.values():
        if fulfillment.marketplace_id == marketplace_id:
            for line in fulfillment.items:
                names.setdefault(line.seller_sku, line.title)
    # A deterministic stock level per SKU: the numbers are not what spdesk reads.
    return {
        sku: StockedProduct(sku, name, asins.get(sku), 5 + int(_digest(sku)[:4], 16) % 200)
        for sku, name in names.items()
    }


def _details(product: StockedProduct) -> dict[str, Any]:
    return {
        "fulfillableQuantity": product.quantity,
        "inboundWorkingQuantity": 0,
        "inboundShippedQuantity": 0,
        "inboundReceivingQuantity": 0,
        "reservedQuantity": {
            "totalReservedQuantity": 0,
            "pendingCustomerOrderQuantity": 0,
            "pendingTransshipmentQuantity": 0,
            "fcProcessingQuantity": 0,
        },
        "researchingQuantity": {"totalResearchingQuantity": 0, "researchingQuantityBreakdown": []},
        "unfulfillableQuantity": {"totalUnfulfillableQuantity": 0},
    }


def summary_json(product: StockedProduct, details: bool, updated: str) -> dict[str, Any]:
    """One `InventorySummary`."""
    summary: dict[str, Any] = {
        "fnSku": product.fn_sku,
        "sellerSku": product.seller_sku,
        "condition": "NewItem",
        "lastUpdatedTime": updated,
        "productName": product.product_name,
        "totalQuantity": product.quantity,
    }
    if product.asin:
        summary["asin"] = product.asin
    if details:
        summary["inventoryDetails"] = _details(product)
    return summary


def _marketplace_id(request: web.Request) -> str:
    [marketplace_id] = query_list(request, "marketplaceIds", max_items=1) or [""]
    granularity = request.query.get("granularityId", "")
    if request.query.get("granularityType") != "Marketplace" or granularity != marketplace_id:
        raise invalid_input(
            "granularityType must be Marketplace and granularityId its marketplaceId.",
            f"granularityId '{granularity}', marketplaceIds '{marketplace_id}'.",
        )
    if marketplace_id not in BY_ID:
        raise invalid_input(f"Invalid marketplaceIds '{marketplace_id}'.")
    return marketplace_id


def _flag(request: web.Request, name: str) -> bool:
    raw = request.query.get(name, "false")
    if raw not in ("true", "false"):
        raise invalid_input(f"Invalid value '{raw}' for parameter {name}: expected true or false.")
    return raw == "true"


async def get_inventory_summaries(request: web.Request) -> web.Response:
    """GET /fba/inventory/v1/summaries: the summaries of the SKUs asked for (or of all)."""
    state = request.app[STATE]
    marketplace_id = _marketplace_id(request)
    skus = query_list(request, "sellerSkus", max_items=MAX_SKUS)
    details = _flag(request, "details")
    stock = stocked_products(state, marketplace_id)
    # With startDateTime Amazon ignores sellerSkus and lists what changed: here, everything.
    if query_datetime(request, "startDateTime") is not None or not skus:
        skus = sorted(stock)
    updated = iso(state.now())
    payload = {
        "granularity": {"granularityType": "Marketplace", "granularityId": marketplace_id},
        "inventorySummaries": [
            summary_json(stock[sku], details, updated) for sku in skus if sku in stock
        ],
    }
    return web.json_response({"payload": payload})


def setup(app: web.Application) -> None:
    """Register the FBA Inventory route (named by operationId)."""
    app.router.add_get(PATH, get_inventory_summaries, name="getInventorySummaries")
