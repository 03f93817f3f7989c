"""The merchant surface in tests: API keys, a client for `/admin/graphql`, an order to ingest."""

from __future__ import annotations

import copy
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlmodel import col

from auth.api_keys import create_key
from domain.scopes import Scope
from models.customer import Customer
from models.events import OutboxEvent
from models.order import FulfillmentEvent, Order, OrderDiscount, OrderLineItem
from plumbing.runtime import Runtime

ADMIN = "/admin/graphql"
ALL_SCOPES = [scope.value for scope in Scope]


async def api_key(rt: Runtime, *scopes: str, name: str = "store") -> str:
    issued = await create_key(rt, name=name, scopes=list(scopes) or ALL_SCOPES)
    return issued.token


async def admin(
    http: httpx.AsyncClient, rt: Runtime, query: str, variables: Any = None, *, key: str
) -> dict[str, Any]:
    response = await http.post(
        ADMIN,
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {key}"},
    )
    await rt.courier.drain()
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


INGEST = """mutation($input: IngestOrderInput!) {
  ingestOrder(input: $input) {
    order { id storeOrderId number email total { amount currencyCode }
            customer { id email firstName } lines { title quantity sku } }
    created customerCreated
    userErrors { code field message }
  }
}"""

_ORDER: dict[str, Any] = {
    "storeOrderId": "shop-1001",
    "number": "#1001",
    "email": "Grace.Hopper@Example.com",
    "firstName": "Grace",
    "lastName": "Hopper",
    "placedAt": "2026-11-20T10:00:00+00:00",
    "currencyCode": "USD",
    "lines": [
        {
            "title": "Coffee beans",
            "sku": "BEAN-1",
            "quantity": 2,
            "unitPrice": "12.50",
            "totalPrice": "25.00",
        },
        {"title": "Filter papers", "quantity": 1, "unitPrice": "4.00", "totalPrice": "4.00"},
    ],
    "discounts": [{"title": "Welcome", "code": "HELLO", "amount": "5.00"}],
    "subtotal": "29.00",
    "shippingTotal": "6.00",
    "taxTotal": "2.40",
    "total": "32.40",
    "shippingMethodTitle": "Standard",
    "shippingAddress": {
        "firstName": "Grace",
        "lastName": "Hopper",
        "line1": "1 Navy Way",
        "city": "Arlington",
        "province": "VA",
        "postalCode": "22202",
        "countryCode": "US",
    },
    "paymentBrand": "visa",
    "paymentLast4": "4242",
}


def order_input(**changes: Any) -> dict[str, Any]:
    value = copy.deepcopy(_ORDER)
    value.update(changes)
    return value


async def counts(rt: Runtime) -> dict[str, int]:
    """Rows of every table ingestion writes to."""
    tables = (Customer, Order, OrderLineItem, OrderDiscount, FulfillmentEvent, OutboxEvent)
    async with rt.db.read() as session:
        return {
            table.__name__: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in tables
        }


async def customer_with(rt: Runtime, email: str) -> Customer:
    async with rt.db.read() as session:
        row = await session.scalar(select(Customer).where(col(Customer.email) == email))
    assert row is not None
    return row
