"""Address input: normalisation, invalid fields, the book's cap, foreign IDs and sessions."""

from __future__ import annotations

import pytest

from resolvers.ids import to_global_id
from services.addresses import MAX_ADDRESSES
from tests import factories
from tests.graphql.addresses_support import (
    CREATE,
    DELETE,
    ERRORS,
    FIELDS,
    OMIT,
    SET_DEFAULT,
    create,
    gid,
    table,
    valid,
    viewer,
)

UPDATE = f"""mutation($input: UpdateAddressInput!) {{
  updateAddress(input: $input) {{ address {{ {FIELDS} }} {ERRORS} }} }}"""


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
