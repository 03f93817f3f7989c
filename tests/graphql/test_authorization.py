"""Authorization sweep: customer B, given customer A's IDs, gets exactly what a
nonexistent ID gets, and nothing in the database changes.

The sweep reads the schema: every query field and mutation taking an ID joins
it without being listed here. A mutation whose input has a required field the
sweep cannot fill fails the test, naming the sample to add to SAMPLES.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    get_named_type,
    is_enum_type,
    is_list_type,
)
from sqlalchemy import select

import models
from plumbing.runtime import Runtime
from resolvers.ids import from_global_id, to_global_id
from schema.customer import build_schema
from tests import factories
from tests.support import GraphQLClient

ADDRESS = {
    "firstName": "Bea",
    "lastName": "Smith",
    "line1": "1 Main St",
    "city": "Springfield",
    "province": "IL",
    "postalCode": "62701",
    "countryCode": "US",
}
# Valid values for required non-ID input fields, by field name.
SAMPLES: dict[str, Any] = {
    "address": ADDRESS,
    "billingAddress": ADDRESS,
    "kind": "SHIPPING",
    "message": "Where is my parcel?",
    "subject": "Parcel",
    "reason": "Changed my mind",
    "code": "123456",
    "gatewayToken": "tok_visa",
    "quantity": 1,
    "oneTime": False,
    "date": "2030-01-01",
    "nextOrderDate": "2030-01-01",
    "reasonCode": "TOO_EXPENSIVE",
    "cycles": 1,
    "frequency": {"interval": "MONTH", "intervalCount": 1},
    "newEmail": "someone@example.com",
}

A_DATA = """{ me { id
  addresses(first: 50) { edges { node { id } } }
  paymentMethods { id }
  orders(first: 50) { edges { node { id lineItems { id } } } }
  tickets(first: 50) { edges { node { id messages { id } } } }
  subscriptions(first: 50) { edges { node { id lines { id }
    pauseOptions { id } retentionOffer { id } } } }
} }"""


async def given_customer_a_with_one_of_everything(
    rt: Runtime, gql: GraphQLClient
) -> tuple[str, list[str]]:
    a = await factories.customer(rt, email="a@example.com")
    token = await factories.login(rt, a)
    await gql.data(
        """mutation($a: AddressInput!) { createAddress(input: {address: $a})
        { userErrors { code } } }""",
        {"a": ADDRESS},
        token=token,
    )
    await gql.data(
        'mutation { addPaymentMethod(input: {gatewayToken: "tok_visa"}) { userErrors { code } } }',
        token=token,
    )
    order = await factories.order(rt, a)
    await factories.portal_options(rt)
    addon = (await factories.product(rt, title="Mug")).variants[0]
    await factories.subscription(rt, a, one_time=[addon])
    await gql.data(
        """mutation($o: ID!) { createTicket(input: {subject: "Hi", message: "Help", orderId: $o})
        { userErrors { code } } }""",
        {"o": to_global_id("Order", order.id)},  # type: ignore[arg-type]
        token=token,
    )
    # Carts are reached by node(id:) only: buyAgain's answer names A's cart.
    bought = await gql.data(
        """mutation($o: ID!) { buyAgain(input: {orderId: $o}) { cart { id } } }""",
        {"o": to_global_id("Order", order.id)},  # type: ignore[arg-type]
        token=token,
    )
    found = await gql.data(A_DATA, token=token)
    found["cart"] = bought["buyAgain"]["cart"]["id"]
    ids = sorted({value for value in _strings(found) if from_global_id(value) is not None})
    # The catalogue is public: products are not anyone's to protect.
    owned = [i for i in ids if from_global_id(i)[0] not in ("Product", "ProductVariant")]  # type: ignore[index]
    assert {from_global_id(i)[0] for i in owned} >= {  # type: ignore[index]
        "Customer",
        "Address",
        "PaymentMethod",
        "Order",
        "OrderLineItem",
        "Ticket",
        "TicketMessage",
        "Subscription",
        "SubscriptionLine",
        "Cart",
    }
    return token, owned


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def missing_twins(global_id: str) -> list[str]:
    """IDs of the same type naming no row: one in range, one past a 32-bit key."""
    type_name, _ = from_global_id(global_id)  # type: ignore[misc]
    return [to_global_id(type_name, 987_654_321), to_global_id(type_name, 99_999_999_999)]


async def snapshot(rt: Runtime) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    async with rt.db.read() as session:
        for table in models.metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            tables[table.name] = sorted(repr(tuple(row)) for row in rows)
    return tables


def _is_id(type_: Any) -> bool:
    named = get_named_type(type_)
    return (
        isinstance(named, GraphQLScalarType)
        and named.name == "ID"
        and not is_list_type(type_.of_type if isinstance(type_, GraphQLNonNull) else type_)
    )


def build_input(input_type: GraphQLInputObjectType, id_field: str, id_value: str) -> dict:
    """A valid input with `id_field` set to `id_value`; other IDs point nowhere."""
    values: dict[str, Any] = {}
    for name, field in input_type.fields.items():
        if _is_id(field.type):
            if name == id_field:
                values[name] = id_value
            elif isinstance(field.type, GraphQLNonNull):
                values[name] = to_global_id("Nothing", 1)
            continue
        if not isinstance(field.type, GraphQLNonNull) or field.default_value is not Undefined:
            continue
        named = get_named_type(field.type)
        if name in SAMPLES:
            values[name] = SAMPLES[name]
        elif is_enum_type(named):
            values[name] = next(iter(named.values))  # type: ignore[attr-defined]
        else:
            raise AssertionError(f"add a sample for {input_type.name}.{name} to SAMPLES")
    return values


def id_mutations() -> list[tuple[str, GraphQLInputObjectType, str]]:
    """(mutation, its input type, an ID field of that input) for every such pair."""
    schema = build_schema()._schema
    assert schema.mutation_type is not None
    found = []
    for name, field in schema.mutation_type.fields.items():
        arg = field.args.get("input")
        if arg is None:
            continue
        input_type = get_named_type(arg.type)
        assert isinstance(input_type, GraphQLInputObjectType)
        for field_name, input_field in input_type.fields.items():
            if _is_id(input_field.type):
                found.append((name, input_type, field_name))
    return found


def selection_for(mutation: str) -> str:
    schema = build_schema()._schema
    payload = get_named_type(schema.mutation_type.fields[mutation].type)  # type: ignore[union-attr]
    parts = []
    for name, field in payload.fields.items():  # type: ignore[attr-defined]
        named = get_named_type(field.type)
        if isinstance(named, GraphQLScalarType):
            parts.append(name)
        elif name == "userErrors":
            parts.append("userErrors { code field message }")
        else:
            parts.append(f"{name} {{ __typename }}")
    return " ".join(parts)


async def test_foreign_ids_in_queries_look_exactly_like_missing_ones(
    rt: Runtime, gql: GraphQLClient
) -> None:
    _, a_ids = await given_customer_a_with_one_of_everything(rt, gql)
    b_token = await factories.login(rt, await factories.customer(rt, email="b@example.com"))
    schema = build_schema()._schema
    assert schema.query_type is not None
    id_fields = [
        (name, arg_name)
        for name, field in schema.query_type.fields.items()
        for arg_name, arg in field.args.items()
        if _is_id(arg.type)
    ]
    assert ("node", "id") in id_fields
    before = await snapshot(rt)

    for field, arg in id_fields:
        query = f"query($v: ID!) {{ result: {field}({arg}: $v) {{ __typename }} }}"
        for a_id in a_ids:
            foreign = await gql(query, {"v": a_id}, token=b_token)
            for twin in missing_twins(a_id):
                missing = await gql(query, {"v": twin}, token=b_token)
                assert foreign == missing, (field, a_id, twin)
            assert foreign["data"]["result"] is None

    assert await snapshot(rt) == before


async def test_foreign_ids_in_mutations_look_exactly_like_missing_ones(
    rt: Runtime, gql: GraphQLClient
) -> None:
    _, a_ids = await given_customer_a_with_one_of_everything(rt, gql)
    b = await factories.customer(rt, email="b@example.com")
    b_token = await factories.login(rt, b)
    mutations = id_mutations()
    assert len(mutations) >= 8, mutations
    before = await snapshot(rt)

    for mutation, input_type, id_field in mutations:
        document = (
            f"mutation($input: {input_type.name}!) {{ {mutation}(input: $input) "
            f"{{ {selection_for(mutation)} }} }}"
        )
        for a_id in a_ids:
            foreign = await gql(
                document, {"input": build_input(input_type, id_field, a_id)}, token=b_token
            )
            for twin in missing_twins(a_id):
                missing = await gql(
                    document,
                    {"input": build_input(input_type, id_field, twin)},
                    token=b_token,
                )
                assert foreign == missing, (mutation, id_field, a_id, foreign, missing)
            assert "errors" not in foreign, (mutation, foreign)
            payload = foreign["data"][mutation]
            assert payload["userErrors"], (mutation, id_field, a_id)

    assert await snapshot(rt) == before
