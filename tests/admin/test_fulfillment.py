"""addFulfillmentEvent and updateOrderStatus: what the store reports after the sale."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from models.events import OutboxEvent
from plumbing.runtime import Runtime
from tests import factories
from tests.admin.support import INGEST, admin, api_key, counts, customer_with, order_input
from tests.support import GraphQLClient

ADD_EVENT = """mutation($input: AddFulfillmentEventInput!) {
  addFulfillmentEvent(input: $input) {
    order { fulfillmentStatus timeline { status carrier trackingNumber trackingUrl } }
    userErrors { code field }
  }
}"""
STATUS = """mutation($input: UpdateOrderStatusInput!) {
  updateOrderStatus(input: $input) { order { status } userErrors { code field } }
}"""
SHIPPED = {
    "status": "IN_TRANSIT",
    "happenedAt": "2026-11-21T09:00:00+00:00",
    "message": "On its way",
    "carrier": "UPS",
    "trackingNumber": "1Z999",
    "trackingUrl": "https://ups.example/track/1Z999",
}


async def _ingested(http: httpx.AsyncClient, rt: Runtime, key: str) -> str:
    body = await admin(http, rt, INGEST, {"input": order_input()}, key=key)
    order_id: str = body["data"]["ingestOrder"]["order"]["id"]
    return order_id


async def test_a_shipment_appears_in_the_customers_timeline(
    http: httpx.AsyncClient, gql: GraphQLClient, rt: Runtime
) -> None:
    key = await api_key(rt, "orders:write")
    order_id = await _ingested(http, rt, key)

    body = await admin(http, rt, ADD_EVENT, {"input": {"orderId": order_id, **SHIPPED}}, key=key)

    result = body["data"]["addFulfillmentEvent"]
    assert result["userErrors"] == []
    assert result["order"]["fulfillmentStatus"] == "IN_TRANSIT"
    customer = await customer_with(rt, "grace.hopper@example.com")
    token = await factories.login(rt, customer)
    me = await gql.data(
        "{ me { orders(first: 1) { edges { node { fulfillmentStatus timeline { status "
        "carrier trackingNumber trackingUrl message } } } } } }",
        token=token,
    )
    node = me["me"]["orders"]["edges"][0]["node"]
    assert node["fulfillmentStatus"] == "IN_TRANSIT"
    assert node["timeline"][-1] == {
        "status": "IN_TRANSIT",
        "carrier": "UPS",
        "trackingNumber": "1Z999",
        "trackingUrl": "https://ups.example/track/1Z999",
        "message": "On its way",
    }


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"trackingUrl": "javascript:alert(1)"}, ["input", "trackingUrl"]),
        ({"happenedAt": "2027-01-01T00:00:00+00:00"}, ["input", "happenedAt"]),
        ({"happenedAt": "2026-11-19T00:00:00+00:00"}, ["input", "happenedAt"]),
        ({"status": "CANCELLED"}, ["input", "status"]),
        ({"carrier": "x" * 101}, ["input", "carrier"]),
    ],
)
async def test_a_bad_event_is_refused_and_nothing_changes(
    http: httpx.AsyncClient, rt: Runtime, changes: dict[str, Any], path: list[str]
) -> None:
    key = await api_key(rt, "orders:write")
    order_id = await _ingested(http, rt, key)
    before = await counts(rt)

    value = {"orderId": order_id, **SHIPPED, **changes}
    body = await admin(http, rt, ADD_EVENT, {"input": value}, key=key)

    result = body["data"]["addFulfillmentEvent"]
    assert result["order"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("INVALID", path)]
    assert await counts(rt) == before


async def test_an_unknown_order_is_not_found(http: httpx.AsyncClient, rt: Runtime) -> None:
    key = await api_key(rt, "orders:write")

    body = await admin(
        http, rt, ADD_EVENT, {"input": {"orderId": "T3JkZXI6OTk", **SHIPPED}}, key=key
    )

    assert body["data"]["addFulfillmentEvent"]["userErrors"] == [
        {"code": "NOT_FOUND", "field": ["input", "orderId"]}
    ]


async def test_cancelling_tells_the_customer_and_is_final(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    key = await api_key(rt, "orders:write")
    order_id = await _ingested(http, rt, key)

    done = await admin(
        http,
        rt,
        STATUS,
        {"input": {"orderId": order_id, "status": "CANCELLED", "reason": "Out of stock"}},
        key=key,
    )
    again = await admin(
        http, rt, STATUS, {"input": {"orderId": order_id, "status": "OPEN"}}, key=key
    )

    assert done["data"]["updateOrderStatus"] == {"order": {"status": "CANCELLED"}, "userErrors": []}
    assert again["data"]["updateOrderStatus"]["userErrors"] == [
        {"code": "NOT_ALLOWED_IN_STATE", "field": ["input", "status"]}
    ]
    async with rt.db.read() as session:
        topics = [event.topic for event in (await session.scalars(select(OutboxEvent))).all()]
    assert topics == ["customer.created", "order.cancelled"]


async def test_completing_an_order(http: httpx.AsyncClient, rt: Runtime) -> None:
    key = await api_key(rt, "orders:write")
    order_id = await _ingested(http, rt, key)

    body = await admin(
        http, rt, STATUS, {"input": {"orderId": order_id, "status": "COMPLETED"}}, key=key
    )

    assert body["data"]["updateOrderStatus"] == {"order": {"status": "COMPLETED"}, "userErrors": []}
