"""getNow clicked many times at once, and again later: one order and one charge per shop day."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import update

from adapters.clock import ManualClock
from models.shop import SHOP_ID, Shop
from models.subscription import Subscription
from plumbing.runtime import Runtime
from tests import factories
from tests.graphql.get_now_support import GET_NOW, charges, orders_of, usage
from tests.graphql.subscriptions_support import sid, stored
from tests.support import GraphQLClient

CALLS = 20


async def _subscription(rt: Runtime) -> tuple[Subscription, str]:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    card = await factories.payment_method(rt, ada)
    return await factories.subscription(rt, ada, payment_method=card), token


async def _at_once(
    gql: GraphQLClient, sub: Subscription, token: str, keys: list[str | None]
) -> list[dict[str, Any]]:
    variables = {"input": {"subscriptionId": sid(sub)}}

    async def call(key: str | None) -> dict[str, Any]:
        headers = {"Idempotency-Key": key} if key else None
        data = await gql.data(GET_NOW, variables, token=token, headers=headers)
        return dict(data["getNow"])

    return list(await asyncio.gather(*(call(key) for key in keys)))


async def _one_order_was_placed(
    gql: GraphQLClient, rt: Runtime, sub: Subscription, token: str
) -> list[Any]:
    placed = await orders_of(rt, sub)
    assert len(placed) == 1
    assert len(charges(rt)) == 1
    page = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on Subscription { actions { canGetNow } } } }",
        {"id": sid(sub)},
        token=token,
    )
    assert page["node"]["actions"]["canGetNow"] is False
    return placed


async def test_twenty_calls_with_one_key_place_one_order(gql: GraphQLClient, rt: Runtime) -> None:
    sub, token = await _subscription(rt)

    results = await _at_once(gql, sub, token, ["double-click"] * CALLS)

    placed = await _one_order_was_placed(gql, rt, sub, token)
    # Each answer is that order, or "still being processed" while it was.
    orders = {r["order"]["number"] for r in results if r["order"]}
    assert orders == {placed[0].number}
    assert {e["code"] for r in results for e in r["userErrors"]} <= {"NOT_ALLOWED_IN_STATE"}
    replay = await _at_once(gql, sub, token, ["double-click"])
    assert replay[0]["order"]["number"] == placed[0].number


async def test_twenty_calls_with_different_keys_place_one_order(
    gql: GraphQLClient, rt: Runtime
) -> None:
    sub, token = await _subscription(rt)

    results = await _at_once(gql, sub, token, [f"key-{i}" for i in range(CALLS)])

    await _one_order_was_placed(gql, rt, sub, token)
    assert sum(1 for r in results if r["userErrors"] == []) == 1
    assert [e["code"] for r in results for e in r["userErrors"]] == ["NOT_ALLOWED_IN_STATE"] * (
        CALLS - 1
    )


async def test_twenty_calls_without_a_key_place_one_order(gql: GraphQLClient, rt: Runtime) -> None:
    sub, token = await _subscription(rt)

    results = await _at_once(gql, sub, token, [None] * CALLS)

    await _one_order_was_placed(gql, rt, sub, token)
    assert sum(1 for r in results if r["userErrors"] == []) == 1
    assert [e["code"] for r in results for e in r["userErrors"]] == ["NOT_ALLOWED_IN_STATE"] * (
        CALLS - 1
    )


async def test_one_early_order_per_shop_day(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    # given: an early order placed today (2026-11-21)
    sub, token = await _subscription(rt)
    await _at_once(gql, sub, token, [None])
    before, counts = await stored(rt, sub.id), await usage(rt)

    # when: again the same day, late in the evening
    clock.advance(hours=8, minutes=59)
    again = await _at_once(gql, sub, token, [None])

    # then
    assert [(e["code"], e["field"]) for e in again[0]["userErrors"]] == [
        ("NOT_ALLOWED_IN_STATE", ["subscriptionId"])
    ]
    assert await stored(rt, sub.id) == before
    assert await usage(rt) == counts
    assert len(charges(rt)) == 1

    # when: the next shop day
    clock.advance(minutes=1)
    next_day = await _at_once(gql, sub, token, [None])

    # then: a second order and a second charge, the schedule restarting from the 22nd
    assert next_day[0]["userErrors"] == []
    assert next_day[0]["subscription"]["nextOrderDate"] == "2026-12-22"
    assert len(await orders_of(rt, sub)) == 2
    assert len({c.id for c in charges(rt)}) == 2


async def test_the_day_is_the_shops_day(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    # given: a shop in Los Angeles; 15:00 UTC is 07:00 there on the 21st
    async with rt.db.transaction() as session:
        await session.execute(
            update(Shop).where(Shop.id == SHOP_ID).values(time_zone="America/Los_Angeles")  # type: ignore[arg-type]
        )
    sub, token = await _subscription(rt)
    await _at_once(gql, sub, token, [None])

    # when: 05:00 UTC on the 22nd is still the 21st in the shop
    clock.advance(hours=14)
    still_today = await _at_once(gql, sub, token, [None])
    # and 08:00 UTC on the 22nd is the 22nd there
    clock.advance(hours=3)
    tomorrow = await _at_once(gql, sub, token, [None])

    # then
    assert [e["code"] for e in still_today[0]["userErrors"]] == ["NOT_ALLOWED_IN_STATE"]
    assert tomorrow[0]["userErrors"] == []
    assert tomorrow[0]["subscription"]["nextOrderDate"] == "2026-12-22"
    assert len(await orders_of(rt, sub)) == 2
