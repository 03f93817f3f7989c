"""canCancel agrees with cancelOrder in every state, and a cancelled order stays visible."""

from __future__ import annotations

from sqlalchemy import update

from models.catalog import Product
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.cancel_order_support import CANCEL
from tests.support import GraphQLClient

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
