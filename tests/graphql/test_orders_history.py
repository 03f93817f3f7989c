"""Customer.orders paging and cursors, node(id:) for orders, and the history's query cost."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import orjson
import pytest

from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.orders_support import ORDERS
from tests.support import GraphQLClient, count_statements

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
