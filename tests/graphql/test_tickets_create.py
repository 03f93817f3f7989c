"""createTicket: what a ticket holds, what it may refer to, the open-ticket cap, idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models.events import OutboxEvent
from models.ticket import Ticket
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from services.tickets import MAX_OPEN_TICKETS
from tests import factories
from tests.graphql.tickets_support import CLOSE, CREATE, error_pairs, gid, ticket_tables, viewer
from tests.support import GraphQLClient


async def _create(gql: GraphQLClient, token: str, **input: Any) -> dict[str, Any]:
    input.setdefault("subject", "Where is my parcel?")
    input.setdefault("message", "It has not arrived yet.")
    result: dict[str, Any] = (await gql.data(CREATE, {"input": input}, token=token))["createTicket"]
    return result


async def test_create_ticket_opens_it_with_the_first_message_and_an_event(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    customer, token = await viewer(rt)
    # when
    result = await _create(gql, token, subject="  Broken grinder  ", message=" It rattles. ")
    # then
    assert result["userErrors"] == []
    ticket = result["ticket"]
    async with rt.db.read() as session:
        row = (await session.scalars(select(Ticket))).one()
        events = (await session.scalars(select(OutboxEvent))).all()
    assert ticket["number"] == f"T-{row.id:06d}"
    assert (ticket["subject"], ticket["status"], ticket["order"]) == (
        "Broken grinder",
        "OPEN",
        None,
    )
    assert ticket["messages"] == [{"author": "CUSTOMER", "body": "It rattles."}]
    assert [(e.topic, e.customer_id, e.payload["ticket_id"]) for e in events] == [
        ("ticket.created", customer.id, row.id)
    ]


@pytest.mark.parametrize("nulls", [{}, {"orderId": None, "subscriptionId": None}])
async def test_omitted_or_null_order_and_subscription_mean_none(
    gql: GraphQLClient, rt: Runtime, nulls: dict[str, Any]
) -> None:
    _, token = await viewer(rt)
    result = await _create(gql, token, **nulls)
    assert result["userErrors"] == []
    assert result["ticket"]["order"] is None


async def test_create_ticket_about_an_own_order(gql: GraphQLClient, rt: Runtime) -> None:
    customer, token = await viewer(rt)
    order = await factories.order(rt, customer, number="#5001")
    result = await _create(gql, token, orderId=gid(order))
    assert result["ticket"]["order"] == {"number": "#5001"}


async def test_foreign_missing_and_malformed_order_ids_are_all_not_found(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    _, token = await viewer(rt)
    foreign = await factories.order(rt, await factories.customer(rt))
    before = await ticket_tables(rt)
    ids = [gid(foreign), to_global_id("Order", 999_999), to_global_id("Ticket", 1), "garbage"]
    # when
    results = [await _create(gql, token, orderId=value) for value in ids]
    # then
    expected = [{"code": "NOT_FOUND", "field": ["orderId"], "message": "Order not found."}]
    assert [r["userErrors"] for r in results] == [expected] * len(ids)
    assert await ticket_tables(rt) == before


async def test_any_subscription_id_is_not_found_until_subscriptions_exist(
    gql: GraphQLClient, rt: Runtime
) -> None:
    _, token = await viewer(rt)
    result = await _create(gql, token, subscriptionId=to_global_id("Subscription", 1))
    assert error_pairs(result) == [("NOT_FOUND", ["subscriptionId"])]
    assert await ticket_tables(rt) == [[], [], []]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", ""),
        ("subject", "   "),
        ("subject", "x" * 201),
        ("message", " \n "),
        ("message", "x" * 5001),
    ],
)
async def test_invalid_subject_or_message_is_refused(
    gql: GraphQLClient, rt: Runtime, field: str, value: str
) -> None:
    _, token = await viewer(rt)
    result = await _create(gql, token, **{field: value})
    assert error_pairs(result) == [("INVALID", [field])]
    assert await ticket_tables(rt) == [[], [], []]


async def test_longest_subject_and_message_are_accepted(gql: GraphQLClient, rt: Runtime) -> None:
    _, token = await viewer(rt)
    result = await _create(gql, token, subject="s" * 200, message="m" * 5000)
    assert result["userErrors"] == []


async def test_open_ticket_cap_refuses_another_until_one_is_closed(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    customer, token = await viewer(rt)
    for i in range(MAX_OPEN_TICKETS):
        await factories.ticket(rt, customer, status="PENDING" if i % 2 else "OPEN")
    await factories.ticket(rt, customer, status="CLOSED")
    before = await ticket_tables(rt)
    # when
    refused = await _create(gql, token)
    # then
    assert error_pairs(refused) == [("NOT_ALLOWED_IN_STATE", None)]
    assert await ticket_tables(rt) == before
    # and closing one makes room
    first_open = before[0][0]
    await gql.data(CLOSE, {"id": to_global_id("Ticket", first_open["id"])}, token=token)
    assert (await _create(gql, token))["userErrors"] == []


async def test_idempotency_key_replay_returns_the_same_ticket(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    _, token = await viewer(rt)
    variables = {"input": {"subject": "Hi", "message": "Double click"}}
    # when
    first = await gql.data(CREATE, variables, token=token, headers={"Idempotency-Key": "k1"})
    again = await gql.data(CREATE, variables, token=token, headers={"Idempotency-Key": "k1"})
    other = await gql.data(CREATE, variables, token=token, headers={"Idempotency-Key": "k2"})
    # then
    ticket_id = first["createTicket"]["ticket"]["id"]
    assert again["createTicket"]["ticket"]["id"] == ticket_id
    assert other["createTicket"]["ticket"]["id"] != ticket_id
    tickets, messages, events = await ticket_tables(rt)
    assert (len(tickets), len(messages), len(events)) == (2, 2, 2)


@pytest.mark.parametrize(
    "changed",
    [{"subject": "Another question"}, {"message": "Different words"}, {"subject": " "}],
)
async def test_a_key_reused_with_other_input_is_refused(
    gql: GraphQLClient, rt: Runtime, changed: dict[str, Any]
) -> None:
    """Not the first ticket handed back, nor the new input's own checks skipped."""
    _, token = await viewer(rt)
    headers = {"Idempotency-Key": "k1"}
    original = {"subject": "Hi", "message": "Double click"}
    await gql.data(CREATE, {"input": original}, token=token, headers=headers)
    before = await ticket_tables(rt)

    data = await gql.data(CREATE, {"input": {**original, **changed}}, token=token, headers=headers)

    assert data["createTicket"]["ticket"] is None
    assert error_pairs(data["createTicket"]) == [("INVALID", None)]
    assert await ticket_tables(rt) == before


async def test_changing_tickets_needs_a_session(gql: GraphQLClient, rt: Runtime) -> None:
    body = await gql(CREATE, {"input": {"subject": "a", "message": "b"}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await ticket_tables(rt) == [[], [], []]
