"""cancelOrder: what a cancellation writes, its reason, and refusals that change nothing."""

from __future__ import annotations

from sqlalchemy import select

from adapters.clock import ManualClock
from models.events import OutboxEvent
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.cancel_order_support import CANCEL, order_state, stored_order
from tests.support import GraphQLClient


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


async def test_cancel_order_needs_a_session(gql: GraphQLClient, rt: Runtime) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    order = await factories.order(rt, await factories.customer(rt))
    before = await order_state(rt)

    body = await gql(CANCEL, {"input": {"orderId": to_global_id("Order", order.id)}})

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await order_state(rt) == before


TIMELINE = """query($id: ID!) { node(id: $id) { ... on Order { status
  timeline { status happenedAt message reason } } } }"""


async def test_a_cancelled_order_ends_its_timeline_with_the_date_and_reason(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    order_id = to_global_id("Order", order.id)
    before = (await gql.data(TIMELINE, {"id": order_id}, token=token))["node"]["timeline"]
    assert "CANCELLED" not in [step["status"] for step in before]
    clock.advance(minutes=5)

    await gql.data(CANCEL, {"input": {"orderId": order_id, "reason": "Ordered twice"}}, token=token)
    after = (await gql.data(TIMELINE, {"id": order_id}, token=token))["node"]

    assert after["status"] == "CANCELLED"
    assert after["timeline"][: len(before)] == before
    assert after["timeline"][len(before) :] == [
        {
            "status": "CANCELLED",
            "happenedAt": clock.now().isoformat(),
            "message": "Order cancelled.",
            "reason": "Ordered twice",
        }
    ]
    assert all(step["reason"] is None for step in before)


async def test_a_cancellation_without_a_reason_still_has_its_step(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    order_id = to_global_id("Order", order.id)

    await gql.data(CANCEL, {"input": {"orderId": order_id}}, token=token)
    timeline = (await gql.data(TIMELINE, {"id": order_id}, token=token))["node"]["timeline"]

    assert timeline[-1] == {
        "status": "CANCELLED",
        "happenedAt": clock.now().isoformat(),
        "message": "Order cancelled.",
        "reason": None,
    }
