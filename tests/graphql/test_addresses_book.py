"""Reading the address book: paging, cursors, node(id:) and query cost."""

from __future__ import annotations

from tests import factories
from tests.graphql.addresses_support import gid, viewer
from tests.support import count_statements

BOOK = """query($first: Int, $after: String) { me {
  addresses(first: $first, after: $after) {
    edges { cursor node { id line1 isDefaultShipping isDefaultBilling } }
    pageInfo { hasNextPage hasPreviousPage endCursor } }
  defaultShippingAddress { id } defaultBillingAddress { id } } }"""


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
