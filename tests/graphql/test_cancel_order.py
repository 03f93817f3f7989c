"""cancelOrder and canCancel: the merchant's setting, the order's state, idempotency and races."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import col

from models.catalog import Product
from models.events import OutboxEvent
from models.order import Order
from schema.node import to_global_id
from services.clock import ManualClock
from services.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient

CANCEL = """
mutation Cancel($input: CancelOrderInput!) {
  cancelOrder(input: $input) {
    order { id status canCancel }
    userErrors { code field message }
  }
}
"""

CAN_CANCEL = "query($id: ID!) { node(id: $id) { ... on Order { canCancel } } }"

ORDER_STATUSES = ["OPEN", "CANCELLED", "COMPLETED"]
FULFILLMENT_STATUSES = [
    "UNFULFILLED",
    "PARTIALLY_FULFILLED",
    "FULFILLED",
    "IN_TRANSIT",
    "DELIVERED",
    "RETURNED",
]


async def order_state(rt: Runtime) -> list[tuple[Any, ...]]:
    """Every order's mutable columns, and the outbox, for before/after comparisons."""
    async with rt.db.read() as session:
        orders = await session.execute(
            select(
                Order.id,
                Order.status,
                Order.fulfillment_status,
                Order.cancelled_at,
                Order.cancel_reason,
                Order.version,
            ).order_by(col(Order.id))
        )
        events = await session.execute(select(OutboxEvent.topic, OutboxEvent.payload))
        return [tuple(row) for row in orders.all()] + [tuple(row) for row in events.all()]


async def stored_order(rt: Runtime, order_id: int | None) -> Order:
    async with rt.db.read() as session:
        row = await session.get(Order, order_id)
    assert row is not None
    return row


async def test_cancel_order_cancels_and_tells_the_merchant(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    # given
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    clock.advance(minutes=5)

    # when
    data = await gql.data(
        CANCEL,
        {"input": {"orderId": to_global_id("Order", order.id), "reason": "  Wrong grind  "}},
        token=token,
    )

    # then
    assert data["cancelOrder"] == {
        "order": {"id": to_global_id("Order", order.id), "status": "CANCELLED", "canCancel": False},
        "userErrors": [],
    }
    row = await stored_order(rt, order.id)
    assert (row.status, row.fulfillment_status) == ("CANCELLED", "UNFULFILLED")
    assert row.cancelled_at == clock.now()
    assert row.cancel_reason == "Wrong grind"
    assert row.version == order.version + 1
    async with rt.db.read() as session:
        events = (await session.scalars(select(OutboxEvent))).all()
    assert [(e.topic, e.customer_id, e.payload) for e in events] == [
        (
            "order.cancelled",
            ada.id,
            {"order_id": order.id, "number": order.number, "reason": "Wrong grind"},
        )
    ]


async def test_cancel_order_reason_is_optional_null_or_blank(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    omitted, explicit_null, blank = [await factories.order(rt, ada) for _ in range(3)]

    for order, extra in (
        (omitted, {}),
        (explicit_null, {"reason": None}),
        (blank, {"reason": "   "}),
    ):
        data = await gql.data(
            CANCEL, {"input": {"orderId": to_global_id("Order", order.id), **extra}}, token=token
        )
        assert data["cancelOrder"]["userErrors"] == []
        row = await stored_order(rt, order.id)
        assert (row.status, row.cancel_reason) == ("CANCELLED", None)


async def test_cancel_order_accepts_500_characters_of_reason_and_refuses_501(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    long_one, ok_one = await factories.order(rt, ada), await factories.order(rt, ada)
    before = await order_state(rt)

    refused = await gql.data(
        CANCEL,
        {"input": {"orderId": to_global_id("Order", long_one.id), "reason": "x" * 501}},
        token=token,
    )
    after_refusal = await order_state(rt)
    accepted = await gql.data(
        CANCEL,
        {"input": {"orderId": to_global_id("Order", ok_one.id), "reason": "y" * 500}},
        token=token,
    )

    assert refused["cancelOrder"]["order"] is None
    assert [(e["code"], e["field"]) for e in refused["cancelOrder"]["userErrors"]] == [
        ("INVALID", ["reason"])
    ]
    assert after_refusal == before
    assert accepted["cancelOrder"]["userErrors"] == []
    assert (await stored_order(rt, ok_one.id)).cancel_reason == "y" * 500


async def test_cancel_order_refuses_when_the_merchant_disabled_it(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=False)
    ada = await factories.customer(rt)
    order = await factories.order(rt, ada)
    before = await order_state(rt)

    data = await gql.data(
        CANCEL,
        {"input": {"orderId": to_global_id("Order", order.id)}},
        token=await factories.login(rt, ada),
    )

    assert data["cancelOrder"]["order"] is None
    assert [(e["code"], e["field"]) for e in data["cancelOrder"]["userErrors"]] == [
        ("ACTION_DISABLED", None)
    ]
    assert await order_state(rt) == before


async def test_cancel_order_refuses_an_order_that_shipped_or_is_closed(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    shipped = await factories.order(rt, ada, fulfillment_status="PARTIALLY_FULFILLED")
    closed = await factories.order(rt, ada, status="COMPLETED")
    before = await order_state(rt)

    for order in (shipped, closed):
        data = await gql.data(
            CANCEL, {"input": {"orderId": to_global_id("Order", order.id)}}, token=token
        )
        assert data["cancelOrder"]["order"] is None
        assert [(e["code"], e["field"]) for e in data["cancelOrder"]["userErrors"]] == [
            ("NOT_ALLOWED_IN_STATE", ["orderId"])
        ]
    assert await order_state(rt) == before


async def test_cancel_order_treats_foreign_missing_and_malformed_ids_alike(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    jeans_order = await factories.order(rt, await factories.customer(rt))
    token = await factories.login(rt, ada)
    before = await order_state(rt)

    for order_id in (
        to_global_id("Order", jeans_order.id),
        to_global_id("Order", 999_999),
        to_global_id("Cart", jeans_order.id),
        "%%%",
    ):
        data = await gql.data(CANCEL, {"input": {"orderId": order_id}}, token=token)
        assert data["cancelOrder"] == {
            "order": None,
            "userErrors": [
                {"code": "NOT_FOUND", "field": ["orderId"], "message": "Order not found."}
            ],
        }, order_id
    assert await order_state(rt) == before


async def test_cancel_order_twice_refuses_the_second_time(gql: GraphQLClient, rt: Runtime) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    variables = {"input": {"orderId": to_global_id("Order", order.id)}}
    await gql.data(CANCEL, variables, token=token)
    before = await order_state(rt)

    again = await gql.data(CANCEL, variables, token=token)

    assert [e["code"] for e in again["cancelOrder"]["userErrors"]] == ["NOT_ALLOWED_IN_STATE"]
    assert await order_state(rt) == before


async def test_cancel_order_replays_for_the_same_idempotency_key(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    variables = {"input": {"orderId": to_global_id("Order", order.id), "reason": "Moved"}}
    headers = {"Idempotency-Key": "cancel-1"}

    first = await gql.data(CANCEL, variables, token=token, headers=headers)
    before = await order_state(rt)
    replay = await gql.data(CANCEL, variables, token=token, headers=headers)

    assert first["cancelOrder"]["userErrors"] == []
    assert replay["cancelOrder"] == first["cancelOrder"]
    assert await order_state(rt) == before


async def test_concurrent_cancels_succeed_exactly_once(gql: GraphQLClient, rt: Runtime) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    variables = {"input": {"orderId": to_global_id("Order", order.id)}}

    results = await asyncio.gather(*(gql.data(CANCEL, variables, token=token) for _ in range(4)))

    errors = [r["cancelOrder"]["userErrors"] for r in results]
    assert sum(1 for e in errors if e == []) == 1
    assert sorted(e[0]["code"] for e in errors if e) == ["NOT_ALLOWED_IN_STATE"] * 3
    async with rt.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 1
    assert (await stored_order(rt, order.id)).version == order.version + 1


async def test_concurrent_cancels_with_one_key_all_get_the_first_result(
    gql: GraphQLClient, rt: Runtime
) -> None:
    """A double click: the losers' updates find the order already cancelled, and
    they answer with the winner's result rather than a refusal."""
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    variables = {"input": {"orderId": to_global_id("Order", order.id)}}
    headers = {"Idempotency-Key": "double-click"}

    results = await asyncio.gather(
        *(gql.data(CANCEL, variables, token=token, headers=headers) for _ in range(4))
    )

    assert [r["cancelOrder"]["userErrors"] for r in results] == [[]] * 4
    assert {r["cancelOrder"]["order"]["status"] for r in results} == {"CANCELLED"}
    async with rt.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 1
    assert (await stored_order(rt, order.id)).version == order.version + 1


async def test_cancel_order_needs_a_session(gql: GraphQLClient, rt: Runtime) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    order = await factories.order(rt, await factories.customer(rt))
    before = await order_state(rt)

    body = await gql(CANCEL, {"input": {"orderId": to_global_id("Order", order.id)}})

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await order_state(rt) == before


async def test_can_cancel_matches_whether_cancel_order_succeeds_in_every_state(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    made = await factories.product(rt)
    seen: list[tuple[str, str, bool, bool]] = []

    for enabled in (True, False):
        await factories.set_flags(rt, order_cancellation_enabled=enabled)
        for status in ORDER_STATUSES:
            for fulfillment in FULFILLMENT_STATUSES:
                order = await factories.order(
                    rt,
                    ada,
                    status=status,
                    fulfillment_status=fulfillment,
                    lines=[(made.variants[0], 1)],
                )
                order_id = to_global_id("Order", order.id)
                shown = (await gql.data(CAN_CANCEL, {"id": order_id}, token=token))["node"]
                result = await gql.data(CANCEL, {"input": {"orderId": order_id}}, token=token)
                succeeded = result["cancelOrder"]["userErrors"] == []
                assert shown["canCancel"] is succeeded, (status, fulfillment, enabled)
                seen.append((status, fulfillment, enabled, succeeded))

    assert len(seen) == 36
    assert [s for s in seen if s[3]] == [("OPEN", "UNFULFILLED", True, True)]


async def test_cancelled_order_stays_visible_with_its_new_state(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    await gql.data(CANCEL, {"input": {"orderId": to_global_id("Order", order.id)}}, token=token)
    async with rt.db.transaction() as session:
        # An archived product must not hide the order or break it.
        await session.execute(update(Product).values(active=False))

    data = await gql.data(
        "{ me { orders { edges { node { status canCancel lineItems { title } } } } } }",
        token=token,
    )

    [edge] = data["me"]["orders"]["edges"]
    assert edge["node"]["status"] == "CANCELLED"
    assert edge["node"]["canCancel"] is False
    assert edge["node"]["lineItems"] == [{"title": "House Blend"}]
