"""FBA Inventory getInventorySummaries through python-amazon-sp-api: titles of FBA stock by SKU."""

from __future__ import annotations

from sp_api.asyncio.api import Inventories

from spdesk_sandbox.server import SandboxServer
from tests.plugins.sandbox import spapi_client
from tests.sandbox.contract import Call, ContractCase
from tests.sandbox.schema import find_operation, validate_body

PATH = "/fba/inventory/v1/summaries"
DE = "A1PA6795UKMFR9"
US = "ATVPDKIKX0DER"


def _query(marketplace_id: str, skus: str, **more: str) -> dict[str, str]:
    return {
        "granularityType": "Marketplace",
        "granularityId": marketplace_id,
        "marketplaceIds": marketplace_id,
        "sellerSkus": skus,
        **more,
    }


async def test_titles_in_the_marketplace_language(sandbox: SandboxServer) -> None:
    skus = ["BW-THERMO-1L-ROT", "BW-TEE-SIEB-EDEL", "NOT-IN-STOCK"]
    async with spapi_client(Inventories, sandbox, marketplace="DE") as inventory:
        response = await inventory.get_inventory_summary_marketplace(
            details=True, sellerSkus=skus, marketplaceIds=[DE]
        )
    summaries = {s["sellerSku"]: s for s in response.payload["inventorySummaries"]}
    assert set(summaries) == {"BW-THERMO-1L-ROT", "BW-TEE-SIEB-EDEL"}  # unknown SKUs are absent
    assert summaries["BW-TEE-SIEB-EDEL"]["productName"] == (
        "Teesieb aus Edelstahl mit Deckel, 2er-Set"
    )
    assert summaries["BW-THERMO-1L-ROT"]["asin"] == "B08BZ7F4MW"  # the listing's, from its orders
    assert all("inventoryDetails" in s for s in summaries.values())
    granularity = response.payload["granularity"]
    assert granularity == {"granularityType": "Marketplace", "granularityId": DE}


async def test_details_only_when_asked(sandbox: SandboxServer) -> None:
    async with spapi_client(Inventories, sandbox) as inventory:
        response = await inventory.get_inventory_summary_marketplace(
            sellerSkus=["FBA-CAND-SOY-3"], marketplaceIds=[US]
        )
    [summary] = response.payload["inventorySummaries"]
    assert summary["productName"] == "Soy Wax Scented Candles, Set of 3"
    assert "inventoryDetails" not in summary and summary["fnSku"].startswith("X00")


async def test_answers_conform_to_amazons_model(sandbox: SandboxServer) -> None:
    operation = find_operation("get", PATH)
    async with spapi_client(Inventories, sandbox) as inventory:
        for details in (True, False):
            response = await inventory.get_inventory_summary_marketplace(
                details=details,
                sellerSkus=["FBA-BTL-INS-32", "FBA-MATCH-LONG"],
                marketplaceIds=[US],
            )
            validate_body(operation, 200, {"payload": response.payload})


async def test_usage_plan_is_amazons(sandbox: SandboxServer) -> None:
    plan = sandbox.state.throttle.plans["getInventorySummaries"]
    assert (plan.rate, plan.burst) == (2.0, 2)


async def _calls(server: SandboxServer) -> list[Call]:
    return [
        Call("GET", PATH, _query(US, "FBA-BTL-INS-32,FBA-MATCH-LONG", details="true")),
        Call("GET", PATH, _query(DE, "BW-THERMO-1L-ROT")),
        Call("GET", PATH, _query(US, "NOT-IN-STOCK")),
        Call("GET", PATH, _query(US, ",".join(f"SKU-{n}" for n in range(51))), expect=400),
        Call("GET", PATH, {**_query(US, "FBA-BTL-INS-32"), "granularityId": DE}, expect=400),
    ]


CONTRACT_CASES = [ContractCase("getInventorySummaries", _calls)]
