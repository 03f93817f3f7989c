"""Paging arguments: the maximum is named, and a bad one fails only its own connection."""

from __future__ import annotations

import pytest

from plumbing.pagination import MAX_PAGE
from plumbing.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient

DASHBOARD = """
query($first: Int, $last: Int) {
  me {
    email
    orders(first: $first, last: $last) { edges { node { number } } pageInfo { hasNextPage } }
    addresses { edges { node { city } } }
  }
}
"""


async def signed_in(rt: Runtime) -> str:
    ada = await factories.customer(rt, email="ada@example.com")
    await factories.order(rt, ada, number="#A1")
    await factories.address(rt, ada, city="Paris")
    return await factories.login(rt, ada)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"first": -1}, "First must not be negative"),
        ({"last": -5}, "Last must not be negative"),
        ({"first": 100_000}, f"First must be at most {MAX_PAGE}"),
        ({"last": MAX_PAGE + 1}, f"Last must be at most {MAX_PAGE}"),
    ],
)
async def test_a_bad_page_argument_fails_only_its_connection(
    gql: GraphQLClient, rt: Runtime, arguments: dict[str, int], message: str
) -> None:
    token = await signed_in(rt)

    body = await gql(DASHBOARD, arguments, token=token)

    [error] = body["errors"]
    assert error["message"] == message
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["path"] == ["me", "orders"]
    me = body["data"]["me"]
    assert me["email"] == "ada@example.com"
    assert me["orders"] == {"edges": [], "pageInfo": {"hasNextPage": False}}
    assert me["addresses"]["edges"] == [{"node": {"city": "Paris"}}]


async def test_the_maximum_itself_is_accepted(gql: GraphQLClient, rt: Runtime) -> None:
    token = await signed_in(rt)
    data = await gql.data(DASHBOARD, {"first": MAX_PAGE}, token=token)
    assert data["me"]["orders"]["edges"] == [{"node": {"number": "#A1"}}]


async def test_every_paginated_field_names_its_maximum(gql: GraphQLClient) -> None:
    query = """{ __schema { types { name fields { name description args { name } } } } }"""
    types = (await gql.data(query))["__schema"]["types"]
    paginated = {
        (t["name"], f["name"]): f["description"]
        for t in types
        if not t["name"].startswith("__")
        for f in t["fields"] or []
        if {"first", "after"} <= {a["name"] for a in f["args"]}
    }
    assert {field for _, field in paginated} >= {"orders", "tickets", "addresses", "products"}
    for description in paginated.values():
        assert f"0 to {MAX_PAGE}" in description


async def test_a_bad_page_on_the_shop_leaves_me_alone(gql: GraphQLClient, rt: Runtime) -> None:
    token = await signed_in(rt)
    body = await gql(
        "{ me { email } shop { name products(first: -1) { edges { cursor } } } }", token=token
    )
    assert [e["path"] for e in body["errors"]] == [["shop", "products"]]
    assert body["data"] == {
        "me": {"email": "ada@example.com"},
        "shop": {"name": "Test Store", "products": {"edges": []}},
    }
