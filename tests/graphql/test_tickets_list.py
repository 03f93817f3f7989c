"""Customer.tickets and node(id:): order, paging, the status filter and query cost."""

from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlmodel import col

from models.order import Order
from plumbing.runtime import Runtime
from tests import factories
from tests.graphql.tickets_support import LIST, gid, viewer
from tests.support import GraphQLClient, count_statements


async def test_tickets_list_newest_first_in_pages(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await viewer(rt)
    rows = []
    for _ in range(3):
        rows.append(await factories.ticket(rt, customer))
        rt.clock.advance(minutes=5)  # type: ignore[attr-defined]
    await factories.ticket(rt, await factories.customer(rt))
    # when
    page1 = (await gql.data(LIST, {"first": 2}, token=token))["me"]["tickets"]
    after = page1["pageInfo"]["endCursor"]
    page2 = (await gql.data(LIST, {"first": 2, "after": after}, token=token))["me"]["tickets"]
    # then
    assert [e["node"]["id"] for e in page1["edges"]] == [gid(rows[2]), gid(rows[1])]
    assert page1["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["id"] for e in page2["edges"]] == [gid(rows[0])]
    assert page2["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": page2["edges"][0]["cursor"],
    }


@pytest.mark.parametrize("status", ["OPEN", "PENDING", "CLOSED"])
async def test_status_filter_lists_only_that_status(
    gql: GraphQLClient, rt: Runtime, status: str
) -> None:
    customer, token = await viewer(rt)
    rows = {
        s: await factories.ticket(rt, customer, status=s) for s in ("OPEN", "PENDING", "CLOSED")
    }
    data = await gql.data(LIST, {"status": status}, token=token)
    edges = data["me"]["tickets"]["edges"]
    assert [(e["node"]["id"], e["node"]["status"]) for e in edges] == [(gid(rows[status]), status)]


async def test_a_bad_cursor_is_a_user_input_error(gql: GraphQLClient, rt: Runtime) -> None:
    _, token = await viewer(rt)
    body = await gql(LIST, {"after": "not-a-cursor"}, token=token)
    assert body["errors"][0]["message"] == "Invalid cursor"
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_order_edge_is_null_once_the_order_is_gone(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await viewer(rt)
    order = await factories.order(rt, customer)
    ticket = await factories.ticket(rt, customer, order=order)
    async with rt.db.transaction() as session:
        await session.execute(delete(Order).where(col(Order.id) == order.id))
    # when
    data = await gql.data(LIST, token=token)
    # then
    [edge] = data["me"]["tickets"]["edges"]
    assert (edge["node"]["id"], edge["node"]["order"]) == (gid(ticket), None)


async def test_node_returns_own_tickets_only(gql: GraphQLClient, rt: Runtime) -> None:
    customer, token = await viewer(rt)
    mine = await factories.ticket(rt, customer, subject="Mine")
    theirs = await factories.ticket(rt, await factories.customer(rt))
    query = "query($id: ID!) { node(id: $id) { ... on Ticket { subject } } }"
    own = await gql.data(query, {"id": gid(mine)}, token=token)
    other = await gql.data(query, {"id": gid(theirs)}, token=token)
    assert (own["node"], other["node"]) == ({"subject": "Mine"}, None)


async def test_listing_tickets_costs_the_same_queries_for_more_tickets(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    customer, token = await viewer(rt)

    async def statements() -> int:
        with count_statements(rt.db) as counter:
            await gql.data(LIST, token=token)
        return counter.count

    order = await factories.order(rt, customer)
    await factories.ticket(rt, customer, order=order)
    one = await statements()
    for _ in range(4):
        await factories.ticket(
            rt,
            customer,
            order=await factories.order(rt, customer),
            messages=[("CUSTOMER", "a")] * 3,
        )
    # then
    assert await statements() == one
