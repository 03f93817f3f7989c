"""Catalogue: Shop.products search and pagination, Product/ProductVariant nodes."""

from __future__ import annotations

import base64

import orjson
import pytest
from sqlalchemy import delete, update

from models.catalog import Product, ProductVariant
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.support import GraphQLClient, count_statements

PRODUCTS = """
query Products($query: String, $first: Int, $after: String) {
  shop {
    products(query: $query, first: $first, after: $after) {
      edges {
        cursor
        node {
          id title handle imageUrl
          variants { id title sku price { amount currencyCode } available product { title } }
        }
      }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    ... on Product { id title }
    ... on ProductVariant { id title product { id title } }
  }
}
"""


def titles(data: dict) -> list[str]:  # type: ignore[type-arg]
    return [edge["node"]["title"] for edge in data["shop"]["products"]["edges"]]


async def test_products_lists_active_products_by_title_with_variants(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    espresso = await factories.product(
        rt,
        title="Espresso Roast",
        variants=[("12 oz", "16.50", True), ("2 lb", "38.00", False)],
        image_url="https://cdn.example/espresso.jpg",
    )
    await factories.product(rt, title="Breakfast Blend")
    await factories.product(rt, title="Archived Decaf", active=False)

    # when
    data = await gql.data(PRODUCTS)

    # then
    assert titles(data) == ["Breakfast Blend", "Espresso Roast"]
    node = data["shop"]["products"]["edges"][1]["node"]
    assert node["id"] == to_global_id("Product", espresso.id)
    assert node["handle"] == espresso.handle
    assert node["imageUrl"] == "https://cdn.example/espresso.jpg"
    assert node["variants"] == [
        {
            "id": to_global_id("ProductVariant", espresso.variants[0].id),
            "title": "12 oz",
            "sku": espresso.variants[0].sku,
            "price": {"amount": "16.50", "currencyCode": "USD"},
            "available": True,
            "product": {"title": "Espresso Roast"},
        },
        {
            "id": to_global_id("ProductVariant", espresso.variants[1].id),
            "title": "2 lb",
            "sku": espresso.variants[1].sku,
            "price": {"amount": "38.00", "currencyCode": "USD"},
            "available": False,
            "product": {"title": "Espresso Roast"},
        },
    ]


async def test_products_search_is_case_insensitive_substring(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.product(rt, title="House Blend")
    await factories.product(rt, title="BLENDED Chai")
    await factories.product(rt, title="Colombia Single Origin")
    await factories.product(rt, title="Old Blend", active=False)

    data = await gql.data(PRODUCTS, {"query": "  blend "})

    assert titles(data) == ["BLENDED Chai", "House Blend"]


async def test_products_search_takes_like_wildcards_literally(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.product(rt, title="100% Arabica")
    await factories.product(rt, title="1000 Hills Rwanda")
    await factories.product(rt, title="Cold_Brew Pack")
    await factories.product(rt, title="Cold Brew Pack")

    assert titles(await gql.data(PRODUCTS, {"query": "100%"})) == ["100% Arabica"]
    assert titles(await gql.data(PRODUCTS, {"query": "_"})) == ["Cold_Brew Pack"]


async def test_products_without_query_or_with_explicit_null_or_blank_lists_all(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.product(rt, title="A")
    await factories.product(rt, title="B")

    assert titles(await gql.data(PRODUCTS)) == ["A", "B"]
    assert titles(await gql.data(PRODUCTS, {"query": None})) == ["A", "B"]
    assert titles(await gql.data(PRODUCTS, {"query": "   "})) == ["A", "B"]


async def test_products_refuses_an_over_long_query(gql: GraphQLClient, rt: Runtime) -> None:
    await factories.product(rt, title="x" * 100)

    ok = await gql.data(PRODUCTS, {"query": "x" * 100})
    body = await gql(PRODUCTS, {"query": "x" * 101})

    assert titles(ok) == ["x" * 100]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "100 characters" in body["errors"][0]["message"]


async def test_products_paginates_by_title_then_id_without_gaps(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # Two products share a title: the id tie-break must keep both.
    for title in ["Delta", "Alpha", "Charlie", "Bravo", "Bravo"]:
        await factories.product(rt, title=title)

    first = await gql.data(PRODUCTS, {"first": 2})
    page1 = first["shop"]["products"]
    second = await gql.data(PRODUCTS, {"first": 2, "after": page1["pageInfo"]["endCursor"]})
    page2 = second["shop"]["products"]
    third = await gql.data(PRODUCTS, {"first": 2, "after": page2["pageInfo"]["endCursor"]})
    page3 = third["shop"]["products"]

    assert titles(first) == ["Alpha", "Bravo"]
    assert titles(second) == ["Bravo", "Charlie"]
    assert titles(third) == ["Delta"]
    assert page1["pageInfo"]["hasNextPage"] is True
    assert page1["pageInfo"]["hasPreviousPage"] is False
    assert page2["pageInfo"]["hasPreviousPage"] is True
    assert page3["pageInfo"]["hasNextPage"] is False
    ids = [e["node"]["id"] for p in (page1, page2, page3) for e in p["edges"]]
    assert len(set(ids)) == 5


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        # A title with a NUL byte, which PostgreSQL would refuse as a parameter.
        base64.urlsafe_b64encode(orjson.dumps([["s", "a\u0000b"], ["i", 1]])).decode(),
    ],
)
async def test_products_refuses_a_cursor_it_did_not_issue(
    gql: GraphQLClient, rt: Runtime, cursor: str
) -> None:
    await factories.product(rt)

    body = await gql(PRODUCTS, {"after": cursor})

    assert body["errors"][0]["message"] == "Invalid cursor"
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_products_query_count_does_not_grow_with_the_page(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.product(rt, title="P0", variants=[("a", "1.00", True), ("b", "2.00", True)])
    with count_statements(rt.db) as small:
        await gql.data(PRODUCTS)
    for i in range(1, 6):
        await factories.product(
            rt, title=f"P{i}", variants=[("a", "1.00", True), ("b", "2.00", True)]
        )

    with count_statements(rt.db) as large:
        data = await gql.data(PRODUCTS)

    assert len(titles(data)) == 6
    assert large.count == small.count


async def test_node_returns_active_products_and_their_variants_to_any_viewer(
    gql: GraphQLClient, rt: Runtime
) -> None:
    made = await factories.product(rt, title="Kenya AA")
    token = await factories.login(rt, await factories.customer(rt))

    product = await gql.data(NODE, {"id": to_global_id("Product", made.id)}, token=token)
    variant = await gql.data(
        NODE, {"id": to_global_id("ProductVariant", made.variants[0].id)}, token=token
    )

    assert product["node"] == {
        "__typename": "Product",
        "id": to_global_id("Product", made.id),
        "title": "Kenya AA",
    }
    assert variant["node"]["__typename"] == "ProductVariant"
    assert variant["node"]["product"] == {
        "id": to_global_id("Product", made.id),
        "title": "Kenya AA",
    }


async def test_node_hides_inactive_products_their_variants_and_missing_ids(
    gql: GraphQLClient, rt: Runtime
) -> None:
    made = await factories.product(rt, title="Retired")
    token = await factories.login(rt, await factories.customer(rt))
    async with rt.db.transaction() as session:
        await session.execute(update(Product).where(Product.id == made.id).values(active=False))  # type: ignore[arg-type]

    for global_id in (
        to_global_id("Product", made.id),
        to_global_id("ProductVariant", made.variants[0].id),
        to_global_id("Product", 999_999),
        to_global_id("ProductVariant", 999_999),
    ):
        assert (await gql.data(NODE, {"id": global_id}, token=token))["node"] is None


async def test_node_needs_a_session_even_for_catalogue_objects(
    gql: GraphQLClient, rt: Runtime
) -> None:
    made = await factories.product(rt)

    data = await gql.data(NODE, {"id": to_global_id("Product", made.id)})

    assert data["node"] is None


async def test_product_without_variants_has_an_empty_list(gql: GraphQLClient, rt: Runtime) -> None:
    made = await factories.product(rt, title="Gift Card")
    async with rt.db.transaction() as session:
        await session.execute(
            delete(ProductVariant).where(ProductVariant.product_id == made.id)  # type: ignore[arg-type]
        )

    data = await gql.data(PRODUCTS)

    assert data["shop"]["products"]["edges"][0]["node"]["variants"] == []
