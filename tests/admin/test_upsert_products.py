"""upsertProducts: the store's catalogue by its own ids and SKUs, whole or not at all."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from models.catalog import Product, ProductVariant
from plumbing.runtime import Runtime
from tests import factories
from tests.admin.support import admin, api_key

UPSERT = """mutation($input: UpsertProductsInput!) {
  upsertProducts(input: $input) {
    products { storeProductId title handle active swapEligible upsellEligible
               variants { sku title price available } }
    userErrors { code field }
  }
}"""
BEANS: dict[str, Any] = {
    "storeProductId": "prod-1",
    "title": "Coffee beans",
    "upsellEligible": True,
    "variants": [
        {"sku": "BEAN-250", "title": "250 g", "price": "9.50"},
        {"sku": "BEAN-1K", "title": "1 kg", "price": "30.00", "available": False},
    ],
}


def _beans(**changes: Any) -> dict[str, Any]:
    value = copy.deepcopy(BEANS)
    value.update(changes)
    return value


async def _catalogue(rt: Runtime) -> tuple[int, int]:
    async with rt.db.read() as session:
        products = await session.scalar(select(func.count()).select_from(Product))
        variants = await session.scalar(select(func.count()).select_from(ProductVariant))
    return int(products or 0), int(variants or 0)


async def test_products_are_created_then_updated_by_the_stores_ids(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    key = await api_key(rt, "products:write")

    created = await admin(http, rt, UPSERT, {"input": {"products": [_beans()]}}, key=key)
    [product] = created["data"]["upsertProducts"]["products"]
    assert product == {
        "storeProductId": "prod-1",
        "title": "Coffee beans",
        "handle": "p-prod-1",
        "active": True,
        "swapEligible": True,
        "upsellEligible": True,
        "variants": [
            {"sku": "BEAN-250", "title": "250 g", "price": "9.50", "available": True},
            {"sku": "BEAN-1K", "title": "1 kg", "price": "30.00", "available": False},
        ],
    }

    changed = _beans(title="House beans", swapEligible=False)
    changed["variants"] = [{"sku": "BEAN-250", "title": "250 g", "price": "10.00"}]
    updated = await admin(http, rt, UPSERT, {"input": {"products": [changed]}}, key=key)

    [product] = updated["data"]["upsertProducts"]["products"]
    assert (product["title"], product["swapEligible"]) == ("House beans", False)
    # The variant left out stays (orders name it) but can no longer be bought.
    assert [(v["sku"], v["price"], v["available"]) for v in product["variants"]] == [
        ("BEAN-250", "10.00", True),
        ("BEAN-1K", "30.00", False),
    ]
    assert await _catalogue(rt) == (1, 2)
    found = await admin(
        http, rt, '{ products(storeProductIds: ["prod-1", "nope"]) { title } }', key=key
    )
    assert found["data"]["products"] == [{"title": "House beans"}]


@pytest.mark.parametrize(
    ("value", "code", "path"),
    [
        (_beans(title=" "), "INVALID", ["input", "products", "1", "title"]),
        (_beans(handle="Bad Handle"), "INVALID", ["input", "products", "1", "handle"]),
        (_beans(imageUrl="http://x"), "INVALID", ["input", "products", "1", "imageUrl"]),
        (_beans(variants=[]), "INVALID", ["input", "products", "1", "variants"]),
        (
            _beans(variants=[{"sku": "B", "title": "x", "price": "1.001"}]),
            "INVALID",
            ["input", "products", "1", "variants", "0", "price"],
        ),
        (
            _beans(variants=[{"sku": "OTHER-SKU", "title": "x", "price": "1.00"}]),
            "TAKEN",
            ["input", "products", "1", "variants", "0", "sku"],
        ),
        (_beans(handle="taken-handle"), "TAKEN", ["input", "products", "1", "handle"]),
    ],
)
async def test_a_bad_product_refuses_the_whole_batch(
    http: httpx.AsyncClient, rt: Runtime, value: dict[str, Any], code: str, path: list[str]
) -> None:
    await factories.product(rt, handle="taken-handle")
    async with rt.db.transaction() as session:
        row = (await session.scalars(select(ProductVariant))).one()
        row.sku = "OTHER-SKU"
    key = await api_key(rt, "products:write")
    before = await _catalogue(rt)
    good = _beans(storeProductId="prod-0", variants=[{"sku": "G", "title": "g", "price": "1"}])

    body = await admin(http, rt, UPSERT, {"input": {"products": [good, value]}}, key=key)

    result = body["data"]["upsertProducts"]
    assert result["products"] == []
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, path)]
    assert await _catalogue(rt) == before
