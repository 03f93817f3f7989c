from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from models.address import Address
from models.customer import Customer
from schema.node import to_global_id
from services.addresses import MAX_ADDRESSES
from services.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient, count_statements

FIELDS = "id line1 line2 city postalCode countryCode phone isDefaultShipping isDefaultBilling"
DEFAULTS = "customer { defaultShippingAddress { id } defaultBillingAddress { id } }"
ERRORS = "userErrors { code field message }"
CREATE = f"""mutation($input: CreateAddressInput!) {{
  createAddress(input: $input) {{ address {{ {FIELDS} }} {DEFAULTS} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateAddressInput!) {{
  updateAddress(input: $input) {{ address {{ {FIELDS} }} {ERRORS} }} }}"""
DELETE = f"""mutation($input: DeleteAddressInput!) {{
  deleteAddress(input: $input) {{ deletedAddressId {DEFAULTS} {ERRORS} }} }}"""
SET_DEFAULT = f"""mutation($input: SetDefaultAddressInput!) {{
  setDefaultAddress(input: $input) {{ address {{ {FIELDS} }} {DEFAULTS} {ERRORS} }} }}"""
BOOK = """query($first: Int, $after: String) { me {
  addresses(first: $first, after: $after) {
    edges { cursor node { id line1 isDefaultShipping isDefaultBilling } }
    pageInfo { hasNextPage hasPreviousPage endCursor } }
  defaultShippingAddress { id } defaultBillingAddress { id } } }"""
OMIT = object()


def valid(**overrides: Any) -> dict[str, Any]:
    address = {"line1": "1 Main St", "city": "Springfield", "postalCode": "62701"}
    address = {**address, "countryCode": "US", **overrides}
    return {k: v for k, v in address.items() if v is not OMIT}


def gid(row: Address) -> str:
    assert row.id is not None
    return to_global_id("Address", row.id)


async def viewer(rt: Runtime) -> tuple[Customer, str]:
    row = await factories.customer(rt)
    return row, await factories.login(rt, row)


async def table(rt: Runtime) -> list[dict[str, Any]]:
    async with rt.db.read() as session:
        rows = (await session.scalars(select(Address).order_by(Address.id))).all()  # type: ignore[arg-type]
    return [row.model_dump() for row in rows]


async def create(gql: GraphQLClient, token: str, address: dict[str, Any], **flags: Any) -> Any:
    data = await gql.data(CREATE, {"input": {"address": address, **flags}}, token=token)
    return data["createAddress"]


def defaults(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    customer = payload["customer"]
    shipping, billing = customer["defaultShippingAddress"], customer["defaultBillingAddress"]
    return (shipping and shipping["id"], billing and billing["id"])


@pytest.mark.parametrize("flags", [{}, {"defaultShipping": None, "defaultBilling": None}])
async def test_first_address_becomes_both_defaults(gql, rt, flags) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)

    result = await create(gql, token, valid(), **flags)

    assert result["userErrors"] == []
    assert result["address"]["isDefaultShipping"] and result["address"]["isDefaultBilling"]
    assert defaults(result) == (result["address"]["id"], result["address"]["id"])


async def test_first_address_with_explicit_false_is_no_default(gql, rt) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)

    result = await create(gql, token, valid(), defaultShipping=False, defaultBilling=False)

    assert result["address"]["isDefaultShipping"] is False
    assert result["address"]["isDefaultBilling"] is False
    assert defaults(result) == (None, None)


async def test_later_addresses_do_not_take_the_defaults(gql, rt) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)
    first = await create(gql, token, valid())

    second = await create(gql, token, valid(line1="2 Side St"))

    assert (second["address"]["isDefaultShipping"], second["address"]["isDefaultBilling"]) == (
        False,
        False,
    )
    assert defaults(second) == (first["address"]["id"], first["address"]["id"])


async def test_a_new_default_shipping_address_leaves_billing_alone(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    old = await factories.address(rt, customer, default_shipping=True, default_billing=True)

    result = await create(gql, token, valid(), defaultShipping=True)

    assert defaults(result) == (result["address"]["id"], gid(old))
    flags = [(r["is_default_shipping"], r["is_default_billing"]) for r in await table(rt)]
    assert flags == [(False, True), (True, False)]


async def test_set_default_moves_one_kind_only(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    a = await factories.address(rt, customer, default_shipping=True, default_billing=True)
    b = await factories.address(rt, customer)

    shipping = await gql.data(
        SET_DEFAULT, {"input": {"id": gid(b), "kind": "SHIPPING"}}, token=token
    )
    billing = await gql.data(SET_DEFAULT, {"input": {"id": gid(b), "kind": "BILLING"}}, token=token)

    assert shipping["setDefaultAddress"]["userErrors"] == []
    assert defaults(shipping["setDefaultAddress"]) == (gid(b), gid(a))
    assert defaults(billing["setDefaultAddress"]) == (gid(b), gid(b))
    assert billing["setDefaultAddress"]["address"]["isDefaultShipping"] is True
    flags = [(r["is_default_shipping"], r["is_default_billing"]) for r in await table(rt)]
    assert flags == [(False, False), (True, True)]


async def test_a_later_mutation_in_the_same_request_sees_the_new_defaults(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    a = await factories.address(rt, customer, default_shipping=True)
    b = await factories.address(rt, customer)
    query = f"""mutation($a: ID!, $b: ID!) {{
      first: setDefaultAddress(input: {{id: $a, kind: SHIPPING}}) {{ {DEFAULTS} }}
      second: setDefaultAddress(input: {{id: $b, kind: SHIPPING}}) {{ {DEFAULTS} }} }}"""

    data = await gql.data(query, {"a": gid(a), "b": gid(b)}, token=token)

    assert defaults(data["first"]) == (gid(a), None)
    assert defaults(data["second"]) == (gid(b), None)


async def test_set_default_on_the_current_default_changes_nothing(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    a = await factories.address(rt, customer, default_shipping=True)
    before = await table(rt)

    data = await gql.data(SET_DEFAULT, {"input": {"id": gid(a), "kind": "SHIPPING"}}, token=token)

    assert data["setDefaultAddress"]["userErrors"] == []
    assert await table(rt) == before


async def test_deleting_a_default_leaves_that_default_empty(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    a = await factories.address(rt, customer, default_shipping=True)
    b = await factories.address(rt, customer, default_billing=True)
    c = await factories.address(rt, customer)

    data = await gql.data(DELETE, {"input": {"id": gid(a)}}, token=token)

    result = data["deleteAddress"]
    assert result["userErrors"] == []
    assert result["deletedAddressId"] == gid(a)
    assert defaults(result) == (None, gid(b))
    rows = await table(rt)
    assert [(r["id"], r["is_default_shipping"]) for r in rows] == [(b.id, False), (c.id, False)]


async def test_update_replaces_the_content_and_keeps_the_defaults(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    a = await factories.address(rt, customer, default_shipping=True, line2="Apt 3", phone="+1")

    data = await gql.data(
        UPDATE,
        {"input": {"id": gid(a), "address": valid(countryCode="ca", postalCode="k1a0b1")}},
        token=token,
    )

    assert data["updateAddress"] == {
        "address": {
            "id": gid(a),
            "line1": "1 Main St",
            "line2": None,
            "city": "Springfield",
            "postalCode": "K1A 0B1",
            "countryCode": "CA",
            "phone": None,
            "isDefaultShipping": True,
            "isDefaultBilling": False,
        },
        "userErrors": [],
    }


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (
            valid(line1="  1 Main St ", line2="   ", postalCode="627011234", countryCode=" us"),
            {"line1": "1 Main St", "line2": None, "postalCode": "62701-1234", "countryCode": "US"},
        ),
        (valid(phone="(415) 555-0123"), {"phone": "+14155550123"}),
        (
            valid(countryCode="GB", postalCode="sw1y 4jh", phone="020 7946 0321"),
            {"postalCode": "SW1Y 4JH", "phone": "+442079460321"},
        ),
        (valid(countryCode="HK", postalCode=OMIT), {"postalCode": None, "countryCode": "HK"}),
        (valid(countryCode="CA", postalCode="h2j2l4"), {"postalCode": "H2J 2L4"}),
    ],
)
async def test_addresses_are_stored_normalised(gql, rt, given, stored) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)

    result = await create(gql, token, given)

    assert result["userErrors"] == []
    assert {key: result["address"][key] for key in stored} == stored


INVALID = [
    ({"line1": "   "}, "line1"),
    ({"city": ""}, "city"),
    ({"countryCode": "XX"}, "countryCode"),
    ({"countryCode": "USA"}, "countryCode"),
    ({"postalCode": OMIT}, "postalCode"),
    ({"postalCode": None}, "postalCode"),
    ({"postalCode": "1234"}, "postalCode"),
    ({"postalCode": "12345-67"}, "postalCode"),
    ({"countryCode": "CA", "postalCode": "123 ABC"}, "postalCode"),
    ({"countryCode": "CA", "postalCode": "D1A 0B1"}, "postalCode"),
    ({"countryCode": "IE", "postalCode": "  "}, "postalCode"),
    ({"company": "x" * 201}, "company"),
    ({"firstName": "x" * 101}, "firstName"),
    ({"phone": "12"}, "phone"),
    ({"phone": "+1 415 555"}, "phone"),
    # Upper-casing "ß" gives "SS": 20 characters typed, 40 to store.
    ({"countryCode": "GB", "postalCode": "ß" * 20}, "postalCode"),
    # Digits of other scripts match a regex's \d but are no postal code.
    ({"postalCode": "١٢٣٤٥"}, "postalCode"),
    ({"postalCode": "12345-١٢٣٤"}, "postalCode"),
    ({"countryCode": "CA", "postalCode": "K1A \u0660B1"}, "postalCode"),
    # Non-ASCII letters whose capitals are ASCII ("SS" is South Sudan, "US"...).
    ({"countryCode": "ß"}, "countryCode"),
    ({"countryCode": "u\u017f"}, "countryCode"),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID)
async def test_create_refuses_an_invalid_address(gql, rt, overrides, field) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    await factories.address(rt, customer, default_shipping=True)
    before = await table(rt)

    result = await create(gql, token, valid(**overrides))

    assert result["address"] is None and result["customer"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID", ["address", field])
    ]
    assert await table(rt) == before


@pytest.mark.parametrize(("overrides", "field"), INVALID[::3])
async def test_update_refuses_an_invalid_address(gql, rt, overrides, field) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    a = await factories.address(rt, customer)
    before = await table(rt)

    data = await gql.data(
        UPDATE, {"input": {"id": gid(a), "address": valid(**overrides)}}, token=token
    )

    errors = data["updateAddress"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", ["address", field])]
    assert await table(rt) == before


async def test_the_address_book_is_capped(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    for _ in range(MAX_ADDRESSES):
        await factories.address(rt, customer)
    before = await table(rt)

    result = await create(gql, token, valid())

    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("INVALID", None)]
    assert await table(rt) == before


MUTATIONS = {
    "updateAddress": (UPDATE, lambda id: {"id": id, "address": valid()}),
    "deleteAddress": (DELETE, lambda id: {"id": id}),
    "setDefaultAddress": (SET_DEFAULT, lambda id: {"id": id, "kind": "BILLING"}),
}


@pytest.mark.parametrize("name", MUTATIONS)
async def test_someone_elses_address_is_not_found_like_a_missing_one(gql, rt, name) -> None:  # type: ignore[no-untyped-def]
    other = await factories.customer(rt)
    theirs = await factories.address(rt, other, default_shipping=True)
    customer, token = await viewer(rt)
    mine = await factories.address(rt, customer)
    query, build = MUTATIONS[name]
    before = await table(rt)
    ids = [gid(theirs), to_global_id("Address", 987654), "garbage", to_global_id("Order", mine.id)]

    answers = [(await gql.data(query, {"input": build(i)}, token=token))[name] for i in ids]

    assert answers[0]["userErrors"] == [
        {"code": "NOT_FOUND", "field": ["id"], "message": "Address not found."}
    ]
    assert all(answer == answers[0] for answer in answers)
    assert await table(rt) == before


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (CREATE, {"address": valid()}),
        *((query, build(to_global_id("Address", 1))) for query, build in MUTATIONS.values()),
    ],
)
async def test_address_mutations_need_a_session(gql, rt, query, variables) -> None:  # type: ignore[no-untyped-def]
    owner = await factories.customer(rt)
    await factories.address(rt, owner, default_shipping=True)
    before = await table(rt)

    body = await gql(query, {"input": variables})

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await table(rt) == before


async def test_the_address_book_pages_oldest_first(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    rows = [await factories.address(rt, customer, default_billing=i == 2) for i in range(3)]
    await factories.address(rt, await factories.customer(rt))

    first = (await gql.data(BOOK, {"first": 2}, token=token))["me"]
    after = first["addresses"]["pageInfo"]["endCursor"]
    second = (await gql.data(BOOK, {"first": 2, "after": after}, token=token))["me"]

    assert [e["node"]["id"] for e in first["addresses"]["edges"]] == [gid(r) for r in rows[:2]]
    assert first["addresses"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["id"] for e in second["addresses"]["edges"]] == [gid(rows[2])]
    assert second["addresses"]["pageInfo"]["hasNextPage"] is False
    assert second["addresses"]["pageInfo"]["hasPreviousPage"] is True
    assert (first["defaultShippingAddress"], first["defaultBillingAddress"]) == (
        None,
        {"id": gid(rows[2])},
    )


async def test_a_bad_cursor_is_a_bad_request(gql, rt) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)

    body = await gql(BOOK, {"after": "not-a-cursor"}, token=token)

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_node_returns_only_the_viewers_addresses(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    mine = await factories.address(rt, customer, default_shipping=True)
    theirs = await factories.address(rt, await factories.customer(rt))
    query = "query($id: ID!) { node(id: $id) { ... on Address { id line1 isDefaultShipping } } }"

    own = await gql.data(query, {"id": gid(mine)}, token=token)
    other = await gql.data(query, {"id": gid(theirs)}, token=token)

    assert own["node"] == {"id": gid(mine), "line1": mine.line1, "isDefaultShipping": True}
    assert other["node"] is None


async def test_reading_the_book_costs_the_same_for_any_size(gql, rt) -> None:  # type: ignore[no-untyped-def]
    small, small_token = await viewer(rt)
    await factories.address(rt, small, default_shipping=True, default_billing=True)
    large, large_token = await viewer(rt)
    await factories.address(rt, large, default_shipping=True)
    await factories.address(rt, large, default_billing=True)
    for _ in range(6):
        await factories.address(rt, large)

    with count_statements(rt.db) as one:
        await gql.data(BOOK, {"first": 50}, token=small_token)
    with count_statements(rt.db) as many:
        data = await gql.data(BOOK, {"first": 50}, token=large_token)

    assert len(data["me"]["addresses"]["edges"]) == 8
    assert many.count == one.count


async def test_concurrent_first_addresses_make_one_default(gql, rt) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)

    results = await asyncio.gather(
        *(create(gql, token, valid(line1=f"{n} Main St")) for n in range(4))
    )

    assert all(result["userErrors"] == [] for result in results)
    rows = await table(rt)
    assert sum(r["is_default_shipping"] for r in rows) == 1
    assert sum(r["is_default_billing"] for r in rows) == 1
