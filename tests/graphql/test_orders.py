"""Order history: Customer.orders, the Order type and its edges, node(id:)."""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import delete, select
from sqlmodel import col

from app.main import create_app
from app.settings import Settings
from models.catalog import ProductVariant
from models.customer import Customer
from models.database import Database
from schema.node import from_global_id, to_global_id
from services.clock import ManualClock
from services.mail import ConsoleEmailBackend
from services.runtime import Runtime, build_runtime
from services.seed import seed_demo
from services.sms import ConsoleSmsBackend
from tests import factories
from tests.support import GraphQLClient, count_statements

ORDER_FIELDS = """
fragment OrderFields on Order {
  id number placedAt status fulfillmentStatus canCancel
  lineItems {
    id title variantTitle sku quantity
    unitPrice { amount currencyCode } totalPrice { amount currencyCode }
    variant { id title product { title } }
  }
  timeline { status happenedAt message trackingNumber trackingUrl carrier }
  summary {
    subtotal { amount currencyCode }
    discounts { code title amount { amount currencyCode } }
    shipping { amount currencyCode }
    tax { amount currencyCode }
    total { amount currencyCode }
  }
  contact { email phone }
  paymentMethod { brand last4 }
  shippingAddress {
    firstName lastName company line1 line2 city province postalCode countryCode phone
  }
  billingAddress { line1 city countryCode }
  shippingMethod { title price { amount currencyCode } }
  invoice { number issuedAt url }
}
"""

ORDERS = (
    """
query Orders($first: Int, $after: String, $last: Int, $before: String) {
  me {
    orders(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { ...OrderFields } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""
    + ORDER_FIELDS
)

NUMBERS = """
query Orders($first: Int, $after: String, $last: Int, $before: String) {
  me {
    orders(first: $first, after: $after, last: $last, before: $before) {
      edges { node { number } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""

NODE = "query Node($id: ID!) { node(id: $id) { __typename ... on Order { id number } } }"


def numbers(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["number"] for edge in data["me"]["orders"]["edges"]]


def amount(money: dict[str, str]) -> Decimal:
    return Decimal(money["amount"])


def adds_up(summary: dict[str, Any]) -> bool:
    discounts = sum((amount(d["amount"]) for d in summary["discounts"]), Decimal("0"))
    computed = (
        amount(summary["subtotal"])
        - discounts
        + amount(summary["shipping"])
        + amount(summary["tax"])
    )
    return computed == amount(summary["total"])


async def test_order_exposes_every_contract_field(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    ada = await factories.customer(rt, phone="+14155550123")
    token = await factories.login(rt, ada)
    beans = await factories.product(
        rt, title="Ethiopia Yirgacheffe", variants=[("12 oz", "18.00", True)]
    )
    placed = rt.clock.now() - timedelta(days=3)
    order = await factories.order(
        rt,
        ada,
        fulfillment_status="IN_TRANSIT",
        placed_at=placed,
        lines=[(beans.variants[0], 2)],
    )

    # when
    data = await gql.data(ORDERS, token=token)

    # then
    node = data["me"]["orders"]["edges"][0]["node"]
    assert node["id"] == to_global_id("Order", order.id)
    assert node["number"] == order.number
    assert node["placedAt"] == placed.isoformat()
    assert node["status"] == "OPEN"
    assert node["fulfillmentStatus"] == "IN_TRANSIT"
    assert node["canCancel"] is False
    [line] = node["lineItems"]
    assert (from_global_id(line["id"]) or ("",))[0] == "OrderLineItem"
    assert line == {
        "id": line["id"],
        "title": "Ethiopia Yirgacheffe",
        "variantTitle": "12 oz",
        "sku": beans.variants[0].sku,
        "quantity": 2,
        "unitPrice": {"amount": "18.00", "currencyCode": "USD"},
        "totalPrice": {"amount": "36.00", "currencyCode": "USD"},
        "variant": {
            "id": to_global_id("ProductVariant", beans.variants[0].id),
            "title": "12 oz",
            "product": {"title": "Ethiopia Yirgacheffe"},
        },
    }
    assert [e["status"] for e in node["timeline"]] == ["UNFULFILLED", "IN_TRANSIT"]
    assert node["timeline"][1]["trackingNumber"] == "1Z999AA10123456784"
    assert node["timeline"][1]["carrier"] == "UPS"
    assert node["timeline"][1]["trackingUrl"].startswith("https://")
    assert node["summary"] == {
        "subtotal": {"amount": "36.00", "currencyCode": "USD"},
        "discounts": [
            {
                "code": "WELCOME",
                "title": "WELCOME discount",
                "amount": {"amount": "2.00", "currencyCode": "USD"},
            }
        ],
        "shipping": {"amount": "5.00", "currencyCode": "USD"},
        "tax": {"amount": "2.72", "currencyCode": "USD"},
        "total": {"amount": "41.72", "currencyCode": "USD"},
    }
    assert adds_up(node["summary"])
    assert node["contact"] == {"email": ada.email, "phone": "+14155550123"}
    assert node["paymentMethod"] == {"brand": "Visa", "last4": "4242"}
    assert node["shippingAddress"] == {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "company": None,
        "line1": "12 Analytical Way",
        "line2": "Apt 3",
        "city": "Brooklyn",
        "province": "NY",
        "postalCode": "11201",
        "countryCode": "US",
        "phone": "+14155550123",
    }
    assert node["billingAddress"] == {
        "line1": "12 Analytical Way",
        "city": "Brooklyn",
        "countryCode": "US",
    }
    assert node["shippingMethod"] == {
        "title": "Standard shipping",
        "price": {"amount": "5.00", "currencyCode": "USD"},
    }
    assert node["invoice"]["number"] == order.invoice_number
    assert node["invoice"]["issuedAt"] == placed.isoformat()
    assert node["invoice"]["url"].startswith("http://testserver/invoices/")


async def test_optional_order_parts_are_null_when_the_order_has_none(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    await factories.order(
        rt,
        ada,
        payment=None,
        shipping=None,
        discount=None,
        shipping_address=None,
        billing_address=None,
    )

    node = (await gql.data(ORDERS, token=token))["me"]["orders"]["edges"][0]["node"]

    assert node["paymentMethod"] is None
    assert node["shippingMethod"] is None
    assert node["shippingAddress"] is None
    assert node["billingAddress"] is None
    assert node["summary"]["discounts"] == []
    assert node["summary"]["shipping"] == {"amount": "0.00", "currencyCode": "USD"}
    assert adds_up(node["summary"])


async def test_summary_adds_up_for_factory_orders_of_every_shape(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    made = await factories.product(
        rt, variants=[("a", "3.33", True), ("b", "19.99", True), ("c", "0.10", True)]
    )
    a, b, c = made.variants
    await factories.order(rt, ada, lines=[(a, 3), (b, 1), (c, 7)], tax_rate=Decimal("0.0875"))
    await factories.order(rt, ada, lines=[(b, 2)], discount=Decimal("50"))
    await factories.order(rt, ada, lines=[(None, 1), (a, 1)], shipping=Decimal("12.50"))

    edges = (await gql.data(ORDERS, token=token))["me"]["orders"]["edges"]

    assert len(edges) == 3
    assert all(adds_up(edge["node"]["summary"]) for edge in edges)


async def test_orders_are_newest_first_and_page_both_ways(gql: GraphQLClient, rt: Runtime) -> None:
    # given five orders a day apart; two share a timestamp so the id breaks the tie
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    now = rt.clock.now()
    for i, number in enumerate(["#A1", "#A2", "#A3", "#A4"]):
        await factories.order(rt, ada, number=number, placed_at=now - timedelta(days=10 - i))
    await factories.order(rt, ada, number="#A5", placed_at=now - timedelta(days=7))

    # when paging forward
    page1 = await gql.data(NUMBERS, {"first": 2}, token=token)
    info1 = page1["me"]["orders"]["pageInfo"]
    page2 = await gql.data(NUMBERS, {"first": 2, "after": info1["endCursor"]}, token=token)
    info2 = page2["me"]["orders"]["pageInfo"]
    page3 = await gql.data(NUMBERS, {"first": 2, "after": info2["endCursor"]}, token=token)

    # then
    assert numbers(page1) == ["#A5", "#A4"]
    assert numbers(page2) == ["#A3", "#A2"]
    assert numbers(page3) == ["#A1"]
    assert info1 | {"startCursor": None, "endCursor": None} == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }
    assert page3["me"]["orders"]["pageInfo"]["hasNextPage"] is False

    # when paging backward from the end
    back1 = await gql.data(NUMBERS, {"last": 2}, token=token)
    back_info = back1["me"]["orders"]["pageInfo"]
    back2 = await gql.data(NUMBERS, {"last": 2, "before": back_info["startCursor"]}, token=token)

    # then
    assert numbers(back1) == ["#A2", "#A1"]
    assert back_info["hasPreviousPage"] is True
    assert numbers(back2) == ["#A4", "#A3"]
    assert back2["me"]["orders"]["pageInfo"]["hasNextPage"] is True


async def test_orders_lists_only_the_viewers_orders(gql: GraphQLClient, rt: Runtime) -> None:
    ada = await factories.customer(rt)
    jean = await factories.customer(rt)
    await factories.order(rt, ada, number="#ADA")
    await factories.order(rt, jean, number="#JEAN")

    data = await gql.data(NUMBERS, token=await factories.login(rt, ada))

    assert numbers(data) == ["#ADA"]


def forged(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "bogus",
        forged([["d", "2026-01-01T00:00:00"], ["i", 5]]),  # a date with no time zone
        forged([["i", 5], ["i", 5]]),  # a number where the date goes
        forged([["d", "2026-01-01T00:00:00+00:00"], ["s", "5"]]),  # text for the id
        forged([["d", "2026-01-01T00:00:00+00:00"], ["i", 2**40]]),  # past a 32-bit key
        forged([["d", "0001-01-01T00:00:00+05:00"], ["i", 1]]),  # before year 1 in UTC
        forged([["d", "9999-12-31T23:59:59-05:00"], ["i", 1]]),  # after year 9999 in UTC
        forged([["d", "2026-01-01T00:00:00+00:00"]]),  # too short
        forged({"d": 1}),
    ],
)
async def test_orders_refuses_a_cursor_it_did_not_issue(
    gql: GraphQLClient, rt: Runtime, cursor: str
) -> None:
    ada = await factories.customer(rt)
    await factories.order(rt, ada)

    body = await gql(NUMBERS, {"after": cursor}, token=await factories.login(rt, ada))

    assert body["errors"][0]["message"] == "Invalid cursor"
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_node_returns_an_order_only_to_its_owner(gql: GraphQLClient, rt: Runtime) -> None:
    ada = await factories.customer(rt)
    jean = await factories.customer(rt)
    order = await factories.order(rt, ada)
    order_id = to_global_id("Order", order.id)

    mine = await gql.data(NODE, {"id": order_id}, token=await factories.login(rt, ada))
    theirs = await gql.data(NODE, {"id": order_id}, token=await factories.login(rt, jean))
    missing = await gql.data(
        NODE, {"id": to_global_id("Order", 999_999)}, token=await factories.login(rt, jean)
    )

    assert mine["node"] == {"__typename": "Order", "id": order_id, "number": order.number}
    assert theirs["node"] is None
    assert missing["node"] is None


async def test_line_item_variant_is_null_once_the_variant_is_deleted(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    made = await factories.product(rt, title="Limited Geisha")
    await factories.order(rt, ada, lines=[(made.variants[0], 1)])
    async with rt.db.transaction() as session:
        await session.execute(
            delete(ProductVariant).where(col(ProductVariant.id) == made.variants[0].id)
        )

    data = await gql.data(ORDERS, token=await factories.login(rt, ada))

    [line] = data["me"]["orders"]["edges"][0]["node"]["lineItems"]
    assert line["title"] == "Limited Geisha"
    assert line["variant"] is None


async def test_order_history_query_count_does_not_grow_with_the_page(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    made = await factories.product(rt, variants=[("a", "5.00", True), ("b", "7.00", True)])
    lines = [(made.variants[0], 1), (made.variants[1], 2)]
    await factories.order(rt, ada, lines=lines, fulfillment_status="DELIVERED")
    with count_statements(rt.db) as small:
        await gql.data(ORDERS, token=token)
    for _ in range(5):
        await factories.order(rt, ada, lines=lines, fulfillment_status="DELIVERED")

    with count_statements(rt.db) as large:
        data = await gql.data(ORDERS, token=token)

    assert len(data["me"]["orders"]["edges"]) == 6
    assert large.count == small.count


async def test_orders_need_a_session(gql: GraphQLClient) -> None:
    data = await gql.data(NUMBERS)

    assert data["me"] is None


async def test_demo_orders_cover_every_status_and_add_up(
    settings: Settings,
    db: Database,
    clock: ManualClock,
    mailer: ConsoleEmailBackend,
    sms: ConsoleSmsBackend,
) -> None:
    # given the demo store on an empty database
    demo = build_runtime(settings, db=db, clock=clock, mailer=mailer, sms=sms)
    assert await seed_demo(demo)
    async with demo.db.read() as session:
        ada = (
            await session.scalars(select(Customer).where(col(Customer.email) == "ada@example.com"))
        ).one()
    token = await factories.login(demo, ada)
    app = create_app(settings, runtime=demo)
    transport = httpx.ASGITransport(app=app)

    # when
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        data = await GraphQLClient(http).data(ORDERS, {"first": 50}, token=token)
        products = await GraphQLClient(http).data(
            "{ shop { products(first: 50) { edges { node { title variants { available } } } } } }"
        )

    # then
    nodes = [edge["node"] for edge in data["me"]["orders"]["edges"]]
    assert len(nodes) >= 8
    assert all(adds_up(node["summary"]) for node in nodes)
    assert {node["fulfillmentStatus"] for node in nodes} == {
        "UNFULFILLED",
        "PARTIALLY_FULFILLED",
        "FULFILLED",
        "IN_TRANSIT",
        "DELIVERED",
        "RETURNED",
    }
    assert {node["status"] for node in nodes} == {"OPEN", "CANCELLED", "COMPLETED"}
    assert any(node["canCancel"] for node in nodes)
    assert any(node["summary"]["discounts"] for node in nodes)
    assert any(e["trackingNumber"] for node in nodes for e in node["timeline"])
    assert all(node["shippingAddress"] and node["invoice"]["url"] for node in nodes)
    placed = [node["placedAt"] for node in nodes]
    assert placed == sorted(placed, reverse=True)
    catalogue = products["shop"]["products"]["edges"]
    assert 6 <= len(catalogue) <= 12
    assert any(not v["available"] for e in catalogue for v in e["node"]["variants"])
