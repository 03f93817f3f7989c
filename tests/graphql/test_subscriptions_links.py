"""A subscription from its orders and tickets, tickets about one, and its history."""

from __future__ import annotations

from sqlalchemy import update

from models.order import Order
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.subscriptions_support import mutation, sid
from tests.graphql.tickets_support import ticket_tables
from tests.support import GraphQLClient

CREATE = """mutation($input: CreateTicketInput!) { createTicket(input: $input) {
  ticket { id subscription { id status } } userErrors { code field } } }"""
ORDER = """query($id: ID!) { node(id: $id) { ... on Order { number subscription { id } } } }"""
SUBSCRIPTION_ORDERS = """query($id: ID!) { node(id: $id) { ... on Subscription {
  orders(first: 5) { edges { node { number } } } } } }"""
HISTORY = """query($id: ID!, $after: String) { node(id: $id) { ... on Subscription {
  history(first: 1, after: $after) {
    edges { node { action actor before after } } pageInfo { hasNextPage endCursor } } } } }"""


async def test_a_ticket_about_a_subscription(gql: GraphQLClient, rt: Runtime) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    sub = await factories.subscription(rt, ada)

    data = await gql.data(
        CREATE,
        {"input": {"subject": "Grind", "message": "Finer, please", "subscriptionId": sid(sub)}},
        token=token,
    )

    assert data["createTicket"]["userErrors"] == []
    assert data["createTicket"]["ticket"]["subscription"] == {"id": sid(sub), "status": "ACTIVE"}


async def test_a_ticket_about_someone_elses_subscription_is_not_found(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    bea_sub = await factories.subscription(rt, await factories.customer(rt))
    before = await ticket_tables(rt)

    data = await gql.data(
        CREATE,
        {"input": {"subject": "Hi", "message": "Hello", "subscriptionId": sid(bea_sub)}},
        token=token,
    )

    assert data["createTicket"] == {
        "ticket": None,
        "userErrors": [{"code": "NOT_FOUND", "field": ["subscriptionId"]}],
    }
    assert await ticket_tables(rt) == before


async def test_an_order_knows_the_subscription_that_placed_it(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    sub = await factories.subscription(rt, ada)
    placed = await factories.order(rt, ada)
    one_off = await factories.order(rt, ada)
    async with rt.db.transaction() as session:
        await session.execute(
            update(Order).where(Order.id == placed.id).values(subscription_id=sub.id)  # type: ignore[arg-type]
        )

    renewal = await gql.data(ORDER, {"id": to_global_id("Order", placed.id)}, token=token)
    plain = await gql.data(ORDER, {"id": to_global_id("Order", one_off.id)}, token=token)
    listed = await gql.data(SUBSCRIPTION_ORDERS, {"id": sid(sub)}, token=token)

    assert renewal["node"]["subscription"] == {"id": sid(sub)}
    assert plain["node"]["subscription"] is None
    assert listed["node"]["orders"]["edges"] == [{"node": {"number": placed.number}}]


async def test_history_pages_newest_first(gql: GraphQLClient, rt: Runtime) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    sub = await factories.subscription(rt, ada)
    skip = mutation("skipOrder", "SkipOrderInput")
    await gql.data(skip, {"input": {"subscriptionId": sid(sub)}}, token=token)
    await gql.data(skip, {"input": {"subscriptionId": sid(sub), "cycles": 2}}, token=token)

    first = await gql.data(HISTORY, {"id": sid(sub)}, token=token)
    page = first["node"]["history"]
    second = await gql.data(
        HISTORY, {"id": sid(sub), "after": page["pageInfo"]["endCursor"]}, token=token
    )

    [newest] = page["edges"]
    assert newest["node"]["action"] == "skip" and newest["node"]["actor"] == "customer"
    assert len(newest["node"]["after"]["skipped"]) == 2
    assert page["pageInfo"]["hasNextPage"]
    [oldest] = second["node"]["history"]["edges"]
    assert len(oldest["node"]["after"]["skipped"]) == 1
    assert not second["node"]["history"]["pageInfo"]["hasNextPage"]
