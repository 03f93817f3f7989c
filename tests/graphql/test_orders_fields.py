"""The Order type: every contract field, optional parts, summaries that add up, demo data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import delete, select
from sqlmodel import col

from adapters.clock import ManualClock
from adapters.mail import ConsoleEmailBackend
from adapters.sms import ConsoleSmsBackend
from app.main import create_app
from config import Settings
from demo.seed import seed_demo
from models.catalog import ProductVariant
from models.customer import Customer
from models.database import Database
from plumbing.runtime import Runtime, build_runtime
from resolvers.ids import from_global_id, to_global_id
from tests import factories
from tests.graphql.orders_support import ORDERS
from tests.support import GraphQLClient


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
