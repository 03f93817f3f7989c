"""buyAgain: a new cart from an old order, what it leaves out, idempotency and races."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import col

from models.catalog import ProductVariant
from models.order import Cart, CartLine
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.support import GraphQLClient, count_statements

BUY_AGAIN = """
mutation BuyAgain($orderId: ID!) {
  buyAgain(input: {orderId: $orderId}) {
    cart { id checkoutUrl lines { quantity variant { id title available } } }
    unavailableLineItems { id title variantTitle quantity unitPrice { amount currencyCode } }
    userErrors { code field message }
  }
}
"""


async def carts(rt: Runtime) -> list[tuple[Any, ...]]:
    """Every cart line with its cart, for before/after comparisons."""
    async with rt.db.read() as session:
        rows = await session.execute(
            select(Cart.id, Cart.customer_id, Cart.source_order_id, CartLine.variant_id)
            .outerjoin(CartLine, col(CartLine.cart_id) == col(Cart.id))
            .order_by(col(Cart.id), col(CartLine.id))
        )
        return [tuple(row) for row in rows.all()]


async def test_buy_again_makes_a_cart_with_the_same_variants_and_quantities(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    beans = await factories.product(
        rt, title="House Blend", variants=[("12 oz", "15.00", True), ("2 lb", "34.00", True)]
    )
    small, large = beans.variants
    order = await factories.order(rt, ada, lines=[(small, 2), (large, 1)])

    # when
    data = await gql.data(BUY_AGAIN, {"orderId": to_global_id("Order", order.id)}, token=token)

    # then
    result = data["buyAgain"]
    assert result["userErrors"] == []
    assert result["unavailableLineItems"] == []
    assert result["cart"]["lines"] == [
        {
            "quantity": 2,
            "variant": {
                "id": to_global_id("ProductVariant", small.id),
                "title": "12 oz",
                "available": True,
            },
        },
        {
            "quantity": 1,
            "variant": {
                "id": to_global_id("ProductVariant", large.id),
                "title": "2 lb",
                "available": True,
            },
        },
    ]
    async with rt.db.read() as session:
        cart = (await session.scalars(select(Cart))).one()
    assert result["cart"]["id"] == to_global_id("Cart", cart.id)
    assert result["cart"]["checkoutUrl"] == f"https://shop.example/cart/{cart.token}"
    assert len(cart.token) >= 32
    assert (cart.customer_id, cart.source_order_id) == (ada.id, order.id)
    assert cart.created_at == rt.clock.now()
    assert await carts(rt) == [
        (cart.id, ada.id, order.id, small.id),
        (cart.id, ada.id, order.id, large.id),
    ]


async def test_buy_again_merges_lines_of_the_same_variant(gql: GraphQLClient, rt: Runtime) -> None:
    ada = await factories.customer(rt)
    made = await factories.product(rt)
    variant = made.variants[0]
    order = await factories.order(rt, ada, lines=[(variant, 2), (variant, 3)])

    data = await gql.data(
        BUY_AGAIN,
        {"orderId": to_global_id("Order", order.id)},
        token=await factories.login(rt, ada),
    )

    assert data["buyAgain"]["cart"]["lines"] == [
        {
            "quantity": 5,
            "variant": {
                "id": to_global_id("ProductVariant", variant.id),
                "title": "12 oz",
                "available": True,
            },
        }
    ]


async def test_buy_again_leaves_out_deleted_unavailable_and_archived_items(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given one line of each kind that can no longer be bought, and one that can
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    ok = await factories.product(rt, title="Still Sold")
    sold_out = await factories.product(rt, title="Sold Out", variants=[("12 oz", "9.00", False)])
    archived = await factories.product(rt, title="Archived", active=False)
    deleted = await factories.product(rt, title="Deleted")
    order = await factories.order(
        rt,
        ada,
        lines=[
            (ok.variants[0], 1),
            (sold_out.variants[0], 2),
            (archived.variants[0], 3),
            (deleted.variants[0], 4),
            (None, 5),
        ],
    )
    async with rt.db.transaction() as session:
        await session.execute(
            delete(ProductVariant).where(col(ProductVariant.id) == deleted.variants[0].id)
        )

    # when
    data = await gql.data(BUY_AGAIN, {"orderId": to_global_id("Order", order.id)}, token=token)

    # then
    result = data["buyAgain"]
    assert result["userErrors"] == []
    assert [line["variant"]["id"] for line in result["cart"]["lines"]] == [
        to_global_id("ProductVariant", ok.variants[0].id)
    ]
    assert [(item["title"], item["quantity"]) for item in result["unavailableLineItems"]] == [
        ("Sold Out", 2),
        ("Archived", 3),
        ("Deleted", 4),
        ("Retired Blend", 5),
    ]
    assert result["unavailableLineItems"][0]["unitPrice"] == {
        "amount": "9.00",
        "currencyCode": "USD",
    }
    assert all(
        base64.urlsafe_b64decode(item["id"] + "==").startswith(b"OrderLineItem:")
        for item in result["unavailableLineItems"]
    )


async def test_buy_again_refuses_when_nothing_is_available_and_creates_nothing(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    sold_out = await factories.product(rt, variants=[("12 oz", "9.00", False)])
    order = await factories.order(rt, ada, lines=[(sold_out.variants[0], 1), (None, 1)])
    before = await carts(rt)

    data = await gql.data(
        BUY_AGAIN,
        {"orderId": to_global_id("Order", order.id)},
        token=await factories.login(rt, ada),
    )

    assert data["buyAgain"]["cart"] is None
    # The refusal says which lines, as a partial success would.
    assert [
        (item["title"], item["variantTitle"], item["quantity"])
        for item in data["buyAgain"]["unavailableLineItems"]
    ] == [(sold_out.title, "12 oz", 1), ("Retired Blend", "8 oz", 1)]
    assert data["buyAgain"]["userErrors"] == [
        {
            "code": "NOT_ALLOWED_IN_STATE",
            "field": ["orderId"],
            "message": "None of these items are available.",
        }
    ]
    assert await carts(rt) == before == []


async def test_buy_again_treats_foreign_missing_and_malformed_ids_alike(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    jean = await factories.customer(rt)
    jeans_order = await factories.order(rt, jean)
    token = await factories.login(rt, ada)

    for order_id in (
        to_global_id("Order", jeans_order.id),
        to_global_id("Order", 999_999),
        to_global_id("Product", jeans_order.id),
        "not-an-id",
        "",
    ):
        data = await gql.data(BUY_AGAIN, {"orderId": order_id}, token=token)
        assert data["buyAgain"]["cart"] is None, order_id
        assert data["buyAgain"]["userErrors"] == [
            {"code": "NOT_FOUND", "field": ["orderId"], "message": "Order not found."}
        ], order_id
    assert await carts(rt) == []


async def test_buy_again_replays_the_first_cart_for_the_same_idempotency_key(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    variables = {"orderId": to_global_id("Order", order.id)}

    first = await gql.data(BUY_AGAIN, variables, token=token, headers={"Idempotency-Key": "k1"})
    replay = await gql.data(BUY_AGAIN, variables, token=token, headers={"Idempotency-Key": "k1"})
    after_replay = await carts(rt)
    other = await gql.data(BUY_AGAIN, variables, token=token, headers={"Idempotency-Key": "k2"})

    assert replay["buyAgain"] == first["buyAgain"]
    assert len(after_replay) == 1
    assert other["buyAgain"]["cart"]["id"] != first["buyAgain"]["cart"]["id"]
    assert len(await carts(rt)) == 2


async def test_buy_again_concurrent_calls_with_one_key_make_one_cart(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    variables = {"orderId": to_global_id("Order", order.id)}

    results = await asyncio.gather(
        *(
            gql.data(BUY_AGAIN, variables, token=token, headers={"Idempotency-Key": "same"})
            for _ in range(3)
        )
    )

    assert len({r["buyAgain"]["cart"]["id"] for r in results}) == 1
    assert len(await carts(rt)) == 1


async def test_buy_again_refuses_a_key_already_used_for_another_order(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    first = await factories.order(rt, ada)
    second = await factories.order(rt, ada)
    headers = {"Idempotency-Key": "reused"}
    await gql.data(
        BUY_AGAIN, {"orderId": to_global_id("Order", first.id)}, token=token, headers=headers
    )
    before = await carts(rt)

    data = await gql.data(
        BUY_AGAIN, {"orderId": to_global_id("Order", second.id)}, token=token, headers=headers
    )

    assert data["buyAgain"]["cart"] is None
    assert [e["code"] for e in data["buyAgain"]["userErrors"]] == ["INVALID"]
    assert await carts(rt) == before


async def test_buy_again_needs_a_session(gql: GraphQLClient, rt: Runtime) -> None:
    order = await factories.order(rt, await factories.customer(rt))

    body = await gql(BUY_AGAIN, {"orderId": to_global_id("Order", order.id)})

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await carts(rt) == []


CART_NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Cart { checkoutUrl lines { quantity variant { title } } } } }"""


async def test_the_cart_is_read_back_by_its_owner_only(gql: GraphQLClient, rt: Runtime) -> None:
    ada, bob = await factories.customer(rt), await factories.customer(rt)
    token, bob_token = await factories.login(rt, ada), await factories.login(rt, bob)
    beans = await factories.product(rt, title="House Blend", variants=[("12 oz", "15.00", True)])
    order = await factories.order(rt, ada, lines=[(beans.variants[0], 3)])
    made = await gql.data(BUY_AGAIN, {"orderId": to_global_id("Order", order.id)}, token=token)
    cart = made["buyAgain"]["cart"]

    with count_statements(rt.db) as counter:
        read = await gql.data(CART_NODE, {"id": cart["id"]}, token=token)

    assert read["node"] == {
        "__typename": "Cart",
        "id": cart["id"],
        "checkoutUrl": cart["checkoutUrl"],
        "lines": [{"quantity": 3, "variant": {"title": "12 oz"}}],
    }
    # The session, the cart, its lines, their variants: one query each.
    assert counter.count <= 5, counter.statements
    assert (await gql.data(CART_NODE, {"id": cart["id"]}, token=bob_token))["node"] is None
    assert (await gql.data(CART_NODE, {"id": cart["id"]}))["node"] is None
