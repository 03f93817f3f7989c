from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlmodel import col

from models.events import OutboxEvent
from models.order import Order
from models.ticket import Ticket, TicketMessage
from schema.node import to_global_id
from services.runtime import Runtime
from services.tickets import MAX_OPEN_TICKETS
from tests import factories
from tests.support import GraphQLClient, count_statements

TICKET = "id number subject status createdAt updatedAt order { number } messages { author body }"
CREATE = f"""
mutation($input: CreateTicketInput!) {{
  createTicket(input: $input) {{ ticket {{ {TICKET} }} userErrors {{ code field message }} }}
}}"""
REPLY = f"""
mutation($id: ID!, $message: String!) {{
  replyToTicket(input: {{ticketId: $id, message: $message}}) {{
    ticket {{ {TICKET} }} userErrors {{ code field message }}
  }}
}}"""
CLOSE = f"""
mutation($id: ID!) {{
  closeTicket(input: {{ticketId: $id}}) {{
    ticket {{ {TICKET} }} userErrors {{ code field message }}
  }}
}}"""
LIST = """
query($first: Int, $after: String, $status: TicketStatus) {
  me { tickets(first: $first, after: $after, status: $status) {
    edges { cursor node { id status messages { body } order { number } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  } }
}"""


async def _state(rt: Runtime) -> list[list[dict[str, Any]]]:
    """Every row a ticket mutation could write, to prove a refusal wrote nothing."""
    async with rt.db.read() as session:
        return [
            [row.model_dump() for row in (await session.scalars(select(m).order_by(m.id))).all()]
            for m in (Ticket, TicketMessage, OutboxEvent)
        ]


async def _viewer(rt: Runtime) -> tuple[Any, str]:
    row = await factories.customer(rt)
    return row, await factories.login(rt, row)


async def _create(gql: GraphQLClient, token: str, **input: Any) -> dict[str, Any]:
    input.setdefault("subject", "Where is my parcel?")
    input.setdefault("message", "It has not arrived yet.")
    result: dict[str, Any] = (await gql.data(CREATE, {"input": input}, token=token))["createTicket"]
    return result


def _errors(result: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in result["userErrors"]]


def _gid(row: Any) -> str:
    return to_global_id(type(row).__name__, row.id)


async def test_create_ticket_opens_it_with_the_first_message_and_an_event(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    customer, token = await _viewer(rt)
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
    _, token = await _viewer(rt)
    result = await _create(gql, token, **nulls)
    assert result["userErrors"] == []
    assert result["ticket"]["order"] is None


async def test_create_ticket_about_an_own_order(gql: GraphQLClient, rt: Runtime) -> None:
    customer, token = await _viewer(rt)
    order = await factories.order(rt, customer, number="#5001")
    result = await _create(gql, token, orderId=_gid(order))
    assert result["ticket"]["order"] == {"number": "#5001"}


async def test_foreign_missing_and_malformed_order_ids_are_all_not_found(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    _, token = await _viewer(rt)
    foreign = await factories.order(rt, await factories.customer(rt))
    before = await _state(rt)
    ids = [_gid(foreign), to_global_id("Order", 999_999), to_global_id("Ticket", 1), "garbage"]
    # when
    results = [await _create(gql, token, orderId=value) for value in ids]
    # then
    expected = [{"code": "NOT_FOUND", "field": ["orderId"], "message": "Order not found."}]
    assert [r["userErrors"] for r in results] == [expected] * len(ids)
    assert await _state(rt) == before


async def test_any_subscription_id_is_not_found_until_subscriptions_exist(
    gql: GraphQLClient, rt: Runtime
) -> None:
    _, token = await _viewer(rt)
    result = await _create(gql, token, subscriptionId=to_global_id("Subscription", 1))
    assert _errors(result) == [("NOT_FOUND", ["subscriptionId"])]
    assert await _state(rt) == [[], [], []]


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
    _, token = await _viewer(rt)
    result = await _create(gql, token, **{field: value})
    assert _errors(result) == [("INVALID", [field])]
    assert await _state(rt) == [[], [], []]


async def test_longest_subject_and_message_are_accepted(gql: GraphQLClient, rt: Runtime) -> None:
    _, token = await _viewer(rt)
    result = await _create(gql, token, subject="s" * 200, message="m" * 5000)
    assert result["userErrors"] == []


async def test_open_ticket_cap_refuses_another_until_one_is_closed(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    customer, token = await _viewer(rt)
    for i in range(MAX_OPEN_TICKETS):
        await factories.ticket(rt, customer, status="PENDING" if i % 2 else "OPEN")
    await factories.ticket(rt, customer, status="CLOSED")
    before = await _state(rt)
    # when
    refused = await _create(gql, token)
    # then
    assert _errors(refused) == [("NOT_ALLOWED_IN_STATE", None)]
    assert await _state(rt) == before
    # and closing one makes room
    first_open = before[0][0]
    await gql.data(CLOSE, {"id": to_global_id("Ticket", first_open["id"])}, token=token)
    assert (await _create(gql, token))["userErrors"] == []


async def test_idempotency_key_replay_returns_the_same_ticket(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    _, token = await _viewer(rt)
    variables = {"input": {"subject": "Hi", "message": "Double click"}}
    # when
    first = await gql.data(CREATE, variables, token=token, headers={"Idempotency-Key": "k1"})
    again = await gql.data(CREATE, variables, token=token, headers={"Idempotency-Key": "k1"})
    other = await gql.data(CREATE, variables, token=token, headers={"Idempotency-Key": "k2"})
    # then
    ticket_id = first["createTicket"]["ticket"]["id"]
    assert again["createTicket"]["ticket"]["id"] == ticket_id
    assert other["createTicket"]["ticket"]["id"] != ticket_id
    tickets, messages, events = await _state(rt)
    assert (len(tickets), len(messages), len(events)) == (2, 2, 2)


@pytest.mark.parametrize(
    "changed",
    [{"subject": "Another question"}, {"message": "Different words"}, {"subject": " "}],
)
async def test_a_key_reused_with_other_input_is_refused(
    gql: GraphQLClient, rt: Runtime, changed: dict[str, Any]
) -> None:
    """Not the first ticket handed back, nor the new input's own checks skipped."""
    _, token = await _viewer(rt)
    headers = {"Idempotency-Key": "k1"}
    original = {"subject": "Hi", "message": "Double click"}
    await gql.data(CREATE, {"input": original}, token=token, headers=headers)
    before = await _state(rt)

    data = await gql.data(CREATE, {"input": {**original, **changed}}, token=token, headers=headers)

    assert data["createTicket"]["ticket"] is None
    assert _errors(data["createTicket"]) == [("INVALID", None)]
    assert await _state(rt) == before


async def test_reply_reopens_a_pending_ticket_and_keeps_messages_in_order(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    customer, token = await _viewer(rt)
    ticket = await factories.ticket(
        rt, customer, status="PENDING", messages=[("CUSTOMER", "Help"), ("AGENT", "Try this")]
    )
    rt.clock.advance(hours=2)  # type: ignore[attr-defined]
    # when
    data = await gql.data(REPLY, {"id": _gid(ticket), "message": " Thanks! "}, token=token)
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
    _, _, events = await _state(rt)
    assert [(e["topic"], e["payload"]["ticket_id"]) for e in events] == [
        ("ticket.replied", ticket.id)
    ]


async def test_reply_to_a_closed_ticket_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    customer, token = await _viewer(rt)
    ticket = await factories.ticket(rt, customer, status="CLOSED")
    before = await _state(rt)
    data = await gql.data(REPLY, {"id": _gid(ticket), "message": "Again"}, token=token)
    assert _errors(data["replyToTicket"]) == [("NOT_ALLOWED_IN_STATE", ["ticketId"])]
    assert await _state(rt) == before


async def test_reply_with_an_empty_message_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    customer, token = await _viewer(rt)
    ticket = await factories.ticket(rt, customer)
    before = await _state(rt)
    data = await gql.data(REPLY, {"id": _gid(ticket), "message": "  "}, token=token)
    assert _errors(data["replyToTicket"]) == [("INVALID", ["message"])]
    assert await _state(rt) == before


async def test_close_ticket_then_closing_again_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await _viewer(rt)
    ticket = await factories.ticket(rt, customer)
    # when
    closed = (await gql.data(CLOSE, {"id": _gid(ticket)}, token=token))["closeTicket"]
    after_close = await _state(rt)
    again = (await gql.data(CLOSE, {"id": _gid(ticket)}, token=token))["closeTicket"]
    # then
    assert closed["ticket"]["status"] == "CLOSED"
    assert [e["topic"] for e in after_close[2]] == ["ticket.closed"]
    assert _errors(again) == [("NOT_ALLOWED_IN_STATE", ["ticketId"])]
    assert await _state(rt) == after_close


@pytest.mark.parametrize("mutation", ["reply", "close"])
async def test_foreign_missing_and_malformed_ticket_ids_are_all_not_found(
    gql: GraphQLClient, rt: Runtime, mutation: str
) -> None:
    # given
    _, token = await _viewer(rt)
    foreign = await factories.ticket(rt, await factories.customer(rt))
    before = await _state(rt)
    ids = [_gid(foreign), to_global_id("Ticket", 999_999), to_global_id("Order", 1), "%%%"]
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
    assert await _state(rt) == before


async def test_support_switched_off_refuses_every_change_but_reading_works(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    customer, token = await _viewer(rt)
    ticket = await factories.ticket(rt, customer)
    await factories.set_flags(rt, support_enabled=False)
    before = await _state(rt)
    # when
    created = (await gql.data(CREATE, {"input": {"subject": "a", "message": "b"}}, token=token))[
        "createTicket"
    ]
    replied = (await gql.data(REPLY, {"id": _gid(ticket), "message": "b"}, token=token))[
        "replyToTicket"
    ]
    closed = (await gql.data(CLOSE, {"id": _gid(ticket)}, token=token))["closeTicket"]
    listed = await gql.data(LIST, token=token)
    # then
    for result in (created, replied, closed):
        assert _errors(result) == [("ACTION_DISABLED", None)]
        assert result["ticket"] is None
    assert await _state(rt) == before
    assert [e["node"]["id"] for e in listed["me"]["tickets"]["edges"]] == [_gid(ticket)]


async def test_tickets_list_newest_first_in_pages(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await _viewer(rt)
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
    assert [e["node"]["id"] for e in page1["edges"]] == [_gid(rows[2]), _gid(rows[1])]
    assert page1["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["id"] for e in page2["edges"]] == [_gid(rows[0])]
    assert page2["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": page2["edges"][0]["cursor"],
    }


@pytest.mark.parametrize("status", ["OPEN", "PENDING", "CLOSED"])
async def test_status_filter_lists_only_that_status(
    gql: GraphQLClient, rt: Runtime, status: str
) -> None:
    customer, token = await _viewer(rt)
    rows = {
        s: await factories.ticket(rt, customer, status=s) for s in ("OPEN", "PENDING", "CLOSED")
    }
    data = await gql.data(LIST, {"status": status}, token=token)
    edges = data["me"]["tickets"]["edges"]
    assert [(e["node"]["id"], e["node"]["status"]) for e in edges] == [(_gid(rows[status]), status)]


async def test_a_bad_cursor_is_a_user_input_error(gql: GraphQLClient, rt: Runtime) -> None:
    _, token = await _viewer(rt)
    body = await gql(LIST, {"after": "not-a-cursor"}, token=token)
    assert body["errors"][0]["message"] == "Invalid cursor"
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_order_edge_is_null_once_the_order_is_gone(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await _viewer(rt)
    order = await factories.order(rt, customer)
    ticket = await factories.ticket(rt, customer, order=order)
    async with rt.db.transaction() as session:
        await session.execute(delete(Order).where(col(Order.id) == order.id))
    # when
    data = await gql.data(LIST, token=token)
    # then
    [edge] = data["me"]["tickets"]["edges"]
    assert (edge["node"]["id"], edge["node"]["order"]) == (_gid(ticket), None)


async def test_node_returns_own_tickets_only(gql: GraphQLClient, rt: Runtime) -> None:
    customer, token = await _viewer(rt)
    mine = await factories.ticket(rt, customer, subject="Mine")
    theirs = await factories.ticket(rt, await factories.customer(rt))
    query = "query($id: ID!) { node(id: $id) { ... on Ticket { subject } } }"
    own = await gql.data(query, {"id": _gid(mine)}, token=token)
    other = await gql.data(query, {"id": _gid(theirs)}, token=token)
    assert (own["node"], other["node"]) == ({"subject": "Mine"}, None)


async def test_listing_tickets_costs_the_same_queries_for_more_tickets(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    customer, token = await _viewer(rt)

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


async def test_changing_tickets_needs_a_session(gql: GraphQLClient, rt: Runtime) -> None:
    body = await gql(CREATE, {"input": {"subject": "a", "message": "b"}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _state(rt) == [[], [], []]
