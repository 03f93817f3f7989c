"""cancelOrder asked again: a second cancel, Idempotency-Key replays and concurrent requests."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from models.events import OutboxEvent
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.cancel_order_support import CANCEL, order_state, stored_order
from tests.support import GraphQLClient


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
