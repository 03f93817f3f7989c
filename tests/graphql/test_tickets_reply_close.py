"""replyToTicket and closeTicket, foreign or missing ticket IDs, and support switched off."""

from __future__ import annotations

import pytest

from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.tickets_support import (
    CLOSE,
    CREATE,
    LIST,
    TICKET,
    error_pairs,
    gid,
    ticket_tables,
    viewer,
)
from tests.support import GraphQLClient

REPLY = f"""
mutation($id: ID!, $message: String!) {{
  replyToTicket(input: {{ticketId: $id, message: $message}}) {{
    ticket {{ {TICKET} }} userErrors {{ code field message }}
  }}
}}"""


async def test_reply_reopens_a_pending_ticket_and_keeps_messages_in_order(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    customer, token = await viewer(rt)
    ticket = await factories.ticket(
        rt, customer, status="PENDING", messages=[("CUSTOMER", "Help"), ("AGENT", "Try this")]
    )
    rt.clock.advance(hours=2)  # type: ignore[attr-defined]
    # when
    data = await gql.data(REPLY, {"id": gid(ticket), "message": " Thanks! "}, token=token)
    # then
    result = data["replyToTicket"]
    assert result["userErrors"] == []
    assert result["ticket"]["status"] == "OPEN"
    assert result["ticket"]["updatedAt"] == rt.clock.now().isoformat()
    assert result["ticket"]["messages"] == [
        {"author": "CUSTOMER", "body": "Help"},
        {"author": "AGENT", "body": "Try this"},
        {"author": "CUSTOMER", "body": "Thanks!"},
    ]
    _, _, events = await ticket_tables(rt)
    assert [(e["topic"], e["payload"]["ticket_id"]) for e in events] == [
        ("ticket.replied", ticket.id)
    ]


async def test_reply_to_a_closed_ticket_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    customer, token = await viewer(rt)
    ticket = await factories.ticket(rt, customer, status="CLOSED")
    before = await ticket_tables(rt)
    data = await gql.data(REPLY, {"id": gid(ticket), "message": "Again"}, token=token)
    assert error_pairs(data["replyToTicket"]) == [("NOT_ALLOWED_IN_STATE", ["ticketId"])]
    assert await ticket_tables(rt) == before


async def test_reply_with_an_empty_message_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    customer, token = await viewer(rt)
    ticket = await factories.ticket(rt, customer)
    before = await ticket_tables(rt)
    data = await gql.data(REPLY, {"id": gid(ticket), "message": "  "}, token=token)
    assert error_pairs(data["replyToTicket"]) == [("INVALID", ["message"])]
    assert await ticket_tables(rt) == before


async def test_close_ticket_then_closing_again_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await viewer(rt)
    ticket = await factories.ticket(rt, customer)
    # when
    closed = (await gql.data(CLOSE, {"id": gid(ticket)}, token=token))["closeTicket"]
    after_close = await ticket_tables(rt)
    again = (await gql.data(CLOSE, {"id": gid(ticket)}, token=token))["closeTicket"]
    # then
    assert closed["ticket"]["status"] == "CLOSED"
    assert [e["topic"] for e in after_close[2]] == ["ticket.closed"]
    assert error_pairs(again) == [("NOT_ALLOWED_IN_STATE", ["ticketId"])]
    assert await ticket_tables(rt) == after_close


@pytest.mark.parametrize("mutation", ["reply", "close"])
async def test_foreign_missing_and_malformed_ticket_ids_are_all_not_found(
    gql: GraphQLClient, rt: Runtime, mutation: str
) -> None:
    # given
    _, token = await viewer(rt)
    foreign = await factories.ticket(rt, await factories.customer(rt))
    before = await ticket_tables(rt)
    ids = [gid(foreign), to_global_id("Ticket", 999_999), to_global_id("Order", 1), "%%%"]
    # when
    results = []
    for value in ids:
        if mutation == "reply":
            data = await gql.data(REPLY, {"id": value, "message": "Hi"}, token=token)
        else:
            data = await gql.data(CLOSE, {"id": value}, token=token)
        results.append(next(iter(data.values()))["userErrors"])
    # then
    expected = [{"code": "NOT_FOUND", "field": ["ticketId"], "message": "Ticket not found."}]
    assert results == [expected] * len(ids)
    assert await ticket_tables(rt) == before


async def test_support_switched_off_refuses_every_change_but_reading_works(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    customer, token = await viewer(rt)
    ticket = await factories.ticket(rt, customer)
    await factories.set_flags(rt, support_enabled=False)
    before = await ticket_tables(rt)
    # when
    created = (await gql.data(CREATE, {"input": {"subject": "a", "message": "b"}}, token=token))[
        "createTicket"
    ]
    replied = (await gql.data(REPLY, {"id": gid(ticket), "message": "b"}, token=token))[
        "replyToTicket"
    ]
    closed = (await gql.data(CLOSE, {"id": gid(ticket)}, token=token))["closeTicket"]
    listed = await gql.data(LIST, token=token)
    # then
    for result in (created, replied, closed):
        assert error_pairs(result) == [("ACTION_DISABLED", None)]
        assert result["ticket"] is None
    assert await ticket_tables(rt) == before
    assert [e["node"]["id"] for e in listed["me"]["tickets"]["edges"]] == [gid(ticket)]
