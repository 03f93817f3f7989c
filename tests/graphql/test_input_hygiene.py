"""Control characters in free text are refused as INVALID on the field that holds them.

PostgreSQL rejects NUL in text columns (the API would answer a masked internal error)
and SQLite stores it silently; the other C0 controls and DEL are never meant to be
typed. Line breaks (including \r\n) and tabs are allowed only where text spans
lines: ticket messages and cancel reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from models.address import Address
from models.customer import Customer
from models.events import OutboxEvent
from models.order import Order
from models.ticket import Ticket, TicketMessage
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.support import GraphQLClient

PRODUCTS = "query($query: String) { shop { products(query: $query) { edges { cursor } } } }"

# A valid GB address (its postal codes are stored as typed, unlike US and CA ones).
ADDRESS = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "company": "Analytical Engines",
    "line1": "1 Main St",
    "line2": "Flat 3",
    "city": "London",
    "province": "Greater London",
    "postalCode": "SW1Y 4JH",
    "countryCode": "GB",
    "phone": "020 7946 0321",
}
# C0 controls (NUL, SOH, ESC, US) and DEL: refused everywhere.
REFUSED_EVERYWHERE = ["\x00", "\x01", "\x1b", "\x1f", "\x7f"]


@dataclass(frozen=True)
class World:
    token: str
    address_id: str
    ticket_id: str
    order_id: str


@dataclass(frozen=True)
class Case:
    mutation: str
    field: list[str]
    # The mutation's input carrying `text` in the field under test.
    build: Callable[[World, str], dict[str, Any]]
    multiline: bool = False

    @property
    def query(self) -> str:
        input_type = self.mutation[0].upper() + self.mutation[1:] + "Input"
        return f"""mutation($input: {input_type}!) {{
          {self.mutation}(input: $input) {{ userErrors {{ code field }} }} }}"""


def _address(name: str, *, update: bool = False) -> Callable[[World, str], dict[str, Any]]:
    def build(world: World, text: str) -> dict[str, Any]:
        given = {"address": {**ADDRESS, name: text}}
        return {"id": world.address_id, **given} if update else given

    return build


CASES = {
    "updateProfile.firstName": Case("updateProfile", ["firstName"], lambda w, t: {"firstName": t}),
    "updateProfile.lastName": Case("updateProfile", ["lastName"], lambda w, t: {"lastName": t}),
    **{
        f"createAddress.{name}": Case("createAddress", ["address", name], _address(name))
        for name in ADDRESS
    },
    **{
        f"updateAddress.{name}": Case(
            "updateAddress", ["address", name], _address(name, update=True)
        )
        for name in ADDRESS
    },
    "createTicket.subject": Case(
        "createTicket", ["subject"], lambda w, t: {"subject": t, "message": "Hi"}
    ),
    "createTicket.message": Case(
        "createTicket", ["message"], lambda w, t: {"subject": "Help", "message": t}, True
    ),
    "replyToTicket.message": Case(
        "replyToTicket", ["message"], lambda w, t: {"ticketId": w.ticket_id, "message": t}, True
    ),
    "cancelOrder.reason": Case(
        "cancelOrder", ["reason"], lambda w, t: {"orderId": w.order_id, "reason": t}, True
    ),
}
SINGLE_LINE = [name for name, case in CASES.items() if not case.multiline]
MULTI_LINE = [name for name, case in CASES.items() if case.multiline]


@pytest.fixture
async def world(rt: Runtime) -> World:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    customer = await factories.customer(rt, first_name="Ada", last_name="Lovelace")
    address = await factories.address(rt, customer, default_shipping=True)
    ticket = await factories.ticket(rt, customer)
    order = await factories.order(rt, customer)
    return World(
        token=await factories.login(rt, customer),
        address_id=to_global_id("Address", address.id),
        ticket_id=to_global_id("Ticket", ticket.id),
        order_id=to_global_id("Order", order.id),
    )


async def state(rt: Runtime) -> list[list[dict[str, Any]]]:
    """Every row these mutations could write, to prove a refusal wrote nothing."""
    async with rt.db.read() as session:
        return [
            [row.model_dump() for row in (await session.scalars(select(m).order_by(m.id))).all()]  # type: ignore[attr-defined]
            for m in (Customer, Address, Ticket, TicketMessage, Order, OutboxEvent)
        ]


async def errors_for(gql: GraphQLClient, world: World, case: Case, text: str) -> Any:
    variables = {"input": case.build(world, text)}
    data = await gql.data(case.query, variables, token=world.token)
    return [(e["code"], e["field"]) for e in data[case.mutation]["userErrors"]]


def _inside(case: Case, char: str) -> str:
    """A valid value for the case's field with `char` in its middle."""
    valid = ADDRESS.get(case.field[-1], "Ada Lovelace")
    return valid[:1] + char + valid[1:]


@pytest.mark.parametrize("char", [*REFUSED_EVERYWHERE, "\n", "\t", "\r"], ids=repr)
@pytest.mark.parametrize("name", SINGLE_LINE)
async def test_single_line_text_refuses_control_characters(gql, rt, world, name, char) -> None:  # type: ignore[no-untyped-def]
    case = CASES[name]
    before = await state(rt)

    errors = await errors_for(gql, world, case, _inside(case, char))

    assert errors == [("INVALID", case.field)]
    assert await state(rt) == before


@pytest.mark.parametrize("char", [*REFUSED_EVERYWHERE, "\x0b", "\x0c"], ids=repr)
@pytest.mark.parametrize("name", MULTI_LINE)
async def test_multi_line_text_refuses_control_characters(gql, rt, world, name, char) -> None:  # type: ignore[no-untyped-def]
    case = CASES[name]
    before = await state(rt)

    errors = await errors_for(gql, world, case, f"First line{char}second line")

    assert errors == [("INVALID", case.field)]
    assert await state(rt) == before


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("createTicket.message", TicketMessage.body),
        ("replyToTicket.message", TicketMessage.body),
        ("cancelOrder.reason", Order.cancel_reason),
    ],
)
async def test_multi_line_text_keeps_newlines_and_tabs(gql, rt, world, name, column) -> None:  # type: ignore[no-untyped-def]
    text = "Hello,\n\n\tthe grinder rattles.\r\nThanks"

    errors = await errors_for(gql, world, CASES[name], text)

    assert errors == []
    async with rt.db.read() as session:
        assert text in (await session.scalars(select(column))).all()


@pytest.mark.parametrize("char", [*REFUSED_EVERYWHERE, "\n"], ids=repr)
async def test_product_search_refuses_control_characters(gql, rt, world, char) -> None:  # type: ignore[no-untyped-def]
    await factories.product(rt, title="House Blend")
    before = await state(rt)

    body = await gql(PRODUCTS, {"query": f"Ho{char}use"}, token=world.token)

    # The connection answers empty; the rest of the response stands.
    assert body["data"]["shop"]["products"]["edges"] == []
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["shop", "products"]
    assert await state(rt) == before
